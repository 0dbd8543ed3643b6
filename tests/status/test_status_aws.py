"""Status and backfill end to end against the sandbox (moto plus the emulator)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ptc.aws.repositories import RepositoryGateway
from ptc.domain.account import AccountMismatch
from ptc.domain.json_documents import canonical_json
from ptc.engine import workflow
from ptc.engine.apply import Outcome
from ptc.engine.backfill import apply_backfill
from ptc.sandbox.embedded import SandboxInfo
from ptc.sandbox.pull import parse_image, pull
from ptc.status.backfill import plan_backfill
from ptc.status.compute import read_status
from tests.status.conftest import (
    CHANGED,
    ORIGINAL,
    POLICY,
    Calls,
    fail_call,
    lifecycle,
    status_of,
    write,
)

READS = ["GetLifecyclePolicy", "GetRepositoryPolicy", "ListTagsForResource"]
QUAY_US = ["quay/coreos/etcd", "quay/prometheus/node-exporter"]
LISTINGS = ["DescribePullThroughCacheRules", "DescribeRepositories"]


def per_repository(calls: Calls) -> dict[tuple[str, str], list[str]]:
    """(region, repository) -> the operations made for it, sorted."""
    made: dict[tuple[str, str], list[str]] = {}
    for region, operation, target in calls.log:
        if target:
            made.setdefault((region, target), []).append(operation)
    return {key: sorted(operations) for key, operations in sorted(made.items())}


def test_repositories_made_from_the_live_templates_do_not_drift(
    pulled: SandboxInfo, tmp_path: Path
) -> None:
    calls = Calls()
    report, _ = status_of(pulled.session(), write(tmp_path, ORIGINAL), calls)
    rows = [(r.facts.region, r.rule, r.facts.name, r.template) for r in report.repositories]
    assert rows == [
        ("us-east-1", "k8s", "k8s/pause", "k8s"),
        ("us-east-1", "quay", "quay/coreos/etcd", "quay"),
        ("us-east-1", "quay", "quay/prometheus/node-exporter", "quay"),
        ("eu-west-1", "quay", "quay/coreos/etcd", "quay"),
    ]
    assert report.drifted == []
    exporter = report.repositories[2].facts
    assert exporter.image_count == 2
    assert exporter.last_pull is not None
    # Each repository is read for its images and for what its template sets, nothing else:
    # quay sets a lifecycle policy and tags, k8s only a lifecycle policy.
    quay = ["DescribeImages", "GetLifecyclePolicy", "ListTagsForResource"]
    assert per_repository(calls) == {
        ("eu-west-1", "quay/coreos/etcd"): quay,
        ("us-east-1", "k8s/pause"): ["DescribeImages", "GetLifecyclePolicy"],
        ("us-east-1", "quay/coreos/etcd"): quay,
        ("us-east-1", "quay/prometheus/node-exporter"): quay,
    }
    assert sorted(c[1] for c in calls.log if not c[2]) == sorted(LISTINGS * 2)
    assert len(calls.log) == 4 + 11  # before: 4 + 4 per repository, 20


def test_each_setting_the_template_sets_costs_one_call_and_the_rest_none(
    pulled: SandboxInfo, tmp_path: Path
) -> None:
    calls = Calls()
    status_of(pulled.session(), write(tmp_path, CHANGED), calls)
    everything = ["DescribeImages", *READS]
    assert per_repository(calls) == {
        # eu-west-1's quay template sets a lifecycle policy and tags; us-east-1's all three.
        ("eu-west-1", "quay/coreos/etcd"): [
            "DescribeImages",
            "GetLifecyclePolicy",
            "ListTagsForResource",
        ],
        ("us-east-1", "k8s/pause"): ["DescribeImages", "GetLifecyclePolicy"],
        ("us-east-1", "quay/coreos/etcd"): everything,
        ("us-east-1", "quay/prometheus/node-exporter"): everything,
    }


def test_repositories_under_ecr_defaults_cost_one_call_each(
    pulled: SandboxInfo, tmp_path: Path
) -> None:
    session = pulled.session()
    ecr = session.client("ecr")
    for index in range(30):
        ecr.create_repository(repositoryName=f"k8s/extra-{index:02}")
    without_templates = ORIGINAL[: ORIGINAL.index("templates:")]
    calls = Calls()
    report, _ = status_of(session, write(tmp_path, without_templates), calls)
    assert len(report.repositories) == 34
    assert {r.template for r in report.repositories} == {None}
    # 34 repositories, 2 regions: 34 DescribeImages and 2 listings a region.
    assert Counter(c[1] for c in calls.log) == {
        "DescribeImages": 34,
        "DescribePullThroughCacheRules": 2,
        "DescribeRepositories": 2,
    }


def test_a_policy_the_template_does_not_set_is_neither_read_nor_reported(
    pulled: SandboxInfo, tmp_path: Path
) -> None:
    ecr = pulled.session().client("ecr")
    ecr.set_repository_policy(repositoryName="k8s/pause", policyText=json.dumps(POLICY))
    calls = Calls()
    report, _ = status_of(pulled.session(), write(tmp_path, ORIGINAL), calls)
    assert report.drifted == []
    assert "GetRepositoryPolicy" not in {c[1] for c in calls.log}


def test_a_template_changed_after_the_pulls_shows_drift(
    pulled: SandboxInfo, tmp_path: Path
) -> None:
    report, _ = status_of(pulled.session(), write(tmp_path, CHANGED))
    drift = {
        (r.facts.region, r.facts.name): {d.setting: d.fixable for d in r.drift}
        for r in report.repositories
    }
    us_quay = {
        "lifecycle_policy": True,
        "repository_policy": True,
        "resource_tags": True,
        "image_tag_mutability": False,
        "encryption": False,
    }
    assert drift == {
        ("us-east-1", "k8s/pause"): {},
        ("us-east-1", "quay/coreos/etcd"): us_quay,
        ("us-east-1", "quay/prometheus/node-exporter"): us_quay,
        ("eu-west-1", "quay/coreos/etcd"): {"lifecycle_policy": True, "resource_tags": True},
    }


def test_repositories_outside_the_files_rules_are_not_reported(
    pulled: SandboxInfo, tmp_path: Path
) -> None:
    ecr = pulled.session().client("ecr")
    ecr.create_repository(repositoryName="pushed/by-hand")
    ecr.create_repository(repositoryName="quayx/not-under-quay")
    report, _ = status_of(pulled.session(), write(tmp_path, ORIGINAL))
    names = {r.facts.name for r in report.repositories}
    assert "pushed/by-hand" not in names and "quayx/not-under-quay" not in names


def test_a_root_rule_covers_what_no_other_rule_covers_except_live_rules_the_file_lacks(
    pulled: SandboxInfo, tmp_path: Path
) -> None:
    ecr = pulled.session().client("ecr")
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="ROOT", upstreamRegistryUrl="public.ecr.aws"
    )
    pull(parse_image("nginx/nginx:1.25"), pulled.account_id, "us-east-1")
    with_root = ORIGINAL.replace(
        "  - prefix: k8s\n    upstream: registry.k8s.io\n",
        "  - prefix: ROOT\n    upstream: public.ecr.aws\n",
    )
    report, _ = status_of(pulled.session(), write(tmp_path, with_root))
    rules = {(r.facts.region, r.facts.name): r.rule for r in report.repositories}
    # k8s is still live but no longer in the file: its repository is not ROOT's.
    assert rules == {
        ("us-east-1", "nginx/nginx"): "ROOT",
        ("us-east-1", "quay/coreos/etcd"): "quay",
        ("us-east-1", "quay/prometheus/node-exporter"): "quay",
        ("eu-west-1", "quay/coreos/etcd"): "quay",
    }


def test_backfill_fixes_only_drifted_repositories_and_a_rerun_has_nothing_to_do(
    pulled: SandboxInfo, tmp_path: Path
) -> None:
    session = pulled.session()
    ecr = session.client("ecr")
    arn = ecr.describe_repositories(repositoryNames=["quay/coreos/etcd"])["repositories"][0][
        "repositoryArn"
    ]
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "owner", "Value": "me"}])
    path = write(tmp_path, CHANGED)
    calls = Calls()
    report, gateway = status_of(session, path, calls)
    plan = plan_backfill(report)
    result = apply_backfill(plan, gateway)
    assert result.ok
    written = sorted({(region, name) for region, _, name in calls.writes()})
    assert written == [("eu-west-1", "quay/coreos/etcd"), *[("us-east-1", n) for n in QUAY_US]]
    assert Counter(c[1] for c in calls.writes()) == {
        "PutLifecyclePolicy": 3,
        "SetRepositoryPolicy": 2,
        "TagResource": 3,
    }
    etcd = ecr.describe_repositories(repositoryNames=["quay/coreos/etcd"])["repositories"][0]
    text = ecr.get_lifecycle_policy(repositoryName="quay/coreos/etcd")["lifecyclePolicyText"]
    assert json.loads(text) == json.loads(lifecycle(5))
    policy = ecr.get_repository_policy(repositoryName="quay/coreos/etcd")["policyText"]
    assert canonical_json(json.loads(policy)) == canonical_json(POLICY)
    tags = {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert tags == {"team": "platform", "cost-center": "4711", "owner": "me"}
    # Tag mutability and encryption are reported, never touched.
    assert etcd["imageTagMutability"] == "MUTABLE"
    assert etcd["encryptionConfiguration"] == {"encryptionType": "AES256"}

    again, _ = status_of(session, path)
    assert plan_backfill(again).is_empty
    left = {d.setting for r in again.drifted for d in r.drift}
    assert left == {"image_tag_mutability", "encryption"}


def test_a_failure_mid_backfill_is_reported_and_a_rerun_converges(
    pulled: SandboxInfo, tmp_path: Path
) -> None:
    session = pulled.session()
    path = write(tmp_path, CHANGED)
    report, gateway = status_of(session, path)
    fail_call(gateway, "SetRepositoryPolicy", "quay/prometheus/node-exporter")
    result = apply_backfill(plan_backfill(report), gateway)
    outcomes = {r.item.address: r.outcome for r in result.results}
    etcd = "us-east-1/quay/coreos/etcd"
    # The plan's order, whatever the order of the calls.
    assert list(outcomes) == [
        *(f"{etcd}/{s}" for s in ("lifecycle_policy", "repository_policy", "resource_tags")),
        "us-east-1/quay/prometheus/node-exporter/lifecycle_policy",
        "us-east-1/quay/prometheus/node-exporter/repository_policy",
        "us-east-1/quay/prometheus/node-exporter/resource_tags",
        "eu-west-1/quay/coreos/etcd/lifecycle_policy",
        "eu-west-1/quay/coreos/etcd/resource_tags",
    ]
    assert list(outcomes.values())[3:] == [
        Outcome.APPLIED,
        Outcome.FAILED,
        Outcome.NOT_ATTEMPTED,
        # Another region carries on.
        Outcome.APPLIED,
        Outcome.APPLIED,
    ]
    # etcd is written alongside: what had started when node-exporter failed finished, in
    # its order; the rest was not attempted.
    applied = [o for o in list(outcomes.values())[:3] if o is Outcome.APPLIED]
    assert list(outcomes.values())[:3] == applied + [Outcome.NOT_ATTEMPTED] * (3 - len(applied))
    (failed,) = result.of(Outcome.FAILED)
    assert failed.error == "SetRepositoryPolicy in us-east-1: access denied: not allowed"
    assert not result.ok

    second, gateway = status_of(session, path)
    plan = plan_backfill(second)
    assert [a.address for a in plan.actions] == [
        address for address, outcome in outcomes.items() if outcome is not Outcome.APPLIED
    ]
    assert apply_backfill(plan, gateway).ok
    third, _ = status_of(session, path)
    assert plan_backfill(third).is_empty


def test_a_file_for_another_account_is_refused(pulled: SandboxInfo, tmp_path: Path) -> None:
    other = ORIGINAL.replace("123456789012", "210987654321")
    with pytest.raises(AccountMismatch, match="the file is for account 210987654321"):
        status_of(pulled.session(), write(tmp_path, other))


def test_regions_are_listed_at_once(pulled: SandboxInfo, tmp_path: Path) -> None:
    # Each region's listing waits until the other's has started: region after region,
    # they never would, and the barrier breaks.
    desired = workflow.load_desired(write(tmp_path, ORIGINAL))
    gateway = RepositoryGateway(pulled.session(), desired.regions)
    barrier = threading.Barrier(len(desired.regions), timeout=30)

    def together(**_: Any) -> None:
        barrier.wait()

    for client in gateway.clients():
        for operation in ("DescribeRepositories", "DescribePullThroughCacheRules"):
            client.meta.events.register(f"before-call.ecr.{operation}", together)
    report = read_status(desired, gateway)
    assert [r.facts.region for r in report.repositories] == [
        "us-east-1",
        "us-east-1",
        "us-east-1",
        "eu-west-1",
    ]
    assert not barrier.broken


def test_sts_and_a_regions_listings_are_one_round_trip(pulled: SandboxInfo, tmp_path: Path) -> None:
    # STS, the rules and the repositories of us-east-1 each wait until the other two have
    # started: made one after another (STS first, then the rules, then the repositories,
    # as before), they never would, and the barrier breaks.
    desired = workflow.load_desired(write(tmp_path, ORIGINAL))
    gateway = RepositoryGateway(pulled.session(), ["us-east-1"])
    barrier = threading.Barrier(3, timeout=30)

    def together(**_: Any) -> None:
        barrier.wait()

    for client in gateway.clients():
        for operation in ("GetCallerIdentity", *LISTINGS):
            client.meta.events.register(f"before-call.*.{operation}", together)
    report = read_status(desired, gateway)
    assert len(report.repositories) == 3
    assert not barrier.broken

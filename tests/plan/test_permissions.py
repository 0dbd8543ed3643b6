"""Registry permissions: ptc owns the statements whose Sid the file declares, and no other.

Against the sandbox (moto's registry policy plus the emulator), with statements written "by
hand" through boto3 as another team or a replication setup would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest

from ptc.domain import statements
from ptc.domain.resources import StatementResource
from ptc.engine import workflow
from ptc.engine.apply import Outcome
from ptc.export import export_live, to_yaml
from ptc.plan import saved
from ptc.plan.changes import Action, AnyEntry, Unmanaged, entry_from_dict

from .conftest import CallLog, Faults, gateway, write_file

ACCOUNT = "123456789012"
REGION = "us-east-1"
REPO = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository"
CI = f"arn:aws:iam::{ACCOUNT}:role/ci"
FILE = f"""\
    version: 1
    account: "{ACCOUNT}"
    regions: [{REGION}]
    rules:
      - prefix: docker-hub
        upstream: public.ecr.aws
      - prefix: quay
        upstream: quay.io
    permissions:
      - sid: PullThroughCacheFromCI
        principals: [{CI}, "210987654321"]
        prefixes: [docker-hub, quay]
"""
# What ptc writes for FILE, in ECR's JSON.
OWNED = {
    "Sid": "PullThroughCacheFromCI",
    "Effect": "Allow",
    "Principal": {"AWS": [CI, "arn:aws:iam::210987654321:root"]},
    "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
    "Resource": [f"{REPO}/docker-hub/*", f"{REPO}/quay/*"],
}
# Another team's statements, spelled the way people write them (single strings, key order).
REPLICATION = {
    "Sid": "ReplicationFromProd",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
    "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
    "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*",
}
NO_SID = {
    "Effect": "Allow",
    "Resource": f"{REPO}/team/*",
    "Action": "ecr:ReplicateImage",
    "Principal": {"AWS": "345678901234"},
}


def put_policy(session: boto3.Session, *items: dict[str, Any], version: str = "2012-10-17") -> None:
    document = {"Version": version, "Statement": list(items)}
    session.client("ecr").put_registry_policy(policyText=json.dumps(document))


def live_policy(session: boto3.Session) -> dict[str, Any] | None:
    ecr = session.client("ecr")
    try:
        text = ecr.get_registry_policy()["policyText"]
    except ecr.exceptions.RegistryPolicyNotFoundException:
        return None
    document: dict[str, Any] = json.loads(text)
    return document


def by_sid(document: dict[str, Any] | None) -> dict[str | None, dict[str, Any]]:
    assert document is not None
    return {s.get("Sid"): s for s in document["Statement"]}


def plan(session: boto3.Session, path: Path, prune: bool | None = None) -> workflow.Planned:
    desired = workflow.load_desired(path)
    return workflow.plan_desired(desired, gateway(session, desired.regions), prune=prune)


def apply(session: boto3.Session, path: Path) -> tuple[workflow.Planned, Any]:
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    return planned, workflow.apply(planned.plan, gw, desired, desired.base_dir)


def lines(changes: Sequence[AnyEntry]) -> list[str]:
    return [f"{c.ACTION_NAME} {c.address}" for c in changes]


def statement_lines(changes: Sequence[AnyEntry]) -> list[str]:
    return [line for line in lines(changes) if "/statement/" in line]


# -- apply: merge, not replace ---------------------------------------------------------------


def test_foreign_statements_survive_and_owned_ones_converge(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    put_policy(session, REPLICATION, NO_SID)

    planned, report = apply(session, path)

    assert statement_lines(planned.plan.entries) == [
        "create us-east-1/statement/PullThroughCacheFromCI",
        "unmanaged us-east-1/statement/(no Sid, statement 2)",
        "unmanaged us-east-1/statement/ReplicationFromProd",
    ]
    assert report.ok and report.verified is True
    document = live_policy(session)
    assert document is not None and document["Version"] == "2012-10-17"
    # The foreign statements are kept exactly, in their place; the owned one is added.
    assert document["Statement"] == [REPLICATION, NO_SID, OWNED]


def test_a_second_apply_changes_nothing(session: boto3.Session, tmp_path: Path) -> None:
    path = write_file(tmp_path, FILE)
    put_policy(session, REPLICATION)
    apply(session, path)
    before = live_policy(session)
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    log = CallLog().hook(gw)

    planned = workflow.plan_desired(desired, gw)
    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)

    assert planned.plan.is_empty and report.results == []
    assert "PutRegistryPolicy" not in log.operations()
    assert live_policy(session) == before


def test_all_statement_changes_of_a_region_are_one_read_and_one_write(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(
        tmp_path,
        FILE
        + """\
      - sid: PullThroughCacheFromDeploy
        principals: ["210987654321"]
        prefixes: ["*"]
        actions: [ecr:BatchImportUpstreamImage]
      - sid: OldAccess
        absent: true
""",
    )
    put_policy(session, {**REPLICATION, "Sid": "OldAccess"}, REPLICATION)
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    log = CallLog().hook(gw)

    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)

    assert [(r.item.key, r.outcome) for r in report.results if r.item.kind == "statement"] == [
        ("OldAccess", Outcome.APPLIED),
        ("PullThroughCacheFromCI", Outcome.APPLIED),
        ("PullThroughCacheFromDeploy", Outcome.APPLIED),
    ]
    writes = [op for op in log.operations() if "RegistryPolicy" in op]
    # A fresh read, another just before the one write, one after it to check the merge held
    # (test_registry_race.py); then one read to verify.
    assert writes == [
        "GetRegistryPolicy",
        "GetRegistryPolicy",
        "PutRegistryPolicy",
        "GetRegistryPolicy",
        "GetRegistryPolicy",
    ]
    assert list(by_sid(live_policy(session))) == [
        "ReplicationFromProd",
        "PullThroughCacheFromCI",
        "PullThroughCacheFromDeploy",
    ]


def test_a_statement_added_by_someone_after_the_plan_survives_apply(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    put_policy(session, REPLICATION)  # between plan and apply

    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)

    assert report.ok
    assert by_sid(live_policy(session))["ReplicationFromProd"] == REPLICATION


def test_a_failed_write_fails_every_statement_change_and_skips_the_rest(
    session: boto3.Session, tmp_path: Path, inject: Callable[..., Faults]
) -> None:
    path = write_file(tmp_path, FILE.replace("[docker-hub, quay]", "[quay]"))
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    # Calls after the plan: GetRegistryPolicy (0 and 1), PutRegistryPolicy (2).
    faults = inject("server-error", 2, gw)

    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)

    assert [(f"{r.item.action} {r.item.address}", r.outcome) for r in report.results] == [
        ("create us-east-1/statement/PullThroughCacheFromCI", Outcome.FAILED),
        ("create us-east-1/rule/docker-hub", Outcome.NOT_ATTEMPTED),
        ("create us-east-1/rule/quay", Outcome.NOT_ATTEMPTED),
    ]
    assert report.results[0].error == (
        "PutRegistryPolicy in us-east-1: ServerException: We encountered an error"
    )
    assert faults.failed_attempts == 2
    assert live_policy(session) is None


# -- drift, absent and deleting the policy ---------------------------------------------------


def test_a_hand_edited_owned_statement_shows_as_an_update(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    apply(session, path)
    edited = {
        **OWNED,
        "Action": "ecr:BatchImportUpstreamImage",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ci"}},
    }
    put_policy(session, REPLICATION, edited)

    planned = plan(session, path)

    [change] = list(planned.plan.changes)
    assert (change.action, change.address) == (
        Action.UPDATE,
        "us-east-1/statement/PullThroughCacheFromCI",
    )
    assert change.changed == ("actions", "other")
    assert change.before is not None and change.after is not None
    assert change.before["actions"] == ("ecr:BatchImportUpstreamImage",)
    assert change.after["actions"] == ("ecr:BatchImportUpstreamImage", "ecr:CreateRepository")
    _, report = apply(session, path)
    assert report.verified is True
    assert by_sid(live_policy(session)) == {
        "ReplicationFromProd": REPLICATION,
        "PullThroughCacheFromCI": OWNED,
    }


def test_spelling_differences_are_not_changes(session: boto3.Session, tmp_path: Path) -> None:
    path = write_file(tmp_path, FILE)
    respelled = {
        "Resource": [f"{REPO}/quay/*", f"{REPO}/docker-hub/*", f"{REPO}/quay/*"],
        "Action": ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
        "Principal": {"AWS": ["210987654321", CI]},
        "Effect": "Allow",
        "Sid": "PullThroughCacheFromCI",
    }
    put_policy(session, respelled)

    assert statement_lines(plan(session, path).plan.changes) == []


def test_absent_removes_the_statement_and_keeps_the_foreign_ones(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    apply(session, path)
    put_policy(session, REPLICATION, OWNED, NO_SID)
    gone = write_file(
        tmp_path,
        FILE.split("    permissions:")[0]
        + "    permissions:\n      - sid: PullThroughCacheFromCI\n        absent: true\n",
    )

    planned, report = apply(session, gone)

    assert lines(planned.plan.changes) == ["delete us-east-1/statement/PullThroughCacheFromCI"]
    assert planned.plan.changes[0].reason == "absent: true in the file"
    assert report.ok and report.verified is True
    assert live_policy(session) == {"Version": "2012-10-17", "Statement": [REPLICATION, NO_SID]}
    assert plan(session, gone).plan.is_empty  # absent and not live: nothing to do


def test_removing_the_last_statement_deletes_the_policy(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    apply(session, path)
    gone = write_file(
        tmp_path,
        FILE.split("    permissions:")[0]
        + "    permissions:\n      - sid: PullThroughCacheFromCI\n        absent: true\n",
    )

    _, report = apply(session, gone)

    assert report.ok and report.verified is True
    assert live_policy(session) is None


def test_unmanaged_statements_are_left_alone_even_with_prune(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    put_policy(session, REPLICATION)

    planned = plan(session, path, prune=True)

    [foreign] = [c for c in planned.plan.entries if c.key == "ReplicationFromProd"]
    assert isinstance(foreign, Unmanaged)
    assert foreign.reason == (
        "not in the file; left alone (ptc changes only the Sids the file declares)"
    )


# -- saved plans and the fingerprint ---------------------------------------------------------


def test_a_foreign_statement_added_after_the_plan_makes_the_saved_plan_stale(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    planned = plan(session, path)
    plan_file = tmp_path / "plan.json"
    saved.save(plan_file, planned.plan, planned.desired)
    put_policy(session, REPLICATION)

    the_plan, _ = saved.load(plan_file)

    with pytest.raises(workflow.StalePlan, match="the live state changed since the plan"):
        workflow.check_fresh(the_plan, gateway(session, [REGION]).read(the_plan.account))


def test_a_saved_plan_keeps_the_permissions_and_verifies_them(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    planned = plan(session, path)
    plan_file = tmp_path / "plan.json"
    saved.save(plan_file, planned.plan, planned.desired)

    the_plan, desired = saved.load(plan_file)
    gw = gateway(session, [REGION])
    workflow.check_fresh(the_plan, gw.read(the_plan.account))
    report = workflow.apply(the_plan, gw, desired, desired.base_dir)

    assert desired.permissions == planned.desired.permissions
    assert report.ok and report.verified is True
    assert by_sid(live_policy(session)) == {"PullThroughCacheFromCI": OWNED}


def test_the_json_plan_shows_statements_by_sid(session: boto3.Session, tmp_path: Path) -> None:
    path = write_file(tmp_path, FILE)
    put_policy(session, REPLICATION)

    data = json.loads(json.dumps(plan(session, path).plan.to_dict()))

    statements_json = [c for c in data["changes"] if c["kind"] == "statement"]
    assert statements_json == [
        {
            "address": "us-east-1/statement/PullThroughCacheFromCI",
            "action": "create",
            "kind": "statement",
            "region": REGION,
            "key": "PullThroughCacheFromCI",
            "changed": [],
            "reason": None,
            "before": None,
            "after": {
                "effect": "Allow",
                "principals": [CI, "arn:aws:iam::210987654321:root"],
                "actions": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                "resources": [f"{REPO}/docker-hub/*", f"{REPO}/quay/*"],
                "other": None,
            },
            "before_sensitive": {},
            "after_sensitive": {},
            "after_unknown": {},
            "desired": {
                "region": REGION,
                "sid": "PullThroughCacheFromCI",
                "effect": "Allow",
                "principals": [CI, "arn:aws:iam::210987654321:root"],
                "actions": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                "resources": [f"{REPO}/docker-hub/*", f"{REPO}/quay/*"],
                "other": None,
            },
            "live": None,
        },
        {
            "address": "us-east-1/statement/ReplicationFromProd",
            "action": "unmanaged",
            "kind": "statement",
            "region": REGION,
            "key": "ReplicationFromProd",
            "changed": [],
            "reason": "not in the file; left alone (ptc changes only the Sids the file declares)",
            "before": {
                "effect": "Allow",
                "principals": ["arn:aws:iam::210987654321:root"],
                "actions": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                "resources": [f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"],
                "other": None,
            },
            "after": None,
            "before_sensitive": {},
            "after_sensitive": {},
            "after_unknown": {},
            "desired": None,
            "live": {
                "region": REGION,
                "sid": "ReplicationFromProd",
                "effect": "Allow",
                "principals": ["arn:aws:iam::210987654321:root"],
                "actions": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                "resources": [f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"],
                "other": None,
            },
        },
    ]
    assert data["summary"] == {
        "add": 3,
        "change": 0,
        "replace": 0,
        "destroy": 0,
        "unmanaged": 1,
    }
    # Changes round-trip through the saved-plan form.
    again = [json.loads(json.dumps(entry_from_dict(c).to_dict())) for c in data["changes"]]
    assert again == data["changes"]


# -- export -----------------------------------------------------------------------------------


def test_export_adopts_pull_through_cache_statements_and_plans_clean(
    session: boto3.Session, tmp_path: Path
) -> None:
    apply(session, write_file(tmp_path, FILE))
    scoped = {
        **OWNED,
        "Sid": "ImportOnly",
        "Action": "ecr:BatchImportUpstreamImage",
        "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*",
    }
    on_no_rule = {**OWNED, "Sid": "NoSuchRule", "Resource": f"{REPO}/ghcr/*"}
    put_policy(session, REPLICATION, OWNED, NO_SID, scoped, on_no_rule)
    live = gateway(session, [REGION]).read(ACCOUNT)

    document = export_live(live)

    assert document["permissions"] == [
        {
            "sid": "PullThroughCacheFromCI",
            "principals": [CI, "arn:aws:iam::210987654321:root"],
            "prefixes": ["docker-hub", "quay"],
        },
        {
            "sid": "ImportOnly",
            "principals": [CI, "arn:aws:iam::210987654321:root"],
            "prefixes": ["*"],
            "actions": ["ecr:BatchImportUpstreamImage"],
        },
    ]
    exported = tmp_path / "exported.yaml"
    exported.write_text(to_yaml(document), encoding="utf-8")
    again = plan(session, exported).plan
    assert again.is_empty
    assert sorted(u.key for u in again.unmanaged if u.kind == "statement") == [
        "(no Sid, statement 3)",
        "NoSuchRule",
        "ReplicationFromProd",
    ]


# -- the merge itself -------------------------------------------------------------------------


def _owned(sid: str) -> StatementResource:
    return StatementResource(region=REGION, sid=sid, principals=(CI,), actions=("a",))


def test_merge_replaces_only_the_first_statement_with_an_owned_sid() -> None:
    text = json.dumps(
        {
            "Id": "kept",
            "Version": "2008-10-17",
            "Statement": [{"Sid": "A", "x": 1}, NO_SID, {"Sid": "A", "x": 2}],
        }
    )

    merged = statements.merge(text, {"A": _owned("A")}, set())

    assert merged == {
        "Id": "kept",
        "Version": "2008-10-17",
        "Statement": [statements.to_api(_owned("A")), NO_SID, {"Sid": "A", "x": 2}],
    }


def test_merge_of_a_single_statement_object_and_of_nothing() -> None:
    one = json.dumps({"Version": "2012-10-17", "Statement": {"Sid": "B"}})

    assert statements.merge(one, {}, {"B"}) is None
    assert statements.merge(None, {}, {"B"}) is None
    assert statements.merge(None, {"A": _owned("A")}, set()) == {
        "Version": "2012-10-17",
        "Statement": [statements.to_api(_owned("A"))],
    }


def test_merge_refuses_a_live_policy_that_is_not_a_json_object() -> None:
    with pytest.raises(statements.PolicyError, match="not a JSON object"):
        statements.merge("[1, 2]", {"A": _owned("A")}, set())


def test_a_repeated_sid_is_listed_as_someone_elses() -> None:
    text = json.dumps({"Statement": [{"Sid": "A"}, {"Sid": "A"}, {"Sid": ""}]})

    keys = [s.sid for s in statements.statements_from_policy(text, REGION)]

    assert keys == ["A", "A (again, statement 2)", "(no Sid, statement 3)"]

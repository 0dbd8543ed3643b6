"""Property: whatever the file and whatever is live, apply then plan shows no changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ptc.engine import workflow

from .conftest import gateway

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLES = [f"arn:aws:iam::{ACCOUNT}:role/ptc-a", f"arn:aws:iam::{ACCOUNT}:role/ptc-b"]
CROSS_ACCOUNT_ECR = "210987654321.dkr.ecr.us-west-2.amazonaws.com"
SAME_ACCOUNT_ECR = f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
SECRETS = {
    "ecr-pullthroughcache/docker-hub": ("DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN"),
    "ecr-pullthroughcache/other": ("OTHER_USERNAME", "OTHER_TOKEN"),
}
ENV = {
    "DOCKERHUB_USERNAME": "octocat",
    "DOCKERHUB_TOKEN": "t1",
    "OTHER_USERNAME": "o",
    "OTHER_TOKEN": "t2",
}
LEGACY_SECRET = "ecr-pullthroughcache/legacy"  # live only, never in a file
RULE_PREFIXES = ["alpha", "beta", "gamma", "ROOT"]
LIVE_RULE_PREFIXES = [*RULE_PREFIXES, "delta"]
TEMPLATE_PREFIXES = ["alpha", "beta", "team/sub", "ROOT"]
LIVE_TEMPLATE_PREFIXES = [*TEMPLATE_PREFIXES, "epsilon"]
POLICIES = [
    {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType":
        "sinceImagePushed", "countUnit": "days", "countNumber": 7}, "action": {"type": "expire"}}]},
    {"rules": [{"rulePriority": 2, "selection": {"tagStatus": "any", "countType":
        "imageCountMoreThan", "countNumber": 10}, "action": {"type": "expire"}}]},
]  # fmt: skip
REPOSITORY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}
    ],
}


def _upstreams(root: bool) -> st.SearchStrategy[dict[str, Any]]:
    """The upstream part of a rule that ECR and `ptc validate` accept."""
    options: list[st.SearchStrategy[dict[str, Any]]] = [
        st.just({"upstream": "quay.io"}),
        st.just({"upstream": "registry.k8s.io"}),
        st.builds(
            lambda secret: {"upstream": "registry-1.docker.io", "credentials": secret},
            st.sampled_from(sorted(SECRETS)),
        ),
        st.builds(
            lambda secret: {"upstream": "ghcr.io", "credentials": secret},
            st.sampled_from(sorted(SECRETS)),
        ),
        st.builds(
            lambda role: {"upstream": CROSS_ACCOUNT_ECR, "role": role}, st.sampled_from(ROLES)
        ),
        st.builds(
            lambda role: {"upstream": SAME_ACCOUNT_ECR, **({"role": role} if role else {})},
            st.sampled_from([None, *ROLES]),
        ),
    ]
    if not root:
        options.append(
            st.builds(
                lambda prefix: {"upstream": "public.ecr.aws", "upstream_prefix": prefix},
                st.sampled_from(["library", "team/images", "ROOT"]),
            )
        )
    return st.one_of(options)


@st.composite
def _rules(draw: st.DrawFn, prefixes: list[str]) -> list[dict[str, Any]]:
    chosen = draw(st.lists(st.sampled_from(prefixes), unique=True, max_size=4))
    return [{"prefix": p, **draw(_upstreams(p == "ROOT"))} for p in chosen]


@st.composite
def _template(draw: st.DrawFn, prefix: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "prefix": prefix,
        "applied_for": draw(
            st.lists(
                st.sampled_from(["PULL_THROUGH_CACHE", "CREATE_ON_PUSH", "REPLICATION"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        ),
    }
    if draw(st.booleans()):
        item["description"] = draw(st.sampled_from(["cached", "Docker Hub, 10 images", ""]))
    mutability = draw(st.sampled_from([None, "MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION"]))
    if mutability:
        item["image_tag_mutability"] = mutability
    if mutability == "MUTABLE_WITH_EXCLUSION":
        item["image_tag_mutability_exclusions"] = draw(
            st.lists(st.sampled_from(["latest", "nightly-*", "v1.*"]), min_size=1, unique=True)
        )
    encryption = draw(st.sampled_from([None, "AES256", "KMS", "KMS-key"]))
    if encryption:
        kind = encryption.removesuffix("-key")
        item["encryption"] = {"type": kind, **({"kms_key": KMS_KEY} if "key" in encryption else {})}
    policy = draw(st.sampled_from([None, *range(len(POLICIES))]))
    if policy is not None:
        item["lifecycle_policy"] = POLICIES[policy]
    if draw(st.booleans()):
        item["repository_policy"] = REPOSITORY_POLICY
    tags = draw(
        st.dictionaries(st.sampled_from(["team", "env", "cost"]), st.sampled_from(["a", "b"]))
    )
    if tags:
        item["resource_tags"] = tags
    needs_role = bool(tags) or encryption not in (None, "AES256")
    role = draw(st.sampled_from(ROLES if needs_role else [None, *ROLES]))
    if role:
        item["role"] = role
    return item


@st.composite
def _templates(draw: st.DrawFn, prefixes: list[str]) -> list[dict[str, Any]]:
    chosen = draw(st.lists(st.sampled_from(prefixes), unique=True, max_size=3))
    return [draw(_template(p)) for p in chosen]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    rules = draw(_rules(RULE_PREFIXES))
    used = sorted({r["credentials"] for r in rules if "credentials" in r})
    # A secret a rule uses is managed by the file, or exists already (else plan refuses).
    managed = draw(st.lists(st.sampled_from(sorted(SECRETS)), unique=True))
    existing = draw(st.lists(st.sampled_from(sorted(SECRETS)), unique=True))
    existing = sorted(set(existing) | (set(used) - set(managed)))
    return {
        "file": {
            "version": 1,
            "account": ACCOUNT,
            "regions": [REGION],
            "prune": draw(st.booleans()),
            "rules": rules,
            "templates": draw(_templates(TEMPLATE_PREFIXES)),
            "secrets": [
                {
                    "name": name,
                    "username": {"env": SECRETS[name][0]},
                    "access_token": {"env": SECRETS[name][1]},
                }
                for name in managed
            ],  # fmt: skip
        },
        "live_secrets": {name: draw(st.sampled_from(["same", "other"])) for name in existing},
        "live_rules": draw(_rules(LIVE_RULE_PREFIXES)),
        "live_templates": draw(_templates(LIVE_TEMPLATE_PREFIXES)),
    }


def _create_live(session: boto3.Session, scenario: dict[str, Any]) -> None:
    """The live state, made with boto3 as someone else (console, Terraform) would have."""
    sm = session.client("secretsmanager", region_name=REGION)
    arns = {}
    for name, value in [*scenario["live_secrets"].items(), (LEGACY_SECRET, "other")]:
        user, token = SECRETS.get(name, ("NONE", "NONE"))
        secret = {"username": ENV.get(user, "x"), "accessToken": ENV.get(token, "x")}
        if value == "other":
            secret["accessToken"] = "rotated-elsewhere"
        arns[name] = sm.create_secret(Name=name, SecretString=json.dumps(secret))["ARN"]
    ecr = session.client("ecr", region_name=REGION)
    for rule in scenario["live_rules"]:
        request = {"ecrRepositoryPrefix": rule["prefix"], "upstreamRegistryUrl": rule["upstream"]}
        if "credentials" in rule:
            request["credentialArn"] = arns[LEGACY_SECRET]
        if "role" in rule:
            request["customRoleArn"] = rule["role"]
        if "upstream_prefix" in rule:
            request["upstreamRepositoryPrefix"] = rule["upstream_prefix"]
        ecr.create_pull_through_cache_rule(**request)
    for template in scenario["live_templates"]:
        ecr.create_repository_creation_template(**_template_request(template))


def _template_request(item: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {"prefix": item["prefix"], "appliedFor": item["applied_for"]}
    if item.get("description"):
        request["description"] = item["description"]
    if "image_tag_mutability" in item:
        request["imageTagMutability"] = item["image_tag_mutability"]
    if "image_tag_mutability_exclusions" in item:
        request["imageTagMutabilityExclusionFilters"] = [
            {"filterType": "WILDCARD", "filter": f} for f in item["image_tag_mutability_exclusions"]
        ]
    if "encryption" in item:
        encryption = item["encryption"]
        request["encryptionConfiguration"] = {
            "encryptionType": encryption["type"],
            **({"kmsKey": encryption["kms_key"]} if "kms_key" in encryption else {}),
        }
    # Pretty-printed with other key order: what a console user might have pasted.
    for key, field in (
        ("lifecycle_policy", "lifecyclePolicy"),
        ("repository_policy", "repositoryPolicy"),
    ):
        if key in item:
            request[field] = json.dumps(item[key], indent=3)
    if "resource_tags" in item:
        request["resourceTags"] = [{"Key": k, "Value": v} for k, v in item["resource_tags"].items()]
    if "role" in item:
        request["customRoleArn"] = item["role"]
    return request


def _live_keys(session: boto3.Session) -> tuple[set[str], set[str]]:
    ecr = session.client("ecr", region_name=REGION)
    rules = ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    templates = ecr.describe_repository_creation_templates()["repositoryCreationTemplates"]
    return {r["ecrRepositoryPrefix"] for r in rules}, {t["prefix"] for t in templates}


def _example(file: dict[str, Any], **live: Any) -> dict[str, Any]:
    document = {"version": 1, "account": ACCOUNT, "regions": [REGION], "prune": False}
    return {
        "file": {"rules": [], "templates": [], "secrets": [], **document, **file},
        **{"live_secrets": {}, "live_rules": [], "live_templates": [], **live},
    }


# Cases a random draw rarely hits, where ECR's update rules decide between update and replace.
ROLE_REMOVED = _example(
    {"rules": [{"prefix": "alpha", "upstream": SAME_ACCOUNT_ECR}]},
    live_rules=[{"prefix": "alpha", "upstream": SAME_ACCOUNT_ECR, "role": ROLES[0]}],
)
CREDENTIAL_AND_UPSTREAM_PREFIX_CHANGED = _example(
    {
        "rules": [
            {"prefix": "alpha", "upstream": "ghcr.io", "credentials": "ecr-pullthroughcache/other"},
            {"prefix": "beta", "upstream": "public.ecr.aws", "upstream_prefix": "library"},
        ],
        "secrets": [
            {
                "name": "ecr-pullthroughcache/other",
                "username": {"env": "OTHER_USERNAME"},
                "access_token": {"env": "OTHER_TOKEN"},
            }
        ],
        "templates": [{"prefix": "ROOT", "applied_for": ["CREATE_ON_PUSH"], "description": "d"}],
    },
    live_secrets={"ecr-pullthroughcache/other": "other"},
    live_rules=[
        {"prefix": "alpha", "upstream": "ghcr.io", "credentials": "legacy"},
        {"prefix": "beta", "upstream": "public.ecr.aws", "upstream_prefix": "team/images"},
    ],
    live_templates=[
        {
            "prefix": "ROOT",
            "applied_for": ["PULL_THROUGH_CACHE"],
            "resource_tags": {"a": "b"},
            "role": ROLES[1],
            "lifecycle_policy": POLICIES[0],
        },
    ],  # fmt: skip
)


@pytest.mark.usefixtures("aws")
@example(scenario=ROLE_REMOVED)
@example(scenario=CREDENTIAL_AND_UPSTREAM_PREFIX_CHANGED)
@settings(
    max_examples=35,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_apply_then_plan_shows_no_changes(
    session: boto3.Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    scenario: dict[str, Any],
) -> None:
    from moto.core.base_backend import BackendDict

    BackendDict.reset()  # every example starts from an empty AWS
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    _create_live(session, scenario)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(scenario["file"]), encoding="utf-8")
    before_rules, before_templates = _live_keys(session)

    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)
    assert report.ok, [(r.item.address, r.error) for r in report.results if r.error]
    assert report.verified is True, report.drift

    again = workflow.plan_desired(workflow.load_desired(path), gateway(session, [REGION])).plan
    assert again.is_empty, [f"{c.action} {c.address} {c.changed}" for c in again.changes]
    rules, templates = _live_keys(session)
    wanted_rules = {r["prefix"] for r in scenario["file"]["rules"]}
    wanted_templates = {t["prefix"] for t in scenario["file"]["templates"]}
    if scenario["file"]["prune"]:
        assert (rules, templates) == (wanted_rules, wanted_templates)
    else:
        assert (rules, templates) == (
            wanted_rules | before_rules,
            wanted_templates | before_templates,
        )
        assert {u.key for u in again.unmanaged if u.kind == "rule"} == before_rules - wanted_rules

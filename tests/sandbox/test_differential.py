"""validate and the sandbox agree: a file validate refuses is one the sandbox refuses.

hypothesis writes one rule or one template (valid and invalid values, near the limits);
`ptc validate` judges the file, the sandbox answers the create call ptc would make for it.
Errors and refusals must go together, except where AWS documents accepting the request
and failing later (creating a repository from the template): PTC411 and PTC421.
Warnings do not count: they mark what the service accepts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptc.checks.base import Severity
from ptc.checks.runner import validate_text
from ptc.sandbox.embedded import SandboxInfo

ACCOUNT = "123456789012"
OTHER = "210987654321"
ACCEPTED_THEN_FAIL = {"PTC411", "PTC421"}
EXAMPLES = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

segments = st.sampled_from(["a", "ab", "team", "x1", "a.b", "a_b", "a__b", "a--b", "a..b",
                            "A", "-a", "a-", "", "a b"])  # fmt: skip
prefixes = st.one_of(
    st.lists(segments, min_size=1, max_size=3).map("/".join),
    st.sampled_from(["ROOT", "root", "team/", "team\n", "a" * 30, "a" * 31, "a" * 2, "a",
                     "ROOT/", "/team", "team//x"]),
)  # fmt: skip
roles = st.sampled_from([None, f"arn:aws:iam::{ACCOUNT}:role/ptc", f"arn:aws:iam::{OTHER}:role/x",
                         "arn:aws:iam::123:role/x", "not-an-arn"])  # fmt: skip
upstreams = st.sampled_from([
    "public.ecr.aws", "quay.io", "registry.k8s.io", "registry-1.docker.io", "ghcr.io",
    f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com", f"{OTHER}.dkr.ecr.eu-west-1.amazonaws.com",
    f"{OTHER}.dkr.ecr.us-east-9.amazonaws.com", f"{OTHER}.dkr.ecr.us-west-2.amazonaws.com.cn",
    "harbor.example.com", "https://quay.io", "docker.io",
])  # fmt: skip
rules = st.fixed_dictionaries(
    {"prefix": prefixes, "upstream": upstreams},
    optional={"upstream_prefix": prefixes, "role": roles},
)
tag_keys = st.sampled_from(["team", "aws:team", "AWS:x", "team#1", "k" * 128, "k" * 129, "a b",
                            "c=d", "é"])  # fmt: skip
tag_values = st.sampled_from(["", "a", "v" * 256, "v" * 257, "x;y", "a/b"])
kms = st.sampled_from([
    f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    "alias/ecr",
])  # fmt: skip
policies = st.sampled_from([
    {"Version": "2012-10-17", "Statement": []},
    {"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Principal": "*",
                                             "Action": "ecr:BatchGetImage"}]},
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage"}]},
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
                                             "Action": "ecr:BatchGetImage"}]},
])  # fmt: skip
templates = st.fixed_dictionaries(
    {
        "prefix": prefixes,
        "applied_for": st.lists(
            st.sampled_from(["PULL_THROUGH_CACHE", "CREATE_ON_PUSH", "REPLICATION", "PUSH"]),
            max_size=3,
        ),
    },
    optional={
        "description": st.sampled_from(["", "d", "d" * 256, "d" * 257]),
        "image_tag_mutability": st.sampled_from(["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION",
                                                 "SOMETIMES"]),
        "image_tag_mutability_exclusions": st.lists(
            st.sampled_from(["v*", "latest", "a/b", "x" * 128, "x" * 129]), max_size=6
        ),
        "encryption": st.one_of(
            st.just({"type": "AES256"}),
            st.builds(lambda key: {"type": "KMS", "kms_key": key}, kms),
        ),
        "resource_tags": st.dictionaries(tag_keys, tag_values, max_size=2),
        "repository_policy": policies,
        "role": roles,
    },
)  # fmt: skip


def _verdict(kind: str, item: dict[str, Any]) -> set[str]:
    """The IDs of the errors validate finds in a file holding `item`."""
    document = {"version": 1, "account": ACCOUNT, "regions": ["us-east-1"], kind: [item]}
    text = yaml.safe_dump(document, allow_unicode=True)
    result = validate_text(text, "differential.yaml", Path("."))
    return {f.check_id for f in result.findings if f.severity is Severity.ERROR}


def _answer(call: Any, params: dict[str, Any]) -> str | None:
    """None if the sandbox accepts the call, else its error code."""
    try:
        call(**params)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


def _agree(errors: set[str], refusal: str | None, item: dict[str, Any]) -> None:
    expected_refusal = bool(errors - ACCEPTED_THEN_FAIL)
    assert expected_refusal == (refusal is not None), (item, sorted(errors), refusal)


@EXAMPLES
@given(rule=rules)
def test_rules_validate_refuses_exactly_what_the_sandbox_refuses(
    aws: SandboxInfo, raw_ecr: Any, rule: dict[str, Any]
) -> None:
    params = {"ecrRepositoryPrefix": rule["prefix"], "upstreamRegistryUrl": rule["upstream"]}
    if "upstream_prefix" in rule:
        params["upstreamRepositoryPrefix"] = rule["upstream_prefix"]
    if rule.get("role"):
        params["customRoleArn"] = rule["role"]
    refusal = _answer(raw_ecr.create_pull_through_cache_rule, params)
    if refusal is None:
        raw_ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix=rule["prefix"])
    _agree(_verdict("rules", rule), refusal, rule)


@EXAMPLES
@given(template=templates)
def test_templates_validate_refuses_exactly_what_the_sandbox_refuses(
    aws: SandboxInfo, raw_ecr: Any, template: dict[str, Any]
) -> None:
    params: dict[str, Any] = {"prefix": template["prefix"], "appliedFor": template["applied_for"]}
    if "description" in template:
        params["description"] = template["description"]
    if "image_tag_mutability" in template:
        params["imageTagMutability"] = template["image_tag_mutability"]
    if template.get("image_tag_mutability_exclusions"):
        params["imageTagMutabilityExclusionFilters"] = [
            {"filterType": "WILDCARD", "filter": f}
            for f in template["image_tag_mutability_exclusions"]
        ]
    if "encryption" in template:
        encryption = template["encryption"]
        params["encryptionConfiguration"] = {"encryptionType": encryption["type"]}
        if "kms_key" in encryption:
            params["encryptionConfiguration"]["kmsKey"] = encryption["kms_key"]
    if template.get("resource_tags"):
        params["resourceTags"] = [
            {"Key": k, "Value": v} for k, v in template["resource_tags"].items()
        ]
    if "repository_policy" in template:
        params["repositoryPolicy"] = json.dumps(template["repository_policy"])
    if template.get("role"):
        params["customRoleArn"] = template["role"]
    refusal = _answer(raw_ecr.create_repository_creation_template, params)
    if refusal is None:
        raw_ecr.delete_repository_creation_template(prefix=template["prefix"])
    _agree(_verdict("templates", template), refusal, template)

"""The differ, the plan's data and its terminal view: models in, plan out, no AWS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from ptc.aws.responses import rule_from_api, template_from_api
from ptc.config.models import PtcFile
from ptc.domain.resources import (
    AnyResource,
    RuleResource,
    SecretResource,
    TemplateResource,
    ValueRef,
)
from ptc.plan.changes import Plan, Update
from ptc.plan.desired import DesiredState, expand
from ptc.plan.diff import PlanError, ValueComparer, make_plan, same_kms_key
from ptc.plan.live import LiveState, SecretIndex
from ptc.render.plan import render_plan, summary_line

R = "us-east-1"
ACCOUNT = "123456789012"
DOCKER = "ecr-pullthroughcache/docker-hub"
DOCKER_ARN = f"arn:aws:secretsmanager:{R}:{ACCOUNT}:secret:{DOCKER}-AbCdEf"
DOCKER_PARTIAL_ARN = f"arn:aws:secretsmanager:{R}:{ACCOUNT}:secret:{DOCKER}"
OTHER_ARN = f"arn:aws:secretsmanager:{R}:{ACCOUNT}:secret:ecr-pullthroughcache/other-XyZ123"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-template"
ECR_UPSTREAM = "210987654321.dkr.ecr.us-west-2.amazonaws.com"
KMS_KEY = f"arn:aws:kms:{R}:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
            "action": {"type": "expire"},
        }
    ]
}


def rule(prefix: str = "docker-hub", region: str = R, **fields: Any) -> RuleResource:
    base: dict[str, Any] = {"upstream_url": "quay.io", "upstream_registry": "quay"}
    return RuleResource(region=region, prefix=prefix, **{**base, **fields})


def docker_rule(**fields: Any) -> RuleResource:
    return rule(
        upstream_url="registry-1.docker.io",
        upstream_registry="docker-hub",
        **{"credential_arn": DOCKER_ARN, "credential_name": DOCKER, **fields},
    )


def template(prefix: str = "docker-hub", region: str = R, **fields: Any) -> TemplateResource:
    return TemplateResource(
        region=region, prefix=prefix, **{"applied_for": ("PULL_THROUGH_CACHE",), **fields}
    )


def managed_secret(name: str = DOCKER, region: str = R, **fields: Any) -> SecretResource:
    return SecretResource(
        region=region,
        name=name,
        username=ValueRef(env="DOCKERHUB_USERNAME"),
        access_token=ValueRef(env="DOCKERHUB_TOKEN"),
        **fields,
    )


def live_secret(name: str = DOCKER, arn: str = DOCKER_ARN, **fields: Any) -> SecretResource:
    return SecretResource(region=R, name=name, arn=arn, **fields)


def desired(*resources: AnyResource, regions: list[str] | None = None) -> DesiredState:
    state = DesiredState(ACCOUNT, regions or [R], prune=False, base_dir=Path("."))
    _fill(state, resources)
    return state


def live(*resources: AnyResource, regions: list[str] | None = None) -> LiveState:
    state = LiveState(ACCOUNT, regions or [R])
    _fill(state, resources)
    return state


def _fill(state: DesiredState | LiveState, resources: tuple[AnyResource, ...]) -> None:
    for resource in resources:
        if isinstance(resource, RuleResource):
            state.rules.append(resource)
        elif isinstance(resource, TemplateResource):
            state.templates.append(resource)
        elif isinstance(resource, SecretResource):
            state.secrets.append(resource)
        else:
            raise TypeError(f"statements are not part of this helper: {resource!r}")


def plan_of(
    want: DesiredState,
    have: LiveState,
    *,
    prune: bool = False,
    values_differ: ValueComparer | None = None,
) -> Plan:
    return make_plan(want, have, prune=prune, values_differ=values_differ)


def summary(plan: Plan) -> list[tuple[str, str, tuple[str, ...], str | None]]:
    return [(e.ACTION_NAME, e.address, e.changed, e.reason) for e in plan.entries]


def from_file(**document: Any) -> DesiredState:
    """The desired state of a file, through the same expansion as `ptc plan`."""
    file = PtcFile.model_validate({"version": 1, "regions": [R], **document})
    return expand(file, Path("."))


# -- actions ---------------------------------------------------------------------------------


def test_everything_missing_is_created() -> None:
    plan = plan_of(desired(managed_secret(), template(), docker_rule(credential_arn=None)), live())
    assert summary(plan) == [
        ("create", f"{R}/secret/{DOCKER}", (), None),
        ("create", f"{R}/template/docker-hub", (), None),
        ("create", f"{R}/rule/docker-hub", (), None),
    ]
    assert plan.counts == {"add": 3, "change": 0, "replace": 0, "destroy": 0, "unmanaged": 0}


def test_what_matches_makes_no_change() -> None:
    plan = plan_of(
        desired(template(), docker_rule(credential_arn=None)),
        live(template(), docker_rule(), live_secret()),
    )
    assert plan.changes == () and plan.is_empty


@pytest.mark.parametrize(
    ("have", "want", "reason", "changed"),
    [
        pytest.param(
            rule(upstream_url="abcde.azurecr.io", upstream_registry="azure-container-registry"),
            rule(upstream_url="fghij.azurecr.io", upstream_registry="azure-container-registry"),
            "upstream_url cannot change in place",
            ("upstream_url",),
            id="upstream url",
        ),
        pytest.param(
            rule(upstream_url="quay.io", upstream_registry="quay"),
            rule(upstream_url="registry.k8s.io", upstream_registry="k8s"),
            "upstream_registry, upstream_url cannot change in place",
            ("upstream_registry", "upstream_url"),
            id="upstream host and kind",
        ),
        pytest.param(
            rule(upstream_registry="unknown"),
            rule(upstream_registry="quay"),
            "upstream_registry cannot change in place",
            ("upstream_registry",),
            id="upstream registry kind alone",
        ),
        pytest.param(
            rule(upstream_prefix="library"),
            rule(upstream_prefix="team"),
            "upstream_prefix cannot change in place",
            ("upstream_prefix",),
            id="upstream prefix",
        ),
        pytest.param(
            rule(upstream_prefix="library"),
            rule(),
            "upstream_prefix cannot change in place",
            ("upstream_prefix",),
            id="upstream prefix back to ROOT",
        ),
        pytest.param(
            docker_rule(),
            docker_rule(credential_arn=None, credential_name=None),
            "ECR cannot remove credential_arn in place",
            ("credential_arn",),
            id="the only credential removed",
        ),
        pytest.param(
            rule(upstream_url=ECR_UPSTREAM, upstream_registry="ecr", role=ROLE),
            rule(upstream_url=ECR_UPSTREAM, upstream_registry="ecr"),
            "ECR cannot remove role in place",
            ("role",),
            id="the role removed",
        ),
    ],
)
def test_rule_replacements_name_their_reason(
    have: RuleResource, want: RuleResource, reason: str, changed: tuple[str, ...]
) -> None:
    plan = plan_of(desired(want), live(have, live_secret()))
    assert summary(plan) == [("replace", f"{R}/rule/docker-hub", changed, reason)]
    assert plan.counts["replace"] == 1


@pytest.mark.parametrize(
    ("have", "want", "changed"),
    [
        pytest.param(
            docker_rule(credential_arn=OTHER_ARN, credential_name=None),
            docker_rule(),
            ("credential_arn",),
            id="credential changed",
        ),
        pytest.param(
            rule(upstream_url=ECR_UPSTREAM, upstream_registry="ecr", role=ROLE),
            rule(upstream_url=ECR_UPSTREAM, upstream_registry="ecr", role=ROLE + "-2"),
            ("role",),
            id="role changed",
        ),
        pytest.param(
            rule(upstream_url=ECR_UPSTREAM, upstream_registry="ecr"),
            rule(upstream_url=ECR_UPSTREAM, upstream_registry="ecr", role=ROLE),
            ("role",),
            id="role added",
        ),
    ],
)
def test_rule_credential_and_role_change_in_place(
    have: RuleResource, want: RuleResource, changed: tuple[str, ...]
) -> None:
    plan = plan_of(desired(want), live(have, live_secret()))
    assert summary(plan) == [("update", f"{R}/rule/docker-hub", changed, None)]


def test_a_new_secret_for_an_existing_rule_is_an_update_known_after_apply() -> None:
    plan = plan_of(
        desired(managed_secret(), docker_rule(credential_arn=None)),
        live(docker_rule(credential_arn=OTHER_ARN, credential_name=None)),
    )
    assert summary(plan) == [
        ("create", f"{R}/secret/{DOCKER}", (), None),
        ("update", f"{R}/rule/docker-hub", ("credential_arn",), None),
    ]
    update = plan.changes[1]
    assert update.after == {
        "upstream_url": "registry-1.docker.io",
        "upstream_registry": "docker-hub",
        "upstream_prefix": None,
        "credential_arn": None,
        "role": None,
    }
    assert update.after_unknown == {"credential_arn": True}
    assert update.after_sensitive == {} and update.before_sensitive == {}


@pytest.mark.parametrize(
    ("want", "changed"),
    [
        pytest.param({"description": "new"}, ("description",), id="description"),
        pytest.param(
            {"applied_for": ("CREATE_ON_PUSH", "PULL_THROUGH_CACHE")},
            ("applied_for",),
            id="applied for",
        ),
        pytest.param(
            {
                "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",
                "image_tag_mutability_exclusions": ("latest",),
            },
            ("image_tag_mutability", "image_tag_mutability_exclusions"),
            id="tag mutability with exclusions",
        ),
        pytest.param(
            {"encryption_type": "KMS", "kms_key": KMS_KEY, "role": ROLE},
            ("encryption_type", "kms_key", "role"),
            id="encryption and its role",
        ),
        pytest.param(
            {"lifecycle_policy": json.dumps(LIFECYCLE, sort_keys=True, separators=(",", ":"))},
            ("lifecycle_policy",),
            id="lifecycle policy",
        ),
        pytest.param(
            {"repository_policy": '{"Statement":[],"Version":"2012-10-17"}'},
            ("repository_policy",),
            id="repository policy",
        ),
        pytest.param(
            {"resource_tags": {"team": "platform"}, "role": ROLE},
            ("resource_tags", "role"),
            id="tags and their role",
        ),
    ],
)
def test_template_fields_update_in_place(want: dict[str, Any], changed: tuple[str, ...]) -> None:
    plan = plan_of(desired(template(**want)), live(template()))
    assert summary(plan) == [("update", f"{R}/template/docker-hub", changed, None)]
    change = plan.changes[0]
    assert change.desired == template(**want) and change.live == template()


def test_a_changed_tag_value_is_an_update() -> None:
    plan = plan_of(
        desired(template(resource_tags={"team": "platform", "env": "prod"}, role=ROLE)),
        live(template(resource_tags={"team": "storage", "env": "prod"}, role=ROLE)),
    )
    assert summary(plan) == [("update", f"{R}/template/docker-hub", ("resource_tags",), None)]


# -- no perpetual diffs --------------------------------------------------------------------------


def test_policy_json_compares_as_json() -> None:
    want = from_file(
        templates=[
            {
                "prefix": "docker-hub",
                "applied_for": ["PULL_THROUGH_CACHE"],
                "lifecycle_policy": LIFECYCLE,
                "repository_policy": {"Version": "2012-10-17", "Statement": []},
            }
        ]
    )
    # What ECR might return: other key order, other whitespace.
    lifecycle_text = (
        '{\n  "rules" : [ {"action": {"type": "expire"},\n "selection": {"countNumber": 5,'
        ' "countType": "imageCountMoreThan", "tagStatus": "any"}, "rulePriority": 1} ]\n}'
    )
    have = template_from_api(
        {
            "prefix": "docker-hub",
            "appliedFor": ["PULL_THROUGH_CACHE"],
            "lifecyclePolicy": lifecycle_text,
            "repositoryPolicy": '{ "Statement" : [ ],\n\t"Version":"2012-10-17" }',
        },
        R,
    )
    assert plan_of(want, live(have)).changes == ()


def test_trailing_slashes_on_prefixes_do_not_differ() -> None:
    want = from_file(
        rules=[{"prefix": "team/", "upstream": "quay.io", "upstream_prefix": "org/"}],
        templates=[{"prefix": "team/", "applied_for": ["PULL_THROUGH_CACHE"]}],
    )
    index = SecretIndex()
    have = live(
        rule_from_api(
            {
                "ecrRepositoryPrefix": "team",
                "upstreamRegistryUrl": "quay.io",
                "upstreamRegistry": "quay",
                "upstreamRepositoryPrefix": "org",
            },
            R,
            index,
        ),
        template_from_api({"prefix": "team", "appliedFor": ["PULL_THROUGH_CACHE"]}, R),
    )
    assert plan_of(want, have).changes == ()


@pytest.mark.parametrize(
    ("in_file", "from_api"),
    [
        pytest.param(DOCKER_PARTIAL_ARN, DOCKER_ARN, id="partial in the file, full from ECR"),
        pytest.param(DOCKER_ARN, DOCKER_PARTIAL_ARN, id="full in the file, partial from ECR"),
        pytest.param(DOCKER, DOCKER_PARTIAL_ARN, id="name in the file, partial from ECR"),
        pytest.param(DOCKER, DOCKER_ARN, id="name in the file, full from ECR"),
    ],
)
def test_partial_and_full_secret_arns_do_not_differ(in_file: str, from_api: str) -> None:
    want = from_file(
        rules=[{"prefix": "docker-hub", "upstream": "registry-1.docker.io", "credentials": in_file}]
    )
    have = live(live_secret())
    have.rules.append(
        rule_from_api(
            {
                "ecrRepositoryPrefix": "docker-hub",
                "upstreamRegistryUrl": "registry-1.docker.io",
                "upstreamRegistry": "docker-hub",
                "credentialArn": from_api,
            },
            R,
            have.index(R),
        )
    )
    assert plan_of(want, have).changes == ()


def test_secret_index_resolves_names_and_partial_arns() -> None:
    index = SecretIndex({DOCKER: DOCKER_ARN, "ecr-pullthroughcache/docker": OTHER_ARN})
    assert index.name_of(DOCKER_ARN) == DOCKER
    assert index.name_of(DOCKER_PARTIAL_ARN) == DOCKER
    assert index.name_of(DOCKER_PARTIAL_ARN.replace("docker-hub", "nope")) is None
    assert index.canonical(DOCKER_PARTIAL_ARN) == DOCKER_ARN
    assert index.canonical(OTHER_ARN.replace("other", "gone")) == OTHER_ARN.replace("other", "gone")
    assert index.canonical(None) is None


@pytest.mark.parametrize(
    ("file_value", "api_value"),
    [
        pytest.param("ROOT", None, id="ROOT in the file, nothing from ECR"),
        pytest.param(None, "ROOT", id="nothing in the file, ROOT from ECR"),
        pytest.param("ROOT", "ROOT", id="ROOT on both sides"),
    ],
)
def test_root_upstream_prefix_is_the_default(file_value: str | None, api_value: str | None) -> None:
    item: dict[str, Any] = {"prefix": "quay", "upstream": "quay.io"}
    if file_value:
        item["upstream_prefix"] = file_value
    api: dict[str, Any] = {"ecrRepositoryPrefix": "quay", "upstreamRegistryUrl": "quay.io"}
    if api_value:
        api["upstreamRepositoryPrefix"] = api_value
    have = live(rule_from_api(api, R, SecretIndex()))
    assert plan_of(from_file(rules=[item]), have).changes == ()


@pytest.mark.parametrize(
    ("in_file", "from_api"),
    [
        pytest.param(
            {},
            {
                "imageTagMutability": "MUTABLE",
                "encryptionConfiguration": {"encryptionType": "AES256"},
            },
            id="defaults filled in by ECR",
        ),
        pytest.param(
            {"image_tag_mutability": "MUTABLE", "encryption": {"type": "AES256"}},
            {},
            id="defaults spelled out in the file",
        ),
        pytest.param(
            {"description": "", "resource_tags": {}, "image_tag_mutability_exclusions": []},
            {"description": "", "resourceTags": [], "customRoleArn": ""},
            id="empty values",
        ),
        pytest.param(
            {
                "applied_for": ["REPLICATION", "PULL_THROUGH_CACHE", "CREATE_ON_PUSH"],
                "resource_tags": {"b": "2", "a": "1", "c": "3"},
                "role": ROLE,
                "image_tag_mutability": "MUTABLE_WITH_EXCLUSION",
                "image_tag_mutability_exclusions": ["nightly-*", "latest"],
            },
            {
                "appliedFor": ["CREATE_ON_PUSH", "PULL_THROUGH_CACHE", "REPLICATION"],
                "resourceTags": [
                    {"Key": "c", "Value": "3"},
                    {"Key": "a", "Value": "1"},
                    {"Key": "b", "Value": "2"},
                ],
                "customRoleArn": ROLE,
                "imageTagMutability": "MUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": [
                    {"filterType": "WILDCARD", "filter": "latest"},
                    {"filterType": "WILDCARD", "filter": "nightly-*"},
                ],
            },
            id="lists in another order",
        ),
    ],
)
def test_template_normalisation(in_file: dict[str, Any], from_api: dict[str, Any]) -> None:
    want = from_file(
        templates=[{"prefix": "ROOT", "applied_for": ["PULL_THROUGH_CACHE"], **in_file}]
    )
    have = live(
        template_from_api({"prefix": "ROOT", "appliedFor": ["PULL_THROUGH_CACHE"], **from_api}, R)
    )
    assert plan_of(want, have).changes == ()


# -- prune -------------------------------------------------------------------------------------


def test_live_items_not_in_the_file_are_left_alone_without_prune() -> None:
    plan = plan_of(
        desired(rule("quay")),
        live(rule("quay"), rule("foreign"), template("foreign"), live_secret()),
    )
    assert summary(plan) == [
        ("unmanaged", f"{R}/template/foreign", (), "not in the file; left alone"),
        ("unmanaged", f"{R}/rule/foreign", (), "not in the file; left alone"),
    ]
    assert plan.is_empty and plan.changes == ()
    assert plan.counts == {"add": 0, "change": 0, "replace": 0, "destroy": 0, "unmanaged": 2}


def test_live_items_not_in_the_file_are_deleted_with_prune() -> None:
    plan = plan_of(
        desired(rule("quay")),
        live(rule("quay"), rule("foreign"), template("foreign"), live_secret()),
        prune=True,
    )
    # Rules go before templates: no rule is left creating repositories without its template.
    assert summary(plan) == [
        ("delete", f"{R}/rule/foreign", (), "not in the file; pruned"),
        ("delete", f"{R}/template/foreign", (), "not in the file; pruned"),
    ]
    assert not plan.is_empty
    assert plan.counts == {"add": 0, "change": 0, "replace": 0, "destroy": 2, "unmanaged": 0}


# -- secrets -----------------------------------------------------------------------------------


def test_a_secret_whose_value_differs_is_updated_without_showing_it() -> None:
    calls: list[tuple[str, list[tuple[str, str]]]] = []

    def differ(region: str, pairs: list[tuple[SecretResource, str]]) -> set[str]:
        calls.append((region, [(s.name, arn) for s, arn in pairs]))
        return {DOCKER}

    want = desired(managed_secret(), managed_secret("ecr-pullthroughcache/new"))
    plan = plan_of(want, live(live_secret()), values_differ=differ)
    assert calls == [(R, [(DOCKER, DOCKER_ARN)])]  # only secrets that exist are compared
    assert summary(plan) == [
        ("update", f"{R}/secret/{DOCKER}", ("value",), None),
        ("create", f"{R}/secret/ecr-pullthroughcache/new", (), None),
    ]
    update = plan.changes[0]
    assert isinstance(update.desired, SecretResource)
    assert update.desired.value_differs and update.desired.arn == DOCKER_ARN
    assert update.before == {"kms_key": None, "value": None}
    assert update.after == {"kms_key": None, "value": None}
    assert update.before_sensitive == update.after_sensitive == {"value": True}
    assert update.after_unknown == {}


@pytest.mark.parametrize(
    ("file_key", "live_key", "expected"),
    [
        pytest.param(None, "alias/someone-elses", [], id="file sets no key: live key kept"),
        pytest.param("alias/ptc", "alias/ptc", [], id="same key"),
        pytest.param(
            "alias/ptc", f"arn:aws:kms:{R}:{ACCOUNT}:alias/ptc", [], id="alias ARN answered"
        ),
        pytest.param(
            "alias/ptc",
            None,
            [("update", f"{R}/secret/{DOCKER}", ("kms_key",), None)],
            id="key added",
        ),
        pytest.param(
            "alias/ptc",
            "alias/old",
            [("update", f"{R}/secret/{DOCKER}", ("kms_key",), None)],
            id="key changed",
        ),
    ],
)
def test_secret_kms_key(
    file_key: str | None, live_key: str | None, expected: list[tuple[Any, ...]]
) -> None:
    plan = plan_of(
        desired(managed_secret(kms_key=file_key)),
        live(live_secret(kms_key=live_key)),
        values_differ=lambda region, pairs: set(),
    )
    assert summary(plan) == expected
    if expected:
        assert isinstance(plan.changes[0].desired, SecretResource)
        assert not plan.changes[0].desired.value_differs


def test_a_rule_naming_a_secret_that_does_not_exist_cannot_be_planned() -> None:
    other_region = managed_secret("ecr-pullthroughcache/missing", region="eu-west-1")
    want = desired(
        docker_rule(credential_arn=None, credential_name="ecr-pullthroughcache/missing"),
        other_region,
        regions=[R, "eu-west-1"],
    )
    with pytest.raises(PlanError) as caught:
        plan_of(want, live(regions=[R, "eu-west-1"]))
    assert str(caught.value) == (
        "cannot plan:\n"
        "  rule 'docker-hub' in us-east-1: secret 'ecr-pullthroughcache/missing' does not exist"
        " there; create it, or declare it under 'secrets:'"
    )


# -- the plan as data --------------------------------------------------------------------------


def _mixed_plan() -> Plan:
    want = desired(
        managed_secret(),
        template("docker-hub", description="new"),
        template("ROOT"),
        docker_rule(),
        rule("quay", upstream_url="registry.k8s.io", upstream_registry="k8s"),
        rule("ecr-public", upstream_url="public.ecr.aws", upstream_registry="ecr-public"),
    )
    have = live(
        live_secret(),
        template("docker-hub", description="old"),
        template("gone"),
        docker_rule(credential_arn=OTHER_ARN, credential_name=None),
        rule("quay"),
        rule("old-rule"),
    )
    return plan_of(want, have, prune=True, values_differ=lambda region, pairs: {DOCKER})


def test_changes_are_ordered_for_apply() -> None:
    assert [(str(c.action), c.address) for c in _mixed_plan().changes] == [
        ("update", f"{R}/secret/{DOCKER}"),
        ("create", f"{R}/template/ROOT"),
        ("update", f"{R}/template/docker-hub"),
        ("delete", f"{R}/rule/old-rule"),
        ("update", f"{R}/rule/docker-hub"),
        ("create", f"{R}/rule/ecr-public"),
        ("replace", f"{R}/rule/quay"),
        ("delete", f"{R}/template/gone"),
    ]


def test_regions_are_planned_one_after_the_other() -> None:
    want = desired(
        rule("quay", region="eu-west-1"),
        rule("quay"),
        template("t", region="eu-west-1"),
        regions=[R, "eu-west-1"],
    )
    plan = plan_of(want, live(regions=[R, "eu-west-1"]))
    assert [c.address for c in plan.changes] == [
        "eu-west-1/template/t",
        "eu-west-1/rule/quay",
        f"{R}/rule/quay",
    ]
    assert plan.regions == (R, "eu-west-1")


def test_summary_line() -> None:
    plan = _mixed_plan()
    assert plan.counts == {"add": 2, "change": 3, "replace": 1, "destroy": 2, "unmanaged": 0}
    assert summary_line(plan) == "Plan: 2 to add, 3 to change, 1 to replace, 2 to destroy."
    assert summary_line(plan_of(desired(), live())) == (
        "No changes. The live state matches the file."
    )


def test_plan_json_shape() -> None:
    data = _mixed_plan().to_dict()
    assert set(data) == {
        "format_version",
        "ptc_version",
        "account",
        "regions",
        "prune",
        "live_fingerprint",
        "secret_values_compared",
        "not_compared",
        "summary",
        "changes",
    }
    assert data["secret_values_compared"] is True and data["not_compared"] == []
    assert data["format_version"] == 2 and data["account"] == ACCOUNT and data["prune"] is True
    assert data["summary"] == {"add": 2, "change": 3, "replace": 1, "destroy": 2, "unmanaged": 0}
    assert data["live_fingerprint"].startswith("sha256:")
    replace = next(c for c in data["changes"] if c["action"] == "replace")
    assert replace == {
        "address": f"{R}/rule/quay",
        "action": "replace",
        "kind": "rule",
        "region": R,
        "key": "quay",
        "changed": ["upstream_registry", "upstream_url"],
        "reason": "upstream_registry, upstream_url cannot change in place",
        "before": {
            "upstream_url": "quay.io",
            "upstream_registry": "quay",
            "upstream_prefix": None,
            "credential_arn": None,
            "role": None,
        },
        "after": {
            "upstream_url": "registry.k8s.io",
            "upstream_registry": "k8s",
            "upstream_prefix": None,
            "credential_arn": None,
            "role": None,
        },
        "before_sensitive": {},
        "after_sensitive": {},
        "after_unknown": {},
        "desired": rule("quay", upstream_url="registry.k8s.io", upstream_registry="k8s").model_dump(
            mode="json"
        ),
        "live": rule("quay").model_dump(mode="json"),
    }
    secret = data["changes"][0]
    assert secret["changed"] == ["value"] and secret["after"]["value"] is None
    assert secret["after_sensitive"] == secret["before_sensitive"] == {"value": True}
    assert secret["desired"]["access_token"] == {"env": "DOCKERHUB_TOKEN", "file": None}
    json.dumps(data)  # nothing that JSON cannot hold


def test_plan_round_trips_through_json() -> None:
    plan = _mixed_plan()
    text = json.dumps(plan.to_dict())
    again = Plan.from_dict(json.loads(text))
    assert again == plan
    assert again.checksum() == plan.checksum()


def test_checksum_is_stable_and_changes_with_the_plan() -> None:
    plan = _mixed_plan()
    assert plan.checksum() == _mixed_plan().checksum()
    assert plan.checksum().startswith("sha256:") and len(plan.checksum()) == 7 + 64
    later = Plan.from_dict({**plan.to_dict(), "ptc_version": "99.0"})
    assert later.checksum() == plan.checksum()
    fewer = Plan(plan.account, plan.regions, plan.changes[1:], plan.live_fingerprint, plan.prune)
    assert fewer.checksum() != plan.checksum()
    other_state = Plan(plan.account, plan.regions, plan.changes, "sha256:0", plan.prune)
    assert other_state.checksum() != plan.checksum()


def test_an_unknown_plan_format_is_refused() -> None:
    data = _mixed_plan().to_dict()
    with pytest.raises(ValueError, match="unsupported plan format_version 1"):
        Plan.from_dict({**data, "format_version": 1})


def test_live_fingerprint_ignores_order_but_not_content() -> None:
    one = live(rule("a"), rule("b"), template("t"))
    two = live(template("t"), rule("b"), rule("a"))
    assert one.fingerprint() == two.fingerprint()
    changed = live(rule("a"), rule("b"), template("t", description="x"))
    assert changed.fingerprint() != one.fingerprint()
    newer = live(rule("a"), rule("b"), template("t"))
    newer.secret_versions = {DOCKER_ARN: "2026-01-01"}
    assert newer.fingerprint() != one.fingerprint()


# -- the terminal view -------------------------------------------------------------------------


def test_render_plan_in_terraform_idiom() -> None:
    console = Console(record=True, width=120, soft_wrap=True, color_system=None)
    render_plan(_mixed_plan(), console)
    text = console.export_text()
    assert text.splitlines() == [
        "ptc will perform the following actions in account 123456789012:",
        "",
        f"  # {R}/secret/{DOCKER} will be updated in place",
        f'  ~ secret "{DOCKER}" {{',
        "      ~ value = (sensitive value)",
        "    }",
        "",
        f"  # {R}/template/ROOT will be created",
        '  + template "ROOT" {',
        '      + applied_for = ["PULL_THROUGH_CACHE"]',
        '      + image_tag_mutability = "MUTABLE"',
        '      + encryption_type = "AES256"',
        "    }",
        "",
        f"  # {R}/template/docker-hub will be updated in place",
        '  ~ template "docker-hub" {',
        '      ~ description = "old" -> "new"',
        "    }",
        "",
        f"  # {R}/rule/old-rule will be destroyed",
        '  - rule "old-rule" {',
        '      - upstream_url = "quay.io"',
        '      - upstream_registry = "quay"',
        "    }",
        "",
        f"  # {R}/rule/docker-hub will be updated in place",
        '  ~ rule "docker-hub" {',
        f'      ~ credential_arn = "{OTHER_ARN}" -> "{DOCKER_ARN}"',
        "    }",
        "",
        f"  # {R}/rule/ecr-public will be created",
        '  + rule "ecr-public" {',
        '      + upstream_url = "public.ecr.aws"',
        '      + upstream_registry = "ecr-public"',
        "    }",
        "",
        f"  # {R}/rule/quay must be replaced "
        "(upstream_registry, upstream_url cannot change in place)",
        '-/+ rule "quay" {',
        '      ~ upstream_registry = "quay" -> "k8s"',
        '      ~ upstream_url = "quay.io" -> "registry.k8s.io"',
        "    }",
        "",
        f"  # {R}/template/gone will be destroyed",
        '  - template "gone" {',
        '      - applied_for = ["PULL_THROUGH_CACHE"]',
        '      - image_tag_mutability = "MUTABLE"',
        '      - encryption_type = "AES256"',
        "    }",
        "",
        "Plan: 2 to add, 3 to change, 1 to replace, 2 to destroy.",
    ]


def test_render_lists_what_is_left_alone() -> None:
    console = Console(record=True, width=120, soft_wrap=True, color_system=None)
    render_plan(plan_of(desired(), live(rule("foreign"), template("foreign"))), console)
    assert console.export_text().splitlines() == [
        "Live, not in the file (left alone; set prune to delete):",
        f"  ? {R}/template/foreign",
        f"  ? {R}/rule/foreign",
        "",
        "No changes. The live state matches the file.",
    ]


def test_render_shows_a_policy_change_as_a_json_diff() -> None:
    before = json.dumps({"rules": []})
    after = json.dumps(LIFECYCLE, sort_keys=True, separators=(",", ":"))
    change = Update(
        template("t", lifecycle_policy=after),
        template("t", lifecycle_policy=before),
        ("lifecycle_policy",),
    )
    console = Console(record=True, width=120, soft_wrap=True, color_system=None)
    render_plan(Plan.build(ACCOUNT, [R], [change], "sha256:0", False), console)
    text = console.export_text()
    assert "      ~ lifecycle_policy = (JSON document changed)\n" in text
    assert '          -  "rules": []\n' in text
    assert '          +      "rulePriority": 1,\n' in text


@pytest.mark.parametrize(
    ("file_key", "live_key", "same"),
    [
        ("alias/secrets", f"arn:aws:kms:{R}:123456789012:alias/secrets", True),
        ("1234abcd-12ab", f"arn:aws:kms:{R}:123456789012:key/1234abcd-12ab", True),
        (f"arn:aws:kms:{R}:123456789012:key/1234abcd-12ab", "1234abcd-12ab", True),
        ("alias/secrets", "alias/other", False),
        ("alias/secrets", f"arn:aws:kms:{R}:210987654321:alias/secrets", False),  # another account
        ("alias/secrets", "arn:aws:kms:eu-west-1:123456789012:alias/secrets", False),
        ("alias/secrets", None, False),
    ],
)
def test_kms_keys_compare_by_what_they_name(
    file_key: str, live_key: str | None, same: bool
) -> None:
    assert same_kms_key(file_key, live_key, R, "123456789012") is same

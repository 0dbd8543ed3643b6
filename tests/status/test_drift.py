"""Drift, matching and backfill planning from data: no AWS."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest

from ptc.aws.errors import AwsError
from ptc.domain.json_documents import canonical_json
from ptc.domain.resources import RuleResource, TemplateResource
from ptc.engine.apply import Outcome
from ptc.engine.backfill import apply_backfill
from ptc.status.backfill import BackfillAction, plan_backfill
from ptc.status.drift import build_report, repository_drift
from ptc.status.match import RegionScope, longest_prefix, region_scopes, template_for
from ptc.status.models import RepositoryFacts, StatusReport

PTC = ("PULL_THROUGH_CACHE",)
LIFECYCLE = canonical_json({"rules": [{"rulePriority": 1, "action": {"type": "expire"}}]})
POLICY = canonical_json({"Version": "2012-10-17", "Statement": []})


def template(
    prefix: str = "hub", region: str = "us-east-1", **settings: object
) -> TemplateResource:
    values: dict[str, object] = {"applied_for": PTC, **settings}
    return TemplateResource(region=region, prefix=prefix, **values)  # type: ignore[arg-type]


def facts(
    name: str = "hub/library/nginx", region: str = "us-east-1", **settings: object
) -> RepositoryFacts:
    arn = f"arn:aws:ecr:{region}:123456789012:repository/{name}"
    return RepositoryFacts(region=region, name=name, arn=arn, **settings)  # type: ignore[arg-type]


# -- which rule, which template ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "prefixes", "expected"),
    [
        ("prod-long-prefix", ["prod"], None),
        ("prod", ["prod"], None),
        ("production/app", ["prod"], None),
        ("prod/app", ["prod"], "prod"),
        ("prod/team/app", ["prod", "prod/team"], "prod/team"),
        ("prod/teamx/app", ["prod", "prod/team"], "prod"),
        ("anything/at/all", ["ROOT"], None),
    ],
)
def test_a_prefix_covers_names_below_it_and_the_longest_wins(
    name: str, prefixes: list[str], expected: str | None
) -> None:
    assert longest_prefix(name, prefixes) == expected


def test_root_rule_covers_only_what_no_other_rule_covers() -> None:
    scope = RegionScope("us-east-1", rules=("ROOT", "hub"), live_rules=("legacy",))
    assert scope.rule_for("hub/library/nginx") == "hub"
    assert scope.rule_for("library/nginx") == "ROOT"
    assert scope.rule_for("hub") == "ROOT"  # not under hub/
    # A live rule the file lacks owns its repositories: they are not ROOT's.
    assert scope.rule_for("legacy/app") is None


def test_without_a_root_rule_other_repositories_are_out_of_scope() -> None:
    scope = RegionScope("us-east-1", rules=("hub",))
    assert scope.rule_for("pushed/by/hand") is None


def test_region_scopes_follow_each_rules_regions_and_normalise_live_prefixes() -> None:
    rules = [
        RuleResource(
            region="us-east-1", prefix="hub", upstream_url="quay.io", upstream_registry="quay"
        ),
        RuleResource(
            region="eu-west-1", prefix="ROOT", upstream_url="quay.io", upstream_registry="quay"
        ),
    ]
    scopes = region_scopes(["us-east-1", "eu-west-1"], rules, {"us-east-1": ["old/"]})
    assert scopes == [
        RegionScope("us-east-1", ("hub",), ("old",)),
        RegionScope("eu-west-1", ("ROOT",), ()),
    ]


def test_template_is_the_most_specific_one_applied_for_pull_through_cache() -> None:
    templates = [
        template("ROOT"),
        template("hub"),
        template("hub/library"),
        template("hub/library/nginx", applied_for=("CREATE_ON_PUSH",)),
    ]
    chosen = template_for("hub/library/nginx", templates)
    assert chosen is not None and chosen.prefix == "hub/library"
    fallback = template_for("quay/x", templates)
    assert fallback is not None and fallback.prefix == "ROOT"
    assert template_for("quay/x", [template("ROOT", applied_for=("REPLICATION",))]) is None


# -- drift ------------------------------------------------------------------------------------


def test_a_repository_made_from_its_template_has_no_drift() -> None:
    wanted = template(
        lifecycle_policy=LIFECYCLE,
        repository_policy=POLICY,
        resource_tags={"team": "platform"},
        image_tag_mutability="MUTABLE_WITH_EXCLUSION",
        image_tag_mutability_exclusions=("a*", "b*"),
        encryption_type="KMS",
    )
    live = facts(
        lifecycle_policy=LIFECYCLE,
        repository_policy=POLICY,
        tags={"team": "platform", "extra": "kept"},
        image_tag_mutability="MUTABLE_WITH_EXCLUSION",
        exclusions=("b*", "a*"),
        encryption_type="KMS",
        kms_key="arn:aws:kms:us-east-1:123456789012:key/aws-managed",
    )
    assert repository_drift(live, wanted) == []


def test_policies_and_tags_that_differ_are_fixable() -> None:
    wanted = template(
        lifecycle_policy=LIFECYCLE, repository_policy=POLICY, resource_tags={"a": "1", "b": "2"}
    )
    drift = {
        d.setting: d
        for d in repository_drift(facts(tags={"a": "0"}, lifecycle_policy="{}"), wanted)
    }
    assert sorted(drift) == ["lifecycle_policy", "repository_policy", "resource_tags"]
    assert all(d.fixable for d in drift.values())
    assert drift["lifecycle_policy"].summary == "lifecycle_policy differs"
    assert drift["repository_policy"].summary == "repository_policy missing"
    assert drift["resource_tags"].expected == {"a": "1", "b": "2"}
    assert drift["resource_tags"].actual == {"a": "0"}


def test_a_policy_the_template_lacks_is_reported_not_fixable() -> None:
    (drift,) = repository_drift(facts(repository_policy=POLICY), template())
    assert (drift.setting, drift.fixable) == ("repository_policy", False)
    assert drift.summary == "repository_policy not in the template (kept)"


def test_mutability_and_encryption_drift_are_reported_not_fixable() -> None:
    wanted = template(
        image_tag_mutability="IMMUTABLE",
        encryption_type="KMS",
        kms_key="arn:aws:kms:us-east-1:123456789012:key/wanted",
    )
    live = facts(encryption_type="KMS", kms_key="arn:aws:kms:us-east-1:123456789012:key/other")
    drift = repository_drift(live, wanted)
    assert [(d.setting, d.fixable) for d in drift] == [
        ("image_tag_mutability", False),
        ("encryption", False),
    ]
    assert drift[0].summary == "tag mutability MUTABLE, template IMMUTABLE (kept)"
    assert drift[1].summary.endswith("(cannot change)")


def test_without_a_template_the_expectation_is_ecr_defaults() -> None:
    assert repository_drift(facts(), None) == []
    (drift,) = repository_drift(facts(image_tag_mutability="IMMUTABLE"), None)
    assert drift.setting == "image_tag_mutability"


def test_build_report_drops_repositories_no_file_rule_covers_and_sorts() -> None:
    scopes = [RegionScope("us-east-1", ("hub", "ROOT")), RegionScope("eu-west-1", ("hub",))]
    templates = [template("hub", lifecycle_policy=LIFECYCLE), template("hub", region="eu-west-1")]
    repositories = [
        facts("hub/b"),
        facts("hub/a", lifecycle_policy=LIFECYCLE),
        facts("other/x"),
        facts("other/x", region="eu-west-1"),
        facts("hub/a", region="eu-west-1"),
    ]
    report = build_report("123456789012", scopes, templates, repositories)
    rows = [(r.facts.region, r.rule, r.facts.name, r.template) for r in report.repositories]
    assert rows == [
        ("us-east-1", "ROOT", "other/x", None),
        ("us-east-1", "hub", "hub/a", "hub"),
        ("us-east-1", "hub", "hub/b", "hub"),
        ("eu-west-1", "hub", "hub/a", "hub"),
    ]
    assert report.summary() == {"repositories": 4, "drifted": 1, "fixable": 1}


def test_report_json_is_stable_and_serialisable() -> None:
    pulled = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    scopes = [RegionScope("us-east-1", ("hub",))]
    report = build_report(
        "123456789012",
        scopes,
        [template(resource_tags={"team": "platform"})],
        [facts(image_count=3, last_pull=pulled)],
    )
    document = json.loads(json.dumps(report.to_dict()))
    assert set(document) == {
        "format_version",
        "ptc_version",
        "account",
        "regions",
        "summary",
        "repositories",
    }
    (row,) = document["repositories"]
    assert row["last_pull"] == "2024-05-01T12:00:00+00:00"
    assert (row["images"], row["template"], row["drifted"]) == (3, "hub", True)
    assert row["drift"] == [
        {
            "setting": "resource_tags",
            "fixable": True,
            "summary": "tags team=platform to set",
            "expected": {"team": "platform"},
            "actual": {},
        }
    ]


# -- backfill plan and apply ------------------------------------------------------------------


def _drifted_report() -> StatusReport:
    scopes = [RegionScope("us-east-1", ("hub",)), RegionScope("eu-west-1", ("hub",))]
    wanted = {"lifecycle_policy": LIFECYCLE, "resource_tags": {"team": "platform"}}
    templates = [template(**wanted), template(region="eu-west-1", **wanted)]
    repositories = [
        facts("hub/ok", lifecycle_policy=LIFECYCLE, tags={"team": "platform"}),
        facts("hub/bad", image_tag_mutability="IMMUTABLE"),
        facts("hub/bad", region="eu-west-1", tags={"team": "platform"}),
    ]
    return build_report("123456789012", scopes, templates, repositories)


def test_backfill_plans_only_fixable_drift_of_drifted_repositories() -> None:
    plan = plan_backfill(_drifted_report())
    assert [(a.address, a.operation) for a in plan.actions] == [
        ("us-east-1/hub/bad/lifecycle_policy", "PutLifecyclePolicy"),
        ("us-east-1/hub/bad/resource_tags", "TagResource"),
        ("eu-west-1/hub/bad/lifecycle_policy", "PutLifecyclePolicy"),
    ]
    assert plan.actions[1].value == {"team": "platform"}
    assert [(s.facts.name, d.setting) for s, d in plan.report_only] == [
        ("hub/bad", "image_tag_mutability")
    ]
    assert plan.repositories == 2


class FakeWriter:
    """Records writes; raises AwsError for the addresses in `failing`."""

    def __init__(self, failing: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.failing = failing
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def _call(self, operation: str, region: str, target: str, setting: str) -> None:
        address = f"{region}/{target.split(':repository/')[-1]}/{setting}"
        with self.lock:
            self.calls.append(address)
        if address in self.failing:
            raise AwsError(
                f"{operation} in {region}: AccessDeniedException: no", "AccessDeniedException"
            )

    def put_lifecycle_policy(self, region: str, repository: str, text: str) -> None:
        self._call("PutLifecyclePolicy", region, repository, "lifecycle_policy")

    def set_repository_policy(self, region: str, repository: str, text: str) -> None:
        self._call("SetRepositoryPolicy", region, repository, "repository_policy")

    def tag_resource(self, region: str, arn: str, tags: dict[str, str]) -> None:
        self._call("TagResource", region, arn, "resource_tags")


def test_a_failure_stops_its_region_only_and_every_action_gets_an_outcome() -> None:
    plan = plan_backfill(_drifted_report())
    writer = FakeWriter({"us-east-1/hub/bad/lifecycle_policy"})
    report = apply_backfill(plan, writer)
    outcomes = {r.item.address: (r.outcome, r.error) for r in report.results}
    assert outcomes == {
        "us-east-1/hub/bad/lifecycle_policy": (
            Outcome.FAILED,
            "PutLifecyclePolicy in us-east-1: AccessDeniedException: no",
        ),
        "us-east-1/hub/bad/resource_tags": (Outcome.NOT_ATTEMPTED, None),
        "eu-west-1/hub/bad/lifecycle_policy": (Outcome.APPLIED, None),
    }
    assert "us-east-1/hub/bad/resource_tags" not in writer.calls
    assert not report.ok


def test_a_stop_before_the_start_attempts_nothing() -> None:
    plan = plan_backfill(_drifted_report())
    stop = threading.Event()
    stop.set()
    writer = FakeWriter()
    report = apply_backfill(plan, writer, stop=stop)
    assert writer.calls == []
    assert {r.outcome for r in report.results} == {Outcome.NOT_ATTEMPTED}
    assert report.interrupted and not report.ok


def test_an_empty_plan_applies_nothing() -> None:
    scopes = [RegionScope("us-east-1", ("hub",))]
    report = build_report("123456789012", scopes, [template()], [facts("hub/x")])
    plan = plan_backfill(report)
    assert plan.is_empty
    assert apply_backfill(plan, FakeWriter()).results == []


def test_action_addresses_name_region_repository_and_setting() -> None:
    action = BackfillAction("us-east-1", "hub/x", "arn", "resource_tags", {"a": "b"})
    assert action.to_dict() == {
        "address": "us-east-1/hub/x/resource_tags",
        "region": "us-east-1",
        "repository": "hub/x",
        "operation": "TagResource",
        "setting": "resource_tags",
        "value": {"a": "b"},
    }

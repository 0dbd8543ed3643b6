"""Apply's waves (issue 16): a change waits only for what the plan's order says it needs.

The order constraints stay (secrets, templates and statements before the rules they
concern, rule deletes before creates, a template's delete after its rules); what does not
depend on them goes in the first wave, and a wave has up to the executor's STEP_WORKERS
calls in flight. Concurrency is shown with barriers, never with timing: a barrier that
calls must reach together breaks (after WAIT) when they run one after another.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from ptc.aws.gateway import Gateway
from ptc.domain.resources import StatementResource, TemplateResource
from ptc.engine import executor
from ptc.engine.apply import Outcome, _steps, apply_plan
from ptc.errors import PtcError
from ptc.plan.changes import AnyChange, Create, Delete, Plan, Replace, Update
from tests.engine.test_apply_dispatch import RecordingWriter
from tests.plan.test_diff import ACCOUNT, DOCKER, DOCKER_ARN, R, managed_secret, rule, template

WAIT = 30  # seconds a barrier or event waits before the test fails instead of hanging
STATEMENT = StatementResource(region=R, sid="S", principals=("*",), actions=("ecr:X",))


def _plan(*changes: AnyChange) -> Plan:
    return Plan.build(ACCOUNT, [R], list(changes), "sha256:0", prune=True)


def _waves(plan: Plan) -> list[tuple[int, str]]:
    return [
        (step.wave, f"{c.action} {c.kind}/{c.key}")  # type: ignore[misc]
        for step in _steps(plan.changes)
        for c in step.items
    ]


def test_a_change_waits_only_for_what_it_needs() -> None:
    plan = _plan(
        Create(managed_secret()),
        Create(template("hub")),
        Create(template("quay/sub")),
        Create(STATEMENT),
        Delete(rule("old"), "pruned"),
        Create(rule("hub", credential_name=DOCKER)),  # its template (and the delete)
        Create(rule("quay")),  # a template under its prefix (and the delete)
        Update(rule("ghcr", role="r"), rule("ghcr"), ("role",)),  # the statement only
        Create(rule("zz-keyed", credential_arn=DOCKER_ARN)),  # its secret, by ARN
        Delete(template("old"), "pruned"),  # after the rule "old"
        Delete(template("gone"), "pruned"),  # no rule under it: nothing to wait for
    )
    assert _waves(plan) == [
        (0, "create secret/ecr-pullthroughcache/docker-hub"),
        (0, "create template/hub"),
        (0, "create template/quay/sub"),
        (0, "create statement/S"),
        (0, "delete rule/old"),
        (0, "delete template/gone"),
        (1, "update rule/ghcr"),
        (1, "create rule/hub"),
        (1, "create rule/quay"),
        (1, "create rule/zz-keyed"),
        (1, "delete template/old"),
    ]


def test_without_templates_secrets_or_statements_rules_are_one_wave() -> None:
    plan = _plan(
        Create(template("cache-1")),
        Create(rule("cache-1")),
        Create(rule("cache-2")),
        Update(rule("cache-3", role="r"), rule("cache-3"), ("role",)),
    )
    assert _waves(plan) == [
        (0, "create template/cache-1"),
        (0, "create rule/cache-2"),
        (0, "update rule/cache-3"),
        (1, "create rule/cache-1"),
    ]


def test_root_concerns_every_rule_and_a_replace_waits_for_the_deletes() -> None:
    plan = _plan(
        Update(template("ROOT", description="d"), template("ROOT"), ("description",)),
        Delete(rule("old"), "pruned"),
        Replace(rule("moved", upstream_url="ghcr.io"), rule("moved"), ("upstream_url",), "why"),
        Create(rule("ROOT")),
        Delete(template("x"), "pruned"),  # the ROOT rule may create repositories under x
    )
    assert _waves(plan) == [
        (0, "update template/ROOT"),
        (0, "delete rule/old"),
        (1, "create rule/ROOT"),
        (1, "replace rule/moved"),
        (2, "delete template/x"),
    ]


class Meeting(RecordingWriter):
    """Records the calls; the ones named in `meet` wait until all of them are in flight."""

    def __init__(self, meet: set[str]) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.meet = meet
        self.barrier = threading.Barrier(len(meet), timeout=WAIT)
        self.done: set[str] = set()

    def _record(self, method: str, key: str) -> None:
        call = f"{method} {key}"
        if call in self.meet:
            self.barrier.wait()
        with self.lock:
            self.calls.append((method, key))
            self.done.add(call)


def test_a_rule_no_template_concerns_is_in_flight_with_the_templates() -> None:
    plan = _plan(Create(template("hub")), Create(rule("hub")), Create(rule("quay")))
    writer = Meeting({"create_template hub", "create_rule quay"})
    seen: list[bool] = []
    original = writer._record

    def record(method: str, key: str) -> None:
        if (method, key) == ("create_rule", "hub"):
            seen.append("create_template hub" in writer.done)
        original(method, key)

    writer._record = record  # type: ignore[method-assign]

    report = apply_plan(plan, writer, Path("."))

    assert not writer.barrier.broken and seen == [True]
    # However the calls interleaved, the report keeps the plan's order.
    assert [(r.item.key, r.outcome) for r in report.results] == [
        ("hub", Outcome.APPLIED),
        ("hub", Outcome.APPLIED),
        ("quay", Outcome.APPLIED),
    ]
    assert [r.item.kind for r in report.results] == ["template", "rule", "rule"]


def test_a_regions_fifty_rules_and_their_templates_take_at_most_three_rounds() -> None:
    # The README benchmark's region: 20 templates, 50 rules. With STEP_WORKERS calls at
    # once, the first wave (the templates and the 30 rules they do not concern) and the
    # second (the 20 rules they do) need ceil(50 / 32) + ceil(20 / 32) = 3 rounds.
    templates = [Create(template(f"cache-{i:02d}")) for i in range(20)]
    rules = [Create(rule(f"cache-{i:02d}")) for i in range(50)]
    steps = _steps(_plan(*templates, *rules).changes)
    waves = [sum(1 for s in steps if s.wave == wave) for wave in (0, 1)]
    assert waves == [50, 20] and len(steps) == 70
    assert executor.STEP_WORKERS >= 32


def test_a_wave_of_thirty_two_changes_is_in_flight_at_once() -> None:
    rules = [Create(rule(f"cache-{i:02d}")) for i in range(32)]
    writer = Meeting({f"create_rule cache-{i:02d}" for i in range(32)})

    report = apply_plan(_plan(*rules), writer, Path("."))

    assert report.ok and not writer.barrier.broken


def test_a_failure_lets_the_wave_in_flight_finish_and_starts_no_later_wave() -> None:
    plan = _plan(Create(template("hub")), Create(rule("hub")), Create(rule("quay")))

    class Failing(Meeting):
        def create_template(self, template: TemplateResource) -> None:
            self._record("create_template", template.prefix)
            raise PtcError("CreateRepositoryCreationTemplate in us-east-1: denied")

    writer = Failing({"create_template hub", "create_rule quay"})
    report = apply_plan(plan, writer, Path("."))

    assert [(r.item.kind, r.item.key, r.outcome) for r in report.results] == [
        ("template", "hub", Outcome.FAILED),
        ("rule", "hub", Outcome.NOT_ATTEMPTED),
        ("rule", "quay", Outcome.APPLIED),  # in flight with the template: it finishes
    ]


@pytest.mark.parametrize("service", ["ecr", "secretsmanager"])
def test_every_client_pools_a_connection_for_each_call_in_flight(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[dict[str, Any]] = []

    class Session:
        region_name = R

        def client(self, name: str, region_name: str, config: Any) -> Any:
            made.append({"service": name, "pool": config.max_pool_connections})
            raise RuntimeError("made enough")

    gateway = Gateway(Session(), [R])
    with pytest.raises(RuntimeError):
        (gateway._ecr if service == "ecr" else gateway._sm)[R]
    [config] = made
    assert config["service"] == service
    assert config["pool"] >= executor.STEP_WORKERS


def test_a_rule_keeps_to_its_own_secret() -> None:
    other = "ecr-pullthroughcache/other"
    arn = f"arn:aws:secretsmanager:{R}:{ACCOUNT}:secret:{other}"
    plan = _plan(
        Create(managed_secret(other)),
        Create(rule("hub", credential_name=DOCKER)),
        Create(rule("other", credential_arn=arn)),
    )
    assert _waves(plan) == [
        (0, f"create secret/{other}"),
        (0, "create rule/hub"),
        (1, "create rule/other"),
    ]

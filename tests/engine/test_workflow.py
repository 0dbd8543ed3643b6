"""The core loop (plan, apply, verify, the guards) against the in-memory fake: no moto.

These prove what the loop does with what a reader answers and a writer keeps; the gateway's
own tests (tests/plan/test_gateway.py) and the end-to-end ones prove botocore's side.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent

import pytest

from ptc.domain.account import AccountMismatch
from ptc.domain.resources import RuleResource
from ptc.engine import workflow
from ptc.engine.apply import Outcome
from ptc.errors import UnsafePlanError, ValueSourceError
from ptc.plan.changes import Plan
from ptc.plan.desired import DesiredState
from ptc.plan.live import LiveState
from ptc.plan.values import FROM_SOURCES
from ptc.sandbox.standin import PLACEHOLDER, StandIn, StandInValues
from tests.fakes.registry import ACCOUNT, FakeError, FakeRegistry

REGION = "us-east-1"
DOCKER = "ecr-pullthroughcache/docker-hub"
TOKEN = "dckr-pat-unit"
FILE = f"""\
    version: 1
    regions: [{REGION}]
    rules:
      - prefix: docker-hub
        upstream: registry-1.docker.io
        credentials: {DOCKER}
      - prefix: quay
        upstream: quay.io
    secrets:
      - name: {DOCKER}
        username: {{env: DOCKERHUB_USERNAME}}
        access_token: {{env: DOCKERHUB_TOKEN}}
    templates:
      - prefix: docker-hub
        applied_for: [PULL_THROUGH_CACHE]
        description: Docker Hub
"""
CREATE_ALL = [
    f"create {REGION}/secret/{DOCKER}",
    f"create {REGION}/template/docker-hub",
    f"create {REGION}/rule/docker-hub",
    f"create {REGION}/rule/quay",
]


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKERHUB_USERNAME", "octocat")
    monkeypatch.setenv("DOCKERHUB_TOKEN", TOKEN)


def _desired(tmp_path: Path, text: str = FILE) -> DesiredState:
    path = tmp_path / "rules.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return workflow.load_desired(path)


def _lines(plan: Plan) -> list[str]:
    return [f"{c.action} {c.address}" for c in plan.changes]


def _value(username: str = "octocat", token: str = TOKEN) -> str:
    return json.dumps({"username": username, "accessToken": token})


def test_plan_then_apply_creates_everything_and_verifies(tmp_path: Path) -> None:
    desired, fake = _desired(tmp_path), FakeRegistry([REGION])
    planned = workflow.plan_desired(desired, fake)
    assert planned.live.account == ACCOUNT
    assert _lines(planned.plan) == CREATE_ALL

    report = workflow.apply(planned.plan, fake, desired, desired.base_dir)

    assert [r.outcome for r in report.results] == [Outcome.APPLIED] * 4
    assert (report.ok, report.verified, report.drift) == (True, True, [])
    assert fake.value_of(REGION, DOCKER) == _value()
    arn = fake.secrets[(REGION, DOCKER)].arn
    # The rule names the secret apply created: its ARN was not known when planning.
    assert fake.rules[(REGION, "docker-hub")].credential_arn == arn
    assert workflow.plan_desired(desired, fake).plan.is_empty


def test_a_changed_value_is_one_update_and_the_value_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desired, fake = _desired(tmp_path), FakeRegistry([REGION])
    workflow.apply(workflow.plan_desired(desired, fake).plan, fake, desired, desired.base_dir)
    monkeypatch.setenv("DOCKERHUB_TOKEN", "rotated")

    planned = workflow.plan_desired(desired, fake)
    assert _lines(planned.plan) == [f"update {REGION}/secret/{DOCKER}"]
    assert [c.changed for c in planned.plan.changes] == [("value",)]
    assert TOKEN not in json.dumps(planned.plan.to_dict())
    assert "rotated" not in json.dumps(planned.plan.to_dict())

    report = workflow.apply(planned.plan, fake, desired, desired.base_dir)
    assert (report.ok, report.verified) == (True, True)
    assert fake.value_of(REGION, DOCKER) == _value(token="rotated")


def test_without_secret_values_no_value_is_read_from_either_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeRegistry([REGION])
    fake.put_secret(REGION, DOCKER, _value(token="old"))
    monkeypatch.delenv("DOCKERHUB_TOKEN")  # a plan job without the CI secret

    planned = workflow.plan_desired(_desired(tmp_path), fake, secret_values=False)

    assert not any(call.startswith("BatchGetSecretValue") for call in fake.calls)
    assert planned.plan.not_compared == (f"{REGION}/secret/{DOCKER}",)


def test_deferred_values_are_compared_at_apply_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desired, fake = _desired(tmp_path), FakeRegistry([REGION])
    workflow.apply(workflow.plan_desired(desired, fake).plan, fake, desired, desired.base_dir)
    monkeypatch.setenv("DOCKERHUB_TOKEN", "rotated")
    planned = workflow.plan_desired(desired, fake, secret_values=False)
    assert planned.plan.is_empty

    live = fake.read(planned.plan.account)
    workflow.check_fresh(planned.plan, live)
    completed = workflow.compare_deferred_values(planned.plan, desired, live, fake)

    assert _lines(completed) == [f"update {REGION}/secret/{DOCKER}"]


def test_a_missing_source_stops_the_plan_before_any_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeRegistry([REGION])
    monkeypatch.delenv("DOCKERHUB_TOKEN")
    with pytest.raises(ValueSourceError) as caught:
        workflow.plan_desired(_desired(tmp_path), fake, values=FROM_SOURCES)
    assert str(caught.value) == (
        f"secret '{DOCKER}': environment variable DOCKERHUB_TOKEN is not set or is empty"
    )
    assert [c for c in fake.calls if not c.startswith("GetCallerIdentity")] == []


def test_the_sandbox_strategy_sends_stand_ins_never_the_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desired, fake = _desired(tmp_path), FakeRegistry([REGION])
    monkeypatch.delenv("DOCKERHUB_USERNAME")  # not available: a placeholder stands in
    stand_in = StandIn(b"unit key")
    values = StandInValues(stand_in)

    planned = workflow.plan_desired(desired, fake, values=values)
    report = workflow.apply(planned.plan, fake, desired, desired.base_dir, values=values)

    assert (report.ok, report.verified) == (True, True)
    held = json.loads(fake.value_of(REGION, DOCKER))
    assert held == {"username": PLACEHOLDER, "accessToken": stand_in.fingerprint(TOKEN)}
    assert TOKEN not in fake.value_of(REGION, DOCKER)
    # The same strategy compares what the sandbox holds: nothing to change.
    assert workflow.plan_desired(desired, fake, values=values).plan.is_empty


def test_the_file_s_account_is_checked_before_any_read(tmp_path: Path) -> None:
    desired = _desired(tmp_path, 'account: "210987654321"\n' + dedent(FILE))
    fake = FakeRegistry([REGION])
    with pytest.raises(AccountMismatch) as caught:
        workflow.plan_desired(desired, fake)
    assert str(caught.value) == (
        "the file is for account 210987654321, but the credentials of "
        f"arn:aws:iam::{ACCOUNT}:user/tester are for {ACCOUNT}; refusing to continue"
    )
    assert not any(call.startswith("BatchGetSecretValue") for call in fake.calls)


@dataclass
class _StsAfterTheReadsStart(FakeRegistry):
    """Answers STS only once the reads have started: a plan that waits for STS before
    reading (one more round trip) never gets its answer."""

    reading: threading.Event = field(default_factory=threading.Event)

    def account_id(self) -> str:
        assert self.reading.wait(10), "STS was asked alone, before the reads"
        return super().account_id()

    def read(
        self,
        account: str,
        secret_values: Mapping[str, Collection[str]] | None = None,
        before_values: Callable[[], object] | None = None,
    ) -> LiveState:
        self.reading.set()
        return super().read(account, secret_values, before_values)


def test_without_account_in_the_file_sts_answers_alongside_the_reads(tmp_path: Path) -> None:
    desired = _desired(tmp_path)  # no `account:`: STS names the account of `{account}`
    planned = workflow.plan_desired(desired, _StsAfterTheReadsStart([REGION]))
    assert planned.live.account == ACCOUNT
    assert _lines(planned.plan) == CREATE_ALL


def test_a_saved_plan_is_stale_once_the_live_state_changes(tmp_path: Path) -> None:
    desired, fake = _desired(tmp_path), FakeRegistry([REGION])
    planned = workflow.plan_desired(desired, fake)
    workflow.check_fresh(planned.plan, fake.read(planned.plan.account))

    fake.create_rule(
        RuleResource(
            region=REGION,
            prefix="by-hand",
            upstream_url="public.ecr.aws",
            upstream_registry="ecr-public",
        )
    )

    with pytest.raises(workflow.StalePlan) as caught:
        workflow.check_fresh(planned.plan, fake.read(planned.plan.account))
    assert str(caught.value).startswith("the live state changed since the plan was made (sha256:")
    assert str(caught.value).endswith("…); run 'ptc plan' again")


def test_a_secret_changed_by_hand_makes_a_saved_plan_stale(tmp_path: Path) -> None:
    desired, fake = _desired(tmp_path), FakeRegistry([REGION])
    workflow.apply(workflow.plan_desired(desired, fake).plan, fake, desired, desired.base_dir)
    planned = workflow.plan_desired(desired, fake)
    fake.secrets[(REGION, DOCKER)].version += 1  # LastChangedDate moved, the value did not

    with pytest.raises(workflow.StalePlan):
        workflow.check_fresh(planned.plan, fake.read(planned.plan.account))


def test_the_prune_guard_refuses_more_than_3_deletes(tmp_path: Path) -> None:
    fake = FakeRegistry([REGION])
    for n in range(4):
        fake.create_rule(
            RuleResource(
                region=REGION, prefix=f"old-{n}", upstream_url="quay.io", upstream_registry="quay"
            )
        )
    desired = _desired(tmp_path, FILE.replace("    rules:", "    prune: true\n    rules:"))
    planned = workflow.plan_desired(desired, fake)
    assert planned.plan.counts["destroy"] == 4

    with pytest.raises(UnsafePlanError) as caught:
        planned.plan.raise_if_unsafe(planned.desired.safety, planned.live)
    assert str(caught.value) == (
        f"the plan deletes 4 of the 4 live rules and templates in {ACCOUNT}/{REGION}; more "
        "than 3 needs --force (safety: max_deletes 3, max_delete_percent 30 from min_existing 10)"
    )


def test_a_write_that_does_not_hold_fails_verification(tmp_path: Path) -> None:
    desired, fake = _desired(tmp_path), FakeRegistry([REGION])
    fake.drop.add("CreateRepositoryCreationTemplate")  # answered, but not kept

    report = workflow.apply(
        workflow.plan_desired(desired, fake).plan, fake, desired, desired.base_dir
    )

    assert report.ok
    assert (report.verified, report.drift) == (False, [f"create {REGION}/template/docker-hub"])


def test_a_failed_read_after_apply_keeps_the_report(tmp_path: Path) -> None:
    desired, fake = _desired(tmp_path), FakeRegistry([REGION])
    planned = workflow.plan_desired(desired, fake)
    fake.fail["Read"] = FakeError("the network went away")

    report = workflow.apply(planned.plan, fake, desired, desired.base_dir)

    assert [r.outcome for r in report.results] == [Outcome.APPLIED] * 4
    assert (report.verified, report.drift) == (False, ["could not verify: the network went away"])


def test_a_failing_write_stops_the_region_and_is_reported(tmp_path: Path) -> None:
    desired, fake = _desired(tmp_path), FakeRegistry([REGION])
    fake.fail["CreateRepositoryCreationTemplate"] = FakeError("throttled")

    report = workflow.apply(
        workflow.plan_desired(desired, fake).plan, fake, desired, desired.base_dir
    )

    assert [(str(r.item.address), r.outcome, r.error) for r in report.results] == [
        (f"{REGION}/secret/{DOCKER}", Outcome.APPLIED, None),
        (f"{REGION}/template/docker-hub", Outcome.FAILED, "throttled"),
        (f"{REGION}/rule/docker-hub", Outcome.NOT_ATTEMPTED, None),
        (f"{REGION}/rule/quay", Outcome.NOT_ATTEMPTED, None),
    ]
    assert (report.ok, report.verified) == (False, None)
    assert (REGION, "docker-hub") not in fake.rules

"""Backfill's writes on the executor: a region's repositories together, each in its order.

Concurrency is shown with barriers and events, never with sleeps.
"""

from __future__ import annotations

import threading

from ptc.aws.errors import AwsError
from ptc.engine.backfill import apply_backfill
from ptc.engine.executor import Finished, Outcome
from ptc.status.backfill import BackfillAction, BackfillPlan, Setting

WAIT = 30  # seconds a barrier or event waits before the test fails instead of hanging
REPOSITORIES = ["hub/a", "hub/b", "hub/c"]
SETTINGS: list[Setting] = ["lifecycle_policy", "repository_policy", "resource_tags"]


def action(repository: str, setting: Setting, region: str = "us-east-1") -> BackfillAction:
    value = {"team": "platform"} if setting == "resource_tags" else "{}"
    arn = f"arn:aws:ecr:{region}:123456789012:repository/{repository}"
    return BackfillAction(region, repository, arn, setting, value)


PLAN = BackfillPlan(
    "123456789012", tuple(action(r, s) for r in REPOSITORIES for s in SETTINGS)
)  # the planner's order: region, repository, setting


class Writer:
    """Records each repository's writes; `first` runs before each repository's first one."""

    def __init__(self, first: threading.Barrier | None = None, fail: str = "") -> None:
        self.first = first
        self.fail = fail
        self.calls: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def _call(self, operation: str, region: str, repository: str) -> None:
        with self.lock:
            calls = self.calls.setdefault(repository, [])
            calls.append(operation)
        if len(calls) == 1 and self.first is not None:
            self.first.wait()
        if f"{repository}/{operation}" == self.fail:
            raise AwsError(f"{operation} in {region}: access denied: no", "AccessDeniedException")

    def put_lifecycle_policy(self, region: str, repository: str, text: str) -> None:
        self._call("PutLifecyclePolicy", region, repository)

    def set_repository_policy(self, region: str, repository: str, text: str) -> None:
        self._call("SetRepositoryPolicy", region, repository)

    def tag_resource(self, region: str, arn: str, tags: dict[str, str]) -> None:
        self._call("TagResource", region, arn.split(":repository/")[1])


def test_a_regions_repositories_are_written_together_each_in_its_order() -> None:
    # Each repository's first write waits until every repository has started: one
    # repository after another, they never would, and the barrier breaks.
    meet = threading.Barrier(len(REPOSITORIES), timeout=WAIT)
    writer = Writer(first=meet)

    report = apply_backfill(PLAN, writer)

    assert report.ok and not meet.broken
    # Policies before tags, within each repository.
    assert writer.calls == {
        r: ["PutLifecyclePolicy", "SetRepositoryPolicy", "TagResource"] for r in REPOSITORIES
    }
    # The report keeps the plan's order, however the calls interleaved.
    assert [r.item for r in report.results] == list(PLAN.actions)


def test_a_failure_stops_the_region_and_the_calls_in_flight_finish() -> None:
    in_flight = threading.Barrier(2, timeout=WAIT)  # hub/a's and hub/b's first writes meet
    failed = threading.Event()

    class Slow(Writer):
        def put_lifecycle_policy(self, region: str, repository: str, text: str) -> None:
            if repository == "hub/b":
                in_flight.wait()
                assert failed.wait(WAIT)  # still in flight when hub/a fails
            super().put_lifecycle_policy(region, repository, text)

        def set_repository_policy(self, region: str, repository: str, text: str) -> None:
            if repository == "hub/a":
                in_flight.wait()  # hub/b's first write has started
            super().set_repository_policy(region, repository, text)

    def progress(event: Finished[str, BackfillAction]) -> None:
        if event.result.outcome is Outcome.FAILED:
            failed.set()

    plan = BackfillPlan("123456789012", PLAN.actions[:6])  # hub/a and hub/b
    writer = Slow(fail="hub/a/SetRepositoryPolicy")
    report = apply_backfill(plan, writer, progress=progress)

    assert [(r.item.address, r.outcome) for r in report.results] == [
        ("us-east-1/hub/a/lifecycle_policy", Outcome.APPLIED),
        ("us-east-1/hub/a/repository_policy", Outcome.FAILED),
        ("us-east-1/hub/a/resource_tags", Outcome.NOT_ATTEMPTED),
        ("us-east-1/hub/b/lifecycle_policy", Outcome.APPLIED),
        ("us-east-1/hub/b/repository_policy", Outcome.NOT_ATTEMPTED),
        ("us-east-1/hub/b/resource_tags", Outcome.NOT_ATTEMPTED),
    ]
    assert writer.calls == {
        "hub/a": ["PutLifecyclePolicy", "SetRepositoryPolicy"],
        "hub/b": ["PutLifecyclePolicy"],
    }
    assert report.of(Outcome.FAILED)[0].error == (
        "SetRepositoryPolicy in us-east-1: access denied: no"
    )

"""Backfill's writes on the executor: the plan (ptc.status.backfill) says which, this makes them.

Each action is one call. Regions run in parallel, and so do a region's repositories, which
do not depend on each other: they are one wave, with a lane per repository (at most the
executor's STEP_WORKERS calls in flight), so that a repository's own writes keep the
plan's order, policies before tags. A region stops at its first failure (the calls in
flight finish); every action ends up applied, failed or not attempted, and the report
lists them in the plan's order however the calls interleaved.
"""

from __future__ import annotations

import threading
from typing import Protocol

from ptc.engine.executor import Events, RunReport, Step, execute
from ptc.status.backfill import BackfillAction, BackfillPlan

__all__ = ["BackfillWriter", "Progress", "apply_backfill", "write"]

Progress = Events[str, BackfillAction]  # the target is the region
_REPOSITORIES = "repositories"  # a region's repositories: one wave


class BackfillWriter(Protocol):
    """The writes backfill needs; ptc.aws.repositories.RepositoryGateway implements them."""

    def put_lifecycle_policy(self, region: str, repository: str, text: str) -> None: ...
    def set_repository_policy(self, region: str, repository: str, text: str) -> None: ...
    def tag_resource(self, region: str, arn: str, tags: dict[str, str]) -> None: ...


def write(writer: BackfillWriter, action: BackfillAction) -> None:
    """The one API call an action stands for."""
    if action.setting == "lifecycle_policy":
        writer.put_lifecycle_policy(action.region, action.repository, action.value)
    elif action.setting == "repository_policy":
        writer.set_repository_policy(action.region, action.repository, action.value)
    else:
        writer.tag_resource(action.region, action.arn, action.value)


def apply_backfill(
    plan: BackfillPlan,
    writer: BackfillWriter,
    *,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
) -> RunReport[BackfillAction]:
    """Make the plan's writes. Set `stop` (e.g. on Ctrl-C) to finish after the current calls."""
    by_region: dict[str, list[Step[BackfillAction]]] = {}
    for action in plan.actions:
        step = Step((action,), wave=_REPOSITORIES, lane=action.repository)
        by_region.setdefault(action.region, []).append(step)

    def do(step: Step[BackfillAction]) -> None:
        (action,) = step.items
        write(writer, action)

    return execute(by_region, lambda region: do, stop=stop, progress=progress)

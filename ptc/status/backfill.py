"""Backfill: give drifted repositories their template's settings, with apply's discipline.

The plan holds one API call per fixable setting of each drifted repository: the template's
lifecycle policy (PutLifecyclePolicy), its repository policy (SetRepositoryPolicy) and its
missing or different tags (TagResource, which adds and overwrites but never removes).
Nothing is ever deleted, and tag mutability and encryption are left alone: they are in the
plan's `report_only` list. The writes run on the engine's executor (ptc.engine.backfill):
regions in parallel, a region stopping at its first failure, every action ending up
applied, failed or not attempted. A re-run reads the live state again and plans only what
is still missing, so it converges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ptc.status.models import Drift, RepositoryStatus, Setting, StatusReport

__all__ = ["OPERATIONS", "BackfillAction", "BackfillPlan", "Setting", "plan_backfill"]
# The order within a repository: policies before tags, so that a repository whose tag
# write fails already has its (more consequential) policies.
_ORDER: Final[dict[str, int]] = {"lifecycle_policy": 0, "repository_policy": 1, "resource_tags": 2}
OPERATIONS: Final[dict[str, str]] = {
    "lifecycle_policy": "PutLifecyclePolicy",
    "repository_policy": "SetRepositoryPolicy",
    "resource_tags": "TagResource",
}


@dataclass(frozen=True)
class BackfillAction:
    """One write to one repository: `value` is policy text, or the tags to set."""

    region: str
    repository: str
    arn: str
    setting: Setting
    value: Any

    @property
    def address(self) -> str:
        return f"{self.region}/{self.repository}/{self.setting}"

    @property
    def operation(self) -> str:
        return OPERATIONS[self.setting]

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "region": self.region,
            "repository": self.repository,
            "operation": self.operation,
            "setting": self.setting,
            "value": self.value,
        }


@dataclass(frozen=True)
class BackfillPlan:
    """The writes in (region, repository, setting) order, and the drift left as it is."""

    account: str
    actions: tuple[BackfillAction, ...] = ()
    report_only: tuple[tuple[RepositoryStatus, Drift], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.actions

    @property
    def repositories(self) -> int:
        return len({(a.region, a.repository) for a in self.actions})


def plan_backfill(report: StatusReport) -> BackfillPlan:
    actions: list[BackfillAction] = []
    kept: list[tuple[RepositoryStatus, Drift]] = []
    for status in report.drifted:
        for drift in status.drift:
            if drift.fixable:
                actions.append(_action(status, drift))
            else:
                kept.append((status, drift))
    regions = {region: i for i, region in enumerate(report.regions)}
    actions.sort(key=lambda a: (regions.get(a.region, 0), a.repository, _ORDER[a.setting]))
    return BackfillPlan(report.account, tuple(actions), tuple(kept))


def _action(status: RepositoryStatus, drift: Drift) -> BackfillAction:
    facts = status.facts
    setting: Setting
    if drift.setting == "lifecycle_policy":
        setting = "lifecycle_policy"
    elif drift.setting == "repository_policy":
        setting = "repository_policy"
    else:
        assert drift.setting == "resource_tags", drift.setting
        setting = "resource_tags"
    return BackfillAction(facts.region, facts.name, facts.arn, setting, drift.expected)

"""What a change looks like to a reader, as plain strings: shared by the terminal and Markdown.

The plan holds data (values, and flags for what it cannot show); this module turns one
change into rows such as `+ upstream_url = "quay.io"` and unified diffs of policy
documents. Renderers add only styling: colours on a terminal, code blocks in Markdown.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from ptc.domain.resources import AnyResource, RuleResource
from ptc.plan.changes import Action, AnyChange, Plan, Unmanaged
from ptc.plan.fleet import FleetPlan

SENSITIVE = "(sensitive value)"
UNKNOWN = "(known after apply)"
POLICIES = frozenset({"lifecycle_policy", "repository_policy", "other"})
STATEMENT_OTHER = "other"

VERBS = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.REPLACE: "must be replaced",
    Action.DELETE: "will be destroyed",
}
MARKS = {Action.CREATE: "+", Action.UPDATE: "~", Action.REPLACE: "-/+", Action.DELETE: "-"}
UNMANAGED_TITLE = "Live, not in the file (left alone; set prune to delete):"
UNOWNED_TITLE = (
    "Registry policy statements not in the file (left alone, even with prune; "
    "declare a Sid with absent: true to remove it):"
)
NOT_COMPARED_TITLE = (
    "Secret values not compared (plan --without-secret-values; "
    "apply --plan compares them and updates those that differ):"
)


@dataclass(frozen=True)
class Row:
    """One attribute: `mark key = old -> new`, or a policy document's line diff."""

    mark: str  # "+", "-" or "~"
    key: str
    old: str | None = None
    new: str | None = None
    diff: tuple[str, ...] = ()  # unified diff lines ("+…", "-…", " …") of a policy

    def text(self) -> str:
        if self.diff and self.mark == "~":
            return f"~ {self.key} = (JSON document changed)"
        if self.mark == "~" and self.old != self.new:
            return f"~ {self.key} = {self.old} -> {self.new}"
        value = self.new if self.mark == "+" else self.old
        return f"{self.mark} {self.key} = {value}"


def rows(change: AnyChange) -> list[Row]:
    """The attributes a reader needs: all of a created or destroyed one, the changed ones else."""
    before, after = change.before or {}, change.after or {}
    if change.action is Action.CREATE:
        return [_whole_row(change, "+", k, after) for k in _present(change, after)]
    if change.action is Action.DELETE:
        filled = [k for k, v in before.items() if _filled(v)]
        return [_whole_row(change, "-", k, before) for k in filled]
    return [_changed_row(change, key, before, after) for key in change.changed]


def _whole_row(change: AnyChange, mark: str, key: str, values: dict[str, Any]) -> Row:
    """An attribute of a created (+) or destroyed (-) resource; a policy in full."""
    value = values[key]
    if mark == "+":
        diff = policy_diff(None, value) if key in POLICIES else []
        return Row(mark, key, new=_value(change, key, values, "after"), diff=tuple(diff))
    diff = policy_diff(value, None) if key in POLICIES else []
    return Row(mark, key, old=_value(change, key, values, "before"), diff=tuple(diff))


def _present(change: AnyChange, values: dict[str, Any]) -> list[str]:
    flagged = {**change.after_unknown, **change.after_sensitive}
    return [k for k, v in values.items() if k in flagged or _filled(v)]


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {}, ())


def _changed_row(change: AnyChange, key: str, before: dict[str, Any], after: dict[str, Any]) -> Row:
    old, new = before.get(key), after.get(key)
    if key in POLICIES:
        return Row("~", key, diff=tuple(policy_diff(old, new)))
    old_shown = _value(change, key, before, "before")
    new_shown = _value(change, key, after, "after")
    return Row("~", key, old=old_shown, new=new_shown)


def _value(change: AnyChange, key: str, values: dict[str, Any], side: str) -> str:
    sensitive = change.before_sensitive if side == "before" else change.after_sensitive
    if sensitive.get(key):
        return SENSITIVE
    if side == "after" and change.after_unknown.get(key):
        return _unknown(change, key)
    if key == STATEMENT_OTHER and isinstance(values.get(key), str):
        # A statement's Condition decides who a "*" principal is: a reviewer must see it.
        return str(values[key])
    return show(values.get(key))


def _unknown(change: AnyChange, key: str) -> str:
    desired = change.desired
    if key == "credential_arn" and isinstance(desired, RuleResource) and desired.credential_name:
        return f"{UNKNOWN[:-1]}: the ARN of secret {desired.credential_name})"
    return UNKNOWN


def show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "(JSON document)" if value.startswith("{") else f'"{value}"'
    return json.dumps(value)


def policy_diff(old: Any, new: Any) -> list[str]:
    """A unified diff of two canonical JSON documents, pretty-printed, without headers."""
    diff = difflib.unified_diff(_pretty(old), _pretty(new), lineterm="", n=2)
    return [row for row in diff if not row.startswith(("---", "+++", "@@"))]


def _pretty(document: Any) -> list[str]:
    if not isinstance(document, str):
        return []
    try:
        return json.dumps(json.loads(document), indent=2, sort_keys=True).splitlines()
    except ValueError:
        return [document]


def explanation(change: AnyChange) -> str | None:
    """Why this change: a replace's reason, or a statement's (absent: true)."""
    explained = change.action is Action.REPLACE or change.kind == "statement"
    return change.reason if change.reason and explained else None


def unmanaged(plan: Plan) -> tuple[list[Unmanaged[AnyResource]], list[Unmanaged[AnyResource]]]:
    """Live resources the file does not declare: rules and templates, then statements."""
    left = plan.unmanaged
    return [u for u in left if u.kind != "statement"], [u for u in left if u.kind == "statement"]


def summary_line(plan: Plan) -> str:
    unread = " Secret values were not compared." if plan.not_compared else ""
    if plan.is_empty:
        return "No changes. The live state matches the file." + unread
    c = plan.counts
    return (
        f"Plan: {c['add']} to add, {c['change']} to change, {c['replace']} to replace, "
        f"{c['destroy']} to destroy." + unread
    )


def fleet_summary_line(fleet: FleetPlan) -> str:
    """The totals over every account, and which accounts could not be planned."""
    planned = len(fleet.plans)
    over = f"{planned} account{'' if planned == 1 else 's'}"
    if not planned:
        line = "No account was planned."  # "no changes" would claim what nobody read
    elif fleet.is_empty:
        line = f"No changes in {over}. The live state matches the file."
    else:
        c = fleet.counts
        changed = sum(1 for a in fleet.plans if a.plan is not None and not a.plan.is_empty)
        line = (
            f"Plan over {over} ({changed} with changes): {c['add']} to add, {c['change']} to "
            f"change, {c['replace']} to replace, {c['destroy']} to destroy."
        )
    if fleet.not_compared:
        line += " Secret values were not compared."
    failed = [a.account for a in fleet.failed]
    if failed:
        line += (
            f" {len(failed)} account{'' if len(failed) == 1 else 's'} could not be planned: "
            f"{', '.join(failed)}."
        )
    unplanned = [a.account for a in fleet.not_attempted]
    if unplanned:
        line += (
            f" Interrupted: {len(unplanned)} account{'' if len(unplanned) == 1 else 's'} "
            f"not planned: {', '.join(unplanned)}."
        )
    return line

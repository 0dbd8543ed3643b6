"""The terminal view of a plan and of an apply report, in Terraform's idiom."""

from __future__ import annotations

import difflib
import json
from typing import Any

from rich.console import Console
from rich.text import Text

from ptc.apply import ApplyReport, Outcome
from ptc.plan.changes import SENSITIVE, Action, Change, Plan

_MARKS = {
    Action.CREATE: ("+", "green", "will be created"),
    Action.UPDATE: ("~", "yellow", "will be updated in place"),
    Action.REPLACE: ("-/+", "magenta", "must be replaced"),
    Action.DELETE: ("-", "red", "will be destroyed"),
}
_POLICIES = {"lifecycle_policy", "repository_policy", "other"}


def render_plan(plan: Plan, console: Console) -> None:
    actionable = plan.actionable
    if actionable:
        console.print(
            f"ptc will perform the following actions in account {plan.account}:\n",
            highlight=False,
        )
        for change in actionable:
            _render_change(change, console)
    unmanaged = [c for c in plan.changes if c.action is Action.UNMANAGED]
    _render_unmanaged(
        [c for c in unmanaged if c.kind != "statement"],
        "Live, not in the file (left alone; set prune to delete):",
        console,
    )
    _render_unmanaged(
        [c for c in unmanaged if c.kind == "statement"],
        "Registry policy statements not in the file (left alone, even with prune; "
        "declare a Sid with absent: true to remove it):",
        console,
    )
    console.print(summary_line(plan), highlight=False)


def _render_unmanaged(changes: list[Change], title: str, console: Console) -> None:
    if not changes:
        return
    console.print(title, highlight=False)
    for change in changes:
        console.print(Text(f"  ? {change.address}", style="dim"))
    console.print()


def summary_line(plan: Plan) -> str:
    if plan.is_empty:
        return "No changes. The live state matches the file."
    c = plan.counts
    return (
        f"Plan: {c['add']} to add, {c['change']} to change, {c['replace']} to replace, "
        f"{c['destroy']} to destroy."
    )


def _render_change(change: Change, console: Console) -> None:
    mark, style, verb = _MARKS[change.action]
    explained = change.action is Action.REPLACE or change.kind == "statement"
    reason = f" ({change.reason})" if change.reason and explained else ""
    console.print(Text(f"  # {change.address} {verb}{reason}", style="bold"))
    header = Text(f"{mark:>3} ", style=style)
    header.append(f'{change.kind} "{change.key}" {{')
    console.print(header)
    for line in _attribute_lines(change):
        console.print(line)
    console.print("    }\n")


def _attribute_lines(change: Change) -> list[Text]:
    before, after = change.before or {}, change.after or {}
    if change.action is Action.CREATE:
        return [_line("+", "green", k, None, v) for k, v in after.items() if _present(v)]
    if change.action is Action.DELETE:
        return [_line("-", "red", k, v, None) for k, v in before.items() if _present(v)]
    lines: list[Text] = []
    for key in change.changed:
        old, new = before.get(key, SENSITIVE), after.get(key, SENSITIVE)
        if key in _POLICIES:
            lines += _policy_diff(key, old, new)
        else:
            lines.append(_line("~", "yellow", key, old, new))
    return lines


def _present(value: Any) -> bool:
    return value not in (None, "", [], {}, ())


def _line(mark: str, style: str, key: str, old: Any, new: Any) -> Text:
    text = Text(f"      {mark} ", style=style)
    if mark == "+":
        text.append(f"{key} = {_show(new)}")
    elif mark == "-":
        text.append(f"{key} = {_show(old)}")
    elif SENSITIVE in (old, new):
        text.append(f"{key} = {SENSITIVE}")
    else:
        text.append(f"{key} = {_show(old)} -> {_show(new)}")
    return text


def _show(value: Any) -> str:
    if value == SENSITIVE:
        return SENSITIVE
    if value is None:
        return "null"
    if isinstance(value, str) and value.startswith("{"):
        return "(JSON document)"
    return json.dumps(value) if not isinstance(value, str) else f'"{value}"'


def _policy_diff(key: str, old: Any, new: Any) -> list[Text]:
    lines = [Text(f"      ~ {key} = (JSON document changed)", style="yellow")]
    for row in difflib.unified_diff(_pretty(old), _pretty(new), lineterm="", n=2):
        if row.startswith(("---", "+++", "@@")):
            continue
        style = "green" if row.startswith("+") else "red" if row.startswith("-") else "dim"
        lines.append(Text(f"          {row}", style=style))
    return lines


def _pretty(document: Any) -> list[str]:
    if not isinstance(document, str):
        return []
    try:
        return json.dumps(json.loads(document), indent=2, sort_keys=True).splitlines()
    except ValueError:
        return [document]


def render_report(report: ApplyReport, console: Console) -> None:
    applied = report.of(Outcome.APPLIED)
    failed = report.of(Outcome.FAILED)
    skipped = report.of(Outcome.NOT_ATTEMPTED)
    rows = [(r, "done    ", "green") for r in applied]
    rows += [(r, "FAILED  ", "red") for r in failed]
    rows += [(r, "skipped ", "dim") for r in skipped]
    for result, label, style in rows:
        detail = f": {result.error}" if result.error else ""
        line = f"  {label} {result.change.action} {result.change.address}{detail}"
        console.print(Text(line, style=style))
    if report.interrupted:
        console.print("Interrupted: the changes in flight finished; nothing more was attempted.")
    console.print(
        f"Apply {'complete' if report.ok else 'incomplete'}: {len(applied)} applied, "
        f"{len(failed)} failed, {len(skipped)} not attempted.",
        highlight=False,
    )
    if report.verified is True:
        console.print("Verified: a fresh read of the live state matches the file.")
    elif report.verified is False:
        console.print("Verification FAILED: after apply, these still differ from the file:")
        for line in report.drift:
            console.print(f"  {line}", highlight=False)
    if failed or skipped:
        console.print("Run apply again to finish: it plans from the live state and converges.")

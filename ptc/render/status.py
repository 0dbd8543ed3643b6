"""The terminal view of status, of a backfill plan and of its report (as render/plan.py does
for plans): rich renderables printed to the console the CLI passes in."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ptc.engine.apply import Outcome
from ptc.status.backfill import BackfillAction, BackfillPlan, BackfillReport
from ptc.status.models import RepositoryStatus, StatusReport

_VERBS = {
    "lifecycle_policy": "put the template's lifecycle policy",
    "repository_policy": "set the template's repository policy",
    "resource_tags": "tag",
}


def render_status(report: StatusReport, console: Console) -> None:
    if not report.repositories:
        console.print(
            f"No repositories under the file's rules in {', '.join(report.regions)}.",
            highlight=False,
        )
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("region", "rule", "repository", "images", "last pull", "template", "drift"):
        table.add_column(column, justify="right" if column == "images" else "left")
    for status in report.repositories:
        facts = status.facts
        table.add_row(
            facts.region,
            status.rule,
            facts.name,
            str(facts.image_count),
            when(facts.last_pull),
            status.template or "(ECR defaults)",
            _drift_cell(status),
        )
    console.print(table)
    console.print()
    console.print(status_line(report), highlight=False)


def when(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _drift_cell(status: RepositoryStatus) -> Text:
    if not status.drift:
        return Text("none", style="green")
    return Text("; ".join(d.summary for d in status.drift), style="yellow")


def status_line(report: StatusReport) -> str:
    counts = report.summary()
    total = _count(counts["repositories"], "repository", "repositories")
    if not counts["drifted"]:
        return f"{total}; none drifts from its template."
    return (
        f"{total}; {counts['drifted']} drifting from the template, "
        f"{counts['fixable']} fixable with 'ptc status --backfill'."
    )


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def render_backfill_plan(plan: BackfillPlan, console: Console) -> None:
    if plan.actions:
        console.print(f"Backfill in account {plan.account}:", highlight=False)
        for action in plan.actions:
            console.print(Text(f"  ~ {_describe(action)}", style="yellow"))
        console.print()
    if plan.report_only:
        console.print(
            "Left as they are (backfill never deletes, and cannot change these):", highlight=False
        )
        for status, drift in plan.report_only:
            line = f"  ! {status.facts.region}/{status.facts.name}: {drift.summary}"
            console.print(Text(line, style="dim"))
        console.print()
    console.print(backfill_line(plan), highlight=False)


def _describe(action: BackfillAction) -> str:
    target = f"{action.region}/{action.repository}"
    if action.setting == "resource_tags":
        tags = ", ".join(f"{k}={v}" for k, v in sorted(action.value.items()))
        return f"{target}: tag {tags} ({action.operation})"
    return f"{target}: {_VERBS[action.setting]} ({action.operation})"


def backfill_line(plan: BackfillPlan) -> str:
    if plan.is_empty:
        return "Nothing to backfill."
    changes = _count(len(plan.actions), "change", "changes")
    return f"Backfill: {changes} to {_count(plan.repositories, 'repository', 'repositories')}."


def render_backfill_report(report: BackfillReport, console: Console) -> None:
    labels = {
        Outcome.APPLIED: ("done    ", "green"),
        Outcome.FAILED: ("FAILED  ", "red"),
        Outcome.NOT_ATTEMPTED: ("skipped ", "dim"),
    }
    for outcome, (label, style) in labels.items():
        for result in report.of(outcome):
            detail = f": {result.error}" if result.error else ""
            line = f"  {label} {result.action.operation} {result.action.address}{detail}"
            console.print(Text(line, style=style))
    if report.interrupted:
        console.print("Interrupted: the calls in flight finished; nothing more was attempted.")
    applied, failed, skipped = (len(report.of(o)) for o in labels)
    console.print(
        f"Backfill {'complete' if report.ok else 'incomplete'}: {applied} applied, "
        f"{failed} failed, {skipped} not attempted.",
        highlight=False,
    )
    if failed or skipped:
        console.print(
            "Run 'ptc status --backfill' again to finish: it reads the live state and converges."
        )

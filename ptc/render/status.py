"""The terminal view of status and of a backfill plan (as render/plan.py does for plans; the
report: render/report.py): printed to the console the CLI passes in.

The status table is a rich Table when it is small and on a terminal; a large one, or any
one in a log, is laid out in plain columns here, in milliseconds instead of seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text

from ptc import __version__
from ptc.render.text import printable
from ptc.status.backfill import BackfillAction, BackfillPlan
from ptc.status.models import FORMAT_VERSION, RepositoryStatus, StatusReport

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from ptc.engine.fleet import AccountRun, FleetReport

_VERBS = {
    "lifecycle_policy": "put the template's lifecycle policy",
    "repository_policy": "set the template's repository policy",
    "resource_tags": "tag",
}


# A rich Table measures every cell of every row, twice: 2,000 rows took 1.2 s. Up to this
# many rows (a few screens) it is worth it on a terminal, where it fits cells to the width;
# above it, and whenever the output is a log or a pipe, the columns are laid out here.
RICH_TABLE_MAX_ROWS = 200
_COLUMNS = ("region", "rule", "repository", "images", "last pull", "template", "drift")
_RIGHT = frozenset({"images"})
_GAP = "  "  # what rich puts between columns (padding 1 on each side)


def render_status(report: StatusReport, console: Console) -> None:
    if not report.repositories:
        console.print(
            f"No repositories under the file's rules in {', '.join(report.regions)}.",
            highlight=False,
        )
        return
    rows = [_cells(status) for status in report.repositories]
    if console.is_terminal and len(rows) <= RICH_TABLE_MAX_ROWS:
        console.print(_table(rows))
    elif console.is_terminal:
        console.print(_styled(_columns(rows)), soft_wrap=True)
    else:
        console.file.write("".join(f"{line}\n" for line, _ in _columns(rows)))
    console.print()
    console.print(status_line(report), highlight=False)


def when(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _cells(status: RepositoryStatus) -> tuple[str, ...]:
    facts = status.facts
    drift = "; ".join(d.summary for d in status.drift) or "none"
    cells = (
        facts.region,
        status.rule,
        facts.name,
        str(facts.image_count),
        when(facts.last_pull),
        status.template or "(ECR defaults)",
        drift,
    )
    # Names and tag values come from AWS: shown, never obeyed by the terminal.
    return tuple(printable(cell) for cell in cells)


def _table(rows: list[tuple[str, ...]]) -> Table:
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in _COLUMNS:
        table.add_column(column, justify="right" if column in _RIGHT else "left")
    for row in rows:
        table.add_row(*row[:-1], _drift_text(row[-1]))
    return table


def _drift_text(drift: str) -> Text:
    return Text(drift, style="green" if drift == "none" else "yellow")


def _columns(rows: list[tuple[str, ...]]) -> list[tuple[str, str]]:
    """The table as lines, aligned as rich aligns it: (line, its last cell), header first.

    The last column is not padded, so a long drift never pushes trailing spaces into a log.
    """
    every = [_COLUMNS, *rows]
    widths = [max(_width(row[i]) for row in every) for i in range(len(_COLUMNS) - 1)]
    lines = []
    for row in every:
        cells = [
            _aligned(cell, width, right=name in _RIGHT)
            for cell, width, name in zip(row, widths, _COLUMNS, strict=False)
        ]
        lines.append((_GAP.join([*cells, row[-1]]), row[-1]))
    return lines


def _aligned(cell: str, width: int, *, right: bool) -> str:
    pad = " " * (width - _width(cell))
    return pad + cell if right else cell + pad


def _width(cell: str) -> int:
    """Terminal cells: a CJK character takes two, a combining accent none."""
    if cell.isascii():
        return len(cell)
    from rich.cells import cell_len

    return cell_len(cell)


def _styled(lines: list[tuple[str, str]]) -> Text:
    """One Text for the whole table (one print, not one per row): bold header, drift coloured."""
    (header, _), *body = lines
    text = Text()
    text.append(header, style="bold")
    for line, drift in body:
        text.append("\n" + line[: len(line) - len(drift)])
        text.append_text(_drift_text(drift))
    return text


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
            console.print(Text(printable(f"  ~ {_describe(action)}"), style="yellow"))
        console.print()
    if plan.report_only:
        console.print(
            "Left as they are (backfill never deletes, and cannot change these):", highlight=False
        )
        for status, drift in plan.report_only:
            line = f"  ! {status.facts.region}/{status.facts.name}: {drift.summary}"
            console.print(Text(printable(line), style="dim"))
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


# -- several accounts (a file with `accounts:`) ------------------------------------------

_RESULTS = {"APPLIED": "read", "FAILED": "failed", "NOT_ATTEMPTED": "not attempted"}


def render_fleet_status(fleet: FleetReport[StatusReport], console: Console) -> None:
    """Account by account (each one's table by region, as for one account), then the counts."""
    for run in fleet.runs:
        console.print(Text(f"Account {run.account}:", style="bold"))
        if run.value is not None:
            render_status(run.value, console)
        else:
            _render_unread(run, console)
        console.print()
    console.print(fleet_line(fleet), highlight=False)


def render_fleet_failures(fleet: FleetReport[StatusReport], console: Console) -> None:
    """The accounts that could not be read, for the backfill's account-by-account plans."""
    for run in fleet.runs:
        if run.value is None:
            console.print(Text(f"Account {run.account}:", style="bold"))
            _render_unread(run, console)
            console.print()
    console.print(fleet_line(fleet), highlight=False)


def _render_unread(run: AccountRun[StatusReport], console: Console) -> None:
    if run.error is not None:
        console.print(Text(printable(f"  failed: {run.error}"), style="red"))
    else:
        console.print("  not attempted (interrupted)", highlight=False)


def fleet_line(fleet: FleetReport[StatusReport]) -> str:
    counts = _fleet_counts(fleet)
    accounts = _count(counts["accounts"], "account", "accounts")
    line = f"{accounts}: {counts['read']} read, {counts['failed']} failed"
    if counts["not_attempted"]:
        line += f", {counts['not_attempted']} not attempted"
    repositories = _count(counts["repositories"], "repository", "repositories")
    return f"{line}; {repositories}, {counts['drifted']} drifting."


def _fleet_counts(fleet: FleetReport[StatusReport]) -> dict[str, int]:
    reports = [run.value for run in fleet.runs if run.value is not None]
    return {
        "accounts": len(fleet.runs),
        "read": len(reports),
        "failed": len(fleet.failed),
        "not_attempted": len(fleet.not_attempted),
        "repositories": sum(len(r.repositories) for r in reports),
        "drifted": sum(len(r.drifted) for r in reports),
    }


def fleet_status_dict(fleet: FleetReport[StatusReport]) -> dict[str, Any]:
    """The JSON of a status over several accounts: each account's own report, or its error."""
    return {
        "format_version": FORMAT_VERSION,
        "ptc_version": __version__,
        "summary": _fleet_counts(fleet),
        "accounts": [
            {
                "account": run.account,
                "result": _RESULTS[run.outcome.name],
                "error": run.error,
                "status": run.value.to_dict() if run.value is not None else None,
            }
            for run in fleet.runs
        ],
    }

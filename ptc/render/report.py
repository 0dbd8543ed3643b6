"""The terminal view of a run: its progress as calls finish, and its report at the end.

Apply and backfill run on one executor and report alike; a RunView says what differs
between them: the run's name, how an item reads, and how to finish after a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from rich.text import Text

from ptc.engine.apply import ApplyReport
from ptc.engine.executor import Finished, Outcome, RunReport
from ptc.render.text import printable

if TYPE_CHECKING:
    from rich.console import Console

    from ptc.plan.changes import AnyChange
    from ptc.status.backfill import BackfillAction

__all__ = ["APPLY", "BACKFILL", "RunView", "progress_display", "render_report"]

T = TypeVar("T")


@dataclass(frozen=True)
class RunView(Generic[T]):
    title: str
    describe: Callable[[T], str]  # the call an item stands for and its address
    rerun: str  # after a failure or an interruption: how to finish


def _change(change: AnyChange) -> str:
    return f"{change.action} {change.address}"


def _action(action: BackfillAction) -> str:
    return f"{action.operation} {action.address}"


APPLY: RunView[AnyChange] = RunView(
    "Apply", _change, "Run apply again to finish: it plans from the live state and converges."
)
BACKFILL: RunView[BackfillAction] = RunView(
    "Backfill",
    _action,
    "Run 'ptc status --backfill' again to finish: it reads the live state and converges.",
)

_LABELS = {
    Outcome.APPLIED: ("done    ", "green"),
    Outcome.FAILED: ("FAILED  ", "red"),
    Outcome.NOT_ATTEMPTED: ("skipped ", "dim"),
}


def progress_display(
    view: RunView[T], console: Console
) -> Callable[[Finished[Any, T]], None] | None:
    """One line per finished call on a terminal; quiet in logs (the report follows)."""
    if not console.is_terminal:
        return None

    def show(event: Finished[Hashable, T]) -> None:
        line = f"  {event.result.outcome}: {view.describe(event.result.item)}"
        console.print(Text(printable(line)))

    return show


def render_report(report: RunReport[T], view: RunView[T], console: Console) -> None:
    """Applied, then failed, then not attempted, each in the run's order; then the counts."""
    for outcome, (label, style) in _LABELS.items():
        for result in report.of(outcome):
            detail = f": {result.error}" if result.error else ""
            line = f"  {label} {view.describe(result.item)}{detail}"
            console.print(Text(printable(line), style=style))
    if report.interrupted:
        console.print("Interrupted: the calls in flight finished; nothing more was attempted.")
    applied, failed, skipped = (len(report.of(outcome)) for outcome in _LABELS)
    console.print(
        f"{view.title} {'complete' if report.ok else 'incomplete'}: {applied} applied, "
        f"{failed} failed, {skipped} not attempted.",
        highlight=False,
    )
    if isinstance(report, ApplyReport):
        _render_verification(report, console)
    if failed or skipped:
        console.print(view.rerun)


def _render_verification(report: ApplyReport, console: Console) -> None:
    if report.verified is True:
        console.print("Verified: a fresh read of the live state matches the file.")
    elif report.verified is False:
        console.print("Verification FAILED: after apply, these still differ from the file:")
        for line in report.drift:
            console.print(Text(printable(f"  {line}")), highlight=False)

"""The terminal report of an apply over several accounts: each account's own report, then
one line per account saying applied, no changes, failed (with why), interrupted (Ctrl-C
cut its apply short: what it did and did not do) or not attempted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ptc.engine.executor import Outcome
from ptc.render.report import APPLY, RunView, render_report
from ptc.render.text import printable

if TYPE_CHECKING:
    from rich.console import Console

    from ptc.engine.apply import ApplyReport
    from ptc.engine.fleet import AccountRun, FleetReport
    from ptc.plan.changes import AnyChange
    from ptc.plan.fleet import AccountPlan, FleetPlan

_STYLES = {
    "applied": "green",
    "no changes": "dim",
    "FAILED": "red",
    "interrupted": "yellow",
    "not attempted": "dim",
}


def _view(account: str) -> RunView[AnyChange]:
    """Apply's view, with the account in front of each address."""
    return RunView(
        APPLY.title, lambda c: f"{c.action} {account}/{c.address}", f"{account}: {APPLY.rerun}"
    )


def render_fleet_report(
    plans: FleetPlan,
    changing: set[str],
    report: FleetReport[ApplyReport],
    console: Console,
) -> bool:
    """Print every account's outcome; True when every account succeeded."""
    runs = {run.account: run for run in report.runs}
    for run in report.runs:
        if run.value is not None and run.account is not None:
            console.print(f"Account {run.account}:", highlight=False)
            render_report(run.value, _view(run.account), console)
            console.print()
    outcomes = [(a.account, *_outcome(a, changing, runs)) for a in plans.accounts]
    for account, status, detail in outcomes:
        line = f"  {status:<13} {account}{f': {detail}' if detail else ''}"
        console.print(Text(printable(line), style=_STYLES[status]))
    if report.interrupted:
        console.print("Interrupted: the accounts at work finished; no other was started.")
    counted = {s: sum(1 for _, status, _ in outcomes if status == s) for s in _STYLES}
    ok = not report.interrupted and counted["FAILED"] == counted["not attempted"] == 0
    # Only an interrupted run can have interrupted accounts: the others' line stays as it was.
    cut = f"{counted['interrupted']} interrupted, " if report.interrupted else ""
    console.print(
        f"Apply over {len(outcomes)} account{'' if len(outcomes) == 1 else 's'} "
        f"{'complete' if ok else 'incomplete'}: {counted['applied']} applied, "
        f"{counted['no changes']} without changes, {counted['FAILED']} failed, "
        f"{cut}{counted['not attempted']} not attempted.",
        highlight=False,
    )
    return ok


def _outcome(
    account: AccountPlan, changing: set[str], runs: dict[str | None, AccountRun[ApplyReport]]
) -> tuple[str, str | None]:
    if account.plan is None:
        return "FAILED", account.error
    if account.account not in changing:
        return "no changes", None
    run = runs.get(account.account)
    if run is not None and run.interrupted and run.value is None:
        return "interrupted", None  # Ctrl-C came before its apply could report
    if run is None or run.outcome is Outcome.NOT_ATTEMPTED:
        return "not attempted", None
    if run.value is None:
        return "FAILED", run.error
    applied = run.value
    done, failed, skipped = (
        len(applied.of(o)) for o in (Outcome.APPLIED, Outcome.FAILED, Outcome.NOT_ATTEMPTED)
    )
    if failed:
        return "FAILED", f"{failed} change(s) failed, {skipped} not attempted"
    if applied.interrupted:  # no failure: a run stops early only when it is interrupted
        return "interrupted", f"{done} change(s) applied, {skipped} not attempted"
    if applied.verified is False:
        return "FAILED", "applied, but the live state still differs from the file"
    return "applied", None

"""The terminal view of a plan, in Terraform's idiom (apply's report: render/report.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ptc.plan.changes import Action, AnyChange, Plan
from ptc.plan.fleet import FleetPlan, fleet_address
from ptc.render import display
from ptc.render.display import summary_line
from ptc.render.text import printable

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["render_fleet_plan", "render_plan", "summary_line", "summary_only"]

_STYLES = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "magenta",
    Action.DELETE: "red",
}
_ROW_STYLES = {"+": "green", "-": "red", "~": "yellow", " ": "dim"}


def render_plan(plan: Plan, console: Console, *, qualified: bool = False) -> None:
    """One account's plan; `qualified` (several accounts): addresses start with the account."""

    def named(address: str) -> str:
        return fleet_address(plan.account, address) if qualified else address

    if plan.changes:
        console.print(
            printable(f"ptc will perform the following actions in account {plan.account}:") + "\n",
            highlight=False,
        )
        for change in plan.changes:
            _render_change(change, console, named(change.address))
    resources, statements = display.unmanaged(plan)
    _render_list([named(c.address) for c in resources], display.UNMANAGED_TITLE, console)
    _render_list([named(c.address) for c in statements], display.UNOWNED_TITLE, console)
    _render_list([named(a) for a in plan.not_compared], display.NOT_COMPARED_TITLE, console)
    summary = summary_line(plan)
    console.print(
        printable(f"{plan.account}: {summary}" if qualified else summary), highlight=False
    )


def render_fleet_plan(fleet: FleetPlan, console: Console) -> None:
    """Account by account (each region by region), the failed accounts, then the totals."""
    from rich.text import Text

    for account in fleet.accounts:
        if account.plan is not None:
            render_plan(account.plan, console, qualified=True)
        elif account.interrupted:
            line = f"{account.account}: not attempted (interrupted)"
            console.print(Text(printable(line), style="dim"))
        else:
            line = f"{account.account}: FAILED: {account.error}"
            console.print(Text(printable(line), style="red"))
        console.print()
    console.print(printable(display.fleet_summary_line(fleet)), highlight=False)


def summary_only(plan: Plan) -> str | None:
    """The plan's summary line when that is all `render_plan` would print (no changes,
    nothing unmanaged or not compared): the common answer of a scheduled drift check,
    which then needs no rich console, nor the time to import one."""
    resources, statements = display.unmanaged(plan)
    if plan.changes or resources or statements or plan.not_compared:
        return None
    return summary_line(plan)


def _render_list(addresses: list[str], title: str, console: Console) -> None:
    from rich.text import Text

    if not addresses:
        return
    console.print(title, highlight=False)
    for address in addresses:
        console.print(Text(printable(f"  ? {address}"), style="dim"))
    console.print()


def _render_change(change: AnyChange, console: Console, address: str) -> None:
    from rich.text import Text

    why = display.explanation(change)
    reason = f" ({why})" if why else ""
    console.print(
        Text(printable(f"  # {address} {display.VERBS[change.action]}{reason}"), style="bold")
    )
    header = Text(f"{display.MARKS[change.action]:>3} ", style=_STYLES[change.action])
    header.append(printable(f'{change.kind} "{change.key}" {{'))
    console.print(header)
    for row in display.rows(change):
        console.print(Text(printable(f"      {row.text()}"), style=_ROW_STYLES[row.mark]))
        # A created or destroyed document in full belongs to the Markdown view, collapsed.
        for line in row.diff if row.mark == "~" else ():
            console.print(
                Text(printable(f"          {line}"), style=_ROW_STYLES.get(line[:1], "dim"))
            )
    console.print("    }\n")

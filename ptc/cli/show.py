"""`ptc show PLANFILE`: a saved plan as text, JSON or Markdown, without AWS (terraform show)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ptc.cli.output import fail
from ptc.cli.plan import FORMAT_OPTION, PlanFormat, show_plan
from ptc.errors import PtcError


def show(
    plan_file: Annotated[
        Path,
        typer.Argument(
            metavar="PLANFILE", help="A plan saved by 'ptc plan --out'.", show_default=False
        ),
    ],
    output_format: Annotated[PlanFormat, FORMAT_OPTION] = PlanFormat.text,
) -> None:
    """Show a saved plan (no AWS needed): what 'ptc apply --plan PLANFILE' applies."""
    from ptc.plan import saved
    from ptc.plan.fleet import FleetPlan

    try:
        loaded = saved.load_any(plan_file)
    except PtcError as exc:
        fail(exc)
    if isinstance(loaded, FleetPlan):
        from ptc.cli.plan_fleet import show_fleet

        show_fleet(loaded, output_format)  # a plan over several accounts, grouped by account
        return
    show_plan(loaded[0], output_format)


def register(app: typer.Typer) -> None:
    app.command()(show)

"""`ptc status`: the repositories the cache created and their drift; `--backfill` fixes it."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ptc.cli.aws import (
    DEFAULT_SANDBOX_STATE,
    Profile,
    Regions,
    SandboxFlag,
    SandboxState,
    aws_session,
)
from ptc.cli.output import confirm, fail, out
from ptc.errors import (
    EXIT_CHANGES,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PtcError,
)
from ptc.render.console import console

if TYPE_CHECKING:
    from ptc.aws.repositories import RepositoryGateway
    from ptc.engine.executor import RunReport
    from ptc.status.models import StatusReport


class StatusFormat(StrEnum):
    text = "text"
    json = "json"


def status(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The desired-state file.", show_default=False)
    ],
    output_format: Annotated[
        StatusFormat, typer.Option("--format", "-f", help="How to print the status.")
    ] = StatusFormat.text,
    detailed_exitcode: Annotated[
        bool,
        typer.Option(
            "--detailed-exitcode", help="Exit 2 when any repository drifts, 0 when none does."
        ),
    ] = False,
    backfill: Annotated[
        bool,
        typer.Option(
            "--backfill", help="Give drifted repositories their template's policies and tags."
        ),
    ] = False,
    auto_approve: Annotated[
        bool,
        typer.Option(
            "--auto-approve", help="With --backfill: do not ask for confirmation (for CI)."
        ),
    ] = False,
    region: Regions = None,
    sandbox: SandboxFlag = False,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
    profile: Profile = None,
) -> None:
    """Show each repository the cache created, and whether it still matches its template."""
    if backfill and (output_format is StatusFormat.json or detailed_exitcode):
        out("error: --backfill takes neither --format json nor --detailed-exitcode", err=True)
        raise typer.Exit(EXIT_USAGE)
    from ptc.aws.repositories import RepositoryGateway
    from ptc.engine.workflow import load_desired
    from ptc.status.compute import read_status

    try:
        desired = load_desired(file, region)
        with aws_session(sandbox, sandbox_state, profile) as session:
            gateway = RepositoryGateway(session, desired.regions)
            report = read_status(desired, gateway)
            if backfill:
                raise typer.Exit(_backfill(report, gateway, auto_approve))
    except PtcError as exc:
        fail(exc)
    _show(report, output_format)
    raise typer.Exit(EXIT_CHANGES if detailed_exitcode and report.drifted else EXIT_OK)


def _show(report: StatusReport, output_format: StatusFormat) -> None:
    if output_format is StatusFormat.json:
        out(json.dumps(report.to_dict(), indent=2))
        return
    from ptc.render.status import render_status

    render_status(report, console())


def _backfill(report: StatusReport, gateway: RepositoryGateway, auto_approve: bool) -> int:
    """Plan, show, confirm, apply, report: the exit code."""
    from ptc.engine.backfill import apply_backfill
    from ptc.render.report import BACKFILL, progress_display, render_report
    from ptc.render.status import render_backfill_plan
    from ptc.status.backfill import plan_backfill

    screen = console()
    plan = plan_backfill(report)
    render_backfill_plan(plan, screen)
    if plan.is_empty:
        return EXIT_OK
    if not auto_approve:
        confirm(
            "Apply this backfill?",
            cancelled="Backfill cancelled.",
            what="backfill",
        )
    result = apply_backfill(plan, gateway, progress=progress_display(BACKFILL, screen))
    screen.print()
    render_report(result, BACKFILL, screen)
    return _exit_code(result)


def _exit_code(result: RunReport[Any]) -> int:
    if result.interrupted:
        return EXIT_INTERRUPTED  # the report says what finished before Ctrl-C
    return EXIT_OK if result.ok else EXIT_FAILED


def register(app: typer.Typer) -> None:
    app.command()(status)

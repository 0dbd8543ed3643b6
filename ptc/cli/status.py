"""`ptc status`: the repositories the cache created and their drift; `--backfill` fixes it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ptc.cli.aws import (
    DEFAULT_SANDBOX_STATE,
    Profile,
    Regions,
    SandboxFlag,
    SandboxState,
    aws_session,
)
from ptc.cli.fleet import AccountIds, MaxConcurrency, ShardOption
from ptc.cli.output import confirm, fail, out, say_interrupted
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
    from ptc.aws.clients import Session
    from ptc.aws.repositories import RepositoryGateway
    from ptc.config.models import PtcFile
    from ptc.engine.executor import RunReport
    from ptc.engine.fleet import FleetReport
    from ptc.plan.targets import Target
    from ptc.status.backfill import BackfillPlan
    from ptc.status.models import StatusReport

    Read = tuple[StatusReport, RepositoryGateway]  # one account's status, and its reader


T = TypeVar("T")


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
    account: AccountIds = None,
    shard: ShardOption = None,
    max_concurrency: MaxConcurrency = None,
    sandbox: SandboxFlag = False,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
    profile: Profile = None,
) -> None:
    """Show each repository the cache created, and whether it still matches its template."""
    if backfill and (output_format is StatusFormat.json or detailed_exitcode):
        out("error: --backfill takes neither --format json nor --detailed-exitcode", err=True)
        raise typer.Exit(EXIT_USAGE)
    from ptc.aws.repositories import RepositoryGateway
    from ptc.checks.runner import load_valid
    from ptc.cli.fleet import resolve_fleet
    from ptc.plan.desired import expand
    from ptc.status.compute import read_status

    try:
        parsed = load_valid(file).file
        assert parsed is not None  # load_valid raises unless the file is valid
        if parsed.accounts is not None:
            fleet = _Fleet(file, parsed, region, account, shard, max_concurrency)
            with aws_session(sandbox, sandbox_state, profile) as session:
                if backfill:
                    raise typer.Exit(_fleet_backfill(fleet.read(session), auto_approve, fleet))
                runs = fleet.read(session)
            raise typer.Exit(_fleet_exit(runs, output_format, detailed_exitcode))
        resolve_fleet(file, parsed, region, account, shard, None)  # --account, --shard: usage
        desired = expand(parsed, file.parent, region or None)
        with aws_session(sandbox, sandbox_state, profile) as session:
            gateway = RepositoryGateway(session, desired.regions)
            report = read_status(desired, gateway)
            if backfill:
                raise typer.Exit(_backfill(report, gateway, auto_approve))
    except PtcError as exc:
        fail(exc)
    _show(report, output_format)
    raise typer.Exit(EXIT_CHANGES if detailed_exitcode and report.drifted else EXIT_OK)


@dataclass(frozen=True)
class _Fleet:
    """A file with `accounts:` and the options that choose its targets."""

    path: Path
    parsed: PtcFile
    regions: list[str] | None
    accounts: list[str] | None
    shard: str | None
    max_concurrency: int | None

    def read(self, session: Session) -> FleetReport[Read]:
        """Every target account's status, at most max_concurrency accounts at once; an
        account that fails (its role cannot be assumed, access denied) is that account's
        failure and never stops the others."""
        from ptc.cli.fleet import external_id, resolve_fleet

        targets = resolve_fleet(
            self.path, self.parsed, self.regions, self.accounts, self.shard, session
        )
        secret = external_id(targets, self.path.parent)
        return self.over(
            targets.accounts, lambda target: _read_account(session, target, secret, self)
        )

    def over(
        self,
        targets: Sequence[Target],
        work: Callable[[Target], T],
        stop: threading.Event | None = None,
    ) -> FleetReport[T]:
        from ptc.engine.fleet import DEFAULT_MAX_CONCURRENCY, over_accounts

        limit = self.max_concurrency or DEFAULT_MAX_CONCURRENCY
        return over_accounts(targets, work, max_concurrency=limit, stop=stop)


def _fleet_exit(
    runs: FleetReport[Read], output_format: StatusFormat, detailed_exitcode: bool
) -> int:
    """Shown account by account; 0 only when every account was read."""
    _show_fleet(runs, output_format)
    if runs.interrupted:
        say_interrupted()  # the accounts not read say "not attempted"
        return EXIT_INTERRUPTED
    if not runs.ok:
        return EXIT_FAILED
    drifted = any(report.drifted for _, (report, _) in runs.values())
    return EXIT_CHANGES if detailed_exitcode and drifted else EXIT_OK


def _read_account(base: Session, target: Target, secret: str | None, fleet: _Fleet) -> Read:
    """One account's status, read with the file's role assumed there."""
    from ptc.aws.repositories import RepositoryGateway
    from ptc.cli.fleet import target_session
    from ptc.plan.desired import expand
    from ptc.status.compute import read_status

    session = target_session(base, target, secret, "status")
    desired = expand(fleet.parsed, fleet.path.parent, fleet.regions or None, account=target.account)
    gateway = RepositoryGateway(session, desired.regions)
    return read_status(desired, gateway), gateway


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


def _show_fleet(fleet: FleetReport[Read], output_format: StatusFormat) -> None:
    from ptc.render.status import fleet_status_dict, render_fleet_status

    reports = _reports(fleet)
    if output_format is StatusFormat.json:
        out(json.dumps(fleet_status_dict(reports), indent=2))
        return
    render_fleet_status(reports, console())


def _reports(fleet: FleetReport[Read]) -> FleetReport[StatusReport]:
    """The report without the readers (kept for backfill only)."""
    from ptc.engine.fleet import AccountRun, FleetReport

    runs = [
        AccountRun(run.target, run.outcome, run.value[0] if run.value else None, run.error)
        for run in fleet.runs
    ]
    return FleetReport(runs, interrupted=fleet.interrupted)


def _fleet_backfill(fleet: FleetReport[Read], auto_approve: bool, options: _Fleet) -> int:
    """Every account's backfill planned and shown, one confirmation, then account by
    account at once (bounded): the exit code."""
    from rich.text import Text

    from ptc.engine.backfill import apply_backfill
    from ptc.render.report import BACKFILL, render_report
    from ptc.render.status import render_backfill_plan, render_fleet_failures
    from ptc.render.text import printable

    screen = console()
    from ptc.status.backfill import plan_backfill

    plans: dict[str | None, tuple[BackfillPlan, RepositoryGateway]] = {}
    for target, (report, gateway) in fleet.values():
        plan = plan_backfill(report)
        if plan.is_empty:
            screen.print(f"Account {target.account}: nothing to backfill.", highlight=False)
            continue
        render_backfill_plan(plan, screen)
        screen.print()
        plans[target.account] = (plan, gateway)
    reports = _reports(fleet)
    render_fleet_failures(reports, screen)
    if fleet.interrupted:
        # Ctrl-C while reading: --auto-approve skips the prompt, not the user's stop.
        screen.print("Interrupted: nothing backfilled.", highlight=False)
        say_interrupted()
        return EXIT_INTERRUPTED
    if plans:
        if not auto_approve:
            confirm("Apply this backfill?", cancelled="Backfill cancelled.", what="backfill")
        to_write = [run.target for run in fleet.runs if run.target.account in plans]
        # Ctrl-C: the accounts at work finish their calls in flight (the same stop), and
        # report what they wrote and what they did not; no other account starts.
        stop = threading.Event()
        written = options.over(
            to_write, lambda target: apply_backfill(*plans[target.account], stop=stop), stop
        )
        for run in written.runs:
            screen.print(f"Account {run.account}:", highlight=False)
            if run.value is not None:
                render_report(run.value, BACKFILL, screen)
            else:
                screen.print(Text(printable(f"  {run.outcome}: {run.error or 'interrupted'}")))
            screen.print()
        if written.interrupted:
            screen.print(
                "Interrupted: the accounts at work finished their calls in flight; "
                "no other was started.",
                highlight=False,
            )
            say_interrupted()
            return EXIT_INTERRUPTED
        if not written.ok or not all(r.ok for _, r in written.values()):
            return EXIT_FAILED
    return EXIT_OK if fleet.ok else EXIT_FAILED


def _exit_code(result: RunReport[Any]) -> int:
    if result.interrupted:
        # The report says what finished before Ctrl-C; stderr says why the run ended.
        say_interrupted()
        return EXIT_INTERRUPTED
    return EXIT_OK if result.ok else EXIT_FAILED


def register(app: typer.Typer) -> None:
    app.command()(status)

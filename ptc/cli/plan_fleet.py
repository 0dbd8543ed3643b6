"""`ptc plan` and `ptc apply` over every target account of a file with `accounts:`.

Each account is planned with its own session (its role assumed) and its own live state,
the accounts side by side (ptc.engine.fleet.over_accounts). A failure in one account
(its role cannot be assumed, access is denied, its saved plan is stale) is that account's
and never stops the others; the output says, account by account, what was planned or
applied, what failed and why, and what was not attempted. Apply asks once, for every
account, and the exit code is 0 only when every account succeeded.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ptc.cli.output import confirm, out, say_interrupted
from ptc.errors import (
    EXIT_CHANGES,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    UnsafePlanError,
    UsageError,
)
from ptc.plan.fleet import AccountPlan, FleetPlan, Selection
from ptc.render.console import console

if TYPE_CHECKING:
    from rich.console import Console

    from ptc.aws.gateway import Gateway
    from ptc.cli.aws import Connection
    from ptc.cli.plan import PlanFormat, SafetyOptions
    from ptc.config.models import PtcFile
    from ptc.engine.apply import ApplyReport
    from ptc.engine.fleet import AccountRun, FleetReport
    from ptc.plan.changes import Plan
    from ptc.plan.desired import DesiredState
    from ptc.plan.live import LiveState
    from ptc.plan.targets import Target


@dataclass(frozen=True)
class FleetOptions:
    """What the command line says about the accounts: `--account`, `--shard`,
    `--max-concurrency`."""

    accounts: list[str] | None
    shard: str | None
    max_concurrency: int | None

    @property
    def selection(self) -> Selection:
        return Selection(tuple(sorted(set(self.accounts or ()))), self.shard)

    @property
    def concurrency(self) -> int:
        from ptc.engine.fleet import DEFAULT_MAX_CONCURRENCY

        return self.max_concurrency or DEFAULT_MAX_CONCURRENCY


@dataclass(frozen=True)
class Ready:
    """One account planned and ready to apply: its plan, and what applying it needs."""

    plan: Plan
    desired: DesiredState
    live: LiveState
    gateway: Gateway
    warnings: tuple[str, ...] = ()


def plan_accounts(
    path: Path,
    file: PtcFile,
    regions: list[str] | None,
    fleet: FleetOptions,
    connection: Connection,
    *,
    command: str,
    safety: SafetyOptions,
    prune: bool | None,
    secret_values: bool = True,
    stop: threading.Event | None = None,
) -> tuple[FleetPlan, dict[str, Ready], bool]:
    """Plan every target account; the fleet plan, the accounts ready to apply, and whether
    Ctrl-C stopped it."""
    from ptc.aws.gateway import Gateway
    from ptc.cli.fleet import external_id, resolve_fleet, target_session
    from ptc.engine import workflow
    from ptc.engine.fleet import over_accounts

    targets = resolve_fleet(path, file, regions, fleet.accounts, fleet.shard, connection.session)
    eid = external_id(targets, path.parent)

    def work(target: Target) -> Ready:
        session = target_session(connection.session, target, eid, command)
        desired = workflow.desired_of(file, path, list(target.regions), target.account)
        desired = safety.over(desired)
        gateway = Gateway(session, desired.regions)
        planned = workflow.plan_desired(
            desired,
            gateway,
            prune=prune,
            values=connection.values,
            secret_values=secret_values,
            confirmed_account=_assumed_in(target),
        )
        return Ready(planned.plan, planned.desired, planned.live, gateway, tuple(planned.warnings))

    report = over_accounts(targets.accounts, work, max_concurrency=fleet.concurrency, stop=stop)
    plans = FleetPlan(
        tuple(_account_plan(run) for run in report.runs),
        fleet.selection,
        targets.external_id,
        interrupted=report.interrupted,
    )
    ready = {run.account: run.value for run in report.runs if run.value and run.account}
    return plans, ready, report.interrupted


def _assumed_in(target: Target) -> str | None:
    """The account a target's session is known to act in, without asking STS: a role's
    credentials are always those of the account its ARN names. A role of another account
    (a file whose role names one account for all) leaves STS to refuse the target."""
    from ptc.domain.arns import parse_arn

    role = parse_arn(target.role) if target.role is not None else None
    return target.account if role is not None and role.account == target.account else None


def _account_plan(run: AccountRun[Ready]) -> AccountPlan:
    target, ready, error = run.target, run.value, run.error
    assert target.account is not None  # the targets of `accounts:` name their accounts
    if ready is None and error is None:  # only Ctrl-C leaves an account unplanned
        return AccountPlan(target.account, target.role, interrupted=True)
    if ready is None:
        said = f"account {target.account}: "  # the output names the account already
        error = error[len(said) :] if error and error.startswith(said) else error
        return AccountPlan(target.account, target.role, error=error)
    return AccountPlan(target.account, target.role, ready.plan, desired=ready.desired)


# -- plan -------------------------------------------------------------------------------------


def plan(
    path: Path,
    file: PtcFile,
    regions: list[str] | None,
    fleet: FleetOptions,
    session_options: tuple[bool, Path, str | None],
    *,
    safety: SafetyOptions,
    prune: bool | None,
    secret_values: bool,
    out_file: Path | None,
    output_format: PlanFormat,
    detailed_exitcode: bool,
) -> int:
    """`ptc plan` over the accounts; returns the exit code."""
    from ptc.cli.aws import aws_connection
    from ptc.cli.plan import PlanFormat, placeholder_notice
    from ptc.plan.desired import expand

    sandbox, state, profile = session_options
    placeholder_notice(expand(file, path.parent), sandbox and secret_values)
    with aws_connection(sandbox, state, profile) as connection:
        plans, ready, interrupted = plan_accounts(
            path,
            file,
            regions,
            fleet,
            connection,
            command="plan",
            safety=safety,
            prune=prune,
            secret_values=secret_values,
        )
    # A plan of the accounts Ctrl-C left time for is not the plan: --out is not written.
    save = None if interrupted else out_file
    if save is not None:
        from ptc.plan import saved  # its models take milliseconds to define: only for --out

        saved.save_fleet(save, plans)
    _warn(ready)
    show_fleet(plans, output_format)
    if output_format is not PlanFormat.text:
        _errors(plans)
    _warn_if_unsafe(ready)
    if save is not None and output_format is PlanFormat.text:
        out(f"Saved the plan to {out_file}; apply it with: ptc apply --plan {out_file}")
    if interrupted:
        say_interrupted(None if out_file is None else f"{out_file} was not written")
        return EXIT_INTERRUPTED
    if plans.failed:
        return EXIT_FAILED
    return EXIT_CHANGES if detailed_exitcode and not plans.is_empty else EXIT_OK


def show_fleet(plans: FleetPlan, output_format: PlanFormat) -> None:
    from ptc.cli.plan import PlanFormat

    if output_format is PlanFormat.json:
        out(json.dumps(plans.to_dict(), indent=2))
    elif output_format is PlanFormat.markdown:
        from ptc.render.markdown import render_fleet_markdown

        sys.stdout.write(render_fleet_markdown(plans))
    else:
        from ptc.render.plan import render_fleet_plan

        render_fleet_plan(plans, console(soft_wrap=True))


def _errors(plans: FleetPlan) -> None:
    from ptc.render.text import printable

    for account in plans.failed:
        out(f"error: account {account.account}: {printable(account.error or '')}", err=True)


def _warn(ready: dict[str, Ready]) -> None:
    for account, item in ready.items():
        for warning in item.warnings:
            out(f"warning: {account}: {warning}", err=True)


def _unsafe(ready: dict[str, Ready]) -> list[str]:
    """What apply refuses without --force, account by account (the messages name them)."""
    problems: list[str] = []
    for item in ready.values():
        try:
            item.plan.raise_if_unsafe(item.desired.safety, item.live)
        except UnsafePlanError as exc:
            problems.append(str(exc))
    return problems


def _warn_if_unsafe(ready: dict[str, Ready]) -> None:
    for problem in _unsafe(ready):
        out(f"warning: apply will refuse this plan: {problem}", err=True)


# -- apply ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyChoices:
    auto_approve: bool
    force: bool


def apply_file(
    path: Path,
    file: PtcFile,
    regions: list[str] | None,
    fleet: FleetOptions,
    connection: Connection,
    *,
    safety: SafetyOptions,
    prune: bool | None,
    choices: ApplyChoices,
) -> int:
    """`ptc apply FILE` over the accounts: plan each, ask once, apply each."""
    from ptc.cli.plan import placeholder_notice
    from ptc.plan.desired import expand

    placeholder_notice(expand(file, path.parent), connection.sandbox)
    stop = threading.Event()
    plans, ready, interrupted = plan_accounts(
        path,
        file,
        regions,
        fleet,
        connection,
        command="apply",
        safety=safety,
        prune=prune,
        stop=stop,
    )
    _warn(ready)
    if interrupted:
        show_fleet_text(plans)
        say_interrupted("nothing was applied")
        return EXIT_INTERRUPTED
    return _confirm_and_apply(plans, ready, connection, choices, fleet, stop)


def apply_saved(
    plans: FleetPlan,
    fleet: FleetOptions,
    connection: Connection,
    *,
    safety: SafetyOptions,
    choices: ApplyChoices,
) -> int:
    """`ptc apply --plan` of a plan over several accounts: each account's live state must
    still be the one it was planned from (else that account fails, stale)."""
    _check_selection(plans.selection, fleet)
    stop = threading.Event()
    ready, prepared = _prepare_saved(plans, fleet, connection, safety, stop)
    if prepared.interrupted:
        show_fleet_text(plans)
        say_interrupted("nothing was applied")
        return EXIT_INTERRUPTED
    from ptc.cli.plan import say_deferred

    for account in plans.plans:  # in account order, once every account has compared
        if account.plan is not None and account.account in ready:
            say_deferred(account.plan, ready[account.account].plan, qualified=True)
    checked = FleetPlan(
        tuple(_checked(a, ready, prepared) for a in plans.accounts),
        plans.selection,
        plans.external_id,
    )
    return _confirm_and_apply(checked, ready, connection, choices, fleet, stop)


def _check_selection(saved: Selection, fleet: FleetOptions) -> None:
    """--account and --shard, when given, must be those the plan was made with: a shard's
    job that picked up another shard's plan must not apply it."""
    given = fleet.selection
    differs = (fleet.accounts is not None and set(given.accounts) != set(saved.accounts)) or (
        fleet.shard is not None and given.shard != saved.shard
    )
    if differs:
        raise UsageError(
            f"the saved plan was made for {saved.describe()}, not {given.describe()}: "
            "apply the plan made for these accounts, or plan them again"
        )


def _prepare_saved(
    plans: FleetPlan,
    fleet: FleetOptions,
    connection: Connection,
    safety: SafetyOptions,
    stop: threading.Event,
) -> tuple[dict[str, Ready], FleetReport[Ready]]:
    from ptc.aws.gateway import Gateway
    from ptc.cli.fleet import external_id, target_session
    from ptc.engine import workflow
    from ptc.engine.fleet import over_accounts
    from ptc.plan.targets import Target, Targets

    planned = {a.account: a for a in plans.plans}
    base_dir = next((a.desired.base_dir for a in plans.plans if a.desired), Path("."))
    eid = external_id(Targets((), plans.external_id), base_dir) if planned else None

    def work(target: Target) -> Ready:
        assert target.account is not None
        account = planned[target.account]
        assert account.plan is not None and account.desired is not None
        session = target_session(connection.session, target, eid, "apply")
        desired = safety.over(account.desired)
        connection.values.check(desired.secrets, desired.base_dir)
        gateway = Gateway(session, account.plan.regions)
        if _assumed_in(target) is None:
            workflow.check_account(desired, gateway)
        live = gateway.read(account.plan.account)
        workflow.check_fresh(account.plan, live)
        completed = workflow.compare_deferred_values(
            account.plan, desired, live, gateway, values=connection.values
        )
        return Ready(completed, desired, live, gateway)

    targets = [Target(a, p.role, p.plan.regions) for a, p in planned.items() if p.plan]
    report = over_accounts(targets, work, max_concurrency=fleet.concurrency, stop=stop)
    ready = {run.account: run.value for run in report.runs if run.value and run.account}
    return ready, report


def _checked(
    account: AccountPlan, ready: dict[str, Ready], report: FleetReport[Ready]
) -> AccountPlan:
    """The account as apply will do it: its completed plan, or why it cannot be applied."""
    if account.account in ready:
        item = ready[account.account]
        return AccountPlan(account.account, account.role, item.plan, desired=item.desired)
    errors = {run.account: run.error for run in report.runs}
    error = errors.get(account.account) or account.error or "not attempted"
    return AccountPlan(account.account, account.role, error=error)


def show_fleet_text(plans: FleetPlan) -> Console:
    from ptc.render.plan import render_fleet_plan

    screen = console(soft_wrap=True)
    render_fleet_plan(plans, screen)
    return screen


def _confirm_and_apply(
    plans: FleetPlan,
    ready: dict[str, Ready],
    connection: Connection,
    choices: ApplyChoices,
    fleet: FleetOptions,
    stop: threading.Event,
) -> int:
    screen = show_fleet_text(plans)
    changing = {a: r for a, r in ready.items() if not r.plan.is_empty}
    if not changing:
        return EXIT_FAILED if plans.failed else EXIT_OK
    problems = _unsafe(changing)
    if problems and not choices.force:
        raise UnsafePlanError("; ".join(problems))
    if not choices.auto_approve:
        count = len(changing)
        confirm(
            f"Apply these changes in {count} account{'' if count == 1 else 's'}?",
            cancelled="Apply cancelled.",
            what="plan",
        )
    report = _apply_accounts(plans, changing, connection, fleet, stop)
    screen.print()
    return _render_outcome(plans, changing, report, screen)


def _apply_accounts(
    plans: FleetPlan,
    changing: dict[str, Ready],
    connection: Connection,
    fleet: FleetOptions,
    stop: threading.Event,
) -> FleetReport[ApplyReport]:
    from ptc.engine import workflow
    from ptc.engine.fleet import over_accounts
    from ptc.plan.targets import Target

    def work(target: Target) -> ApplyReport:
        assert target.account is not None
        item = changing[target.account]
        return workflow.apply(
            item.plan,
            item.gateway,
            item.desired,
            item.desired.base_dir,
            stop=stop,
            values=connection.values,
        )

    targets = [
        Target(a.account, a.role, a.plan.regions)
        for a in plans.plans
        if a.plan is not None and a.account in changing
    ]
    return over_accounts(targets, work, max_concurrency=fleet.concurrency, stop=stop)


def _render_outcome(
    plans: FleetPlan,
    changing: dict[str, Ready],
    report: FleetReport[ApplyReport],
    screen: Console,
) -> int:
    from ptc.render.fleet import render_fleet_report

    outcome = render_fleet_report(plans, set(changing), report, screen)
    if report.interrupted:
        say_interrupted()
        return EXIT_INTERRUPTED
    return EXIT_OK if outcome else EXIT_FAILED


__all__ = ["ApplyChoices", "FleetOptions", "apply_file", "apply_saved", "plan"]

"""`ptc plan`, `ptc apply` and `ptc export`: the core loop against AWS or the sandbox."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ptc.cli.aws import (
    DEFAULT_SANDBOX_STATE,
    Profile,
    Regions,
    SandboxFlag,
    SandboxState,
    aws_connection,
    check_session_options,
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
    from ptc.cli.aws import Connection
    from ptc.cli.plan_fleet import FleetOptions
    from ptc.config.models import PtcFile
    from ptc.engine.apply import ApplyReport
    from ptc.plan.changes import Plan
    from ptc.plan.desired import DesiredState
    from ptc.plan.live import LiveState
    from ptc.plan.values import SecretValues


_FILE_HELP = "The desired-state file."


class PlanFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


_WITHOUT_VALUES_HELP = "Read no secret value; 'apply --plan' compares them."
FORMAT_OPTION = typer.Option(
    "--format", "-f", metavar="FORMAT", help="text, json, or markdown (a pull request comment)."
)


def _count(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise typer.BadParameter("give a count of 0 or more")
    return value


def _percent(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 100:
        raise typer.BadParameter("give a percentage from 0 to 100")
    return value


# Each overrides the same setting of the file's `safety:` (see ptc.config.models.Safety).
_SAFETY_PANEL = "Safety thresholds (over the file's 'safety:')"
MaxDeletes = Annotated[
    int | None,
    typer.Option(
        "--max-deletes",
        metavar="N",
        callback=_count,
        rich_help_panel=_SAFETY_PANEL,
        help="Deletes per region allowed without --force.",
    ),
]
MaxDeletePercent = Annotated[
    int | None,
    typer.Option(
        "--max-delete-percent",
        metavar="P",
        callback=_percent,
        rich_help_panel=_SAFETY_PANEL,
        help="Or this % of a region's live rules and templates, if more.",
    ),
]
MaxReplaces = Annotated[
    int | None,
    typer.Option(
        "--max-replaces",
        metavar="N",
        callback=_count,
        rich_help_panel=_SAFETY_PANEL,
        help="Rule replaces per region allowed without --force.",
    ),
]
MaxReplacePercent = Annotated[
    int | None,
    typer.Option(
        "--max-replace-percent",
        metavar="P",
        callback=_percent,
        rich_help_panel=_SAFETY_PANEL,
        help="Or this % of a region's live rules, if more.",
    ),
]
MinExisting = Annotated[
    int | None,
    typer.Option(
        "--min-existing",
        metavar="N",
        callback=_count,
        rich_help_panel=_SAFETY_PANEL,
        help="The percentages count from this many live resources.",
    ),
]


@dataclass(frozen=True)
class SafetyOptions:
    """The command line's safety thresholds; None: the file's (or the saved plan's)."""

    max_deletes: int | None = None
    max_delete_percent: int | None = None
    max_replaces: int | None = None
    max_replace_percent: int | None = None
    min_existing: int | None = None

    def over(self, desired: DesiredState) -> DesiredState:
        """The desired state with these thresholds over its own (the command line wins)."""
        given = {name: value for name, value in asdict(self).items() if value is not None}
        return replace(desired, safety=desired.safety.model_copy(update=given))


def plan(
    file: Annotated[Path, typer.Argument(metavar="FILE", help=_FILE_HELP, show_default=False)],
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="PLANFILE", help="Save the plan for 'apply --plan'."),
    ] = None,
    detailed_exitcode: Annotated[
        bool,
        typer.Option(
            "--detailed-exitcode", help="Exit 2 when there are changes, 0 when there are none."
        ),
    ] = False,
    output_format: Annotated[PlanFormat, FORMAT_OPTION] = PlanFormat.text,
    prune: Annotated[
        bool | None, typer.Option("--prune/--no-prune", help="Override the file's 'prune'.")
    ] = None,
    without_secret_values: Annotated[
        bool, typer.Option("--without-secret-values", help=_WITHOUT_VALUES_HELP)
    ] = False,
    max_deletes: MaxDeletes = None,
    max_delete_percent: MaxDeletePercent = None,
    max_replaces: MaxReplaces = None,
    max_replace_percent: MaxReplacePercent = None,
    min_existing: MinExisting = None,
    region: Regions = None,
    account: AccountIds = None,
    shard: ShardOption = None,
    max_concurrency: MaxConcurrency = None,
    sandbox: SandboxFlag = False,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
    profile: Profile = None,
) -> None:
    """Show what apply would change: the live state compared with the file."""
    from ptc.aws.gateway import Gateway
    from ptc.engine.workflow import desired_of, load_file, plan_desired
    from ptc.files import check_writable

    try:
        check_session_options(sandbox, profile)
        if out_file is not None:
            check_writable(out_file)  # before asking AWS anything: a bad --out fails fast
        safety = SafetyOptions(
            max_deletes, max_delete_percent, max_replaces, max_replace_percent, min_existing
        )
        ptc_file = load_file(file)
        if ptc_file.accounts is not None:
            from ptc.cli import plan_fleet

            code = plan_fleet.plan(
                file,
                ptc_file,
                region,
                plan_fleet.FleetOptions(account, shard, max_concurrency),
                (sandbox, sandbox_state, profile),
                safety=safety,
                prune=prune,
                secret_values=not without_secret_values,
                out_file=out_file,
                output_format=output_format,
                detailed_exitcode=detailed_exitcode,
            )
            raise typer.Exit(code)
        _check_one_account(file, ptc_file, region, account, shard)
        desired = safety.over(desired_of(ptc_file, file, region))
        placeholder_notice(desired, sandbox and not without_secret_values)
        with aws_connection(sandbox, sandbox_state, profile) as connection:
            gateway = Gateway(connection.session, desired.regions)
            planned = plan_desired(
                desired,
                gateway,
                prune=prune,
                values=connection.values,
                secret_values=not without_secret_values,
            )
        if out_file is not None:
            from ptc.plan import saved  # its models take milliseconds to define: only for --out

            saved.save(out_file, planned.plan, planned.desired)
    except PtcError as exc:
        fail(exc)
    _warn(planned.warnings)
    show_plan(planned.plan, output_format)
    _warn_if_unsafe(planned.plan, planned.desired, planned.live)
    if out_file is not None and output_format is PlanFormat.text:
        out(f"Saved the plan to {out_file}; apply it with: ptc apply --plan {out_file}")
    changed = not planned.plan.is_empty
    raise typer.Exit(EXIT_CHANGES if changed and detailed_exitcode else EXIT_OK)


def _warn_if_unsafe(the_plan: Plan, desired: DesiredState, live: LiveState) -> None:
    """Say now, on stderr, what apply (or apply --plan) will refuse without --force."""
    from ptc.errors import UnsafePlanError

    try:
        the_plan.raise_if_unsafe(desired.safety, live)
    except UnsafePlanError as exc:
        out(f"warning: apply will refuse this plan: {exc}", err=True)


def _check_one_account(
    path: Path,
    file: PtcFile,
    regions: list[str] | None,
    accounts: list[str] | None,
    shard: str | None,
) -> None:
    """--account and --shard on a file without `accounts:`: only its own account passes."""
    if accounts or shard is not None:
        from ptc.cli.fleet import resolve_fleet

        resolve_fleet(path, file, regions, accounts, shard, None)


def placeholder_notice(desired: DesiredState, sandbox: bool) -> None:
    """In the sandbox, secret sources may be missing: say that placeholders stand in."""
    from ptc.plan.values import unavailable_sources

    missing = unavailable_sources(desired.secrets, desired.base_dir) if sandbox else []
    if missing:
        out(
            f"sandbox: {', '.join(missing)} not available; placeholder values stand in "
            "(the sandbox never needs real credentials)",
            err=True,
        )


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        out(f"warning: {warning}", err=True)


def show_plan(the_plan: Plan, output_format: PlanFormat) -> None:
    if output_format is PlanFormat.json:
        out(json.dumps(the_plan.to_dict(), indent=2))
        return
    if output_format is PlanFormat.markdown:
        from ptc.render.markdown import render_markdown

        sys.stdout.write(render_markdown(the_plan))
        return
    from ptc.render.plan import render_plan, summary_only

    line = summary_only(the_plan)
    if line is not None:
        out(line)
        return
    render_plan(the_plan, console(soft_wrap=True))


def apply(
    file: Annotated[
        Path | None,
        typer.Argument(metavar="FILE", help=_FILE_HELP + " (or --plan)", show_default=False),
    ] = None,
    plan_path: Annotated[
        Path | None,
        typer.Option("--plan", metavar="PLANFILE", help="Apply exactly this saved plan."),
    ] = None,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Do not ask for confirmation (for CI).")
    ] = False,
    prune: Annotated[
        bool | None,
        typer.Option("--prune/--no-prune", help="Delete live items the file omits."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Allow more deletes and replaces than the thresholds."),
    ] = False,
    max_deletes: MaxDeletes = None,
    max_delete_percent: MaxDeletePercent = None,
    max_replaces: MaxReplaces = None,
    max_replace_percent: MaxReplacePercent = None,
    min_existing: MinExisting = None,
    region: Regions = None,
    account: AccountIds = None,
    shard: ShardOption = None,
    max_concurrency: MaxConcurrency = None,
    sandbox: SandboxFlag = False,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
    profile: Profile = None,
) -> None:
    """Make the live state match the file: plan, confirm, apply, verify."""
    from ptc.cli.plan_fleet import FleetOptions

    if (file is None) == (plan_path is None):
        out("error: give either FILE or --plan PLANFILE", err=True)
        raise typer.Exit(EXIT_USAGE)
    if plan_path is not None:
        _refuse_plan_changing_options(region, prune)
    try:
        with aws_connection(sandbox, sandbox_state, profile) as connection:
            safety = SafetyOptions(
                max_deletes, max_delete_percent, max_replaces, max_replace_percent, min_existing
            )
            options = _ApplyOptions(
                auto_approve,
                prune,
                force,
                safety,
                region,
                connection.values,
                connection.sandbox,
                FleetOptions(account, shard, max_concurrency),
            )
            report = _apply(file, plan_path, connection, options)
    except PtcError as exc:
        fail(exc)
    if isinstance(report, int):
        raise typer.Exit(report)  # over several accounts: the code their outcomes give
    raise typer.Exit(EXIT_OK if report is None else _exit_code(report))


def _refuse_plan_changing_options(region: list[str] | None, prune: bool | None) -> None:
    """A saved plan applies exactly as saved: an option that would change it is an error.

    Ignoring --region would change every region of the plan when the user asked for one.
    """
    given = [
        name
        for name, value in (("--region", region), ("--prune/--no-prune", prune))
        if value is not None
    ]
    if given:
        out(
            f"error: {' and '.join(given)} cannot be used with --plan: a saved plan applies "
            "exactly as it was saved; make a new plan with them ('ptc plan ... --out')",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)


def _exit_code(report: ApplyReport) -> int:
    if report.interrupted:
        # The report (stdout) says what finished before Ctrl-C; stderr says why it ended,
        # as every other command Ctrl-C stops does.
        say_interrupted()
        return EXIT_INTERRUPTED
    return EXIT_OK if report.ok and report.verified is not False else EXIT_FAILED


@dataclass(frozen=True)
class _ApplyOptions:
    auto_approve: bool
    prune: bool | None
    force: bool
    safety: SafetyOptions
    regions: list[str] | None
    values: SecretValues
    sandbox: bool
    fleet: FleetOptions


def _apply(
    file: Path | None, plan_path: Path | None, connection: Connection, options: _ApplyOptions
) -> ApplyReport | int | None:
    from ptc.aws.gateway import Gateway
    from ptc.cli import plan_fleet
    from ptc.engine import workflow
    from ptc.plan import saved
    from ptc.plan.fleet import FleetPlan
    from ptc.render.plan import render_plan
    from ptc.render.report import APPLY, progress_display, render_report

    session = connection.session
    choices = plan_fleet.ApplyChoices(options.auto_approve, options.force)
    if plan_path is not None:
        loaded = saved.load_any(plan_path)
        if isinstance(loaded, FleetPlan):
            return plan_fleet.apply_saved(
                loaded, options.fleet, connection, safety=options.safety, choices=choices
            )
        the_plan, desired = loaded
        _check_saved_account(the_plan, options.fleet)
        desired = options.safety.over(desired)
        placeholder_notice(desired, options.sandbox)
        options.values.check(desired.secrets, desired.base_dir)  # before any change, as for a file
        gateway = Gateway(session, the_plan.regions)
        workflow.check_account(desired, gateway)
        live = gateway.read(the_plan.account)
        workflow.check_fresh(the_plan, live)
        completed = workflow.compare_deferred_values(
            the_plan, desired, live, gateway, values=options.values
        )
        say_deferred(the_plan, completed)
        the_plan = completed
    else:
        assert file is not None
        ptc_file = workflow.load_file(file)
        if ptc_file.accounts is not None:
            return plan_fleet.apply_file(
                file,
                ptc_file,
                options.regions,
                options.fleet,
                connection,
                safety=options.safety,
                prune=options.prune,
                choices=choices,
            )
        fleet = options.fleet
        _check_one_account(file, ptc_file, options.regions, fleet.accounts, fleet.shard)
        desired = options.safety.over(workflow.desired_of(ptc_file, file, options.regions))
        placeholder_notice(desired, options.sandbox)
        gateway = Gateway(session, desired.regions)
        planned = workflow.plan_desired(
            desired, gateway, prune=options.prune, values=options.values
        )
        # The verifying re-plan after apply compares with the ARNs as planned ({account}).
        the_plan, live, desired = planned.plan, planned.live, planned.desired
        _warn(planned.warnings)
    screen = console(soft_wrap=True)
    render_plan(the_plan, screen)
    if the_plan.is_empty:
        return None
    if not options.force:
        the_plan.raise_if_unsafe(desired.safety, live)
    if not options.auto_approve:
        confirm(
            "Apply these changes?",
            cancelled="Apply cancelled.",
            what="plan",
        )
    report = workflow.apply(
        the_plan,
        gateway,
        desired,
        desired.base_dir,
        progress=progress_display(APPLY, screen),
        values=options.values,
    )
    screen.print()
    render_report(report, APPLY, screen)
    return report


def _check_saved_account(the_plan: Plan, fleet: FleetOptions) -> None:
    """A saved plan of one account: --account may name that account; --shard has no
    accounts to split."""
    from ptc.errors import UsageError

    if fleet.shard is not None:
        raise UsageError("--shard: the saved plan is for one account, with none to split")
    others = [a for a in fleet.accounts or [] if a != the_plan.account]
    if others:
        raise UsageError(
            f"--account {', '.join(others)}: the saved plan is for account {the_plan.account}"
        )


def say_deferred(saved_plan: Plan, completed: Plan, *, qualified: bool = False) -> None:
    """What comparing the secret values at apply time found (the plan did not read them);
    `qualified` (several accounts): addresses start with the account."""
    if not saved_plan.not_compared:
        return
    account = f"{saved_plan.account}/" if qualified else ""
    differ = [account + c.address for c in completed.changes if "value" in c.changed]
    found = (
        f"{', '.join(differ)} differ{'s' if len(differ) == 1 else ''} and will be updated"
        if differ
        else "they match"
    )
    out(
        (f"{saved_plan.account}: " if qualified else "")
        + "The plan was made with --without-secret-values; compared the values of "
        f"{len(saved_plan.not_compared)} secret(s) now: {found}.\n"
    )


def register(app: typer.Typer) -> None:
    app.command()(plan)
    app.command()(apply)

"""`ptc validate`, `ptc schema` and `ptc checks`: offline, no boto3 (except `validate --online`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
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
    aws_session,
)
from ptc.cli.fleet import AccountIds, MaxConcurrency, ShardOption
from ptc.cli.output import fail, out, say_interrupted
from ptc.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNREADABLE,
    EXIT_USAGE,
    PtcError,
)
from ptc.render.console import console

if TYPE_CHECKING:
    from collections.abc import Callable

    from ptc.aws.clients import Session
    from ptc.checks.base import Context, Finding
    from ptc.checks.online import Located
    from ptc.checks.runner import Validation
    from ptc.plan.targets import Target


class FindingFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


_FILES_HELP = "The desired-state files (one or more, e.g. from pre-commit)."
_ONLINE_HELP = (
    "After the offline checks pass, ask AWS (or --sandbox) whether each rule's secret exists "
    "with username and accessToken, and whether ECR validates the rule (run after apply)."
)


@dataclass
class _Report:
    """One file's findings, as the user named the file."""

    name: str
    findings: list[Finding]
    validation: Validation | None = None  # None: the file could not be read
    interrupted: bool = False  # Ctrl-C stopped its online checks: some accounts were not


def validate(
    files: Annotated[
        list[Path], typer.Argument(help=_FILES_HELP, show_default=False, metavar="FILE")
    ],
    output_format: Annotated[
        FindingFormat, typer.Option("--format", "-f", help="How to print the findings.")
    ] = FindingFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            metavar="ID",
            help="Skip checks whose ID starts with this (repeatable), e.g. PTC204 or PTC2.",
        ),
    ] = None,
    online: Annotated[bool, typer.Option("--online", help=_ONLINE_HELP)] = False,
    region: Regions = None,
    sandbox: SandboxFlag = False,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
    profile: Profile = None,
    account: AccountIds = None,
    shard: ShardOption = None,
    max_concurrency: MaxConcurrency = None,
) -> None:
    """Check desired-state files: every finding with file:line:col, ID and fix.

    Offline by default. Exit 0 when clean, 1 when any file has errors (or warnings with
    --strict), 3 when a file cannot be read (the others are still checked).
    """
    if not online and (sandbox or profile or region):
        out("error: --sandbox, --profile and --region need --online", err=True)
        raise typer.Exit(EXIT_USAGE)
    if not online and (account or shard is not None or max_concurrency is not None):
        out("error: --account, --shard and --max-concurrency need --online", err=True)
        raise typer.Exit(EXIT_USAGE)
    from ptc.checks.registry import check_ignore

    prefixes = tuple(ignore or ())
    try:
        check_ignore(prefixes)
    except PtcError as exc:
        fail(exc)
    reports = [_offline(path, prefixes) for path in files]
    if online:
        try:
            options = _AwsOptions(
                region, sandbox, sandbox_state, profile, account, shard, max_concurrency
            )
            _add_online(reports, options, prefixes)
        except PtcError as exc:
            fail(exc)
    _render(reports, output_format)
    if any(r.interrupted for r in reports):
        say_interrupted()  # the findings above are the accounts checked
        raise typer.Exit(EXIT_INTERRUPTED)
    raise typer.Exit(_exit_code(reports, strict))


def _offline(path: Path, ignore: tuple[str, ...]) -> _Report:
    from ptc.checks.runner import validate_file

    try:
        validation = validate_file(path, ignore=ignore)
    except PtcError as exc:
        # One unreadable file must not hide the findings of the others (pre-commit).
        out(f"error: {exc}", err=True)
        return _Report(str(path), [])
    return _Report(str(path), list(validation.findings), validation)


@dataclass(frozen=True)
class _AwsOptions:
    regions: list[str] | None
    sandbox: bool
    sandbox_state: Path
    profile: str | None
    accounts: list[str] | None = None
    shard: str | None = None
    max_concurrency: int | None = None


def _add_online(reports: list[_Report], options: _AwsOptions, ignore: tuple[str, ...]) -> None:
    """The online checks, for the files whose offline checks found no errors."""
    checkable = [r for r in reports if r.validation is not None and not r.validation.errors]
    if not checkable:
        return
    # boto3 is imported here only: plain `ptc validate` must start without it.
    from ptc.checks.online import locate

    with aws_session(options.sandbox, options.sandbox_state, options.profile) as session:
        for report in checkable:
            assert report.validation is not None and report.validation.context is not None
            context = report.validation.context
            problems, report.interrupted = _online_problems(report.name, context, session, options)
            found = [f for f in locate(context, problems) if not f.check_id.startswith(ignore)]
            report.findings = sorted({*report.findings, *found})
            if report.interrupted:
                return  # Ctrl-C: no other file is checked


def _online_problems(
    name: str, context: Context, session: Session, options: _AwsOptions
) -> tuple[list[Located], bool]:
    """The file's online problems in every target account (one, without `accounts:`), and
    whether Ctrl-C left accounts unchecked (each is named on stderr)."""
    from ptc.checks.online import account_failed, in_account
    from ptc.cli.fleet import external_id, resolve_fleet
    from ptc.engine.fleet import DEFAULT_MAX_CONCURRENCY, over_accounts

    file = context.file
    path = Path(name)
    targets = resolve_fleet(path, file, options.regions, options.accounts, options.shard, session)
    check = _checker(context, session, external_id(targets, context.base_dir))
    if file.accounts is None:
        # An error (another account's credentials) ends it.
        return check(targets.accounts[0]), False
    concurrency = options.max_concurrency or DEFAULT_MAX_CONCURRENCY
    report = over_accounts(targets.accounts, check, max_concurrency=concurrency)
    problems: list[Located] = []
    for run in report.runs:
        account = str(run.account)
        if run.error is not None:
            problems.append(account_failed(account, run.error))
        elif run.value is not None:
            problems += in_account(account, run.value)
        else:  # only Ctrl-C leaves an account without a result
            out(f"account {account}: not checked (interrupted)", err=True)
    return problems, report.interrupted


def _checker(
    context: Context, base: Session, external: str | None
) -> Callable[[Target], list[Located]]:
    from ptc.aws.online import OnlineProbe
    from ptc.checks.online import online_problems
    from ptc.cli.fleet import target_session

    def check(target: Target) -> list[Located]:
        session = target_session(base, target, external, "validate")
        probe = OnlineProbe(session, target.regions)
        return online_problems(context, probe, target.regions, target.account)

    return check


def _render(reports: list[_Report], output_format: FindingFormat) -> None:
    from ptc.render import findings as formats

    readable = [r for r in reports if r.validation is not None]
    if output_format is FindingFormat.text:
        for report in readable:
            if report.findings:
                out(formats.as_text(report.findings))
            out(f"{report.name}: {formats.summary(report.findings)}")
        return
    if not readable:
        return  # nothing was read: the errors on stderr say why
    render = {"json": formats.as_json, "github": formats.as_github, "sarif": formats.as_sarif}
    text = render[output_format.value]([f for r in readable for f in r.findings])
    if text:
        out(text)


def _exit_code(reports: list[_Report], strict: bool) -> int:
    from ptc.checks.base import Severity

    if any(r.validation is None for r in reports):
        return EXIT_UNREADABLE
    failing = (Severity.ERROR, Severity.WARNING) if strict else (Severity.ERROR,)
    found = [f for r in reports for f in r.findings]
    return EXIT_FAILED if any(f.severity in failing for f in found) else EXIT_OK


def schema() -> None:
    """Print the JSON Schema of the file format (for editors: yaml-language-server)."""
    from ptc.config.models import json_schema

    out(json.dumps(json_schema(), indent=2))


def checks(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the table as Markdown.")
    ] = False,
) -> None:
    """List every check validate runs, with its ID, severity and fix."""
    from ptc.render import findings as formats

    if markdown:
        out(formats.checks_markdown().rstrip("\n"))
        return
    formats.render_checks(console())


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(schema)
    app.command()(checks)

"""`ptc export`: the live rules, templates and permissions as a file to adopt.

Without `--from`, export reads the caller's account in the regions given. `--from FILE`
reads the accounts and regions FILE applies to: a file with `accounts:` is exported in every
account (through its role, at most --max-concurrency at once), and the accounts' exports
become one file with `accounts:` when they agree (ptc.export.combine); otherwise ptc says
where they differ, and `-o 'DIR/{account}.yaml'` writes one file per account.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ptc.cli.aws import DEFAULT_SANDBOX_STATE, Profile, SandboxFlag, SandboxState, aws_connection
from ptc.cli.fleet import AccountIds, MaxConcurrency, ShardOption
from ptc.cli.output import fail, out, say_interrupted
from ptc.errors import EXIT_INTERRUPTED, PtcError, UsageError

if TYPE_CHECKING:
    from ptc.aws.clients import Session
    from ptc.config.models import Accounts
    from ptc.engine.fleet import FleetReport
    from ptc.plan.targets import Target

_EXPORTED = ("rules", "templates", "permissions")
_PER_ACCOUNT = "{account}"  # in -o: one file per account, the account's ID filled in
_SPLIT_HINT = "-o 'DIR/{account}.yaml' writes one file per account"

_EXPORT_REGION_HELP = (
    "A region to export (repeatable); default: the --from file's regions, else the "
    "configured region (AWS_REGION, AWS_DEFAULT_REGION or the profile's), named on stderr."
)
_OUTPUT_HELP = "Write here instead of stdout; '{account}' in the path writes one file per account."
_FROM_HELP = (
    "Export the accounts and regions this file applies to: with 'accounts:', every account "
    "(through its role), as one file with 'accounts:' when they agree."
)

Document = dict[str, Any]


def export(
    region: Annotated[
        list[str] | None,
        typer.Option("--region", "-r", metavar="REGION", help=_EXPORT_REGION_HELP),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", help=_OUTPUT_HELP),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", metavar="FILE", help=_FROM_HELP, show_default=False),
    ] = None,
    account: AccountIds = None,
    shard: ShardOption = None,
    max_concurrency: MaxConcurrency = None,
    sandbox: SandboxFlag = False,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
    profile: Profile = None,
) -> None:
    """Write the live rules and templates as a desired-state file to adopt."""
    from ptc.domain.catalog import check_regions

    try:
        check_regions(region or [])
        if output is not None and _PER_ACCOUNT not in output:
            _check_writable(output)
        with aws_connection(sandbox, sandbox_state, profile) as connection:
            if from_file is None:
                if account or shard is not None or max_concurrency is not None:
                    raise UsageError(
                        "--account, --shard and --max-concurrency choose among the accounts "
                        "of a file: give it with --from FILE"
                    )
                _export_caller(connection.session, region, output)
            else:
                options = _FleetOptions(region, account, shard, max_concurrency)
                _export_from(from_file, connection.session, options, output)
    except PtcError as exc:
        fail(exc)


def _export_caller(session: Session, regions: list[str] | None, output: str | None) -> None:
    """The caller's account, as export has always done."""
    from ptc.aws.gateway import Gateway
    from ptc.export import export_live

    gateway = Gateway(session, regions or [_configured_region(session.region_name)])
    document = export_live(gateway.read(gateway.account_id()))
    _write(document, _filled(output, document["account"]))


@dataclass(frozen=True)
class _FleetOptions:
    """What the command line says about the --from file's accounts and regions."""

    regions: list[str] | None
    accounts: list[str] | None
    shard: str | None
    max_concurrency: int | None

    @property
    def narrowed(self) -> bool:
        return bool(self.accounts) or self.shard is not None


def _export_from(path: Path, session: Session, options: _FleetOptions, output: str | None) -> None:
    from ptc.checks.runner import load_valid
    from ptc.cli.fleet import external_id, resolve_fleet

    validation = load_valid(path)
    file = validation.file
    assert file is not None  # load_valid raises on an invalid file
    targets = resolve_fleet(path, file, options.regions, options.accounts, options.shard, session)
    if not targets.accounts:  # an empty shard or OU: no export to compare, none to write
        raise PtcError(f"no account of {path} is selected; nothing exported")
    if output is not None and _PER_ACCOUNT in output:
        for target in targets.accounts:  # before any account is read
            _check_writable(_filled(output, target.account))
    work = _exporter(session, external_id(targets, path.parent))
    if file.accounts is None:
        # One account, no role: as without --from, an error ends the command.
        document = work(targets.accounts[0])
        _write(document, _filled(output, document["account"]))
        return
    from ptc.engine.fleet import DEFAULT_MAX_CONCURRENCY, over_accounts

    concurrency = options.max_concurrency or DEFAULT_MAX_CONCURRENCY
    report = over_accounts(targets.accounts, work, max_concurrency=concurrency)
    _write_fleet(report, _accounts_entry(file.accounts, report, options.narrowed), output)


def _exporter(base: Session, external: str | None) -> Callable[[Target], Document]:
    """The work done in each account: read it (through its role) and export it."""
    from ptc.aws.gateway import Gateway
    from ptc.cli.fleet import target_session
    from ptc.domain.account import check_account
    from ptc.export import export_live

    def work(target: Target) -> Document:
        session = target_session(base, target, external, "export")
        gateway = Gateway(session, target.regions)
        return export_live(gateway.read(check_account(target.account, gateway)))

    return work


def _accounts_entry(spec: Accounts, report: FleetReport[Document], narrowed: bool) -> Document:
    """The combined file's `accounts:`: the source's, or the accounts exported when the
    command line chose some of them (the others were not compared)."""
    entry: Document = {"role": spec.role}
    if narrowed:
        entry["ids"] = [r.target.account for r in report.runs]
    else:
        for name in ("ids", "organization_units", "exclude"):
            if getattr(spec, name):
                entry[name] = list(getattr(spec, name))
    if spec.external_id is not None:
        entry["external_id"] = spec.external_id.model_dump(exclude_none=True)
    return entry


def _write_fleet(report: FleetReport[Document], accounts: Document, output: str | None) -> None:
    from ptc.export import combine

    for run in report.runs:
        if run.error is not None:
            out(f"error: {_naming(run.account, run.error)}", err=True)
        elif run.value is None:  # Ctrl-C came first
            out(f"account {run.account}: not exported (interrupted)", err=True)
    exports = {str(target.account): document for target, document in report.values()}
    if output is not None and _PER_ACCOUNT in output:
        for account, document in exports.items():
            _write(document, _filled(output, account))
        _check_report(report, "")
        return
    _check_report(report, f"; nothing written ({_SPLIT_HINT} that could be read)")
    combined = combine(exports, accounts)
    if combined.document is None:
        out("The accounts' exports differ:", err=True)
        for difference in combined.differences:
            out(f"  {difference.message()}", err=True)
        raise PtcError(f"the accounts differ, so one file cannot hold them; {_SPLIT_HINT}")
    _write(combined.document, Path(output) if output is not None else None)


def _naming(account: str | None, error: str) -> str:
    """The error, saying which account it is about (an AssumeRole error already does)."""
    prefix = f"account {account}: "
    return error if error.startswith(prefix) else prefix + error


def _check_report(report: FleetReport[Document], consequence: str) -> None:
    if report.interrupted:
        # Per account (no consequence): the files of the accounts exported are written.
        done = "nothing written" if consequence else "the accounts exported were written"
        say_interrupted(done)
        raise typer.Exit(EXIT_INTERRUPTED)
    if not report.ok:
        failed = len(report.runs) - len(report.values())
        raise PtcError(
            f"{failed} of {len(report.runs)} accounts could not be exported{consequence}"
        )


def _filled(output: str | None, account: str | None) -> Path | None:
    if output is None:
        return None
    return Path(output.replace(_PER_ACCOUNT, account or "unknown"))


def _check_writable(output: str | Path | None) -> None:
    from ptc.files import check_writable

    if output is not None:
        check_writable(Path(output))


def _write(document: Document, output: Path | None) -> None:
    from ptc.export import to_yaml
    from ptc.files import write_text

    text = to_yaml(document)
    if output is None:
        sys.stdout.write(text)
        return
    write_text(output, text)
    counts = ", ".join(f"{len(document.get(k, []))} {k}" for k in _EXPORTED)
    out(f"Wrote {output}: {counts}.")


def _configured_region(configured: str | None) -> str:
    """Without --region, the region the AWS configuration names, said out loud: never a
    silent guess, since an export of the wrong region adopts nothing."""
    from ptc.domain.catalog import check_regions

    if not configured:
        raise UsageError(
            "export needs --region REGION: no region is configured "
            "(AWS_REGION, AWS_DEFAULT_REGION or the profile's region)"
        )
    check_regions([configured])
    out(f"export: no --region given; exporting {configured}, the configured region", err=True)
    return configured


def register(app: typer.Typer) -> None:
    app.command()(export)

"""What the commands that run in every target account share: their options, the accounts
they run in, and a session in each.

`resolve_fleet` turns a validated file and the command line (`--region`, `--account`,
`--shard`) into the targets; `target_session` gives the session a target's work runs with
(the caller's own, or the file's role assumed in the target account); the work itself runs
through ptc.engine.fleet.over_accounts, at most `--max-concurrency` accounts at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ptc.errors import UsageError

if TYPE_CHECKING:
    from ptc.aws.clients import Session
    from ptc.config.models import PtcFile
    from ptc.plan.targets import Target, Targets

_FLEET_PANEL = "Accounts (a file with 'accounts:')"


def _at_least_one(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise typer.BadParameter("give 1 or more")
    return value


AccountIds = Annotated[
    list[str] | None,
    typer.Option(
        "--account",
        metavar="ID",
        rich_help_panel=_FLEET_PANEL,
        help="Only this account of the file (repeatable).",
        show_default=False,
    ),
]
ShardOption = Annotated[
    str | None,
    typer.Option(
        "--shard",
        metavar="I/N",
        rich_help_panel=_FLEET_PANEL,
        help="Only shard I of N of the accounts, as 'ptc targets --shard' lists them.",
        show_default=False,
    ),
]
MaxConcurrency = Annotated[
    int | None,
    typer.Option(
        "--max-concurrency",
        metavar="N",
        callback=_at_least_one,
        rich_help_panel=_FLEET_PANEL,
        help="Accounts worked on at once (default: 8).",
        show_default=False,
    ),
]


def resolve_fleet(
    path: Path,
    file: PtcFile,
    regions: list[str] | None,
    accounts: list[str] | None,
    shard: str | None,
    session: Session | None,
) -> Targets:
    """The targets of `file` that the command line selects.

    `session` is asked only when the file names organization_units (AWS Organizations
    lists their accounts); without them the targets are known offline.
    """
    from ptc.domain.catalog import select_regions
    from ptc.plan.targets import file_targets, parse_shard

    chosen_shard = parse_shard(shard) if shard is not None else None  # before asking AWS
    select_regions(regions, file.regions, path)  # a --region the file lacks is refused
    if file.accounts is None:
        _check_single_account(path, file, accounts, chosen_shard is not None)
        return file_targets(file, None, regions)
    reader = None
    if file.accounts.organization_units:
        if session is None:
            raise UsageError(f"{path}: organization_units need AWS credentials to resolve")
        from ptc.aws.organizations import OrganizationsReader

        reader = OrganizationsReader(session, file.regions[0])
    targets = file_targets(file, reader, regions)
    targets = _narrowed(path, targets, accounts)
    return chosen_shard.select(targets) if chosen_shard is not None else targets


def _check_single_account(
    path: Path, file: PtcFile, accounts: list[str] | None, sharded: bool
) -> None:
    """--account and --shard choose among the accounts of `accounts:`; a file with one
    account accepts its own ID (a shared CI job may pass it to every file)."""
    if sharded:
        raise UsageError(f"--shard: {path} has no 'accounts:' to split")
    others = [a for a in accounts or [] if a != file.account]
    if others:
        raise UsageError(
            f"--account {', '.join(others)}: {path} has no 'accounts:'"
            + (f"; its account is {file.account}" if file.account else "")
        )


def _narrowed(path: Path, targets: Targets, accounts: list[str] | None) -> Targets:
    """Only the --account IDs; one that is not a target is refused, as --region is."""
    from ptc.plan.targets import Targets

    if not accounts:
        return targets
    known = {t.account for t in targets.accounts}
    unknown = [a for a in dict.fromkeys(accounts) if a not in known]
    if unknown:
        raise UsageError(f"--account {', '.join(unknown)}: not an account of {path}")
    wanted = set(accounts)
    return Targets(tuple(t for t in targets.accounts if t.account in wanted), targets.external_id)


def external_id(targets: Targets, base_dir: Path) -> str | None:
    """The value of `accounts.external_id`, read once from its source (env or file)."""
    if targets.external_id is None:
        return None
    from ptc.plan.values import read_value

    return read_value(targets.external_id, base_dir, "accounts.external_id")


def target_session(base: Session, target: Target, external_id: str | None, command: str) -> Session:
    """The session for `target`'s work: the caller's own when the target has no role,
    else the role assumed in the target's account (AssumeRole is called now, and again by
    botocore before the credentials expire)."""
    if target.role is None:
        return base
    from ptc.aws.sessions import assume_role_session, session_name

    assert target.account is not None  # a role comes with `accounts:`, which names accounts
    return assume_role_session(
        base,  # type: ignore[arg-type]  # every Session ptc makes has get_credentials
        target.role,
        account=target.account,
        name=session_name(command),
        external_id=external_id,
    )

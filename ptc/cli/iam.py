"""`ptc iam-policy`: the least-privilege IAM policy for a command on a file. No AWS, no boto3."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ptc.cli.aws import Regions
from ptc.cli.output import fail, out
from ptc.errors import PtcError, UsageError

if TYPE_CHECKING:
    from ptc.config.models import PtcFile
    from ptc.iam_policy import PolicyResult


class ForCommand(StrEnum):
    plan = "plan"
    apply = "apply"
    status = "status"
    backfill = "backfill"
    rewrite_ecs = "rewrite-ecs"


_PRUNE_HELP = (
    "Allow deleting templates, as 'apply --prune' does (default: the file's 'prune'). "
    "Deleting rules is always allowed with rules: a rule whose upstream changes is replaced."
)


def iam_policy(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The desired-state file.", show_default=False)
    ],
    for_command: Annotated[
        ForCommand,
        typer.Option(
            "--for",
            metavar="COMMAND",
            help="The command the role runs: plan, apply, status, backfill or rewrite-ecs "
            "(rewrite-images --ecs --write).",
        ),
    ] = ForCommand.plan,
    account: Annotated[
        str | None,
        typer.Option(
            metavar="ACCOUNT",
            help="Account ID for the ARNs when the file has no 'account' (else '*'); with "
            "'accounts:', that account's policy (else one for every account).",
        ),
    ] = None,
    prune: Annotated[bool | None, typer.Option("--prune/--no-prune", help=_PRUNE_HELP)] = None,
    without_secret_values: Annotated[
        bool,
        typer.Option(
            "--without-secret-values",
            help="Leave out reading secret values (only with --for plan).",
        ),
    ] = False,
    region: Regions = None,
    caller: Annotated[
        bool,
        typer.Option(
            "--caller",
            help="For a file with 'accounts:': the policy of the identity ptc runs as, which "
            "assumes the file's role in each account (the same for every command).",
        ),
    ] = False,
) -> None:
    """Print the least-privilege IAM identity policy (JSON) a CI role needs for a command.

    Only the actions the command calls, scoped to the file's regions, account, secrets,
    repository prefixes and roles. Notes (a missing account, KMS keys to add) go to stderr.
    """
    from ptc.domain.arns import is_account_id
    from ptc.domain.catalog import select_regions
    from ptc.iam_policy import build_policy, caller_policy, load_file

    if without_secret_values and for_command is not ForCommand.plan:
        raise typer.BadParameter(
            "only with --for plan (apply writes secrets, so it reads their values)",
            param_hint="'--without-secret-values'",
        )
    try:
        if account is not None and not is_account_id(account):
            raise UsageError(f"--account {account!r}: an AWS account ID is 12 digits")
        model = load_file(file)
        select_regions(region, model.regions, file)
        _check_accounts(file, model, account, caller)
        if caller:
            _print(caller_policy(model, account=account))
            return
        result = build_policy(
            model,
            for_command.value,
            regions=region,
            account=account,
            prune=prune,
            secret_values=not without_secret_values,
        )
    except PtcError as exc:
        fail(exc)
    _print(result)


def _check_accounts(path: Path, file: PtcFile, account: str | None, caller: bool) -> None:
    """--caller needs `accounts:`; --account must be one of them when the file lists them
    all (an OU's accounts are known only to AWS Organizations)."""
    spec = file.accounts
    if spec is None:
        if caller:
            raise UsageError(
                f"--caller: {path} has no 'accounts:'; ptc runs there with the caller's own "
                "credentials, whose policy is the one --for prints"
            )
        return
    if account is not None and not spec.organization_units:
        if account not in spec.ids or account in spec.exclude:
            raise UsageError(f"--account {account}: not an account of {path}")


def _print(result: PolicyResult) -> None:
    for note in result.notes:
        out(f"note: {note}", err=True)
    out(json.dumps(result.policy, indent=2))


def register(app: typer.Typer) -> None:
    app.command("iam-policy")(iam_policy)

"""`ptc targets`: the accounts and regions a file applies to, whole or one shard of them."""

from __future__ import annotations

import json
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
    check_session_options,
)
from ptc.cli.output import fail, out
from ptc.errors import PtcError

if TYPE_CHECKING:
    from ptc.config.models import PtcFile
    from ptc.plan.targets import Shard, Targets


class TargetsFormat(StrEnum):
    text = "text"
    json = "json"
    github_matrix = "github-matrix"


_SHARD_HELP = (
    "Only shard I of N (e.g. 2/4): each account falls in one shard, by a hash of its ID, "
    "so adding an account moves no other."
)
_FORMAT_HELP = "text, json, or github-matrix (a strategy.matrix for GitHub Actions)."


def targets(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The desired-state file.", show_default=False)
    ],
    shard: Annotated[
        str | None, typer.Option("--shard", metavar="I/N", help=_SHARD_HELP, show_default=False)
    ] = None,
    output_format: Annotated[
        TargetsFormat, typer.Option("--format", "-f", metavar="FORMAT", help=_FORMAT_HELP)
    ] = TargetsFormat.text,
    region: Regions = None,
    sandbox: SandboxFlag = False,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
    profile: Profile = None,
) -> None:
    """List the accounts and regions the file applies to, and the role assumed in each.

    AWS is asked only for 'accounts: organization_units' (AWS Organizations).
    """
    from ptc.checks.runner import load_valid
    from ptc.plan.targets import parse_shard

    try:
        check_session_options(sandbox, profile)
        chosen = parse_shard(shard) if shard is not None else None
        validation = load_valid(file)
        assert validation.file is not None  # load_valid raises instead
        resolved = _resolve(file, validation.file, region, sandbox, sandbox_state, profile)
        if chosen is not None:
            resolved = chosen.select(resolved)
        _show(resolved, chosen, output_format)
    except PtcError as exc:
        fail(exc)


def _resolve(
    path: Path,
    file: PtcFile,
    regions: list[str] | None,
    sandbox: bool,
    state: Path,
    profile: str | None,
) -> Targets:
    """The file's targets; a session is opened only for OUs (AWS Organizations).

    --shard is applied by the caller: unlike plan, targets shards a file of one account too.
    """
    from ptc.cli.fleet import resolve_fleet

    if file.accounts is None or not file.accounts.organization_units:
        return resolve_fleet(path, file, regions, None, None, None)  # offline
    with aws_session(sandbox, state, profile) as session:
        return resolve_fleet(path, file, regions, None, None, session)


def _show(resolved: Targets, chosen: Shard | None, output_format: TargetsFormat) -> None:
    from ptc.render import targets as view

    if output_format is TargetsFormat.json:
        out(json.dumps(view.as_json(resolved, chosen), indent=2))
    elif output_format is TargetsFormat.github_matrix:
        out(json.dumps(view.as_github_matrix(resolved), separators=(",", ":")))
    else:
        out(view.as_text(resolved, chosen))


def register(app: typer.Typer) -> None:
    app.command()(targets)

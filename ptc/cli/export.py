"""`ptc export`: the live rules, templates and permissions as a file to adopt."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ptc.cli.aws import DEFAULT_SANDBOX_STATE, Profile, SandboxFlag, SandboxState, aws_session
from ptc.cli.output import fail, out
from ptc.errors import PtcError, UsageError

_EXPORTED = ("rules", "templates", "permissions")


_EXPORT_REGION_HELP = (
    "A region to export (repeatable); default: the configured region "
    "(AWS_REGION, AWS_DEFAULT_REGION or the profile's), which ptc names on stderr."
)


def export(
    region: Annotated[
        list[str] | None,
        typer.Option("--region", "-r", metavar="REGION", help=_EXPORT_REGION_HELP),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write here instead of stdout."),
    ] = None,
    sandbox: SandboxFlag = False,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
    profile: Profile = None,
) -> None:
    """Write the live rules and templates as a desired-state file to adopt."""
    from ptc.aws.gateway import Gateway
    from ptc.domain.catalog import check_regions
    from ptc.export import export_live, to_yaml
    from ptc.files import check_writable, write_text

    try:
        check_regions(region or [])
        if output is not None:
            check_writable(output)
        with aws_session(sandbox, sandbox_state, profile) as session:
            regions = region or [_configured_region(session.region_name)]
            gateway = Gateway(session, regions)
            live = gateway.read(gateway.account_id())
        document = export_live(live)
        text = to_yaml(document)
        if output is None:
            sys.stdout.write(text)
        else:
            write_text(output, text)
            counts = ", ".join(f"{len(document.get(k, []))} {k}" for k in _EXPORTED)
            out(f"Wrote {output}: {counts}.")
    except PtcError as exc:
        fail(exc)


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

"""`ptc sandbox serve`: the sandbox on loopback; `ptc sandbox pull`: a pull through its cache;
`ptc sandbox organization`: an AWS Organizations organisation in it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ptc.cli.aws import DEFAULT_SANDBOX_STATE, SandboxState
from ptc.cli.output import fail, out
from ptc.errors import PtcError


def serve(
    host: Annotated[
        str,
        typer.Option(
            metavar="HOST", help="Address to listen on; keep it loopback unless you mean it."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", help="Port to listen on.", min=1, max=65535)
    ] = 4566,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            metavar="FILE",
            help="Load the sandbox from this file; save it there after every change.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    moto_api: Annotated[
        bool,
        typer.Option(
            "--moto-api",
            help="Also serve moto's own API (/moto-api/: a dashboard, a dump of every stored "
            "value, a reset) and CORS for any web page. For debugging only.",
        ),
    ] = False,
) -> None:
    """Serve ECR (with pull-through cache rules and templates), Secrets Manager, STS, IAM and
    Organizations, each account apart: AssumeRole gives credentials of the role's account."""
    import gc

    from ptc.sandbox import server

    gc.enable()  # main turned it off for a short run; a server runs until stopped
    try:
        server.serve(host, port, state, echo=_echo, moto_api=moto_api)
    except PtcError as exc:
        fail(exc)


def pull(
    image: Annotated[
        str,
        typer.Argument(
            metavar="IMAGE",
            help="REPOSITORY[:TAG] in the cache, e.g. docker-hub/library/nginx:1.25, "
            "optionally after the registry: ACCOUNT.dkr.ecr.REGION.amazonaws.com/",
            show_default=False,
        ),
    ],
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            "-r",
            metavar="REGION",
            help="Region of the cache (default: the image's, or us-east-1).",
        ),
    ] = None,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
) -> None:
    """Pull an image through the sandbox's cache, as ECR does: the rule, the template, the image."""
    from ptc.domain.catalog import DEFAULT_REGION, check_regions
    from ptc.sandbox.embedded import running
    from ptc.sandbox.pull import parse_image
    from ptc.sandbox.pull import pull as pull_image

    try:
        ref = parse_image(image)
        where = region or ref.region or DEFAULT_REGION
        check_regions([where])
        with running(sandbox_state, where) as info:
            pulled = pull_image(ref, info.account_id, where)
    except PtcError as exc:
        fail(exc)
    template = pulled.template or "no template (ECR's defaults)"
    made = f"created {pulled.repository} with {template}; " if pulled.created else ""
    out(
        f"{where}: rule {pulled.rule}: {made}cached {pulled.upstream} as "
        f"{pulled.repository}:{pulled.tag} ({pulled.digest[:19]}…)"
    )


def organization(
    placements: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="OU[/OU...]=ACCOUNT[,ACCOUNT...]",
            help="Accounts to put in an OU, by ids you choose (e.g. "
            "ou-ab12-team0001=111111111111); accounts comma-separated, OUs nested as "
            "PARENT/CHILD.",
            show_default=False,
        ),
    ] = None,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
) -> None:
    """Make an AWS Organizations organisation in the sandbox, with these OUs and accounts.

    The caller's account (123456789012) is its management account. What exists is kept, so
    it can be run again to add OUs and accounts; it prints the whole organisation.
    """
    from ptc.sandbox.embedded import running
    from ptc.sandbox.organizations import parse_placement, seed

    try:
        parsed = [parse_placement(text) for text in placements or []]
        with running(sandbox_state) as info:
            made = seed(info.account_id, parsed)
    except PtcError as exc:
        fail(exc)
    out(
        f"organization {made.id}: management account {made.management_account}, root {made.root_id}"
    )
    for path, members in made.units:
        out(f"  {path}: {', '.join(members) or 'no accounts'}")


def _echo(line: str) -> None:
    # Flushed at once: a caller reading the export line from a pipe must not wait.
    out(line)
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    sandbox = typer.Typer(
        name="sandbox",
        help="A local fake of the ECR APIs ptc uses: no AWS account, no network.",
        no_args_is_help=True,
    )
    sandbox.command()(serve)
    sandbox.command()(pull)
    sandbox.command()(organization)
    app.add_typer(sandbox, name="sandbox")

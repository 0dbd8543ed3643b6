"""`ptc sandbox serve`: the sandbox (moto plus the ECR operations it lacks) on loopback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ptc.cli.output import fail, out
from ptc.errors import PtcError


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; keep it loopback unless you mean it.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 4566,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            help="Load the sandbox from this file and save it there on exit.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve ECR (with pull-through cache rules and templates), Secrets Manager and STS."""
    from ptc.sandbox import server

    try:
        server.serve(host, port, state, echo=_echo)
    except PtcError as exc:
        fail(exc)


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
    app.add_typer(sandbox, name="sandbox")

"""The command line: the only layer that knows typer and prints.

Each command lives in its own module with a `register(app)` function. Only the module of
the command being run is imported, and only its click command is built (`COMMAND_MODULES`,
`boundary.PtcGroup`): `ptc validate` neither imports nor builds `plan`'s dozen options.
Command modules import the core (and boto3) inside the command bodies, so that `ptc --help`,
`ptc validate` and `ptc rewrite-images` start without importing boto3. Every command runs
inside `boundary.PtcGroup.main`, which turns every way it can end into one documented exit
code.
"""

from __future__ import annotations

import gc

import typer

from ptc import __version__
from ptc.cli import boundary, plugins

# Each command, in the order `ptc --help` lists them, and the module (in ptc.cli) whose
# `register(app)` adds it. A new command needs its line here (a test checks the list).
COMMAND_MODULES: dict[str, str] = {
    "validate": "validate",
    "schema": "validate",
    "checks": "validate",
    "plan": "plan",
    "apply": "plan",
    "export": "export",
    "targets": "targets",
    "show": "show",
    "status": "status",
    "rewrite-images": "rewrite",
    "iam-policy": "iam",
    "import-terraform": "terraform",
    "sandbox": "sandbox",
}


class _Ptc(boundary.PtcGroup):
    command_modules = COMMAND_MODULES


app = typer.Typer(
    name="ptc",
    cls=_Ptc,
    help="Amazon ECR pull-through cache rules as code.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ptc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        callback=_print_version,
        is_eager=True,
        help="Print ptc's version and exit.",
    ),
    debug: bool = typer.Option(
        False,
        "--debug",
        envvar=boundary.DEBUG_ENV,
        show_envvar=True,
        help="Show the traceback of an unexpected error (one to report as a bug).",
    ),
) -> None:
    """Amazon ECR pull-through cache rules as code."""
    boundary.set_debug(debug)


def main() -> None:
    """The `ptc` entry point; the error boundary is `boundary.PtcGroup.main`."""
    # No cyclic garbage collection during start-up: what imports and models allocate is
    # kept to the end, and the collector's passes over a heap growing with every import
    # cost about a tenth of a plan's time. The commands that talk to AWS turn it back on
    # over a frozen heap once they have a session (ptc.cli.aws), as botocore leaves cycles
    # behind every call; `sandbox serve` turns it on too.
    gc.disable()
    plugins.disable_plugins()  # before anything builds a pydantic validator
    try:
        app()
    finally:
        # The interpreter's last act is a full collection over every object still alive:
        # typer's, pydantic's and botocore's models, the clients. Nothing ptc leaves needs
        # it (files are closed, output flushed as the process ends), and it cost about a
        # sixth of a plan's CPU time. Frozen objects are skipped.
        gc.freeze()

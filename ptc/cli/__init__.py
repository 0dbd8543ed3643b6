"""The command line: the only layer that knows typer and prints.

Each command lives in its own module with a `register(app)` function. Command modules
import the core (and boto3) inside the command bodies, so that `ptc --help`, `ptc validate`
and `ptc rewrite-images` start without importing boto3.
"""

from __future__ import annotations

import typer

from ptc.cli import iam, plan, rewrite, sandbox, status, validate

app = typer.Typer(
    name="ptc",
    help="Amazon ECR pull-through cache rules as code.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

for module in (validate, plan, status, rewrite, iam, sandbox):
    module.register(app)


def main() -> None:
    app()

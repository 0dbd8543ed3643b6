"""Printing and failing, the same way in every command."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from ptc.errors import EXIT_FAILED, EXIT_USAGE, ConfigError, PtcError
from ptc.render.console import out
from ptc.render.text import printable

__all__ = [
    "confirm",
    "fail",
    "out",
    "say_interrupted",
    "stdin_is_terminal",
]  # `out` for the commands


def fail(exc: PtcError) -> NoReturn:
    """Report a domain error as one line on stderr and exit with its code.

    An invalid file's findings come first, as `ptc validate` prints them: the user sees
    what to fix without running another command.
    """
    if isinstance(exc, ConfigError) and exc.findings:
        from ptc.checks.base import Finding
        from ptc.render.findings import as_text

        out(as_text([f for f in exc.findings if isinstance(f, Finding)]), err=True)
    out(f"error: {printable(str(exc))}", err=True)
    raise typer.Exit(exc.exit_code)


def say_interrupted(consequence: str | None = None) -> None:
    """The last line of a run Ctrl-C stopped (a report above says what was done)."""
    out(f"error: interrupted{f'; {consequence}' if consequence else ''}", err=True)


def confirm(question: str, *, cancelled: str, what: str) -> None:
    """Ask before changing anything; returns only when the answer is exactly `yes`.

    As Terraform does: "y", "Y" or a stray key are no approval. Any other answer (or the
    end of input) cancels with exit 1: nothing was done that was asked for.
    Without a terminal on standard input there is nobody to ask: that is a usage error
    (the --auto-approve flag is missing), never a silent yes.
    """
    if not stdin_is_terminal():
        out(
            "error: refusing to ask for confirmation: standard input is not a terminal; "
            f"review the {what} and pass --auto-approve",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    sys.stdout.write(f"{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
    sys.stdout.flush()
    if sys.stdin.readline().strip() != "yes":
        out("")
        out(cancelled)
        raise typer.Exit(EXIT_FAILED)
    out("")


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()

"""Printing and failing, the same way in every command."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from ptc.errors import EXIT_OK, EXIT_USAGE, PtcError


def out(text: str, *, err: bool = False) -> None:
    """Print plain text (no markup interpretation: file content may contain brackets)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")


def fail(exc: PtcError) -> NoReturn:
    """Report a domain error as one line on stderr and exit with its code."""
    out(f"error: {exc}", err=True)
    raise typer.Exit(exc.exit_code)


def confirm(question: str, *, cancelled: str, what: str) -> None:
    """Ask before changing anything; returns only on yes.

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
    if not typer.confirm(question, default=False):
        out(cancelled)
        raise typer.Exit(EXIT_OK)


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()

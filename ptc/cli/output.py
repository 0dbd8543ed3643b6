"""Printing and failing, the same way in every command."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from ptc.errors import PtcError


def out(text: str, *, err: bool = False) -> None:
    """Print plain text (no markup interpretation: file content may contain brackets)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")


def fail(exc: PtcError) -> NoReturn:
    """Report a domain error as one line on stderr and exit with its code."""
    out(f"error: {exc}", err=True)
    raise typer.Exit(exc.exit_code)

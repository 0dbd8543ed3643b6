"""Printing and failing, the same way in every command."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import typer

from ptc.errors import EXIT_FAILED, EXIT_USAGE, ConfigError, PtcError
from ptc.render.text import printable

if TYPE_CHECKING:
    from rich.console import Console

# Wide enough for any table row: in a log, a cut repository name is a lost fact.
_UNBOUNDED = 1_000_000


def out(text: str, *, err: bool = False) -> None:
    """Print plain text (no markup interpretation: file content may contain brackets)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(printable(text, multiline=True) + "\n")


def console(*, soft_wrap: bool = False) -> Console:
    """The rich console for standard output.

    On a terminal, rich fits tables to its width (wrapping cells, never cutting them).
    Anywhere else (a CI log, a pipe, a file) nothing is wrapped or cut: a table row is one
    line with every cell whole, whatever COLUMNS says.
    """
    from rich.console import Console

    width = None if sys.stdout.isatty() else _UNBOUNDED
    # Text from files and from AWS is shown as it is: no markup ("[...]"), no emoji codes
    # (":secret:" in a secret's ARN would become an emoji).
    return Console(highlight=False, markup=False, emoji=False, soft_wrap=soft_wrap, width=width)


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

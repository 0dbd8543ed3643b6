"""Where every view prints: plain lines, and the one rich console.

Plain lines go through `printable()`: text from files and from AWS never reaches a
terminal with its control characters. rich is imported only when a console is made, so a
command that prints plain text (validate, rewrite-images in a pipe) never loads it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ptc.render.text import printable

if TYPE_CHECKING:
    from rich.console import Console

# Wide enough for any table row: in a log, a cut repository name is a lost fact.
_UNBOUNDED = 1_000_000


def out(text: str, *, err: bool = False) -> None:
    """Print plain text (no markup interpretation: file content may contain brackets)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(printable(text, multiline=True) + "\n")


def console(*, soft_wrap: bool = False, stderr: bool = False) -> Console:
    """The rich console for standard output (or standard error).

    On a terminal, rich fits tables to its width (wrapping cells, never cutting them).
    Anywhere else (a CI log, a pipe, a file) nothing is wrapped or cut: a table row is one
    line with every cell whole, whatever COLUMNS says. `soft_wrap` leaves long lines to the
    terminal instead of breaking them (plans: an address stays one line).
    """
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else _UNBOUNDED
    # Text from files and from AWS is shown as it is: no markup ("[...]"), no emoji codes
    # (":secret:" in a secret's ARN would become an emoji).
    return Console(
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=soft_wrap,
        width=width,
        stderr=stderr,
    )

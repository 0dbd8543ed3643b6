"""Help texts that read well at 80 columns, applied once to the whole command tree.

typer labels every value with its Python type (`<list[str]>`, `<bool>`, `<path>`) and keeps
the line breaks of a docstring's later paragraphs. `tidy` walks the commands as built and
fixes both for every command, present and future, instead of each declaration repeating it.
"""

from __future__ import annotations

import inspect
import re

from typer import _click
from typer.core import TyperArgument, TyperOption


class _Argument(TyperArgument):
    """An argument shown by its name (FILE) only: its type column is left empty."""

    def display_type_rich(self, ctx: _click.Context) -> str | None:
        return None


def tidy(command: _click.Command, help_names: list[str]) -> None:
    """Tidy `command` and its subcommands.

    `help_names`: the help option's names, which click adds to each command lazily.
    """
    tidy_command(command, help_names)
    for sub in getattr(command, "commands", {}).values():
        tidy(sub, help_names)


def tidy_command(command: _click.Command, help_names: list[str]) -> None:
    """Tidy `command` itself (the root's commands are tidied as they are built)."""
    if command.help:
        command.help = reflow(command.help)
    for param in command.params:
        if isinstance(param, TyperArgument):
            # typer has no hook for the argument's class; the subclass only changes display.
            param.__class__ = _Argument
        elif isinstance(param, TyperOption):
            _tidy_option(param)
    help_option = command.get_help_option(_click.Context(command, help_option_names=help_names))
    if help_option is not None:
        help_option.metavar = ""


def _tidy_option(option: TyperOption) -> None:
    if option.metavar is not None:
        return
    if option.is_flag:
        option.metavar = ""  # a flag takes no value: nothing to show
    elif not option.type_descriptor.is_choice:  # choices show themselves: <text|json>
        option.metavar = (option.name or "value").upper()


def reflow(text: str) -> str:
    """Join the lines of each paragraph: the terminal, not the source, decides the width."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(re.sub(r"\s*\n\s*", " ", p) for p in paragraphs)

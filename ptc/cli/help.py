"""Help texts that read well at 80 columns, applied once to the whole command tree.

typer labels every value with its Python type (`<list[str]>`, `<bool>`, `<path>`) and keeps
the line breaks of a docstring's later paragraphs. `tidy` walks the commands as built and
fixes both for every command, present and future, instead of each declaration repeating it.

typer's help renderer (`typer.rich_utils`) imports rich's Markdown and Traceback at the top,
and with them markdown-it, pygments and attrs: more than half of `ptc --help`, for help
texts that are never Markdown (rich markup mode) and tracebacks ptc never prints that way
(pretty exceptions are off). `load_renderer` imports the renderer with those two standing
in until first used; every help path calls it just before typer renders.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
import types
from typing import Any

from typer import _click
from typer.core import TyperArgument, TyperOption

# The names typer.rich_utils imports that only Markdown help or pretty tracebacks use.
_DEFERRED = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


class _Stand(type):
    """A class standing in for `module.name`: any use imports the real one and delegates."""

    _module: str
    _name: str

    def _real(cls) -> Any:
        return getattr(importlib.import_module(cls._module), cls._name)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real()(*args, **kwargs)

    def __getattr__(cls, attr: str) -> Any:
        return getattr(cls._real(), attr)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls._real())


class _StandInModule(types.ModuleType):
    """Stands in for a deferred module; any name it does not hold (a later typer may import
    more than ptc knows of) imports the real module in its place and is taken from there."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # the import system probing (__path__, __spec__ ...)
            raise AttributeError(attr)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


def load_renderer() -> None:
    """Import typer.rich_utils without rich.markdown and rich.traceback (see the docstring)."""
    if "typer.rich_utils" in sys.modules:
        return
    standing = {}
    for module, name in _DEFERRED.items():
        if module not in sys.modules:  # already imported: the real one is free
            stand_in = _StandInModule(module)
            setattr(stand_in, name, _Stand(name, (), {"_module": module, "_name": name}))
            standing[module] = stand_in
    sys.modules.update(standing)
    try:
        importlib.import_module("typer.rich_utils")
    finally:
        for module, stand_in in standing.items():
            if sys.modules.get(module) is stand_in:  # the real module's first import comes later
                del sys.modules[module]


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
        help_option.callback = _loading_renderer(help_option.callback)


def _loading_renderer(show_help: Any) -> Any:
    """The help option's callback, loading the renderer first (when help is printed only)."""
    if getattr(show_help, "loads_renderer", False):
        return show_help

    def callback(ctx: _click.Context, param: _click.Parameter, value: Any) -> Any:
        if value and not ctx.resilient_parsing:
            load_renderer()
        return show_help(ctx, param, value)

    callback.loads_renderer = True  # type: ignore[attr-defined]
    return callback


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

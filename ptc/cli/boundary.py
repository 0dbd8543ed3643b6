"""The CLI boundary: however a command ends, it ends in one documented exit code.

typer (and the click it vendors) would print usage errors as a boxed panel and exit 2, the
code `--detailed-exitcode` gives to "changes present", and would let any exception out as
a traceback. `PtcGroup.main` runs every command (from `ptc`, `python -m ptc` and the test
runner alike) and turns each ending into at most one `error:` line on stderr:

- a usage error (unknown option, bad value, missing argument): EXIT_USAGE; a path option
  whose file is missing, a directory or unreadable: EXIT_UNREADABLE, as for any input;
- Ctrl-C: EXIT_INTERRUPTED;
- any other exception (a bug in ptc): EXIT_FAILED and a hint to report it; `--debug`
  (or PTC_DEBUG=1) adds the traceback.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_name, get_group

from ptc.cli.help import load_renderer, reflow, tidy, tidy_command
from ptc.cli.output import out, say_interrupted
from ptc.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE

DEBUG_ENV = "PTC_DEBUG"
_debug = False


def set_debug(value: bool) -> None:
    """Called by the global --debug option (it is parsed before any command runs)."""
    global _debug
    _debug = value


def debugging() -> bool:
    return _debug or os.environ.get(DEBUG_ENV, "").strip().lower() in {"1", "true", "yes"}


class PtcGroup(TyperGroup):
    """The `ptc` command group: help laid out for 80 columns, and the one error boundary.

    Its commands are built on first use: `command_modules` names, for each command, the
    module of ptc.cli whose `register(app)` adds it. Running one command imports that
    module only and builds only its commands' parameters (typer inspects every signature
    and annotation: all of ptc's commands cost more to build than `validate` takes to run).
    """

    command_modules: ClassVar[Mapping[str, str]] = {}

    @property
    def commands(self) -> dict[str, _click.Command]:
        """Every command, built (for whoever walks the whole tree: tests, docs)."""
        for name in self.command_modules:
            self._load(name)
        return self._built

    @commands.setter
    def commands(self, value: Mapping[str, _click.Command]) -> None:
        self._built = dict(value)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return [*self.command_modules, *(n for n in self._built if n not in self.command_modules)]

    _listing = False

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help:
            load_renderer()  # click makes the help as it raises NoArgsIsHelpError
        return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if isinstance(command, TyperGroup) and command.no_args_is_help and not rest:
            load_renderer()  # `ptc sandbox`: its help is made as the group parses
        return name, command, rest

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        # The list of commands needs each one's name and help, not its parameters.
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name in self.command_modules and cmd_name not in self._built:
            if self._listing:
                return self._summary(cmd_name)
            self._load(cmd_name)
        return self._built.get(cmd_name)

    def _registry(self, name: str) -> typer.Typer:
        """A Typer holding what the module of command `name` registers, nothing built."""
        module = importlib.import_module(f"ptc.cli.{self.command_modules[name]}")
        registry = typer.Typer()
        module.register(registry)
        return registry

    def _summary(self, name: str) -> _click.Command | None:
        """Command `name` as the command list shows it: name and help, no parameters."""
        registry = self._registry(name)
        for info in registry.registered_commands:
            assert info.callback is not None
            if (info.name or get_command_name(info.callback.__name__)) == name:
                text = info.help or inspect.getdoc(info.callback) or ""
                return TyperCommand(
                    name,
                    help=reflow(text),
                    short_help=info.short_help,
                    hidden=info.hidden,
                    deprecated=info.deprecated,
                    rich_help_panel=info.rich_help_panel,
                )
        for group in registry.registered_groups:
            group_help = group.typer_instance.info.help if group.typer_instance else None
            if group.name == name and isinstance(group_help, str):
                return TyperCommand(name, help=reflow(group_help))
        self._load(name)  # declared some other way: build it
        return self._built.get(name)

    def _load(self, name: str) -> None:
        if name in self._built:
            return
        for built_name, command in get_group(self._registry(name)).commands.items():
            tidy(command, self._help_names())
            self._built.setdefault(built_name, command)

    def _help_names(self) -> list[str]:
        names: list[str] = self.context_settings.get("help_option_names", ["--help"])
        return names

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        set_debug(False)
        # Here, not in __init__: typer adds its completion options after that.
        tidy_command(self, self._help_names())
        try:
            # Not standalone: typer then raises click's errors and returns exit codes
            # instead of printing and exiting itself.
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) and not isinstance(result, bool) else EXIT_OK
        except _click.exceptions.NoArgsIsHelpError as exc:
            # The error made the help when it was raised: typer's rich help printed itself
            # then (its message is empty); a plain one is the message.
            if exc.format_message():
                out(exc.format_message())
            code = EXIT_USAGE
        except _click.exceptions.UsageError as exc:
            code = _usage_error(exc)
        except _click.exceptions.ClickException as exc:
            out(f"error: {_sentence(exc.format_message())}", err=True)
            code = EXIT_UNREADABLE if isinstance(exc, _click.exceptions.FileError) else EXIT_FAILED
        except (KeyboardInterrupt, typer.Abort):
            say_interrupted()
            code = EXIT_INTERRUPTED
        except Exception as exc:  # noqa: BLE001 - the boundary: a bug must not be a traceback
            code = _unexpected(exc)
        if not standalone_mode:
            return code
        sys.exit(code)

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # Caught here, before typer turns it into a silent exit 130.
            say_interrupted()
            raise typer.Exit(EXIT_INTERRUPTED) from None


def _usage_error(exc: _click.exceptions.UsageError) -> int:
    message = _sentence(exc.format_message())
    descriptor = getattr(getattr(exc, "param", None), "type_descriptor", None)
    missing = isinstance(exc, _click.exceptions.MissingParameter)
    if descriptor is not None and descriptor.is_path and not missing:
        # typer's own path checks (exists, dir_okay, readable): an input that cannot be
        # read is exit 3 whichever layer finds out.
        out(f"error: {message}", err=True)
        return EXIT_UNREADABLE
    ctx = exc.ctx
    hint = f"; see '{ctx.command_path} --help'" if ctx is not None else ""
    out(f"error: {message}{hint}", err=True)
    return EXIT_USAGE


def _sentence(text: str) -> str:
    """click's message as one line in ptc's style: lower-case start, no full stop."""
    text = re.sub(r"\s+", " ", text).strip().replace("Value error, ", "")
    text = re.sub(r"\.? (Did you mean [^?]*\?)", r" (\1)", text)
    text = re.sub(r"\(Possible options: ([^,()]+)\)", r"(Did you mean \1?)", text)
    text = text.replace("(Possible options:", "(possible options:")
    text = text.removesuffix(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text.replace("(Did you", "(did you")


def _unexpected(exc: Exception) -> int:
    if debugging():
        traceback.print_exception(exc, file=sys.stderr)
    text = re.sub(r"\s+", " ", str(exc)).strip()
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    hint = "" if debugging() else "; run it again with --debug (or PTC_DEBUG=1) for the traceback"
    out(
        f"error: unexpected {detail}. This is a bug in ptc: please report it with "
        f"the command you ran{hint}",
        err=True,
    )
    return EXIT_FAILED

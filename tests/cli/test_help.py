"""`--help` of every command: readable at 80 columns, no Python types, every option explained."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer import _click
from typer.testing import CliRunner

from ptc.cli import app


def _commands(command: _click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [path]
    for name, sub in getattr(command, "commands", {}).items():
        paths += _commands(sub, (*path, name))
    return paths


def _command(path: tuple[str, ...]) -> _click.Command:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


COMMANDS = _commands(typer.main.get_command(app))
PYTHON_TYPES = re.compile(r"<(bool|str|int|path|Path|list\[[^]]*\]|float)>")


def test_every_command_is_covered() -> None:
    assert len(COMMANDS) == 17  # ptc, its 13 commands, sandbox serve, pull and organization
    assert ("sandbox", "pull") in COMMANDS


@pytest.fixture
def columns_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    """typer reads TERMINAL_WIDTH once, at import: another test's value must not stick."""
    monkeypatch.setattr("typer.rich_utils.MAX_WIDTH", None)


@pytest.mark.usefixtures("columns_decide")
@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(("ptc", *p)))
def test_help_fits_80_columns_without_python_types(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"})

    assert result.exit_code == 0
    assert "…" not in result.stdout, "rich cut something short"
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert not PYTHON_TYPES.search(result.stdout), PYTHON_TYPES.search(result.stdout)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(("ptc", *p)))
def test_every_option_and_argument_has_help(path: tuple[str, ...]) -> None:
    command = _command(path)
    assert command.help, "the command needs a docstring"
    missing = [p.name for p in command.params if not getattr(p, "help", None)]

    assert missing == []


@pytest.mark.usefixtures("columns_decide")
def test_a_long_help_paragraph_is_reflowed() -> None:
    # validate's docstring breaks its second paragraph in the source; the terminal decides.
    result = CliRunner().invoke(app, ["validate", "--help"], env={"COLUMNS": "200"})

    assert (
        "Offline by default. Exit 0 when clean, 1 when any file has errors (or warnings with "
        "--strict), 3 when a file cannot be read (the others are still checked)."
    ) in result.stdout


def test_flags_take_no_value_and_have_no_negative_form() -> None:
    result = CliRunner().invoke(app, ["plan", "--help"], env={"COLUMNS": "120"})

    assert "--no-detailed-exitcode" not in result.stdout
    assert "--prune" in result.stdout and "--no-prune" in result.stdout  # three states
    assert re.search(r"--region\s+-r\s+REGION", result.stdout)

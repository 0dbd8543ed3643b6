"""Shell completion, as README documents it: typer's, for commands and options."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

# Completion keys on the program's name, so it runs through the installed console script.
PTC = str(Path(sys.executable).parent / "ptc")


def _complete(words: str) -> list[str]:
    env = {
        **os.environ,
        "_PTC_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    done = subprocess.run([PTC], env=env, capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("ptc pla", ["plan"]),
        ("ptc rewrite", ["rewrite-images"]),
        ("ptc plan --detailed", ["--detailed-exitcode"]),
        ("ptc apply --auto", ["--auto-approve"]),
    ],
)
def test_commands_and_options_complete(words: str, expected: list[str]) -> None:
    assert _complete(words) == expected


def test_the_completion_script_names_the_program() -> None:
    # typer detects the shell from the process's parents, as when a user types the command:
    # run it from bash, not from whatever runs the tests (a detached process has no shell).
    # Two commands, so that bash stays ptc's parent instead of exec-ing it.
    command = ["bash", "-c", f"{shlex.quote(PTC)} --show-completion; exit $?"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "_ptc_completion" in done.stdout

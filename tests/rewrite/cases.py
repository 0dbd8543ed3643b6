"""Fixture cases of `rewrite-images`: each folder of tests/fixtures/rewrite is one case.

<case>/before/   the input files (their names matter: Dockerfile, kustomization.yaml, ...)
<case>/after/    the same files after `--write`, byte for byte
<case>/check.txt the exit code of `--check` on before/, then its output
<case>/args      optional: more options, one a line (the default target is us-east-1)

tests/rewrite/test_fixtures.py holds the code to them; tests/fixtures/rewrite/update.py
writes after/ and check.txt from what ptc does today, to review as a diff.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import typer
from typer.testing import CliRunner

from ptc.cli import rewrite
from tests.rewrite.conftest import RULES

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "fixtures" / "rewrite"


@dataclass
class Outcome:
    check: str  # "exit N" and the output of --check, as check.txt holds it
    after: dict[str, bytes]  # file name -> content after --write
    second: str  # the JSON report of a second --write over the written files


def cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "before").is_dir())


def run_case(case: Path, work: Path) -> Outcome:
    """Run --check, --write and --write again over a copy of the case in `work`."""
    (work / "rules.yaml").write_text(RULES)
    tree = work / "in"
    shutil.copytree(case / "before", tree)
    args = (case / "args").read_text().splitlines() if (case / "args").exists() else []
    if "--region" not in args:
        args = ["--region", "us-east-1", *args]
    with contextlib.chdir(tree):
        check = _invoke("--check", *args)
        _invoke("--write", *args)
        second = _invoke("--write", "--format", "json", *args)
    after = {p.name: p.read_bytes() for p in sorted(tree.iterdir())}
    return Outcome(check, after, second.split("\n", 1)[1])


def _app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    rewrite.register(app)
    app.callback()(lambda: None)
    return app


def _invoke(*args: str) -> str:
    argv = ["rewrite-images", "--rules", "../rules.yaml", *args, "."]
    env = {"COLUMNS": "120", "TERMINAL_WIDTH": "120"}
    result = CliRunner().invoke(_app(), argv, env=env)
    return f"exit {result.exit_code}\n{result.output}"

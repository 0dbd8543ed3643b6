"""Markdown plans and `ptc show` escape what files, answers and saved plans hold.

A rules file, a live description or a crafted saved plan (its checksum recomputed, as
anyone who can write the file can) may hold ESC sequences, bidirectional controls or NUL.
A pull request comment and a terminal show them escaped, through `printable()`, as every
other human-readable output does (tests/render/test_text.py).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from ptc.plan import saved
from ptc.plan.changes import Plan
from ptc.plan.desired import DesiredState
from ptc.render.markdown import render_markdown
from tests.plan.test_diff import desired, live, plan_of, rule, template
from tests.support import run

HOSTILE = "clear\x1b[2J rtl\u202etxt nul\x00 end"
SHOWN = "clear\\x1b[2J rtl\\u202etxt nul\\x00 end"
ACCOUNT = "1234\x1b]0;owned\x07"
RAW = "\x1b\u202e\x00\x07"


def _no_raw_controls(text: str) -> None:
    assert not [c for c in text if c in RAW], repr(text)


def _plan_and_desired() -> tuple[Plan, DesiredState]:
    want = desired(template("quay", description=HOSTILE), rule("quay"))
    have = live(template("quay", description="old"), rule("quay"), rule("foreign\u202e"))
    return plan_of(want, have), want


@pytest.mark.parametrize("max_chars", [60_000, 10], ids=["with diffs", "compact"])
def test_markdown_escapes_the_file_and_the_live_state(max_chars: int) -> None:
    text = render_markdown(_plan_and_desired()[0], max_chars=max_chars)
    _no_raw_controls(text)
    assert "- `us-east-1/rule/foreign\\u202e`" in text.splitlines()


def test_markdown_diff_rows_show_the_value_escaped() -> None:
    lines = render_markdown(_plan_and_desired()[0]).splitlines()
    assert f'+ description = "{SHOWN}"' in lines


@pytest.fixture
def crafted(tmp_path: Path) -> Path:
    """A saved plan whose account a hand edit made hostile, its checksum recomputed."""
    plan, want = _plan_and_desired()
    path = tmp_path / "plan.json"
    saved.save(path, dataclasses.replace(plan, account=ACCOUNT), want)
    document = json.loads(path.read_text())
    document["checksum"] = saved.checksum(document)
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_show_escapes_a_saved_plan(crafted: Path, output_format: str) -> None:
    result = run("show", crafted, "--format", output_format)
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.stdout)
    assert "1234\\x1b]0;owned\\x07" in result.stdout
    assert "foreign\\u202e" in result.stdout


def test_show_json_stays_json(crafted: Path) -> None:
    # JSON escapes by its own rules; the value reads back exactly.
    result = run("show", crafted, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["account"] == ACCOUNT


def test_a_line_break_in_a_value_cannot_forge_a_diff_row() -> None:
    want = desired(template("quay", description="ok\n+ role = admin"), rule("quay"))
    have = live(template("quay", description="old"), rule("quay"))
    lines = render_markdown(plan_of(want, have)).splitlines()
    assert '+ description = "ok\\n+ role = admin"' in lines
    assert "+ role = admin" not in lines


def test_show_text_keeps_its_own_line_breaks(crafted: Path) -> None:
    lines = run("show", crafted).stdout.splitlines()
    assert lines[:2] == [
        "ptc will perform the following actions in account 1234\\x1b]0;owned\\x07:",
        "",
    ]

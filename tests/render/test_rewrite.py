"""The views of a rewrite-images report (ptc/render/rewrite.py), apart from the command."""

from __future__ import annotations

import re
import sys

import pytest

from ptc.render import rewrite
from ptc.rewrite.engine import Report
from ptc.rewrite.mapping import Target

TARGET = Target("123456789012", "us-east-1")


def test_summary_is_a_table_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    rewrite.render_summary(Report(TARGET, []), to_stderr=False)
    lines = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out).splitlines()
    assert [line.split() for line in lines[:2]] == [["references", "count"], ["to", "rewrite", "0"]]


def test_summary_table_goes_where_the_report_goes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Standard input as a filter: the document owns stdout, so the table is on stderr.
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    rewrite.render_summary(Report(TARGET, []), to_stderr=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.sub(r"\x1b\[[0-9;]*m", "", captured.err).split()[:2] == ["references", "count"]


def test_summary_in_a_log_is_one_line_per_count(capsys: pytest.CaptureFixture[str]) -> None:
    rewrite.render_summary(Report(TARGET, []), to_stderr=False)
    assert capsys.readouterr().out == (
        "to rewrite      0\n"
        "already cached  0\n"
        "no rule         0\n"
        "invalid         0\n"
        "variable        0\n"
        "files           0 (0 changed, 0 failed)\n"
    )


def test_closing_line_of_an_empty_report() -> None:
    assert rewrite.closing_line(Report(TARGET, []), check=False) == "nothing to rewrite"
    assert rewrite.closing_line(Report(TARGET, []), check=True) == "nothing to rewrite"

"""Control characters from files and answers are shown escaped (issue 10, item 21).

ESC sequences clear the screen or move the cursor, U+202E reverses what follows, NUL
truncates in some terminals: `validate` text, plan text, apply reports and every `error:`
line show them the way Python spells them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ptc.render.text import printable
from tests.support import run

HOSTILE = "a\x1b[2Jb\u202ec\x00d\u2066e\x07f"
SHOWN = "a\\x1b[2Jb\\u202ec\\x00d\\u2066e\\x07f"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (HOSTILE, SHOWN),
        ("plain text, ünïcödé and 漢字", "plain text, ünïcödé and 漢字"),
        ("two\nlines\tand a tab", "two\\nlines\\tand a tab"),
        ("\u200b\ufeff\u2028", "\\u200b\\ufeff\\u2028"),
    ],
)
def test_printable_escapes_what_is_not_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_multiline_keeps_line_breaks_and_tabs() -> None:
    assert printable("one\n\ttwo\x1b[0m", multiline=True) == "one\n\ttwo\\x1b[0m"


def _no_raw_controls(text: str) -> None:
    assert not any(c in text for c in "\x1b\u202e\x00\u2066\x07"), repr(text)


FILE = """\
version: 1
regions: [us-east-1]
rules:
  - prefix: "qu\\e[2Jay"
    upstream: "quay.io\\u202E"
"""


def test_validate_text_escapes_values_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE)
    result = run("validate", path)
    assert result.exit_code == 1
    _no_raw_controls(result.stdout)
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}:4:13: PTC201 error: prefix 'qu\\x1b[2Jay' is not a valid prefix"
    assert lines[2] == f"{path}:5:15: PTC206 error: ECR cannot cache from 'quay.io\\u202e'"


def test_validate_text_escapes_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "rules\x1b[2J.yaml"
    path.write_text(FILE)
    result = run("validate", path)
    _no_raw_controls(result.stdout)
    assert result.stdout.startswith(f"{tmp_path}/rules\\x1b[2J.yaml:4:13: PTC201 error:")


PLANNED = """\
version: 1
account: "123456789012"
regions: [us-east-1]
templates:
  - prefix: quay
    applied_for: [PULL_THROUGH_CACHE]
    description: "clear\\e[2J rtl\\u202Etxt nul\\0 end"
"""


def test_plan_text_escapes_live_and_desired_values(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(PLANNED)
    result = run("plan", "--sandbox", "--sandbox-state", tmp_path / "s.json", path)
    assert result.exit_code == 0
    _no_raw_controls(result.stdout)
    assert '      + description = "clear\\x1b[2J rtl\\u202etxt nul\\x00 end"' in (
        result.stdout.splitlines()
    )


def test_an_error_line_stays_one_escaped_line(tmp_path: Path) -> None:
    result = run("plan", tmp_path / "no\x1b[2Jsuch\nfile.yaml")
    assert result.exit_code == 3
    assert result.stderr == f"error: {tmp_path}/no\\x1b[2Jsuch\\nfile.yaml: no such file\n"

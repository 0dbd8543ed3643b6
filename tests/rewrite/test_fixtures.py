"""Every case under tests/fixtures/rewrite: the report, the bytes written, and a second run.

Each case is a real-world shape `rewrite-images` met (see tests/rewrite/cases.py for the
layout). The second `--write` must rewrite nothing: a rewrite is idempotent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.rewrite.cases import cases, run_case

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path, tmp_path: Path) -> None:
    outcome = run_case(case, tmp_path)
    hint = "run tests/fixtures/rewrite/update.py and review the diff"
    assert outcome.check == (case / "check.txt").read_text(), hint
    after = {p.name: p.read_bytes() for p in sorted((case / "after").iterdir())}
    assert outcome.after == after, hint
    summary = json.loads(outcome.second)["summary"]
    assert (summary["rewritten"], summary["files_changed"]) == (0, 0)


def test_every_case_changes_something_or_says_why() -> None:
    for case in CASES:
        before = {p.name: p.read_bytes() for p in (case / "before").iterdir()}
        after = {p.name: p.read_bytes() for p in (case / "after").iterdir()}
        check = (case / "check.txt").read_text()
        assert before != after or "skipped" in check or "cannot rewrite" in check, case.name

"""Every check has a bad fixture that triggers it, and the findings match the snapshot.

tests/fixtures/configs/bad/<ID>-<case>.yaml triggers check <ID> on the lines marked
`# expect: <ID>`; <case>.findings.json holds [id, line, column, severity] of every finding
(regenerate with tests/fixtures/configs/update_snapshots.py, then review the diff).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ptc.checks.online import OnlineCheck
from ptc.checks.registry import ALL_CHECKS
from ptc.checks.runner import validate_file

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "tests" / "fixtures" / "configs"
GOOD = sorted((CONFIGS / "good").glob("*.yaml"))
BAD = sorted((CONFIGS / "bad").glob("*.yaml"))
EXPECT = re.compile(r"# expect: (PTC\d{3})\s*$")
# PTC002 (a check crashed) cannot be triggered by a file; test_runner.py monkeypatches it.
NOT_FROM_A_FILE = {"PTC002"}


def _case_id(path: Path) -> str:
    return path.stem.split("-", 1)[0]


def _marks(path: Path) -> dict[int, str]:
    """{line: check ID} of the lines a fixture marks with '# expect: PTCnnn'."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {n: m[1] for n, line in enumerate(lines, 1) if (m := EXPECT.search(line))}


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_fixture_has_no_findings(path: Path) -> None:
    assert validate_file(path).findings == []


def test_the_example_in_the_repository_validates_clean() -> None:
    result = validate_file(ROOT / "examples" / "rules.yaml")

    assert result.findings == []
    assert result.file is not None


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_fixture_findings_match_the_snapshot(path: Path) -> None:
    snapshot = json.loads(path.with_suffix(".findings.json").read_text(encoding="utf-8"))

    found = [[f.check_id, f.line, f.column, str(f.severity)] for f in validate_file(path).findings]

    assert found == snapshot, "run tests/fixtures/configs/update_snapshots.py and review the diff"


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_fixture_triggers_its_check_on_the_marked_lines(path: Path) -> None:
    check_id = _case_id(path)
    marks = _marks(path)
    assert set(marks.values()) == {check_id}, f"mark the line with '# expect: {check_id}'"

    lines = {f.line for f in validate_file(path).findings if f.check_id == check_id}

    assert lines == set(marks)


def test_every_check_has_a_bad_fixture() -> None:
    covered = {_case_id(path) for path in BAD}

    offline = {check.id for check in ALL_CHECKS if not issubclass(check, OnlineCheck)}
    missing = offline - NOT_FROM_A_FILE - covered

    assert not missing, f"add tests/fixtures/configs/bad/<ID>-<case>.yaml for {sorted(missing)}"


def test_every_bad_fixture_is_named_after_a_check() -> None:
    known = {check.id for check in ALL_CHECKS}

    assert {_case_id(path) for path in BAD} <= known


def test_every_snapshot_belongs_to_a_fixture() -> None:
    snapshots = {p.name.removesuffix(".findings.json") for p in (CONFIGS / "bad").glob("*.json")}

    assert snapshots == {p.stem for p in BAD}

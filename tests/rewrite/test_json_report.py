"""`--format json` holds to docs/rewrite-report.schema.json, checked against real runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from ptc.rewrite.detect import ManifestKind
from ptc.rewrite.mapping import Status
from tests.rewrite.cases import CASES, _app
from tests.rewrite.conftest import RULES

SCHEMA = json.loads((CASES.parents[2] / "docs" / "rewrite-report.schema.json").read_text())


def _report(tree: Path, *args: str) -> Any:
    argv = ["rewrite-images", "--rules", str(tree / "rules.yaml"), "--region", "us-east-1"]
    result = CliRunner().invoke(_app(), [*argv, "--format", "json", *args])
    return json.loads(result.stdout)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Every fixture case's input in one folder, and a file that cannot be read."""
    (tmp_path / "rules.yaml").write_text(RULES)
    for case in sorted(p for p in CASES.iterdir() if (p / "before").is_dir()):
        shutil.copytree(case / "before", tmp_path / "in" / case.name)
    (tmp_path / "in" / "broken.yaml").write_text("a: [\n")
    return tmp_path


def test_the_schema_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_reports_of_real_runs_are_valid(tree: Path) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    dry = _report(tree, str(tree / "in"))
    statuses = {r["status"] for r in dry["references"]}
    # The fixtures meet every status but the one only a failed write gives.
    assert statuses == {s.value for s in Status} - {"not-written"}
    validator.validate(dry)
    validator.validate(_report(tree, "--write", str(tree / "in")))


def test_the_schema_lists_every_status_and_kind() -> None:
    assert SCHEMA["$defs"]["status"]["enum"] == [s.value for s in Status]
    kinds = SCHEMA["properties"]["files"]["items"]["properties"]["kinds"]["items"]["enum"]
    assert kinds == [k.value for k in ManifestKind]


def test_a_report_with_a_failed_write_is_valid(tree: Path) -> None:
    target = tree / "in" / "argo-rollout" / "rollout.yaml"
    target.chmod(0o444)
    report = _report(tree, "--write", str(target))
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert {r["status"] for r in report["references"]} == {"not-written"}
    assert report["files"][0]["error"] == "cannot write: the file is read-only (mode 0444)"

"""The generated documents in docs/ are current."""

from __future__ import annotations

import json
from pathlib import Path

from ptc.checks.registry import ALL_CHECKS
from ptc.config.models import json_schema
from ptc.render.findings import checks_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_docs_checks_md_is_current() -> None:
    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")

    assert text == checks_markdown(), "regenerate: ptc checks --markdown > docs/checks.md"


def test_docs_schema_is_current() -> None:
    text = (ROOT / "docs" / "ptc.schema.json").read_text(encoding="utf-8")

    assert text == json.dumps(json_schema(), indent=2) + "\n", (
        "regenerate: ptc schema > docs/ptc.schema.json"
    )


def test_checks_md_lists_every_check_once() -> None:
    rows = [line.split(" | ")[0].removeprefix("| ") for line in checks_markdown().splitlines()]

    assert [row for row in rows if row.startswith("PTC")] == [check.id for check in ALL_CHECKS]


def test_the_example_declares_the_schema_it_is_written_against() -> None:
    first = (ROOT / "examples" / "rules.yaml").read_text(encoding="utf-8").splitlines()[0]

    assert first == "# yaml-language-server: $schema=../docs/ptc.schema.json"

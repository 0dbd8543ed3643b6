"""rewrite-images holds one file's texts at a time: each diff is printed, then let go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ptc.rewrite import engine
from tests.rewrite.conftest import HOST, RULES
from tests.rewrite.test_cli import RULES_ARGS, _run

POD = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: quay.io/team/app-{}:1\n"
PODS = {f"pod-{n}.yaml": POD.format(n) for n in range(3)}


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[engine.Report]:
    """Every Report a run returns, kept to look at after the command."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.yaml").write_text(RULES)
    for name, text in PODS.items():
        (tmp_path / name).write_text(text)
    seen: list[engine.Report] = []
    run = engine.run

    def keep(*args: Any, **kwargs: Any) -> engine.Report:
        seen.append(run(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(engine, "run", keep)
    return seen


@pytest.mark.parametrize("options", [[], ["--check"], ["--format", "json"], ["--format", "github"]])
def test_no_files_text_is_held_once_it_is_reported(
    reports: list[engine.Report], options: list[str]
) -> None:
    result = _run(*RULES_ARGS, *options, *PODS)
    assert result.exit_code in (0, 1), result.output
    [report] = reports
    assert [(f.original, f.rewritten) for f in report.files] == [(None, None)] * len(PODS)
    assert [f.changed for f in report.files] == [True] * len(PODS)


def test_diffs_come_file_by_file_before_the_summary(reports: list[engine.Report]) -> None:
    result = _run(*RULES_ARGS, *PODS)
    assert result.exit_code == 0, result.output
    for n, name in enumerate(PODS):
        assert (
            f"--- a/{name}\n+++ b/{name}\n@@ -2,4 +2,4 @@\n kind: Pod\n spec:\n   containers:\n"
            f"-  - image: quay.io/team/app-{n}:1\n+  - image: {HOST}/quay/team/app-{n}:1\n"
        ) in result.stdout
    assert result.stdout.index("pod-2.yaml") < result.stdout.index("to rewrite")


def test_a_yaml_stream_is_composed_one_document_at_a_time() -> None:
    # The nodes of a document take ~40x its text: a 5 MB manifest composed whole peaked
    # at over 250 MB. Each document is composed when it is reached, and dropped after.
    from ptc.rewrite.documents import parse_structured

    docs = iter(parse_structured("a: 1\n---\nb: 2\n---\nc: [\n").documents)
    assert next(docs).value[0][0].value == "a"
    assert next(docs).value[0][0].value == "b"
    with pytest.raises(yaml.YAMLError):
        next(docs)


def test_a_broken_later_document_fails_the_file_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.yaml").write_text(RULES)
    (tmp_path / "all.yaml").write_text(POD.format(0) + "---\n" + POD.format(1) + "---\nc: [\n")
    result = _run(*RULES_ARGS, "all.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("all.yaml: error: ")
    assert "line 14" in result.stderr
    assert "---" not in result.stdout


def test_the_json_report_is_written_entry_by_entry(
    reports: list[engine.Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 47,000 references as one dict and one string took 183 MiB; the report is encoded
    # as it is written instead, and reads back the same as the whole report.
    import json

    from ptc.render import rewrite

    def whole(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("the whole report was built as one string")

    monkeypatch.setattr(rewrite.json, "dumps", whole)
    result = _run(*RULES_ARGS, "--format", "json", *PODS)
    assert result.exit_code == 0, result.output
    monkeypatch.undo()
    [report] = reports
    assert result.stdout == json.dumps(report.to_dict(), indent=2) + "\n"
    assert json.loads(result.stdout)["summary"]["files"] == len(PODS)

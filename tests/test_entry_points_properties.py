"""Whatever a file holds, every command that reads one ends in one `error:` line or a result,
with a documented exit code, and writes nothing (issue 10, "make it hard to reintroduce").

Entry points: the rules file (validate, iam-policy, rewrite-images --rules), a `{file:}`
policy, a saved plan (apply --plan), the sandbox state (plan --sandbox-state) and the files
rewrite-images reads. Inputs: arbitrary bytes, YAML-like text and arbitrary JSON, and for
saved plans a real plan with one part replaced by arbitrary JSON and the checksum
recomputed (so that the shape checks, not the checksum, are what is exercised).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from ptc.cli import app

DOCUMENTED = {0, 1, 3, 64}  # 2 only with --detailed-exitcode, 130 only on Ctrl-C
ENV = {"COLUMNS": "120", "DOCKERHUB_USERNAME": "u", "DOCKERHUB_TOKEN": "t"}
# Bounded: each example runs commands in-process; the loader's and the rewriters' own
# property tests go deeper at the unit level.
SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

YAML_ALPHABET = list("{}[],:-?&*!|>'\"#%@`~<=.\\/ \t\r\n") + list("abkv01eE+_") + ["\x1b", "\0"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
CONTENT = st.one_of(
    st.binary(max_size=300),
    st.text(alphabet=st.sampled_from(YAML_ALPHABET), max_size=300).map(str.encode),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
)
RULES = """\
version: 1
account: "123456789012"
regions: [us-east-1]
rules:
  - prefix: quay
    upstream: quay.io
templates:
  - prefix: quay
    applied_for: [PULL_THROUGH_CACHE]
    lifecycle_policy: {file: policy.json}
"""

PLAIN_RULES = RULES.replace("    lifecycle_policy: {file: policy.json}\n", "")


def _run(*args: str | Path) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env=ENV)
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code in DOCUMENTED, (result.exit_code, result.output)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) <= 1, result.stderr
    return result


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    work = tmp_path / "work"
    work.mkdir()
    yield work


def _fresh(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()


@SETTINGS
@given(content=CONTENT)
def test_any_rules_file(folder: Path, content: bytes) -> None:
    _fresh(folder)
    path = folder / "rules.yaml"
    path.write_bytes(content)
    before = _snapshot(folder)
    _run("validate", path)
    _run("iam-policy", path, "--for", "apply")
    _run("rewrite-images", "--rules", path, "--check", folder / "missing.yaml")
    assert _snapshot(folder) == before


@SETTINGS
@given(content=CONTENT)
def test_any_file_policy(folder: Path, content: bytes) -> None:
    _fresh(folder)
    (folder / "rules.yaml").write_text(RULES)
    (folder / "policy.json").write_bytes(content)
    before = _snapshot(folder)
    _run("validate", folder / "rules.yaml")
    assert _snapshot(folder) == before


@SETTINGS
@given(content=CONTENT, name=st.sampled_from(["pod.yaml", "task.json", "Dockerfile"]))
def test_any_rewrite_input(folder: Path, content: bytes, name: str) -> None:
    _fresh(folder)
    (folder / "rules.yaml").write_text(PLAIN_RULES)
    (folder / name).write_bytes(content)
    before = _snapshot(folder)
    _run("rewrite-images", "--rules", folder / "rules.yaml", "--check", folder / name)
    _run("rewrite-images", "--rules", folder / "rules.yaml", "--format", "json", folder / name)
    assert _snapshot(folder) == before


@pytest.fixture(scope="module")
def saved_plan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real saved plan (made once) to damage."""
    folder = tmp_path_factory.mktemp("saved")
    (folder / "rules.yaml").write_text(PLAIN_RULES)
    state = folder / "s.json"
    result = _run(
        "plan",
        "--sandbox",
        "--sandbox-state",
        state,
        folder / "rules.yaml",
        "--out",
        folder / "plan.json",
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads((folder / "plan.json").read_text())
    return document


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, child in children:
        yield from _paths(child, (*prefix, key))


@SETTINGS
@given(data=st.data(), replacement=JSON_VALUES)
def test_any_damage_to_a_saved_plan(
    folder: Path, saved_plan: dict[str, Any], data: st.DataObject, replacement: Any
) -> None:
    from ptc.plan import saved

    _fresh(folder)
    document = json.loads(json.dumps(saved_plan))
    paths = [p for p in _paths(document) if p and p != ("checksum",)]
    where = data.draw(st.sampled_from(paths))
    node = document
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = replacement
    try:
        document["checksum"] = saved.checksum(document)
    except ValueError:  # NaN or Infinity: the document is not JSON, and is written anyway
        pass
    path = folder / "plan.json"
    path.write_text(json.dumps(document))
    before = _snapshot(folder)
    state = folder.parent / "state" / "s.json"
    _run("apply", "--plan", path, "--sandbox", "--sandbox-state", state, "--auto-approve")
    assert _snapshot(folder) == before


@SETTINGS
@given(content=CONTENT)
def test_any_saved_plan_file(folder: Path, content: bytes) -> None:
    _fresh(folder)
    path = folder / "plan.json"
    path.write_bytes(content)
    before = _snapshot(folder)
    state = folder.parent / "state" / "s.json"
    result = _run("apply", "--plan", path, "--sandbox", "--sandbox-state", state, "--auto-approve")
    assert result.exit_code == 3
    assert _snapshot(folder) == before


@SETTINGS
@given(content=CONTENT)
def test_any_sandbox_state(folder: Path, content: bytes) -> None:
    _fresh(folder)
    (folder / "rules.yaml").write_text(PLAIN_RULES)
    state = folder / "s.json"
    state.write_bytes(content)
    os.utime(state, (0, 0))
    before = _snapshot(folder)
    _run("plan", "--sandbox", "--sandbox-state", state, folder / "rules.yaml")
    _run("export", "--sandbox", "--sandbox-state", state, "-r", "us-east-1")
    # A state file that was not ptc's (or was damaged) is never overwritten; the inputs are
    # left alone (the sandbox may add its .gitignore beside its state).
    after = _snapshot(folder)
    assert after["rules.yaml"] == before["rules.yaml"]
    assert after["s.json"] == before["s.json"], after["s.json"][:200]

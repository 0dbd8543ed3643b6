"""Saved plans: every edit is refused, and a damaged plan is one line (issue 10, items 8, 15).

The plans here are built by hand (no AWS needed): one secret read from a `{file:}` and the
rule that uses it. "Recomputed" cases rewrite the checksum after the damage, as someone
editing the file on purpose would, so that the shape checks themselves are exercised.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ptc.domain.resources import RuleResource, SecretResource, ValueRef
from ptc.errors import InputError
from ptc.plan import saved
from ptc.plan.changes import Create, Plan
from ptc.plan.desired import DesiredState

ACCOUNT = "123456789012"
REGION = "us-east-1"
SECRET = "ecr-pullthroughcache/docker-hub"


def _plan_and_desired(base_dir: Path) -> tuple[Plan, DesiredState]:
    secret = SecretResource(
        region=REGION,
        name=SECRET,
        username=ValueRef(env="DOCKERHUB_USERNAME"),
        access_token=ValueRef(file="token.txt"),
    )
    rule = RuleResource(
        region=REGION,
        prefix="docker-hub",
        upstream_url="registry-1.docker.io",
        upstream_registry="docker-hub",
        credential_name=SECRET,
    )
    changes = [Create(secret), Create(rule)]
    plan = Plan.build(ACCOUNT, [REGION], changes, "sha256:" + "0" * 64, prune=False)
    desired = DesiredState(ACCOUNT, [REGION], False, base_dir, rules=[rule], secrets=[secret])
    return plan, desired


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    saved.save(path, *_plan_and_desired(tmp_path))
    return path


def _edit(path: Path, change: Callable[[dict[str, Any]], None], *, recompute: bool) -> None:
    document = json.loads(path.read_text())
    change(document)
    if recompute:
        document["checksum"] = saved.checksum(document)
    path.write_text(json.dumps(document, indent=2))


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        saved.load(path)
    assert caught.value.exit_code == 3
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message[len(f"{path}: ") :]


def test_a_saved_plan_round_trips(plan_file: Path, tmp_path: Path) -> None:
    plan, desired = saved.load(plan_file)
    expected_plan, expected_desired = _plan_and_desired(tmp_path)
    assert plan == expected_plan
    assert desired.base_dir == tmp_path.resolve()
    assert (desired.rules, desired.secrets) == (expected_desired.rules, expected_desired.secrets)


def _set(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node: Any = document
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


# -- item 8: the checksum covers the whole saved plan ------------------------------------------

EDITS = {
    # apply read `{file: token.txt}` from another folder
    "desired.base_dir": _set("desired", "base_dir", value="/etc"),
    # what the reviewer saw, edited after review
    "plan.changes[].after": _set("plan", "changes", 1, "after", "upstream_url", value="evil.io"),
    "plan.changes[].before": _set("plan", "changes", 0, "before", value={"x": 1}),
    "desired.secrets[].access_token": _set(
        "desired", "secrets", 0, "access_token", value={"file": "/etc/shadow"}
    ),
    "desired.rules": _set("desired", "rules", value=[]),
    "desired.prune": _set("desired", "prune", value=True),
    "plan.summary": _set("plan", "summary", "add", value=0),
    "plan.ptc_version": _set("plan", "ptc_version", value="9.9.9"),
    "a new key": _set("comment", value="harmless?"),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_any_edit_is_refused(plan_file: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    _edit(plan_file, edit, recompute=False)
    assert _refused(plan_file) == "the saved plan was modified after it was written"


def test_reformatting_is_not_an_edit(plan_file: Path) -> None:
    document = json.loads(plan_file.read_text())
    plan_file.write_text(json.dumps(document, indent=None, sort_keys=False))
    assert saved.load(plan_file)[0].account == ACCOUNT


def test_a_plan_saved_by_ptc_0_1_0_is_refused_by_name(plan_file: Path) -> None:
    _edit(plan_file, lambda document: document.pop("format"), recompute=False)
    assert _refused(plan_file) == (
        "the saved plan was written by another version of ptc; save it again with 'ptc plan --out'"
    )


# -- item 15: a damaged plan (checksum recomputed) is one line ---------------------------------

DAMAGE = {
    '"plan": []': (
        _set("plan", value=[]),
        "plan: Input should be an object",
    ),
    "live_fingerprint: null": (
        _set("plan", "live_fingerprint", value=None),
        "plan.live_fingerprint: Input should be a valid string",
    ),
    "regions: [1]": (
        _set("plan", "regions", value=[1]),
        "plan.regions.0: Input should be a valid string",
    ),
    "desired.regions: [1]": (
        _set("desired", "regions", value=[1]),
        "desired.regions.0: Input should be a valid string",
    ),
    "prune as a string": (
        _set("desired", "prune", value="yes"),
        "desired.prune: Input should be a valid boolean",
    ),
    "an unknown action": (
        _set("plan", "changes", 0, "action", value="explode"),
        "plan.changes.0.action: Input should be 'create', 'update', 'replace', 'delete' "
        "or 'unmanaged'",
    ),
    "changes: null": (
        _set("plan", "changes", value=None),
        "plan.changes: Input should be a valid list",
    ),
    "a change's resource of the wrong shape": (
        _set("plan", "changes", 1, "desired", value={"prefix": 5}),
        "plan.changes.1.desired.region: Field required (and 3 more)",
    ),
    "desired.rules of the wrong shape": (
        _set("desired", "rules", 0, "prefix", value=None),
        "desired.rules.0.prefix: Input should be a valid string",
    ),
    "desired missing": (
        lambda document: document.pop("desired"),
        "desired: Field required",
    ),
    "an unknown key": (
        _set("surprise", value=1),
        "surprise: Extra inputs are not permitted",
    ),
    "format_version 1": (
        _set("plan", "format_version", value=1),
        "plan.format_version: Input should be 2",
    ),
}


@pytest.mark.parametrize(("edit", "problem"), DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_plan_is_one_line(
    plan_file: Path, edit: Callable[[dict[str, Any]], None], problem: str
) -> None:
    _edit(plan_file, edit, recompute=True)
    assert _refused(plan_file) == f"the saved plan is damaged: {problem}"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(plan_file: Path, constant: str) -> None:
    text = plan_file.read_text().replace('"prune": false', f'"prune": {constant}', 1)
    plan_file.write_text(text)
    assert _refused(plan_file) == (
        f"is not a saved plan (not JSON: {constant} is not a JSON number)"
    )


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deep_nesting_is_damage_not_a_recursion_error(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"kind": "ptc-saved-plan", "x": ' + "[" * depth + "]" * depth + "}")
    assert _refused(path) == "the saved plan is damaged: nested too deeply"


@pytest.mark.parametrize(
    "text", ["[]", "null", "1", '"ptc-saved-plan"', '{"kind": ["ptc-saved-plan"]}']
)
def test_not_a_saved_plan(tmp_path: Path, text: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text)
    assert _refused(path) == "is not a saved plan made by 'ptc plan --out'"

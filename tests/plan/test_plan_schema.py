"""docs/plan.schema.json describes the plan JSON exactly: real output validates against it.

Real output: `plan --format json` on the sandbox (creates, then updates, a replace, destroys
and a plan without secret values), the `plan` member of a saved plan and `show -f json`,
plus the differ's plans that hold what the sandbox run does not (statements left alone).
Every kind and every action must have been validated at least once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from ptc.cli import app
from tests.render.test_markdown import _pruning_plan, _review_plan

from .test_diff import _mixed_plan

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "docs" / "plan.schema.json").read_text(encoding="utf-8")
)
ENV = {"COLUMNS": "120", "DOCKERHUB_USERNAME": "octocat", "DOCKERHUB_TOKEN": "dckr_pat_schema"}
PERMISSIONS = """\
permissions:
  - sid: PullThroughCacheFromCI
    principals: [arn:aws:iam::123456789012:role/ci]
    prefixes: [quay]
"""


def _validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA)


def _errors(document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(document)]


def _causes(document: dict[str, Any]) -> list[str]:
    """Every error with the errors inside it (a oneOf's branches), as path: message."""
    pending = list(_validator().iter_errors(document))
    found: list[str] = []
    while pending:
        error = pending.pop(0)
        found.append(f"{list(error.absolute_path)}: {error.message}")
        pending += error.context or []
    return found


def _cli(*args: str | Path) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


def _sandbox_documents(tmp_path: Path) -> list[dict[str, Any]]:
    from tests.cli.test_plan import FILE

    rules = tmp_path / "rules.yaml"
    saved = tmp_path / "plan.json"
    sandbox = ["--sandbox", "--sandbox-state", str(tmp_path / "s.json")]
    rules.write_text(FILE + PERMISSIONS, encoding="utf-8")
    documents = [json.loads(_cli("plan", *sandbox, "-f", "json", "--out", saved, rules))]
    documents.append(json.loads(saved.read_text(encoding="utf-8"))["plan"])
    _cli("apply", *sandbox, "--auto-approve", "--plan", saved)
    changed = (
        FILE.replace("description: Docker Hub", "description: Docker Hub, changed")
        .replace("upstream: quay.io", "upstream: quay.io\n    upstream_prefix: prometheus")
        .replace("  - prefix: docker-hub\n    applied_for", "  - prefix: other\n    applied_for")
    )
    rules.write_text(changed + PERMISSIONS.replace("[quay]", '["*"]'), encoding="utf-8")
    flags = ("-f", "json", "--prune", "--without-secret-values", "--out", saved)
    documents.append(json.loads(_cli("plan", *sandbox, *flags, rules)))
    documents.append(json.loads(saved.read_text(encoding="utf-8"))["plan"])
    documents.append(json.loads(_cli("show", "-f", "json", saved)))
    return documents


def test_real_plans_and_saved_plans_validate(tmp_path: Path) -> None:
    documents = _sandbox_documents(tmp_path)
    models = (_mixed_plan(), _review_plan(), _pruning_plan())
    documents += [json.loads(json.dumps(p.to_dict())) for p in models]

    assert [_errors(d) for d in documents] == [[]] * len(documents)
    seen = {(c["kind"], c["action"]) for d in documents for c in d["changes"]}
    assert {kind for kind, _ in seen} == {"secret", "template", "rule", "statement"}
    assert {action for _, action in seen} == {
        "create",
        "update",
        "replace",
        "delete",
        "unmanaged",
    }
    assert documents[2]["secret_values_compared"] is False and documents[2]["not_compared"]


@pytest.mark.parametrize(
    ("case", "edit", "error"),
    [
        (
            "a display string instead of a flag",
            lambda c: c["after"].update(value="(sensitive value)"),
            "['changes', 0, 'after', 'value']: '(sensitive value)' is not of type 'null'",
        ),
        (
            "a flag that is not true",
            lambda c: c["after_sensitive"].update(value=False),
            "['changes', 0, 'after_sensitive', 'value']: True was expected",
        ),
        (
            "an attribute another kind has",
            lambda c: c["after"].update(upstream_url="quay.io"),
            "['changes', 0, 'after']: Additional properties are not allowed "
            "('upstream_url' was unexpected)",
        ),
    ],
)
def test_the_schema_refuses_what_is_not_a_plan(case: str, edit: Any, error: str) -> None:
    document = json.loads(json.dumps(_mixed_plan().to_dict()))
    assert document["changes"][0]["kind"] == "secret"
    edit(document["changes"][0])

    assert error in _causes(document)


def test_readme_and_schema_name_every_kind_and_action() -> None:
    from typing import get_args

    from ptc.domain.resources import Kind
    from ptc.plan.changes import FORMAT_VERSION, UNMANAGED, Action

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    change = SCHEMA["$defs"]["change"]["properties"]
    kinds, actions = list(get_args(Kind)), [*(str(a) for a in Action), UNMANAGED]

    assert change["kind"]["enum"] == kinds
    assert change["action"]["enum"] == actions
    assert SCHEMA["$defs"]["format_version"]["const"] == FORMAT_VERSION
    assert f'"format_version": {FORMAT_VERSION},' in readme
    assert f'"kind": "rule",                // {" | ".join(kinds)}\n' in readme
    assert f'"action": "create",            // {" | ".join(actions)}\n' in readme

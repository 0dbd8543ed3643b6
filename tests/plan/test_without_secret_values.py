"""`plan --without-secret-values` and the apply of such a saved plan, against moto.

The plan of a pull request runs with a role that cannot read secret values and without the
variables that hold them. It must read no value (every botocore call is recorded: no
GetSecretValue, no BatchGetSecretValue), still compare what it can (existence, KMS key, the
rules' use of the secret), and say which values it did not compare. The saved plan records
that; `apply --plan`, which has the values, compares them then and says what it updates.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ptc.cli import app
from ptc.sandbox.embedded import SandboxInfo

TOKEN = "Wsv-Token-51ab"
ROTATED = "Wsv-Rotated-88cd"
DOCKER = "ecr-pullthroughcache/docker-hub"
FILE = f"""\
version: 1
regions: [us-east-1]
rules:
  - prefix: docker-hub
    upstream: registry-1.docker.io
    credentials: {DOCKER}
secrets:
  - name: {DOCKER}
    username: {{env: DOCKERHUB_USERNAME}}
    access_token: {{env: DOCKERHUB_TOKEN}}
"""
VALUE_READS = {"GetSecretValue", "BatchGetSecretValue"}
NOT_COMPARED = [
    "Secret values not compared (plan --without-secret-values; "
    "apply --plan compares them and updates those that differ):",
    f"  ? us-east-1/secret/{DOCKER}",
    "",
]


@pytest.fixture
def operations(aws: SandboxInfo, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every API operation the CLI's sessions call, in order."""
    import ptc.cli.plan

    seen: list[str] = []
    original = ptc.cli.plan.aws_connection

    @contextlib.contextmanager
    def recording(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with original(*args, **kwargs) as connection:
            connection.session.events.register(
                "before-call", lambda model, **_: seen.append(model.name)
            )
            yield connection

    monkeypatch.setattr(ptc.cli.plan, "aws_connection", recording)
    return seen


def run(*args: str | Path, token: str | None = TOKEN) -> Result:
    env: dict[str, str | None] = {"COLUMNS": "120", "DOCKERHUB_USERNAME": "octocat"}
    env["DOCKERHUB_TOKEN"] = token  # None: the variable is not set at all
    if token is None:
        env["DOCKERHUB_USERNAME"] = None
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    assert isinstance(result.exception, SystemExit | None), result.exception
    for value in (TOKEN, ROTATED):
        assert value not in result.output
    return result


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_without_values_a_plan_needs_no_source_and_reads_no_value(
    rules: Path, operations: list[str]
) -> None:
    assert run("apply", "--auto-approve", rules).exit_code == 0
    operations.clear()

    result = run("plan", "--without-secret-values", "--detailed-exitcode", rules, token=None)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        *NOT_COMPARED,
        "No changes. The live state matches the file. Secret values were not compared.",
    ]
    assert result.stderr == ""
    assert operations and not VALUE_READS & set(operations)
    assert "ListSecrets" in operations  # the secret's existence and KMS key are compared


def test_with_values_the_same_plan_needs_the_source(rules: Path, operations: list[str]) -> None:
    assert run("apply", "--auto-approve", rules).exit_code == 0

    result = run("plan", rules, token=None)

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: secret '{DOCKER}': environment variable DOCKERHUB_USERNAME is not set or is "
        "empty\n"
    )


def test_without_values_the_rest_is_still_compared(rules: Path, operations: list[str]) -> None:
    """A new secret is still created, and the rule's use of it is still planned."""
    result = run("plan", "--without-secret-values", "--format", "json", rules, token=None)

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["secret_values_compared"] is False and data["not_compared"] == []
    assert [(c["action"], c["address"]) for c in data["changes"]] == [
        ("create", f"us-east-1/secret/{DOCKER}"),
        ("create", "us-east-1/rule/docker-hub"),
    ]
    assert data["changes"][1]["after_unknown"] == {"credential_arn": True}
    assert not VALUE_READS & set(operations)


def test_apply_of_a_plan_without_values_compares_them_and_says_what_it_updates(
    rules: Path, tmp_path: Path, operations: list[str]
) -> None:
    assert run("apply", "--auto-approve", rules).exit_code == 0
    saved = tmp_path / "plan.json"
    assert run("plan", "--without-secret-values", "--out", saved, rules, token=None).exit_code == 0
    assert json.loads(saved.read_text())["plan"]["secret_values_compared"] is False
    operations.clear()

    applied = run("apply", "--auto-approve", "--plan", saved, token=ROTATED)

    assert applied.exit_code == 0, applied.output
    lines = applied.stdout.splitlines()
    assert lines[0] == (
        "The plan was made with --without-secret-values; compared the values of 1 secret(s) "
        f"now: us-east-1/secret/{DOCKER} differs and will be updated."
    )
    assert f"  # us-east-1/secret/{DOCKER} will be updated in place" in lines
    assert "      ~ value = (sensitive value)" in lines
    assert f"  done     update us-east-1/secret/{DOCKER}" in lines
    assert lines[-1] == "Verified: a fresh read of the live state matches the file."
    assert "BatchGetSecretValue" in operations and "UpdateSecret" in operations
    again = run("plan", "--detailed-exitcode", rules, token=ROTATED)
    assert again.exit_code == 0, again.stdout


def test_apply_of_a_plan_without_values_whose_values_match_changes_nothing(
    rules: Path, tmp_path: Path, operations: list[str]
) -> None:
    assert run("apply", "--auto-approve", rules).exit_code == 0
    saved = tmp_path / "plan.json"
    assert run("plan", "--without-secret-values", "--out", saved, rules, token=None).exit_code == 0
    operations.clear()

    applied = run("apply", "--auto-approve", "--plan", saved)

    assert applied.exit_code == 0, applied.output
    assert applied.stdout.splitlines() == [
        "The plan was made with --without-secret-values; compared the values of 1 secret(s) "
        "now: they match.",
        "",
        "No changes. The live state matches the file.",
    ]
    assert "UpdateSecret" not in operations


def test_apply_of_a_plan_without_values_needs_the_sources(
    rules: Path, tmp_path: Path, operations: list[str]
) -> None:
    assert run("apply", "--auto-approve", rules).exit_code == 0
    saved = tmp_path / "plan.json"
    assert run("plan", "--without-secret-values", "--out", saved, rules, token=None).exit_code == 0

    applied = run("apply", "--auto-approve", "--plan", saved, token=None)

    assert applied.exit_code == 1
    assert applied.stderr == (
        f"error: secret '{DOCKER}': environment variable DOCKERHUB_USERNAME is not set or is "
        "empty\n"
    )
    assert "UpdateSecret" not in operations


def test_a_plan_without_values_that_creates_the_secret_has_nothing_to_compare(
    rules: Path, tmp_path: Path, operations: list[str]
) -> None:
    saved = tmp_path / "plan.json"
    assert run("plan", "--without-secret-values", "--out", saved, rules, token=None).exit_code == 0

    applied = run("apply", "--auto-approve", "--plan", saved)

    assert applied.exit_code == 0, applied.output
    assert applied.stdout.startswith("ptc will perform the following actions")
    assert "CreateSecret" in operations and "BatchGetSecretValue" in operations  # verify
    assert run("plan", "--detailed-exitcode", rules).exit_code == 0  # the value is the source's

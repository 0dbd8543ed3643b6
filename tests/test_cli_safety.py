"""Inputs that must never cost the user a credential, a region or the sandbox's state.

Regression tests for issue 10: empty secret sources, options a saved plan cannot honour,
and the embedded sandbox's state file (what it holds, where it can live, who may use it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner, Result

from ptc.cli import app
from ptc.sandbox.embedded import SandboxInfo

ACCOUNT = "123456789012"
DOCKER = "ecr-pullthroughcache/docker-hub"
ENV = {
    "COLUMNS": "120",
    "TERMINAL_WIDTH": "120",
    "DOCKERHUB_USERNAME": "octocat",
    "DOCKERHUB_TOKEN": "dckr_pat_test",
}
FILE = f"""\
version: 1
account: "{ACCOUNT}"
regions: [us-east-1, eu-west-1]
rules:
  - prefix: docker-hub
    upstream: registry-1.docker.io
    credentials: {DOCKER}
  - prefix: quay
    upstream: quay.io
secrets:
  - name: {DOCKER}
    username: {{env: DOCKERHUB_USERNAME}}
    access_token: {{env: DOCKERHUB_TOKEN}}
"""
LIVE_VALUE = {"username": "octocat", "accessToken": "dckr_pat_test"}


def run(*args: str | Path, env: dict[str, str | None] | None = None, **kwargs: Any) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env={**ENV, **(env or {})}, **kwargs)
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


@pytest.fixture
def sandbox(tmp_path: Path) -> list[str]:
    return ["--sandbox", "--sandbox-state", str(tmp_path / "s.json")]


def _live_secret(region: str = "us-east-1") -> Any:
    client = boto3.client("secretsmanager", region_name=region)
    return json.loads(client.get_secret_value(SecretId=DOCKER)["SecretString"])


# -- item 4: an empty secret source is a missing one -------------------------------------------


@pytest.mark.parametrize("empty", ["", "   ", "\n"])
@pytest.mark.parametrize("variable", ["DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN"])
def test_an_empty_variable_never_overwrites_the_live_credential(
    aws: SandboxInfo, rules: Path, variable: str, empty: str
) -> None:
    assert run("apply", "--auto-approve", rules).exit_code == 0
    assert _live_secret() == LIVE_VALUE

    result = run("apply", "--auto-approve", rules, env={variable: empty})
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: secret '{DOCKER}': environment variable {variable} is not set or is empty\n"
    )
    assert _live_secret() == LIVE_VALUE
    assert _live_secret("eu-west-1") == LIVE_VALUE


@pytest.mark.parametrize("content", ["", "  \n", "\r\n"])
def test_an_empty_file_never_overwrites_the_live_credential(
    aws: SandboxInfo, rules: Path, tmp_path: Path, content: str
) -> None:
    token = tmp_path / "token"
    token.write_text("dckr_pat_test\n")
    rules.write_text(FILE.replace("{env: DOCKERHUB_TOKEN}", "{file: token}"))
    assert run("apply", "--auto-approve", rules).exit_code == 0

    token.write_text(content)
    result = run("apply", "--auto-approve", rules)
    assert result.exit_code == 1
    assert result.stderr == f"error: secret '{DOCKER}': {token} is empty\n"
    assert _live_secret() == LIVE_VALUE


def test_a_saved_plan_with_an_emptied_variable_changes_nothing(
    aws: SandboxInfo, rules: Path, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.json"
    assert run("plan", "--out", plan_file, rules).exit_code == 0
    result = run("apply", "--auto-approve", "--plan", plan_file, env={"DOCKERHUB_TOKEN": ""})
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: secret '{DOCKER}': environment variable DOCKERHUB_TOKEN is not set or is empty\n"
    )
    ecr = boto3.client("ecr", region_name="us-east-1")
    assert ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []


def test_the_sandbox_treats_an_empty_variable_as_unavailable(
    rules: Path, sandbox: list[str]
) -> None:
    result = run("apply", *sandbox, "--auto-approve", rules, env={"DOCKERHUB_TOKEN": ""})
    assert result.exit_code == 0
    assert result.stderr.startswith("sandbox: env DOCKERHUB_TOKEN not available; placeholder")


# -- item 5: a saved plan applies exactly as saved --------------------------------------------


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["-r", "us-east-1"], "--region"),
        (["--region", "eu-west-1"], "--region"),
        (["--prune"], "--prune/--no-prune"),
        (["--no-prune"], "--prune/--no-prune"),
        (["-r", "us-east-1", "--prune"], "--region and --prune/--no-prune"),
    ],
)
def test_options_that_would_change_a_saved_plan_are_refused(
    rules: Path, sandbox: list[str], tmp_path: Path, options: list[str], named: str
) -> None:
    plan_file = tmp_path / "plan.json"
    assert run("plan", *sandbox, "--out", plan_file, rules).exit_code == 0
    result = run("apply", *sandbox, "--auto-approve", "--plan", plan_file, *options)
    assert result.exit_code == 64  # usage error
    assert result.stderr == (
        f"error: {named} cannot be used with --plan: a saved plan applies exactly as it was "
        "saved; make a new plan with them ('ptc plan ... --out')\n"
    )
    # Nothing was applied: the same plan still applies, in full.
    applied = run("apply", *sandbox, "--auto-approve", "--plan", plan_file)
    assert applied.exit_code == 0
    assert "Apply complete: 6 applied, 0 failed, 0 not attempted." in applied.stdout

"""No secret value in stdout, stderr, the JSON plan, the saved plan, an export or any log.

The whole life of a managed secret runs through the CLI against moto (the `aws` fixture,
so that one in-process AWS lives through all the commands): plan, save, apply, re-plan
(values compared), rotation (value changes), apply of a saved plan, export and a failing
apply. Everything a user or a log collector could see is kept and searched for the values.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ptc.cli import app
from ptc.sandbox.embedded import SandboxInfo

TOKEN = "S3cr3t-Value-7f1e"
ROTATED = "R0tated-Value-9c2d"
FILE_TOKEN = "F1le-Value-3b8a"
GONE_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/gone-AbCdEf"
FILE = """\
version: 1
regions: [us-east-1, eu-west-1]
rules:
  - prefix: docker-hub
    upstream: registry-1.docker.io
    credentials: ecr-pullthroughcache/docker-hub
  - prefix: github
    upstream: ghcr.io
    credentials: ecr-pullthroughcache/github
secrets:
  - name: ecr-pullthroughcache/docker-hub
    username: {env: DOCKERHUB_USERNAME}
    access_token: {env: DOCKERHUB_TOKEN}
  - name: ecr-pullthroughcache/github
    username: {env: DOCKERHUB_USERNAME}
    access_token: {file: token.txt}
"""


@dataclass
class Seen:
    """Everything visible outside AWS: command output, files ptc wrote, log records."""

    outputs: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def texts(self, caplog: pytest.LogCaptureFixture) -> list[str]:
        logs = [f"{r.name}: {r.getMessage()}" for r in caplog.get_records("call")]
        return [*self.outputs, *(p.read_text(encoding="utf-8") for p in self.files), *logs]


@pytest.fixture
def cli(
    aws: SandboxInfo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> Iterator[tuple[Seen, Callable[..., Result]]]:
    caplog.set_level(logging.DEBUG)  # every logger, botocore's included
    seen = Seen()
    (tmp_path / "token.txt").write_text(FILE_TOKEN + "\n", encoding="utf-8")

    def run(*args: str | Path, token: str = TOKEN) -> Result:
        env = {"COLUMNS": "120", "DOCKERHUB_USERNAME": "octocat", "DOCKERHUB_TOKEN": token}
        result = CliRunner().invoke(app, [str(a) for a in args], env=env)
        assert isinstance(result.exception, SystemExit | None), result.exception
        seen.outputs += [result.stdout, result.stderr]
        return result

    yield seen, run


def assert_no_value_anywhere(seen: Seen, caplog: pytest.LogCaptureFixture) -> None:
    texts = seen.texts(caplog)
    assert any(text.startswith("botocore.parsers: ") for text in texts), "no DEBUG log captured"
    for text in texts:
        for value in (TOKEN, ROTATED, FILE_TOKEN):
            assert value not in text


def test_no_secret_value_is_ever_shown(
    cli: tuple[Seen, Callable[..., Result]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seen, run = cli
    rules = tmp_path / "rules.yaml"
    rules.write_text(FILE, encoding="utf-8")
    saved = tmp_path / "plan.json"
    seen.files.append(saved)

    assert run("plan", rules).exit_code == 0
    created = json.loads(run("plan", rules, "--format", "json").stdout)
    secrets = [c for c in created["changes"] if c["kind"] == "secret"]
    assert [(c["after"]["value"], c["after_sensitive"]) for c in secrets] == [
        (None, {"value": True})
    ] * len(secrets)
    assert run("plan", rules, "--out", saved).exit_code == 0
    assert run("apply", "--auto-approve", "--plan", saved).exit_code == 0
    assert run("plan", "--detailed-exitcode", rules).exit_code == 0  # values compared: same

    rotated = run("plan", "--detailed-exitcode", rules, "--out", saved, token=ROTATED)
    assert rotated.exit_code == 2
    assert "      ~ value = (sensitive value)" in rotated.stdout.splitlines()
    assert rotated.stdout.splitlines()[-2] == (
        "Plan: 0 to add, 2 to change, 0 to replace, 0 to destroy."
    )
    as_json = json.loads(run("plan", rules, "--format", "json", token=ROTATED).stdout)
    assert {tuple(c["changed"]) for c in as_json["changes"]} == {("value",)}
    assert run("apply", "--auto-approve", "--plan", saved, token=ROTATED).exit_code == 0
    assert run("apply", "--auto-approve", rules, token=ROTATED).stdout.startswith("No changes.")

    exported = tmp_path / "exported.yaml"
    seen.files.append(exported)
    assert run("export", "-r", "us-east-1", "-o", exported).exit_code == 0

    failing = FILE.replace("regions: [us-east-1, eu-west-1]", "regions: [us-east-1]")
    rules.write_text(failing.replace("ecr-pullthroughcache/github\n", f"{GONE_ARN}\n", 1))
    failed = run("apply", "--auto-approve", rules, token=TOKEN)
    assert failed.exit_code == 1
    assert "FAILED" in failed.stdout, failed.stderr

    assert_no_value_anywhere(seen, caplog)

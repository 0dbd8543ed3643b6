"""What the CLI tests share: the two-rule file with a Docker Hub secret, its environment, and
`run`, which invokes ptc in-process and fails the test on any traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from ptc.cli import app

ACCOUNT = "123456789012"
DOCKER = "ecr-pullthroughcache/docker-hub"
ENV = {
    "COLUMNS": "120",
    "TERMINAL_WIDTH": "120",
    "DOCKERHUB_USERNAME": "octocat",
    "DOCKERHUB_TOKEN": "dckr_pat_test",
}
# Two regions, a rule with a secret and one without.
TWO_RULES = f"""\
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


def run(*args: str | Path, env: dict[str, str | None] | None = None, **kwargs: Any) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env={**ENV, **(env or {})}, **kwargs)
    # Whatever happened, it ended in an exit code, not in an exception.
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.output
    return result

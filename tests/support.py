"""What the CLI tests share: the two-rule file with a Docker Hub secret, its environment, and
`run`, which invokes ptc in-process and fails the test on any traceback."""

from __future__ import annotations

import json
import threading
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


def refuse_the_caller(iam: Any, trusted: str = "999999999999") -> None:
    """Make the `ptc-deployer` role of the account `iam` acts in trust only `trusted`'s
    root, so that ptc's AssumeRole into that account is refused (AccessDenied)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName="ptc-deployer", AssumeRolePolicyDocument=json.dumps(trust))


class CtrlCAfterFirstCall:
    """A live store (reader or writer) that Ctrl-C interrupts at its first call: `stop` (the
    run's stop event, which SIGINT sets) is set once that call returns, or, `raising`,
    KeyboardInterrupt is raised instead of making it. Deterministic, unlike a real signal."""

    def __init__(self, store: Any, stop: threading.Event | None, *, raising: bool = False) -> None:
        self._store, self._stop, self._raising = store, stop, raising
        self._calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self._calls += 1
            if self._raising and self._calls == 1:
                raise KeyboardInterrupt
            try:
                return attribute(*args, **kwargs)
            finally:
                if self._stop is not None:
                    self._stop.set()

        return call

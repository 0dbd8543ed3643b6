"""Clients and fixtures for the sandbox tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from ptc.sandbox.embedded import SandboxInfo

DOCKER_SECRET = "ecr-pullthroughcache/docker-hub"
GOOD_SECRET_VALUE = json.dumps({"username": "octocat", "accessToken": "dckr_pat_x"})
# A date no clock reads now (2017-07-14): a restored secret shows it only if it was restored.
BACKDATED = 1_500_000_000


def backdate_secrets(path: Path, when: int = BACKDATED) -> None:
    """Move every secret's dates in a saved sandbox state back to `when`.

    A restore that stamped "now" instead of restoring the dates would show, and no test
    needs to reach into moto's clock to see it: the state file is ptc's own.
    """
    document = json.loads(path.read_text())
    for regions in document["accounts"].values():
        for region in regions.values():
            for secret in region.get("secrets", []):
                secret.update(createdDate=when, lastChangedDate=when, versionCreatedDate=when)
    path.write_text(json.dumps(document))


@pytest.fixture
def ecr(aws: SandboxInfo) -> Any:
    return aws.session().client("ecr")


@pytest.fixture
def raw_ecr(aws: SandboxInfo) -> Any:
    """An ECR client that skips botocore's own checks, so the emulator's are reached."""
    return aws.session().client("ecr", config=Config(parameter_validation=False))


@pytest.fixture
def make_secret(aws: SandboxInfo) -> Callable[..., str]:
    """Create a secret in the sandbox and return its full ARN."""

    def make(
        name: str = DOCKER_SECRET, value: str = GOOD_SECRET_VALUE, region: str | None = None
    ) -> str:
        client = aws.session(region).client("secretsmanager")
        return str(client.create_secret(Name=name, SecretString=value)["ARN"])

    return make

"""The aws CLI (a client nobody here wrote) against `ptc sandbox serve`."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ptc.domain import catalog
from ptc.sandbox.embedded import dummy_environment

ACCOUNT = "123456789012"
SECRET_VALUE = json.dumps({"username": "octocat", "accessToken": "ghp_x"})


def _aws_command() -> list[str] | None:
    if importlib.util.find_spec("awscli") is not None:
        return [sys.executable, "-m", "awscli"]
    found = shutil.which("aws")
    return [found] if found else None


AWS = _aws_command()
pytestmark = [
    pytest.mark.external,
    pytest.mark.skipif(AWS is None, reason="the aws CLI is not installed (pip install awscli)"),
]

Cli = Callable[..., Any]


@pytest.fixture(scope="module")
def cli(sandbox_server: Any) -> Cli:
    """Run `aws <args> --endpoint-url <sandbox>`; JSON output, or the error code when it fails."""
    env = {**os.environ}
    for name, value in dummy_environment("us-east-1").items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value

    def run(*args: str, region: str = "us-east-1") -> Any:
        assert AWS is not None
        command = [*AWS, *args, "--endpoint-url", sandbox_server.url, "--region", region]
        done = subprocess.run(
            [*command, "--output", "json"], env=env, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            return _error_code(done.stderr)
        return json.loads(done.stdout) if done.stdout.strip() else {}

    return run


def _error_code(stderr: str) -> str:
    # "An error occurred (SomeException) when calling the Op operation: ..."
    assert "An error occurred (" in stderr, stderr
    return stderr.split("An error occurred (", 1)[1].split(")", 1)[0]


@pytest.fixture(scope="module")
def secret_arn(cli: Cli) -> str:
    created = cli(
        "secretsmanager", "create-secret",
        "--name", "ecr-pullthroughcache/cli-github",
        "--secret-string", SECRET_VALUE,
    )  # fmt: skip
    return str(created["ARN"])


def test_rule_lifecycle(cli: Cli, secret_arn: str) -> None:
    created = cli(
        "ecr", "create-pull-through-cache-rule",
        "--ecr-repository-prefix", "cli-github",
        "--upstream-registry-url", "ghcr.io",
        "--credential-arn", secret_arn,
        "--upstream-repository-prefix", "octo-org",
    )  # fmt: skip
    assert created["ecrRepositoryPrefix"] == "cli-github"
    assert created["upstreamRegistry"] == "github-container-registry"
    assert created["registryId"] == ACCOUNT
    assert isinstance(created["createdAt"], int | float)

    described = cli(
        "ecr", "describe-pull-through-cache-rules", "--ecr-repository-prefixes", "cli-github"
    )["pullThroughCacheRules"]
    assert [(r["ecrRepositoryPrefix"], r["credentialArn"]) for r in described] == [
        ("cli-github", secret_arn)
    ]

    validated = cli(
        "ecr", "validate-pull-through-cache-rule", "--ecr-repository-prefix", "cli-github"
    )
    assert validated["isValid"] is True

    second = cli(
        "secretsmanager", "create-secret",
        "--name", "ecr-pullthroughcache/cli-github-2", "--secret-string", '{"username": "u"}',
    )["ARN"]  # fmt: skip
    updated = cli(
        "ecr", "update-pull-through-cache-rule",
        "--ecr-repository-prefix", "cli-github", "--credential-arn", second,
    )  # fmt: skip
    assert updated["credentialArn"] == second
    assert "updatedAt" in updated
    revalidated = cli(
        "ecr", "validate-pull-through-cache-rule", "--ecr-repository-prefix", "cli-github"
    )
    assert revalidated["isValid"] is False
    assert "accessToken" in revalidated["failure"]

    deleted = cli("ecr", "delete-pull-through-cache-rule", "--ecr-repository-prefix", "cli-github")
    assert deleted["upstreamRegistryUrl"] == "ghcr.io"
    assert deleted["upstreamRepositoryPrefix"] == "octo-org"


def test_paginated_describe_through_the_cli(cli: Cli) -> None:
    prefixes = [f"cli-page-{i}" for i in range(5)]
    for prefix in prefixes:
        cli("ecr", "create-pull-through-cache-rule", "--ecr-repository-prefix", prefix,
            "--upstream-registry-url", "quay.io", region="ca-central-1")  # fmt: skip
    # The CLI follows nextToken itself; --page-size 2 makes it take three pages.
    listed = cli(
        "ecr", "describe-pull-through-cache-rules", "--page-size", "2", region="ca-central-1"
    )
    assert [r["ecrRepositoryPrefix"] for r in listed["pullThroughCacheRules"]] == prefixes


def test_template_lifecycle(cli: Cli, tmp_path: Path) -> None:
    lifecycle = tmp_path / "lifecycle.json"
    lifecycle.write_text(json.dumps({"rules": [{
        "rulePriority": 1, "action": {"type": "expire"},
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 3},
    }]}))  # fmt: skip
    created = cli(
        "ecr", "create-repository-creation-template",
        "--prefix", "cli-team",
        "--applied-for", "PULL_THROUGH_CACHE", "CREATE_ON_PUSH",
        "--description", "made by the aws CLI",
        "--lifecycle-policy", f"file://{lifecycle}",
        "--resource-tags", "Key=team,Value=cli",
        "--custom-role-arn", f"arn:aws:iam::{ACCOUNT}:role/ecr-template",
    )  # fmt: skip
    template = created["repositoryCreationTemplate"]
    assert created["registryId"] == ACCOUNT
    assert template["imageTagMutability"] == "MUTABLE"
    assert template["encryptionConfiguration"] == {"encryptionType": "AES256"}
    assert template["resourceTags"] == [{"Key": "team", "Value": "cli"}]

    described = cli("ecr", "describe-repository-creation-templates", "--prefixes", "cli-team")
    assert described["repositoryCreationTemplates"][0]["description"] == "made by the aws CLI"

    updated = cli(
        "ecr", "update-repository-creation-template",
        "--prefix", "cli-team", "--description", "updated", "--image-tag-mutability", "IMMUTABLE",
    )["repositoryCreationTemplate"]  # fmt: skip
    assert (updated["description"], updated["imageTagMutability"]) == ("updated", "IMMUTABLE")

    deleted = cli("ecr", "delete-repository-creation-template", "--prefix", "cli-team")
    assert deleted["repositoryCreationTemplate"]["prefix"] == "cli-team"
    assert cli("ecr", "delete-repository-creation-template", "--prefix", "cli-team") == (
        "TemplateNotFoundException"
    )


def test_error_codes(cli: Cli, secret_arn: str) -> None:
    create = ("ecr", "create-pull-through-cache-rule", "--ecr-repository-prefix")
    cli(*create, "cli-errors", "--upstream-registry-url", "public.ecr.aws")
    other_region_secret = secret_arn.replace("us-east-1", "eu-west-1")
    cases = {
        "PullThroughCacheRuleAlreadyExistsException":
            [*create, "cli-errors", "--upstream-registry-url", "quay.io"],
        "PullThroughCacheRuleNotFoundException":
            ["ecr", "delete-pull-through-cache-rule", "--ecr-repository-prefix", "cli-nope"],
        "UnsupportedUpstreamRegistryException":
            [*create, "cli-hub", "--upstream-registry-url", "registry-1.docker.io"],
        "SecretNotFoundException":
            [*create, "cli-hub", "--upstream-registry-url", "registry-1.docker.io",
             "--credential-arn", secret_arn + "-gone"],
        "UnableToAccessSecretException":
            [*create, "cli-hub", "--upstream-registry-url", "registry-1.docker.io",
             "--credential-arn", other_region_secret],
        "ValidationException": [*create, "x" * 31, "--upstream-registry-url", "quay.io"],
        "InvalidParameterException":
            [*create, "ROOT", "--upstream-registry-url", "quay.io",
             "--upstream-repository-prefix", "coreos"],
        "TemplateNotFoundException":
            ["ecr", "update-repository-creation-template", "--prefix", "cli-nope"],
    }  # fmt: skip
    assert {code: cli(*args) for code, args in cases.items()} == {code: code for code in cases}
    assert cli(
        "ecr", "update-pull-through-cache-rule", "--ecr-repository-prefix", "cli-errors"
    ) == ("InvalidParameterException")
    cli("ecr", "create-repository-creation-template", "--prefix", "cli-dup",
        "--applied-for", "REPLICATION")  # fmt: skip
    assert cli("ecr", "create-repository-creation-template", "--prefix", "cli-dup",
               "--applied-for", "REPLICATION") == "TemplateAlreadyExistsException"  # fmt: skip


def test_limit_exceeded(cli: Cli, sandbox_server: Any) -> None:
    # 50 rules through boto3 (fast), the 51st through the CLI; in a Region of its own.
    region = "ap-southeast-2"
    ecr = sandbox_server.info(region).client("ecr")
    for index in range(catalog.MAX_RULES_PER_REGION):
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix=f"cli-limit-{index}", upstreamRegistryUrl="quay.io"
        )
    code = cli("ecr", "create-pull-through-cache-rule", "--ecr-repository-prefix", "cli-limit-x",
               "--upstream-registry-url", "quay.io", region=region)  # fmt: skip
    assert code == "LimitExceededException"

"""Terraform's AWS provider (5.100.0, from the local mirror) against `ptc sandbox serve`.

Apply, then an empty plan; then one plan with changes Terraform makes in place and changes it
can only make by replacing resources, applied, then an empty plan again: the provider reads
back exactly what it wrote, through the sandbox's Describe operations. Loading the provider
takes seconds per command, so the steps are as few as that proof needs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ptc.sandbox.embedded import dummy_environment

MIRROR = Path("/opt/tf-plugins")
PROVIDER = MIRROR / "registry.terraform.io/hashicorp/aws/5.100.0"
TERRAFORM = shutil.which("terraform")
TIMEOUT = 300
ACCOUNT = "123456789012"

pytestmark = [
    pytest.mark.external,
    pytest.mark.skipif(TERRAFORM is None, reason="terraform is not on PATH"),
    pytest.mark.skipif(
        not PROVIDER.is_dir(), reason=f"provider hashicorp/aws 5.100.0 is not mirrored in {MIRROR}"
    ),
]

CONFIG = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" { type = string }
variable "use_second_secret" { type = bool }
variable "upstream_prefix" { type = string }
variable "template_description" { type = string }
variable "other_template_prefix" { type = string }

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
  endpoints {
    ecr            = var.endpoint
    secretsmanager = var.endpoint
    sts            = var.endpoint
    iam            = var.endpoint
  }
}

resource "aws_secretsmanager_secret" "hub" {
  for_each                = toset(["first", "second"])
  name                    = "ecr-pullthroughcache/tf-docker-hub-${each.key}"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "hub" {
  for_each      = aws_secretsmanager_secret.hub
  secret_id     = each.value.id
  secret_string = jsonencode({ username = "tf", accessToken = "dckr_pat_${each.key}" })
}

resource "aws_ecr_pull_through_cache_rule" "public" {
  ecr_repository_prefix = "tf-ecr-public"
  upstream_registry_url = "public.ecr.aws"
}

resource "aws_ecr_pull_through_cache_rule" "hub" {
  ecr_repository_prefix = "tf-docker-hub"
  upstream_registry_url = "registry-1.docker.io"
  credential_arn = (var.use_second_secret ? aws_secretsmanager_secret.hub["second"].arn
                    : aws_secretsmanager_secret.hub["first"].arn)
  depends_on = [aws_secretsmanager_secret_version.hub]
}

resource "aws_ecr_pull_through_cache_rule" "shared" {
  ecr_repository_prefix      = "tf-shared"
  upstream_registry_url      = "210987654321.dkr.ecr.eu-west-1.amazonaws.com"
  custom_role_arn            = "arn:aws:iam::123456789012:role/ecr-pull-through-cache"
  upstream_repository_prefix = var.upstream_prefix
}

resource "aws_ecr_repository_creation_template" "team" {
  prefix               = "tf-team"
  description          = var.template_description
  applied_for          = ["PULL_THROUGH_CACHE", "REPLICATION"]  # 5.100 lacks CREATE_ON_PUSH
  image_tag_mutability = "MUTABLE"
}

resource "aws_ecr_repository_creation_template" "other" {
  prefix      = var.other_template_prefix
  applied_for = ["REPLICATION"]
  lifecycle_policy = jsonencode({ rules = [{
    rulePriority = 1
    selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 10 }
    action       = { type = "expire" }
  }] })
}
"""

Variables = dict[str, str]
FIRST: Variables = {
    "use_second_secret": "false",
    "upstream_prefix": "base-images",
    "template_description": "first",
    "other_template_prefix": "tf-other",
}
CHANGED: Variables = {
    "use_second_secret": "true",  # credential_arn: updated in place
    "upstream_prefix": "golden-images",  # upstream_repository_prefix: replaced
    "template_description": "second",  # description: updated in place
    "other_template_prefix": "tf-other-b",  # prefix: replaced
}


class Terraform:
    """Runs terraform in one working directory against the sandbox server."""

    def __init__(self, workdir: Path, endpoint: str) -> None:
        self.workdir = workdir
        self.endpoint = endpoint
        cli_config = workdir / "terraform.rc"
        cli_config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n'
        )
        self.env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1"}
        self.env.pop("TF_PLUGIN_CACHE_DIR", None)
        for name, value in dummy_environment("us-east-1").items():
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        assert TERRAFORM is not None
        done = subprocess.run(
            [TERRAFORM, *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode in ok, f"terraform {args[0]}: {done.stdout}\n{done.stderr}"
        return done

    def _vars(self, variables: Variables) -> list[str]:
        values = {"endpoint": self.endpoint, **variables}
        return [f"-var={name}={value}" for name, value in values.items()]

    def apply(self, variables: Variables) -> None:
        self.run("apply", "-input=false", "-auto-approve", "-no-color", *self._vars(variables))

    def apply_saved_plan(self) -> None:
        self.run("apply", "-input=false", "-no-color", "tfplan")

    def plan_exit_code(self, variables: Variables) -> int:
        done = self.run(
            "plan", "-input=false", "-detailed-exitcode", "-no-color", *self._vars(variables),
            ok=(0, 2),
        )  # fmt: skip
        return done.returncode

    def plan_actions(self, variables: Variables) -> dict[str, str]:
        """Plan into ./tfplan and return {resource address: action} for each change."""
        done = self.run("plan", "-input=false", "-json", "-out=tfplan", *self._vars(variables))
        events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        return {
            event["change"]["resource"]["addr"]: event["change"]["action"]
            for event in events
            if event.get("type") == "planned_change"
        }


@pytest.fixture(scope="module")
def terraform(sandbox_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    workdir = tmp_path_factory.mktemp("terraform")
    (workdir / "main.tf").write_text(CONFIG)
    tf = Terraform(workdir, sandbox_server.url)
    tf.run("init", "-input=false", "-no-color")
    return tf


def test_apply_plan_update_in_place_and_replace(terraform: Terraform, sandbox_server: Any) -> None:
    terraform.apply(FIRST)
    assert terraform.plan_exit_code(FIRST) == 0

    ecr = sandbox_server.info().client("ecr")
    rules = {
        rule["ecrRepositoryPrefix"]: rule
        for rule in ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    }
    assert (
        rules["tf-docker-hub"]["credentialArn"]
        .split(":secret:")[1]
        .startswith("ecr-pullthroughcache/tf-docker-hub-first-")
    )
    assert "upstreamRepositoryPrefix" not in rules["tf-ecr-public"]
    assert rules["tf-shared"]["upstreamRepositoryPrefix"] == "base-images"
    assert ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="tf-docker-hub")["isValid"]

    assert terraform.plan_actions(CHANGED) == {
        "aws_ecr_pull_through_cache_rule.hub": "update",
        "aws_ecr_repository_creation_template.team": "update",
        "aws_ecr_pull_through_cache_rule.shared": "replace",
        "aws_ecr_repository_creation_template.other": "replace",
    }
    terraform.apply_saved_plan()
    assert terraform.plan_exit_code(CHANGED) == 0

    [hub] = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["tf-docker-hub"])[
        "pullThroughCacheRules"
    ]
    assert "tf-docker-hub-second-" in hub["credentialArn"]
    [shared] = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["tf-shared"])[
        "pullThroughCacheRules"
    ]
    assert shared["upstreamRepositoryPrefix"] == "golden-images"
    templates = ecr.describe_repository_creation_templates()["repositoryCreationTemplates"]
    # The session's server is shared with other modules: look only at this module's templates.
    assert {t["prefix"]: t.get("description") for t in templates if t["prefix"][:3] == "tf-"} == {
        "tf-other-b": None,
        "tf-team": "second",
    }

"""Terraform's AWS provider (5.100.0, from the local mirror) against `ptc sandbox serve`.

Apply, then an empty plan; then one plan with changes Terraform makes in place and changes it
can only make by replacing resources, applied, then an empty plan again: the provider reads
back exactly what it wrote, through the sandbox's Describe operations. Loading the provider
takes seconds per command, so the steps are as few as that proof needs.
"""

from __future__ import annotations

from typing import Any

import pytest

from .terraform_harness import HEADER, REQUIRES_TERRAFORM, Terraform, Variables, provider

ACCOUNT = "123456789012"

pytestmark = REQUIRES_TERRAFORM

CONFIG = (
    HEADER
    + """
variable "use_second_secret" { type = bool }
variable "upstream_prefix" { type = string }
variable "template_description" { type = string }
variable "other_template_prefix" { type = string }
"""
    + provider()
    + """
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
)

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


@pytest.fixture(scope="module")
def terraform(sandbox_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    workdir = tmp_path_factory.mktemp("terraform")
    return Terraform.initialised(workdir, CONFIG, sandbox_server.url)


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

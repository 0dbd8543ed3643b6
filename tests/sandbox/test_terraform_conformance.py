"""The Terraform provider's own acceptance-test configurations, against `ptc sandbox serve`.

The shapes of hashicorp/terraform-provider-aws's acceptance tests for
aws_ecr_pull_through_cache_rule and aws_ecr_repository_creation_template
(internal/service/ecr/*_test.go) that need no real AWS, combined into one configuration so
that Terraform runs few times: apply, plan (empty), update, plan (empty), destroy. Each
resource names the test it comes from. Provider 5.100.0 (the mirrored one) predates
image_tag_mutability_exclusion_filter, so mutabilityWithExclusion keeps its point: tags in
the config, then an update of another attribute only, then an empty plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .terraform_harness import HEADER, REQUIRES_TERRAFORM, Terraform, Variables, provider

pytestmark = REQUIRES_TERRAFORM

ACCOUNT = "123456789012"
CONFIG = (
    HEADER
    + """
variable "updated" { type = bool }
"""
    + provider()
    + """
# -- aws_ecr_pull_through_cache_rule -------------------------------------------------------

# TestAccECRPullThroughCacheRule_basic
resource "aws_ecr_pull_through_cache_rule" "basic" {
  ecr_repository_prefix = "tfc-basic"
  upstream_registry_url = "public.ecr.aws"
}

# TestAccECRPullThroughCacheRule_credentialARN (the secret's value is not JSON there either)
resource "aws_secretsmanager_secret" "credential" {
  name                    = "ecr-pullthroughcache/tfc-credential"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "credential" {
  secret_id     = aws_secretsmanager_secret.credential.id
  secret_string = "test"
}

resource "aws_ecr_pull_through_cache_rule" "credential" {
  ecr_repository_prefix = "tfc-credential"
  upstream_registry_url = "registry-1.docker.io"
  credential_arn        = aws_secretsmanager_secret.credential.arn
  depends_on            = [aws_secretsmanager_secret_version.credential]
}

# TestAccECRPullThroughCacheRule_repositoryPrefixWithSlash
resource "aws_ecr_pull_through_cache_rule" "with_slash" {
  ecr_repository_prefix = "tfc/abcdefghijklmnopqrstuvwxyz"
  upstream_registry_url = "public.ecr.aws"
}

# The provider's regex allows a trailing slash (issue 11, item 12).
resource "aws_ecr_pull_through_cache_rule" "trailing_slash" {
  ecr_repository_prefix = "tfc-team/"
  upstream_registry_url = "quay.io"
}

# TestAccECRPullThroughCacheRule_privateRepositorySelfAccount
resource "aws_ecr_pull_through_cache_rule" "self_account" {
  ecr_repository_prefix      = "tfc-self"
  upstream_repository_prefix = "ROOT"
  upstream_registry_url      = "123456789012.dkr.ecr.us-west-2.amazonaws.com"
}

# TestAccECRPullThroughCacheRule_privateRepositoryCrossAccount(+Updated): the role changes
# in place.
resource "aws_ecr_pull_through_cache_rule" "cross_account" {
  ecr_repository_prefix      = "tfc-cross"
  upstream_repository_prefix = "ROOT"
  upstream_registry_url      = "210987654321.dkr.ecr.us-east-1.amazonaws.com"
  custom_role_arn = (var.updated ? "arn:aws:iam::123456789012:role/tfc-updated"
                     : "arn:aws:iam::123456789012:role/tfc")
}

# -- aws_ecr_repository_creation_template --------------------------------------------------

# TestAccECRRepositoryCreationTemplate_basic: resource tags and no custom role
resource "aws_ecr_repository_creation_template" "basic" {
  prefix      = "tfc-basic"
  applied_for = ["PULL_THROUGH_CACHE", "REPLICATION"]
  resource_tags = {
    Foo = "Bar"
  }
}

# TestAccECRRepositoryCreationTemplate_ignoreEquivalentLifecycle: the update reorders the
# rules and the tag prefixes only, which the provider must see as no change.
locals {
  untagged = {
    rulePriority = 1
    description  = "Expire images older than 14 days"
    selection = {
      tagStatus   = "untagged"
      countType   = "sinceImagePushed"
      countUnit   = "days"
      countNumber = 14
    }
    action = { type = "expire" }
  }
  tagged = {
    rulePriority = 2
    description  = "Expire tagged images older than 14 days"
    selection = {
      tagStatus     = "tagged"
      tagPrefixList = var.updated ? ["third", "second", "first"] : ["first", "second", "third"]
      countType     = "sinceImagePushed"
      countUnit     = "days"
      countNumber   = 14
    }
    action = { type = "expire" }
  }
}

resource "aws_ecr_repository_creation_template" "lifecycle" {
  prefix           = "tfc-lifecycle"
  applied_for      = ["PULL_THROUGH_CACHE"]
  lifecycle_policy = (var.updated ? jsonencode({ rules = [local.tagged, local.untagged] })
                      : jsonencode({ rules = [local.untagged, local.tagged] }))
}

# TestAccECRRepositoryCreationTemplate_repository (Initial, then Updated)
resource "aws_ecr_repository_creation_template" "repository" {
  prefix      = "tfc-repository"
  applied_for = ["REPLICATION"]
  repository_policy = var.updated ? jsonencode({
    Version = "2008-10-17"
    Statement = [{
      Sid       = "tfc-repository"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:ListImages", "ecr:DescribeImages"]
    }]
    }) : jsonencode({
    Version = "2008-10-17"
    Statement = [{
      Sid       = "tfc-repository"
      Effect    = "Allow"
      Principal = "*"
      Action    = "ecr:ListImages"
    }]
  })
}

# TestAccECRRepositoryCreationTemplate_root
resource "aws_ecr_repository_creation_template" "root" {
  prefix      = "ROOT"
  applied_for = ["PULL_THROUGH_CACHE"]
}

# TestAccECRRepositoryCreationTemplate_mutabilityWithExclusion, as 5.100 can write it:
# resource tags in the config, then an update of another attribute only.
resource "aws_ecr_repository_creation_template" "mutability" {
  prefix               = "tfc-mutability"
  applied_for          = ["PULL_THROUGH_CACHE", "REPLICATION"]
  image_tag_mutability = var.updated ? "IMMUTABLE" : "MUTABLE"
  description          = "kept"
  resource_tags = {
    Foo = "Bar"
  }
}
"""
)

FIRST: Variables = {"updated": "false"}
UPDATED: Variables = {"updated": "true"}
IN_PLACE = {
    "aws_ecr_pull_through_cache_rule.cross_account": "update",
    "aws_ecr_repository_creation_template.repository": "update",
    "aws_ecr_repository_creation_template.mutability": "update",
}


@pytest.fixture(scope="module")
def terraform(sandbox_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    workdir: Path = tmp_path_factory.mktemp("terraform-conformance")
    return Terraform.initialised(workdir, CONFIG, sandbox_server.url)


def _ours(ecr: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    rules = {
        r["ecrRepositoryPrefix"]: r
        for r in ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
        if r["ecrRepositoryPrefix"].startswith("tfc")
    }
    templates = {
        t["prefix"]: t
        for t in ecr.describe_repository_creation_templates()["repositoryCreationTemplates"]
        if t["prefix"].startswith("tfc") or t["prefix"] == "ROOT"
    }
    return rules, templates


def test_the_providers_acceptance_shapes_apply_update_and_destroy_with_empty_plans(
    terraform: Terraform, sandbox_server: Any
) -> None:
    ecr = sandbox_server.info().client("ecr")
    terraform.apply(FIRST)
    assert terraform.plan_exit_code(FIRST) == 0  # step 1: empty plan after create
    rules, templates = _ours(ecr)
    assert sorted(rules) == [
        "tfc-basic", "tfc-credential", "tfc-cross", "tfc-self", "tfc-team/",
        "tfc/abcdefghijklmnopqrstuvwxyz",
    ]  # fmt: skip
    assert templates["tfc-basic"]["resourceTags"] == [{"Key": "Foo", "Value": "Bar"}]
    assert "customRoleArn" not in templates["tfc-basic"]

    assert terraform.plan_actions(UPDATED) == IN_PLACE  # the lifecycle reorder is no change
    terraform.apply_saved_plan()
    assert terraform.plan_exit_code(UPDATED) == 0  # step 2: empty plan after update
    rules, templates = _ours(ecr)
    assert rules["tfc-cross"]["customRoleArn"].endswith(":role/tfc-updated")
    mutability = templates["tfc-mutability"]
    assert mutability["imageTagMutability"] == "IMMUTABLE"
    # The provider sent only the mutability: what it did not send is kept.
    assert mutability["resourceTags"] == [{"Key": "Foo", "Value": "Bar"}]
    assert mutability["description"] == "kept"

    terraform.destroy(UPDATED)
    assert _ours(ecr) == ({}, {})

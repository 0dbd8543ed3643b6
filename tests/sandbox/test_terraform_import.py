"""The migration walkthrough, end to end: Terraform 1.11 and the AWS provider (5.100.0, from
the local mirror) against `ptc sandbox serve`, then `ptc import-terraform`.

Terraform creates, in two regions (a provider alias), a secret with a version, a rule with
credentials, a rule without, a template with a lifecycle policy in both regions, for_each
templates, and a registry policy. Then: show -json of a saved plan -> import-terraform ->
validate is clean -> ptc plan says No changes -> the resource blocks are replaced by the
removed blocks -> Terraform's plan destroys nothing -> apply -> everything still exists, and
ptc still plans no changes. The secret's value (a canary) appears in nothing ptc wrote or
printed. Each Terraform command loads the provider, which takes seconds: the steps are as few
as that proof needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from ptc.cli import app
from ptc.sandbox.embedded import dummy_environment

from .terraform_harness import HEADER, REQUIRES_TERRAFORM, Terraform, provider

CANARY = "dckr_pat_CANARY_4f1d9e"  # the secret's value: must never leave Secrets Manager
SECRET = "ecr-pullthroughcache/tfi-hub"
VARIABLES = {"TFI_HUB_USERNAME": "tf-user", "TFI_HUB_ACCESS_TOKEN": CANARY}

pytestmark = REQUIRES_TERRAFORM


PROVIDERS = HEADER + provider("us-east-1") + provider("eu-west-1", alias="west")

RESOURCES = f"""
resource "aws_secretsmanager_secret" "hub" {{
  name                    = "{SECRET}"
  recovery_window_in_days = 0
}}

resource "aws_secretsmanager_secret_version" "hub" {{
  secret_id     = aws_secretsmanager_secret.hub.id
  secret_string = jsonencode({{ username = "tf-user", accessToken = "{CANARY}" }})
}}

resource "aws_ecr_pull_through_cache_rule" "hub" {{
  ecr_repository_prefix = "tfi-hub"
  upstream_registry_url = "registry-1.docker.io"
  credential_arn        = aws_secretsmanager_secret.hub.arn
  depends_on            = [aws_secretsmanager_secret_version.hub]
}}

resource "aws_ecr_pull_through_cache_rule" "public" {{
  provider              = aws.west
  ecr_repository_prefix = "tfi-public"
  upstream_registry_url = "public.ecr.aws"
}}

resource "aws_ecr_repository_creation_template" "cache" {{
  prefix           = "ROOT"
  applied_for      = ["PULL_THROUGH_CACHE"]
  lifecycle_policy = local.keep_ten
}}

resource "aws_ecr_repository_creation_template" "cache_west" {{
  provider         = aws.west
  prefix           = "ROOT"
  applied_for      = ["PULL_THROUGH_CACHE"]
  lifecycle_policy = local.keep_ten
}}

resource "aws_ecr_repository_creation_template" "team" {{
  for_each    = toset(["a", "b"])
  prefix      = "tfi-team-${{each.key}}"
  applied_for = ["REPLICATION"]
  description = "team ${{each.key}}"
}}

locals {{
  keep_ten = jsonencode({{ rules = [{{
    rulePriority = 1
    selection    = {{ tagStatus = "any", countType = "imageCountMoreThan", countNumber = 10 }}
    action       = {{ type = "expire" }}
  }}] }})
}}

resource "aws_ecr_registry_policy" "main" {{
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Sid       = "TfiPullThroughCache"
      Effect    = "Allow"
      Principal = {{ AWS = "arn:aws:iam::123456789012:role/ci" }}
      Action    = ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"]
      Resource  = "arn:aws:ecr:us-east-1:123456789012:repository/tfi-hub/*"
    }}]
  }})
}}
"""


def ptc(endpoint: str, *args: Any) -> Result:
    env = {
        **dummy_environment("us-east-1"),
        "AWS_ENDPOINT_URL": endpoint,
        "COLUMNS": "200",
        **VARIABLES,
    }
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def test_walkthrough_hands_everything_to_ptc_and_destroys_nothing(
    sandbox_server: Any, tmp_path: Path
) -> None:
    endpoint = sandbox_server.url
    tf = Terraform(tmp_path, endpoint)
    (tmp_path / "main.tf").write_text(PROVIDERS + RESOURCES)
    tf.run("init", "-input=false")
    tf.run("apply", "-input=false", "-auto-approve")

    # 1. The JSON of a saved plan: its configuration says which region each provider uses.
    tf.run("plan", "-input=false", "-out=tfplan")
    (tmp_path / "plan.json").write_text(tf.run("show", "-json", "tfplan").stdout)
    imported, removed = tmp_path / "ptc.yaml", tmp_path / "removed.tf"
    done = ptc(endpoint, "import-terraform", tmp_path / "plan.json", "-o", imported,
               "--removed-blocks", removed)  # fmt: skip
    printed = [done.stdout, done.stderr]
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[:2] == [
        f"Wrote {imported}: 2 rules, 1 secrets, 3 templates, 1 permissions in 2 regions.",
        f"Wrote {removed}: 8 removed blocks.",
    ]
    assert f"  {SECRET}: TFI_HUB_USERNAME, TFI_HUB_ACCESS_TOKEN" in done.stdout
    document = _yaml(imported)
    assert document["regions"] == ["eu-west-1", "us-east-1"]
    assert {r["prefix"]: r.get("regions") for r in document["rules"]} == {
        "tfi-hub": ["us-east-1"],
        "tfi-public": ["eu-west-1"],
    }
    # The same template in both regions is one item, without `regions:`.
    assert {t["prefix"]: t.get("regions") for t in document["templates"]} == {
        "ROOT": None,
        "tfi-team-a": ["us-east-1"],
        "tfi-team-b": ["us-east-1"],
    }
    assert document["secrets"] == [
        {
            "name": SECRET,
            "username": {"env": "TFI_HUB_USERNAME"},
            "access_token": {"env": "TFI_HUB_ACCESS_TOKEN"},
            "regions": ["us-east-1"],
        }
    ]

    # 2. The file validates and plans clean against what Terraform made.
    validated = ptc(endpoint, "validate", imported)
    printed += [validated.stdout, validated.stderr]
    assert validated.exit_code == 0, validated.output
    assert validated.stdout == f"{imported}: 0 errors, 0 warnings\n"
    planned = ptc(endpoint, "plan", "--detailed-exitcode", imported)
    printed += [planned.stdout, planned.stderr]
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.stdout

    # 3. Terraform hands over: the resource blocks go, the removed blocks come.
    (tmp_path / "main.tf").write_text(PROVIDERS)
    events = tf.run("plan", "-input=false", "-json", "-out=handover").stdout
    actions = _planned_actions(events)
    assert set(actions.values()) == {"remove"}, actions
    assert len(actions) == 9  # every instance, the two templates of the for_each included
    tf.run("apply", "-input=false", "handover")

    # 4. Everything still exists, and ptc owns it.
    ecr_east = sandbox_server.info().client("ecr")
    ecr_west = sandbox_server.info("eu-west-1").client("ecr")
    assert _rule_prefixes(ecr_east) >= {"tfi-hub"}
    assert _rule_prefixes(ecr_west) >= {"tfi-public"}
    assert "TfiPullThroughCache" in ecr_east.get_registry_policy()["policyText"]
    secrets = sandbox_server.info().client("secretsmanager")
    assert secrets.describe_secret(SecretId=SECRET)["Name"] == SECRET
    # Clean with --detailed-exitcode: every rule, template, secret and statement is still there.
    replanned = ptc(endpoint, "plan", "--detailed-exitcode", imported)
    printed += [replanned.stdout, replanned.stderr]
    assert replanned.exit_code == 0, replanned.output

    # 5. The value never left Secrets Manager through ptc (Terraform's own files hold it).
    for text in [imported.read_text(), removed.read_text(), *printed]:
        assert CANARY not in text


def _yaml(path: Path) -> Any:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _planned_actions(events: str) -> dict[str, str]:
    changes = [json.loads(line) for line in events.splitlines() if line.startswith("{")]
    return {
        event["change"]["resource"]["addr"]: event["change"]["action"]
        for event in changes
        if event.get("type") == "planned_change"
    }


def _rule_prefixes(ecr: Any) -> set[str]:
    rules = ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    return {rule["ecrRepositoryPrefix"] for rule in rules}

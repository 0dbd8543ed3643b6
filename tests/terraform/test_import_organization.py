"""`ptc import-terraform` takes over organisation-wide registry-policy statements.

A Terraform registry policy whose statements admit an organisation (`Principal: "*"` with
aws:PrincipalOrgID / aws:PrincipalOrgPaths) fits `permissions:`; with any other condition it
stays with Terraform, whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner, Result

from ptc.cli import app
from tests.terraform.showjson import ptc_statement, registry_policy, rule, state

ORG = "o-a1b2c3d4e5"
OU = f"{ORG}/r-ab12/ou-ab12-11111111/*"


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result


def organisation_statement(**condition: Any) -> dict[str, Any]:
    return {**ptc_statement("Organization", "quay"), "Principal": "*", "Condition": condition}


def imported(tmp_path: Path, statement: dict[str, Any]) -> tuple[Result, dict[str, Any], str]:
    shown = tmp_path / "show.json"
    shown.write_text(json.dumps(state([
        rule("aws_ecr_pull_through_cache_rule.quay", "quay", "quay.io", region="us-east-1"),
        registry_policy("aws_ecr_registry_policy.main", [statement], region="us-east-1"),
    ])), encoding="utf-8")  # fmt: skip
    out, removed = tmp_path / "ptc.yaml", tmp_path / "removed.tf"
    result = run("import-terraform", shown, "-o", out, "--removed-blocks", removed)
    assert result.exit_code == 0, result.output
    return result, yaml.safe_load(out.read_text(encoding="utf-8")), removed.read_text("utf-8")


def test_an_organisation_wide_statement_becomes_a_permissions_entry(tmp_path: Path) -> None:
    statement = organisation_statement(
        StringEquals={"aws:PrincipalOrgID": ORG},
        **{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [OU]}},
    )

    _, document, removed = imported(tmp_path, statement)

    assert document["permissions"] == [
        {
            "sid": "Organization",
            "organization": ORG,
            "organization_paths": [OU],
            "prefixes": ["quay"],
        }
    ]
    assert "aws_ecr_registry_policy.main" in removed
    assert run("validate", tmp_path / "ptc.yaml").exit_code == 0


def test_a_statement_with_another_condition_stays_with_terraform(tmp_path: Path) -> None:
    statement = organisation_statement(
        StringEquals={"aws:PrincipalOrgID": ORG, "aws:SourceVpc": "vpc-1"}
    )

    result, document, removed = imported(tmp_path, statement)

    assert "permissions" not in document
    assert "aws_ecr_registry_policy.main" not in removed
    assert (
        "aws_ecr_registry_policy.main: statement Organization: it has elements a permissions "
        "entry cannot say (a Condition other than aws:PrincipalOrgID/aws:PrincipalOrgPaths, "
        "NotAction, ...)."
    ) in result.stdout

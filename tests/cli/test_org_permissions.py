"""Organisation-wide permissions as a user runs them, against the embedded sandbox:
validate, apply, plan (clean after apply, the condition in its JSON), export.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ptc.sandbox.embedded import running
from tests.support import ACCOUNT, run

ORG = "o-a1b2c3d4e5"
OU = f"{ORG}/r-ab12/ou-ab12-11111111/*"
FILE = f"""\
version: 1
account: "{ACCOUNT}"
regions: [us-east-1, eu-west-1]
rules:
  - prefix: docker-hub
    upstream: public.ecr.aws
permissions:
  - sid: PullThroughCacheForTheOrganization
    organization: {ORG}
    prefixes: [docker-hub]
  - sid: PullThroughCacheForBuildOus
    organization_paths: ["{OU}"]
    prefixes: ["*"]
    regions: [eu-west-1]
"""
NO_CHANGES = "No changes. The live state matches the file."


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_apply_then_plan_is_clean_and_export_gives_the_entries_back(
    rules: Path, sandbox: list[str], tmp_path: Path
) -> None:
    assert run("validate", rules).exit_code == 0
    applied = run("apply", *sandbox, "--auto-approve", rules)
    assert applied.exit_code == 0, applied.output
    assert "Plan: 5 to add, 0 to change, 0 to replace, 0 to destroy." in applied.stdout

    planned = run("plan", *sandbox, "--detailed-exitcode", rules)
    exported = run("export", *sandbox, "-r", "us-east-1", "-r", "eu-west-1")

    assert (planned.exit_code, planned.stdout.splitlines()[-1]) == (0, NO_CHANGES)
    assert exported.exit_code == 0, exported.output
    assert yaml.safe_load(exported.stdout)["permissions"] == [
        {
            "sid": "PullThroughCacheForTheOrganization",
            "organization": ORG,
            "prefixes": ["docker-hub"],
        },
        {
            "sid": "PullThroughCacheForBuildOus",
            "organization_paths": [OU],
            "prefixes": ["*"],
            "regions": ["eu-west-1"],
        },
    ]
    with running(Path(sandbox[-1])) as aws:
        text = aws.session("eu-west-1").client("ecr").get_registry_policy()
    written = json.loads(text["policyText"])["Statement"]
    assert [(s["Principal"], s["Condition"]) for s in written] == [
        ("*", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": OU}}),
        ("*", {"StringEquals": {"aws:PrincipalOrgID": ORG}}),
    ]


def test_the_json_plan_shows_the_condition_of_a_star_principal(
    rules: Path, sandbox: list[str]
) -> None:
    result = run("plan", *sandbox, "--format", "json", "--region", "us-east-1", rules)

    data = json.loads(result.stdout)
    [after] = [c["after"] for c in data["changes"] if c["kind"] == "statement"]
    condition: dict[str, Any] = json.loads(after["other"])
    assert (after["principals"], condition) == (
        ["*"],
        {"Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}},
    )


def test_the_plan_shows_who_the_star_is(rules: Path, sandbox: list[str]) -> None:
    result = run("plan", *sandbox, "--region", "us-east-1", rules)

    assert (
        '      + principals = ["*"]\n'
        '      + actions = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]\n'
        f'      + resources = ["arn:aws:ecr:us-east-1:{ACCOUNT}:repository/docker-hub/*"]\n'
        f'      + other = {{"Condition":{{"StringEquals":{{"aws:PrincipalOrgID":"{ORG}"}}}}}}\n'
    ) in result.stdout


def test_validate_points_at_a_bad_organisation_and_plan_refuses_the_file(
    tmp_path: Path, sandbox: list[str]
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE.replace(f"organization: {ORG}", "organization: o-nope"), encoding="utf-8")

    validated = run("validate", path)
    planned = run("plan", *sandbox, path)

    assert validated.exit_code == 1
    assert validated.stdout.splitlines()[0] == (
        f"{path}:9:19: PTC511 error: 'o-nope' is not an organization ID "
        "(o- and 10 to 32 lower-case letters or digits)"
    )
    assert planned.exit_code == 1
    assert "PTC511" in planned.output and "Traceback" not in planned.output


def test_a_saved_plan_keeps_the_organisation_and_apply_verifies_it(
    rules: Path, sandbox: list[str], tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    assert run("plan", *sandbox, "--out", saved, rules).exit_code == 0

    applied = run("apply", *sandbox, "--auto-approve", "--plan", saved)

    assert applied.exit_code == 0, applied.output
    assert "Verified: a fresh read of the live state matches the file." in applied.stdout
    desired = json.loads(saved.read_text(encoding="utf-8"))["desired"]["permissions"]
    assert [(p["sid"], p["organization"], p["organization_paths"]) for p in desired] == [
        ("PullThroughCacheForTheOrganization", ORG, []),
        ("PullThroughCacheForTheOrganization", ORG, []),
        ("PullThroughCacheForBuildOus", None, [OU]),
    ]
    assert run("plan", *sandbox, "--detailed-exitcode", rules).exit_code == 0

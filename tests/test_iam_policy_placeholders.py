"""`ptc iam-policy` fills in `{account}` and `{region}` of the file's roles and keys."""

from __future__ import annotations

from pathlib import Path

from ptc.checks.runner import validate_text
from ptc.iam_policy import build_policy

FILE = """\
version: 1
ACCOUNT
regions: [us-east-1, eu-west-1]
rules:
  - prefix: central
    upstream: 444444444444.dkr.ecr.us-east-1.amazonaws.com
    role: arn:aws:iam::{account}:role/ecr-pull-{region}
templates:
  - prefix: central
    applied_for: [PULL_THROUGH_CACHE]
    resource_tags: {team: platform}
    role: arn:aws:iam::{account}:role/ecr-template
"""


def _pass_role(account_line: str) -> dict[str, list[str]]:
    result = validate_text(FILE.replace("ACCOUNT", account_line), "rules.yaml", Path("."))
    assert result.file is not None, result.findings
    policy = build_policy(result.file, "apply").policy
    return {s["Sid"]: s["Resource"] for s in policy["Statement"] if s["Action"] == ["iam:PassRole"]}


def test_the_roles_are_those_of_the_files_account() -> None:
    assert _pass_role('account: "111111111111"') == {
        "PassRuleRoles": [
            "arn:aws:iam::111111111111:role/ecr-pull-eu-west-1",
            "arn:aws:iam::111111111111:role/ecr-pull-us-east-1",
        ],
        "PassTemplateRoles": ["arn:aws:iam::111111111111:role/ecr-template"],
    }


def test_without_account_the_roles_are_of_any_account() -> None:
    assert _pass_role("") == {
        "PassRuleRoles": [
            "arn:aws:iam::*:role/ecr-pull-eu-west-1",
            "arn:aws:iam::*:role/ecr-pull-us-east-1",
        ],
        "PassTemplateRoles": ["arn:aws:iam::*:role/ecr-template"],
    }

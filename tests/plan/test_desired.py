"""`{account}` and `{region}` in the file's ARNs, filled in per target when the state is expanded.

Before, a file shared by several accounts could only name one account's roles: validate
refused `arn:aws:iam::{account}:role/...`, and a literal account planned into every account.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from ptc.checks.runner import load_valid
from ptc.cli import app
from ptc.engine import workflow
from ptc.errors import PtcError
from ptc.plan.desired import expand, with_account

from .conftest import gateway, write_file

SANDBOX_ACCOUNT = "123456789012"
SHARED = """\
    version: 1
    regions: [us-east-1, eu-west-1]
    rules:
      - prefix: central
        upstream: 444444444444.dkr.ecr.us-east-1.amazonaws.com
        role: arn:aws:iam::{account}:role/ecr-pull-central
    templates:
      - prefix: central
        applied_for: [PULL_THROUGH_CACHE]
        encryption:
          type: KMS
          kms_key: arn:aws:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab
        role: arn:aws:iam::{account}:role/ecr-template
    permissions:
      - sid: OwnAccount
        principals: ["{account}", "arn:aws:iam::{account}:role/ci"]
        prefixes: [central]
"""


def _file(tmp_path: Path, text: str = SHARED):  # type: ignore[no-untyped-def]
    result = load_valid(write_file(tmp_path, text))
    assert result.file is not None
    return result.file


def test_expand_fills_in_the_files_account_and_each_region(tmp_path: Path) -> None:
    text = SHARED.replace("    regions:", '    account: "111111111111"\n    regions:')

    desired = expand(_file(tmp_path, text), tmp_path)

    assert [(t.region, t.role, t.kms_key) for t in desired.templates] == [
        (
            "us-east-1",
            "arn:aws:iam::111111111111:role/ecr-template",
            "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        (
            "eu-west-1",
            "arn:aws:iam::111111111111:role/ecr-template",
            "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
    ]
    assert desired.rules[0].role == "arn:aws:iam::111111111111:role/ecr-pull-central"
    assert desired.permissions[0].principals == (
        "111111111111",
        "arn:aws:iam::111111111111:role/ci",
    )


def test_a_target_account_overrides_and_with_account_fills_in_later(tmp_path: Path) -> None:
    file = _file(tmp_path)

    unbound = expand(file, tmp_path)
    for_target = expand(file, tmp_path, ["eu-west-1"], account="222222222222")

    assert unbound.rules[0].role == "arn:aws:iam::{account}:role/ecr-pull-central"
    assert unbound.templates[0].kms_key is not None
    assert unbound.templates[0].kms_key.startswith("arn:aws:kms:us-east-1:{account}:key/")
    assert for_target.account == "222222222222"
    assert for_target.rules[0].role == "arn:aws:iam::222222222222:role/ecr-pull-central"
    bound = with_account(unbound, "333333333333")
    assert bound.rules[0].role == "arn:aws:iam::333333333333:role/ecr-pull-central"
    assert bound.permissions[0].principals == ("333333333333", "arn:aws:iam::333333333333:role/ci")
    assert bound.templates[1].kms_key == (
        "arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )


def test_a_shared_file_plans_the_credentials_account(
    session: boto3.Session, tmp_path: Path
) -> None:
    desired = workflow.load_desired(write_file(tmp_path, SHARED))
    planned = workflow.plan_desired(desired, gateway(session, desired.regions))

    roles = {c.address: c.desired.shown().values.get("role") for c in planned.plan.changes}
    expected = f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/ecr-template"
    assert roles["us-east-1/template/central"] == expected
    assert roles["eu-west-1/template/central"] == expected
    assert planned.desired.rules[0].role == f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/ecr-pull-central"
    assert planned.warnings == []


def test_a_kms_key_of_another_account_is_a_warning_without_account(
    session: boto3.Session, tmp_path: Path
) -> None:
    text = SHARED.replace("arn:aws:kms:{region}:{account}:", "arn:aws:kms:{region}:210987654321:")
    desired = workflow.load_desired(write_file(tmp_path, text))

    planned = workflow.plan_desired(desired, gateway(session, desired.regions))

    assert planned.warnings == [
        f"{region}/template/central: the KMS key is in account 210987654321, not "
        f"{SANDBOX_ACCOUNT} (the credentials'); write {{account}} in the ARN if the key should "
        "follow the account"
        for region in ("us-east-1", "eu-west-1")
    ]


def test_a_file_for_several_accounts_expands_for_the_account_named(tmp_path: Path) -> None:
    text = SHARED.replace(
        "    regions:",
        "    accounts:\n      role: arn:aws:iam::{account}:role/ptc\n"
        '      ids: ["111111111111"]\n    regions:',
    )
    path = write_file(tmp_path, text)

    with pytest.raises(PtcError) as caught:
        workflow.load_desired(path)
    desired = workflow.load_desired(path, account="111111111111")

    assert str(caught.value) == (
        f"{path} lists several accounts ('accounts:'); name the account to plan: "
        f"'ptc targets {path}' lists them"
    )
    assert desired.account == "111111111111"
    assert {t.role for t in desired.templates} == {"arn:aws:iam::111111111111:role/ecr-template"}


def test_apply_of_a_shared_file_converges(tmp_path: Path) -> None:
    path = write_file(tmp_path, SHARED)
    sandbox = ["--sandbox", "--sandbox-state", str(tmp_path / "s.json")]
    runner = CliRunner()

    applied = runner.invoke(app, ["apply", *sandbox, "--auto-approve", str(path)])
    again = runner.invoke(app, ["plan", *sandbox, "--detailed-exitcode", str(path)])

    assert applied.exit_code == 0, applied.output
    assert "arn:aws:iam::123456789012:role/ecr-template" in applied.stdout
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == "No changes. The live state matches the file."

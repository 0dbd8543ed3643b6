"""`ptc targets` as a user runs it: outputs, shards, usage errors, OUs from Organizations."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from typer.testing import Result

from ptc.errors import EXIT_USAGE
from tests import support

ENV = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}
FILE = """\
version: 1
accounts:
  role: arn:aws:iam::{account}:role/ptc-deployer
  ids: ["222222222222", "111111111111", "333333333333"]
  exclude: ["333333333333"]
regions: [us-east-1, eu-west-1]
"""


def run(*args: str | Path) -> Result:
    return support.run(*args, env=ENV)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_text_lists_every_account_and_region_with_its_role(rules: Path) -> None:
    result = run("targets", rules)

    assert result.exit_code == 0
    assert result.stdout == (
        "ACCOUNT       REGION     ROLE\n"
        "111111111111  us-east-1  arn:aws:iam::111111111111:role/ptc-deployer\n"
        "111111111111  eu-west-1  arn:aws:iam::111111111111:role/ptc-deployer\n"
        "222222222222  us-east-1  arn:aws:iam::222222222222:role/ptc-deployer\n"
        "222222222222  eu-west-1  arn:aws:iam::222222222222:role/ptc-deployer\n"
        "2 accounts, 4 account-region pairs\n"
    )


def test_json_of_one_shard_and_one_region(rules: Path) -> None:
    shards = [
        json.loads(
            run("targets", rules, "--shard", f"{i}/2", "-f", "json", "-r", "eu-west-1").stdout
        )
        for i in (1, 2)
    ]

    assert [s["shard"] for s in shards] == ["1/2", "2/2"]
    accounts = [t["account"] for s in shards for t in s["targets"]]
    assert sorted(accounts) == ["111111111111", "222222222222"]
    assert {t["region"] for s in shards for t in s["targets"]} == {"eu-west-1"}


def test_github_matrix_is_one_job_per_account(rules: Path) -> None:
    result = run("targets", rules, "--format", "github-matrix")

    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "include": [
            {
                "account": account,
                "role": f"arn:aws:iam::{account}:role/ptc-deployer",
                "regions": ["us-east-1", "eu-west-1"],
            }
            for account in ("111111111111", "222222222222")
        ]
    }


@pytest.mark.parametrize("shard", ["0/3", "4/3", "1of3", "/"])
def test_a_bad_shard_is_a_usage_error_before_the_file_is_read(shard: str) -> None:
    result = run("targets", "missing.yaml", "--shard", shard)

    assert result.exit_code == EXIT_USAGE
    assert result.stderr.startswith(f"error: --shard {shard}: ")
    assert result.stdout == ""


def test_a_file_without_accounts_lists_its_one_account(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nregions: [eu-west-1]\n", encoding="utf-8")

    result = run("targets", path, "-f", "json")

    assert json.loads(result.stdout)["targets"] == [
        {"account": None, "region": "eu-west-1", "role": None}
    ]


def test_organization_units_are_resolved_through_organizations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        org = boto3.client("organizations", region_name="us-east-1")
        org.create_organization(FeatureSet="ALL")
        root = org.list_roots()["Roots"][0]["Id"]
        unit = org.create_organizational_unit(ParentId=root, Name="prod")["OrganizationalUnit"][
            "Id"
        ]
        created = org.create_account(AccountName="prod1", Email="prod1@example.com")
        account = created["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=unit)
        path = tmp_path / "rules.yaml"
        path.write_text(
            FILE.replace('  exclude: ["333333333333"]', f"  organization_units: [{unit}]"),
            encoding="utf-8",
        )

        result = run("targets", path, "-f", "json", "-r", "us-east-1")

    assert result.exit_code == 0, result.output
    accounts = [t["account"] for t in json.loads(result.stdout)["targets"]]
    assert accounts == sorted(["111111111111", "222222222222", "333333333333", account])

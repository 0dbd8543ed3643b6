"""The accounts a command runs in (resolve_fleet) and the session it uses in each."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import pytest

from ptc.checks.runner import load_valid
from ptc.cli.fleet import external_id, resolve_fleet, target_session
from ptc.errors import PtcError, UsageError
from ptc.plan.targets import Target, Targets

if TYPE_CHECKING:
    from ptc.config.models import PtcFile
    from ptc.sandbox.embedded import SandboxInfo

FLEET = """\
version: 1
accounts:
  role: arn:aws:iam::{account}:role/ptc-deployer
  ids: ["222222222222", "111111111111", "333333333333"]
regions: [us-east-1, eu-west-1]
"""
ONE = """\
version: 1
account: "111111111111"
regions: [us-east-1]
"""


def _file(tmp_path: Path, text: str) -> tuple[Path, PtcFile]:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    validation = load_valid(path)
    assert validation.file is not None
    return path, validation.file


def _accounts(targets: Targets) -> list[str | None]:
    return [t.account for t in targets.accounts]


def test_every_account_of_the_file_in_order(tmp_path: Path) -> None:
    path, file = _file(tmp_path, FLEET)
    targets = resolve_fleet(path, file, None, None, None, None)
    assert _accounts(targets) == ["111111111111", "222222222222", "333333333333"]
    assert targets.accounts[0] == Target(
        "111111111111", "arn:aws:iam::111111111111:role/ptc-deployer", ("us-east-1", "eu-west-1")
    )


def test_account_and_region_narrow(tmp_path: Path) -> None:
    path, file = _file(tmp_path, FLEET)
    targets = resolve_fleet(
        path,
        file,
        ["eu-west-1"],
        ["333333333333", "111111111111"],
        None,
        None,
    )
    assert _accounts(targets) == ["111111111111", "333333333333"]
    assert {t.regions for t in targets.accounts} == {("eu-west-1",)}


def test_an_account_not_in_the_file_is_refused(tmp_path: Path) -> None:
    path, file = _file(tmp_path, FLEET)
    with pytest.raises(UsageError, match=r"--account 444444444444: not an account of .*rules"):
        resolve_fleet(path, file, None, ["444444444444"], None, None)


def test_a_region_not_in_the_file_is_refused(tmp_path: Path) -> None:
    path, file = _file(tmp_path, FLEET)
    with pytest.raises(PtcError, match="--region ap-south-1: not a region of"):
        resolve_fleet(path, file, ["ap-south-1"], None, None, None)


def test_shards_are_disjoint_and_cover_the_accounts(tmp_path: Path) -> None:
    path, file = _file(tmp_path, FLEET)
    shards = [_accounts(resolve_fleet(path, file, None, None, f"{i}/3", None)) for i in (1, 2, 3)]
    every = [a for shard in shards for a in shard]
    assert sorted(every) == ["111111111111", "222222222222", "333333333333"]  # no repeats


def test_a_bad_shard_is_refused(tmp_path: Path) -> None:
    path, file = _file(tmp_path, FLEET)
    with pytest.raises(UsageError, match="--shard 4/3"):
        resolve_fleet(path, file, None, None, "4/3", None)


def test_a_file_with_one_account_accepts_its_own_id_only(tmp_path: Path) -> None:
    path, file = _file(tmp_path, ONE)
    targets = resolve_fleet(path, file, None, ["111111111111"], None, None)
    assert targets.accounts == (Target("111111111111", None, ("us-east-1",)),)
    with pytest.raises(UsageError, match="has no 'accounts:'; its account is 111111111111"):
        resolve_fleet(path, file, None, ["222222222222"], None, None)
    with pytest.raises(UsageError, match="--shard: .* has no 'accounts:' to split"):
        resolve_fleet(path, file, None, None, "1/2", None)


def test_organization_units_need_a_session(tmp_path: Path) -> None:
    path, file = _file(
        tmp_path, FLEET.replace("  ids:", "  organization_units: [ou-ab12-34cd5678]\n  ids:")
    )
    with pytest.raises(UsageError, match="organization_units need AWS credentials"):
        resolve_fleet(path, file, None, None, None, None)


def test_organization_units_are_listed_with_the_session(aws: SandboxInfo, tmp_path: Path) -> None:
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    unit = org.create_organizational_unit(ParentId=root, Name="prod")["OrganizationalUnit"]["Id"]
    created = org.create_account(AccountName="prod1", Email="prod1@example.com")
    account = created["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=unit)
    path, file = _file(tmp_path, FLEET.replace("  ids:", f"  organization_units: [{unit}]\n  ids:"))

    targets = resolve_fleet(path, file, None, [account], None, aws.session())

    assert _accounts(targets) == [account]


def test_the_external_id_is_read_from_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, file = _file(tmp_path, FLEET)
    targets = resolve_fleet(path, file, None, None, None, None)
    assert external_id(targets, tmp_path) is None  # the file asks for none

    with_id = FLEET.replace("regions:", "  external_id: {env: PTC_EXTERNAL_ID}\nregions:")
    path, file = _file(tmp_path, with_id)
    targets = resolve_fleet(path, file, None, None, None, None)
    monkeypatch.setenv("PTC_EXTERNAL_ID", "shared-secret-id")
    assert external_id(targets, tmp_path) == "shared-secret-id"
    monkeypatch.delenv("PTC_EXTERNAL_ID")
    with pytest.raises(PtcError, match="PTC_EXTERNAL_ID is not set"):
        external_id(targets, tmp_path)


def test_a_target_without_a_role_uses_the_callers_session(aws: SandboxInfo) -> None:
    base = aws.session()
    assert target_session(base, Target(None, None, ("us-east-1",)), None, "plan") is base


def test_a_target_with_a_role_gets_a_session_in_its_account(aws: SandboxInfo) -> None:
    target = Target("222222222222", "arn:aws:iam::222222222222:role/ptc-deployer", ("us-east-1",))
    session = target_session(aws.session(), target, None, "plan")
    sts = session.client("sts", region_name="us-east-1")
    identity = sts.get_caller_identity()
    assert identity["Account"] == "222222222222"
    assert "assumed-role/ptc-deployer/ptc-plan" in identity["Arn"]


def test_sts_is_skipped_only_for_a_role_of_the_targets_own_account() -> None:
    from ptc.cli.plan_fleet import _assumed_in

    regions = ("us-east-1",)
    own = Target("222222222222", "arn:aws:iam::222222222222:role/ptc-deployer", regions)
    other = Target("222222222222", "arn:aws:iam::111111111111:role/ptc-deployer", regions)
    assert _assumed_in(own) == "222222222222"
    assert _assumed_in(other) is None  # STS then says which account the session is in
    assert _assumed_in(Target("222222222222", None, regions)) is None

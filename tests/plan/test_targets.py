"""Target resolution (ids ∪ OUs − exclude) and shards, over data: no AWS here."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptc.checks.runner import validate_text
from ptc.config.models import PtcFile
from ptc.errors import EXIT_USAGE, UsageError
from ptc.plan.targets import (
    OrgAccount,
    Shard,
    Target,
    TargetError,
    Targets,
    accounts_under,
    file_targets,
    parse_shard,
    resolve_accounts,
)

ROOT_OU = "ou-ab12-00000000"
CHILD = "ou-ab12-11111111"
GRANDCHILD = "ou-ab12-22222222"


class FakeOrganization:
    """An OU tree: ROOT_OU > CHILD > GRANDCHILD, with accounts in each; records the reads."""

    def __init__(self) -> None:
        self.accounts = {
            ROOT_OU: [
                OrgAccount("111111111111", "ACTIVE"),
                OrgAccount("999999999999", "SUSPENDED"),
            ],
            CHILD: [
                OrgAccount("222222222222", "ACTIVE"),
                OrgAccount("888888888888", "PENDING_CLOSURE"),
            ],
            GRANDCHILD: [OrgAccount("333333333333", "ACTIVE")],
        }
        self.units = {ROOT_OU: [CHILD], CHILD: [GRANDCHILD], GRANDCHILD: []}
        self.reads: list[str] = []

    def accounts_for_parent(self, parent_id: str) -> list[OrgAccount]:
        self.reads.append(parent_id)
        return self.accounts[parent_id]

    def units_for_parent(self, parent_id: str) -> list[str]:
        return self.units[parent_id]


def test_accounts_under_an_ou_are_every_active_one_at_any_depth() -> None:
    org = FakeOrganization()

    assert accounts_under([ROOT_OU], org) == {"111111111111", "222222222222", "333333333333"}
    assert sorted(org.reads) == [ROOT_OU, CHILD, GRANDCHILD]


def test_an_ou_listed_with_its_parent_is_read_once() -> None:
    org = FakeOrganization()

    accounts_under([ROOT_OU, CHILD], org)

    assert sorted(org.reads) == [ROOT_OU, CHILD, GRANDCHILD]


def test_resolve_is_ids_and_ous_less_exclude_sorted() -> None:
    resolved = resolve_accounts(
        ["555555555555", "222222222222"], [CHILD], ["333333333333"], FakeOrganization()
    )

    assert resolved == ["222222222222", "555555555555"]


def test_resolve_without_ous_needs_no_organization() -> None:
    assert resolve_accounts(["222222222222", "111111111111"], [], [], None) == [
        "111111111111",
        "222222222222",
    ]
    with pytest.raises(TargetError, match="organization_units need AWS Organizations"):
        resolve_accounts([], [CHILD], [], None)


def _file(text: str) -> PtcFile:
    result = validate_text(text, "rules.yaml", Path("."))
    assert result.file is not None, result.findings
    return result.file


def test_file_targets_fill_in_the_role_and_carry_the_external_id_source() -> None:
    file = _file(
        "version: 1\n"
        "accounts:\n"
        "  role: arn:aws:iam::{account}:role/ptc-deployer\n"
        '  ids: ["111111111111"]\n'
        f"  organization_units: [{GRANDCHILD}]\n"
        "  external_id: {env: PTC_EXTERNAL_ID}\n"
        "regions: [us-east-1, eu-west-1]\n"
    )

    targets = file_targets(file, FakeOrganization(), regions=["eu-west-1"])

    assert targets.accounts == (
        Target("111111111111", "arn:aws:iam::111111111111:role/ptc-deployer", ("eu-west-1",)),
        Target("333333333333", "arn:aws:iam::333333333333:role/ptc-deployer", ("eu-west-1",)),
    )
    assert targets.external_id is not None and targets.external_id.env == "PTC_EXTERNAL_ID"


def test_a_file_without_accounts_has_one_target() -> None:
    file = _file('version: 1\naccount: "111111111111"\nregions: [us-east-1, eu-west-1]\n')
    shared = _file("version: 1\nregions: [us-east-1]\n")

    assert file_targets(file, None).pairs() == [
        (Target("111111111111", None, ("us-east-1", "eu-west-1")), "us-east-1"),
        (Target("111111111111", None, ("us-east-1", "eu-west-1")), "eu-west-1"),
    ]
    assert file_targets(shared, None).accounts == (Target(None, None, ("us-east-1",)),)


@pytest.mark.parametrize(("text", "shard"), [("1/1", Shard(1, 1)), (" 3 / 4 ", Shard(3, 4))])
def test_parse_shard(text: str, shard: Shard) -> None:
    assert parse_shard(text) == shard
    assert str(shard) == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4", "--shard 4: expected I/N, e.g. 1/4 (shard 1 of 4)"),
        ("a/b", "--shard a/b: expected I/N, e.g. 1/4 (shard 1 of 4)"),
        ("-1/4", "--shard -1/4: expected I/N, e.g. 1/4 (shard 1 of 4)"),
        ("0/4", "--shard 0/4: I must be between 1 and N, and N at least 1"),
        ("5/4", "--shard 5/4: I must be between 1 and N, and N at least 1"),
        ("0/0", "--shard 0/0: I must be between 1 and N, and N at least 1"),
    ],
)
def test_a_bad_shard_is_a_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_shard(text)

    assert str(caught.value) == message
    assert caught.value.exit_code == EXIT_USAGE


ACCOUNT_IDS = st.lists(st.from_regex(r"\A[0-9]{12}\Z"), unique=True, max_size=60)


@given(accounts=ACCOUNT_IDS, count=st.integers(1, 12))
def test_shards_are_disjoint_and_cover_every_account(accounts: list[str], count: int) -> None:
    targets = Targets(tuple(Target(a, None, ("us-east-1",)) for a in sorted(accounts)))

    shards = [
        [t.account for t in Shard(i, count).select(targets).accounts] for i in range(1, count + 1)
    ]

    every = [account for shard in shards for account in shard]
    assert sorted(every) == sorted(accounts)  # complete, and no account twice
    assert all(shard == sorted(shard) for shard in shards)  # each keeps account order


@given(accounts=ACCOUNT_IDS, added=st.from_regex(r"\A[0-9]{12}\Z"), count=st.integers(1, 12))
def test_adding_an_account_moves_no_other_account(
    accounts: list[str], added: str, count: int
) -> None:
    before = {a: next(i for i in range(1, count + 1) if Shard(i, count).holds(a)) for a in accounts}
    after = {
        a: next(i for i in range(1, count + 1) if Shard(i, count).holds(a))
        for a in accounts + [added]
    }

    assert {a: after[a] for a in accounts} == before


def test_thirty_accounts_in_four_shards_land_where_they_always_do() -> None:
    """Pinned: a shard's accounts must not change between ptc versions (plan and apply
    jobs of one CI run may use different ones)."""
    accounts = [f"{n:012d}" for n in range(100000000000, 100000000030)]

    sizes = [sum(Shard(i, 4).holds(a) for a in accounts) for i in range(1, 5)]
    first = [a for a in accounts if Shard(1, 4).holds(a)]

    assert sizes == [8, 6, 11, 5]
    assert [a[-2:] for a in first] == ["06", "08", "12", "13", "15", "16", "26", "29"]

"""A plan over several accounts as data: its JSON, and its saved form (refusing edits and
damage as a plan of one account does)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ptc.domain.resources import RuleResource, SecretResource, ValueRef
from ptc.errors import InputError
from ptc.plan import saved
from ptc.plan.changes import Create, Plan
from ptc.plan.desired import DesiredState
from ptc.plan.fleet import AccountPlan, FleetPlan, Selection

A, B, C = "111111111111", "222222222222", "333333333333"
REGION = "us-east-1"
ROLE = "arn:aws:iam::{}:role/ptc-deployer"
FINGERPRINT = "sha256:" + "0" * 64


def _account(account: str, base_dir: Path, *, unread: bool = False) -> AccountPlan:
    rule = RuleResource(
        region=REGION, prefix="quay", upstream_url="quay.io", upstream_registry="quay"
    )
    secret = SecretResource(
        region=REGION,
        name="ecr-pullthroughcache/hub",
        username=ValueRef(env="HUB_USER"),
        access_token=ValueRef(env="HUB_TOKEN"),
    )
    not_compared = [f"{REGION}/secret/{secret.name}"] if unread else None
    plan = Plan.build(account, [REGION], [Create(rule)], FINGERPRINT, False, not_compared)
    desired = DesiredState(account, [REGION], False, base_dir, rules=[rule], secrets=[secret])
    return AccountPlan(account, ROLE.format(account), plan, desired=desired)


def _fleet(base_dir: Path) -> FleetPlan:
    failed = AccountPlan(B, ROLE.format(B), error="cannot assume the role")
    return FleetPlan(
        (_account(A, base_dir, unread=True), failed, _account(C, base_dir)),
        Selection((A, B, C), "1/1"),
        ValueRef(env="PTC_EXTERNAL_ID"),
    )


def test_the_json_carries_each_account_and_qualified_addresses(tmp_path: Path) -> None:
    document = _fleet(tmp_path).to_dict()

    assert document["accounts"] == [A, B, C]
    assert document["selection"] == {"accounts": [A, B, C], "shard": "1/1"}
    assert document["summary"] == {
        "add": 2,
        "change": 0,
        "replace": 0,
        "destroy": 0,
        "unmanaged": 0,
        "failed": 1,
    }
    first, third = document["plans"]
    assert (first["account"], first["role"]) == (A, ROLE.format(A))
    assert [c["address"] for c in first["changes"]] == [f"{A}/us-east-1/rule/quay"]
    assert first["not_compared"] == [f"{A}/us-east-1/secret/ecr-pullthroughcache/hub"]
    assert "format_version" not in first and third["account"] == C
    assert document["failed"] == [
        {"account": B, "role": ROLE.format(B), "error": "cannot assume the role"}
    ]


def test_totals_and_emptiness(tmp_path: Path) -> None:
    fleet = _fleet(tmp_path)
    empty = FleetPlan((AccountPlan(A, None, Plan.build(A, [REGION], [], FINGERPRINT, False)),))

    assert not fleet.is_empty and empty.is_empty
    assert [a.account for a in fleet.failed] == [B]
    assert fleet.not_compared == [f"{A}/us-east-1/secret/ecr-pullthroughcache/hub"]
    assert Selection().describe() == "every account"
    assert Selection((A,), "2/3").describe() == f"--account {A} --shard 2/3"


def test_a_saved_plan_for_several_accounts_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    fleet = _fleet(tmp_path)
    saved.save_fleet(path, fleet)

    loaded = saved.load_any(path)

    assert loaded == fleet
    text = path.read_text()
    assert "HUB_TOKEN" in text and "PTC_EXTERNAL_ID" in text  # sources, never values
    with pytest.raises(InputError, match="is a plan for several accounts"):
        saved.load(path)


def _damage(path: Path, fleet: FleetPlan, change: Any) -> str:
    document = saved.dump_fleet(fleet)
    change(document)
    document["checksum"] = saved.checksum(document)
    path.write_text(json.dumps(document))
    with pytest.raises(InputError) as raised:
        saved.load_any(path)
    return str(raised.value)


def test_an_edit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    saved.save_fleet(path, _fleet(tmp_path))
    document = json.loads(path.read_text())
    document["selection"]["shard"] = "2/2"
    path.write_text(json.dumps(document))

    with pytest.raises(InputError, match="modified after it was written"):
        saved.load_any(path)


def test_damage_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    fleet = _fleet(tmp_path)

    def drop_desired(document: dict[str, Any]) -> None:
        del document["accounts"][0]["desired"]

    def other_account(document: dict[str, Any]) -> None:
        document["accounts"][2]["account"] = A

    def no_selection(document: dict[str, Any]) -> None:
        del document["selection"]

    assert _damage(path, fleet, drop_desired) == (
        f"{path}: the saved plan is damaged: accounts.0: an account has a plan and its "
        "desired state, or an error"
    )
    assert _damage(path, fleet, other_account) == (
        f"{path}: the saved plan is damaged: accounts.2: the plan is for account {C}, not {A}"
    )
    assert _damage(path, fleet, no_selection) == (
        f"{path}: the saved plan is damaged: selection: Field required"
    )


def test_a_plan_without_an_external_id_keeps_none(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    fleet = FleetPlan((_account(A, tmp_path),))
    saved.save_fleet(path, fleet)

    assert saved.load_any(path) == fleet

"""The summary line of a plan over several accounts."""

from __future__ import annotations

from ptc.plan.changes import Plan
from ptc.plan.fleet import AccountPlan, FleetPlan
from ptc.render.display import fleet_summary_line

A, B = "111111111111", "222222222222"
EMPTY = Plan.build(A, ["us-east-1"], [], "sha256:" + "0" * 64, False)


def test_no_account_planned_is_not_no_changes() -> None:
    fleet = FleetPlan((AccountPlan(A, None, error="denied"), AccountPlan(B, None, error="denied")))

    assert fleet_summary_line(fleet) == (
        f"No account was planned. 2 accounts could not be planned: {A}, {B}."
    )


def test_the_accounts_planned_and_the_one_that_failed() -> None:
    fleet = FleetPlan((AccountPlan(A, None, EMPTY), AccountPlan(B, None, error="denied")))

    assert fleet_summary_line(fleet) == (
        f"No changes in 1 account. The live state matches the file. "
        f"1 account could not be planned: {B}."
    )

"""Plan.raise_if_unsafe (issue 12): deletes and replaces per region, over thresholds that
count a share of what is live only above a minimum, with the numbers in the message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptc.config.models import Safety
from ptc.domain.resources import PermissionIntent, StatementResource
from ptc.errors import EXIT_FAILED, InputError, UnsafePlanError
from ptc.plan import saved
from ptc.plan.changes import Plan
from ptc.plan.diff import make_plan
from ptc.plan.live import LiveState

from .test_diff import ACCOUNT, R, desired, live, rule, template

EU = "eu-west-1"


def _pruning(live_rules: int, kept: int, region: str = R) -> tuple[Plan, LiveState]:
    """`live_rules` rules live in `region`; the file keeps `kept`, prune deletes the rest."""
    want = desired(*(rule(f"r{n}", region=region) for n in range(kept)), regions=[region])
    have = live(*(rule(f"r{n}", region=region) for n in range(live_rules)), regions=[region])
    return make_plan(want, have, prune=True), have


def _refusal(plan: Plan, have: LiveState, policy: Safety | None = None) -> str:
    with pytest.raises(UnsafePlanError) as caught:
        plan.raise_if_unsafe(policy or Safety(), have)
    assert caught.value.exit_code == EXIT_FAILED
    return str(caught.value)


DEFAULTS = "(safety: max_deletes 3, max_delete_percent 30 from min_existing 10)"


@pytest.mark.parametrize("live_rules", [4, 5, 9])
def test_more_than_3_deletes_of_a_small_region_are_refused(live_rules: int) -> None:
    plan, have = _pruning(live_rules, kept=0)
    assert _refusal(plan, have) == (
        f"the plan deletes {live_rules} of the {live_rules} live rules and templates in "
        f"{ACCOUNT}/{R}; more than 3 needs --force {DEFAULTS}"
    )


def test_3_deletes_are_allowed() -> None:
    plan, have = _pruning(5, kept=2)
    plan.raise_if_unsafe(Safety(), have)


def test_30_percent_of_a_large_region_is_allowed_and_no_more() -> None:
    plan, have = _pruning(20, kept=14)
    plan.raise_if_unsafe(Safety(), have)  # 6 of 20 is 30 %
    plan, have = _pruning(20, kept=13)
    assert _refusal(plan, have) == (
        f"the plan deletes 7 of the 20 live rules and templates in {ACCOUNT}/{R}; "
        f"more than 6 needs --force {DEFAULTS}"
    )


def test_templates_count_with_rules_and_statements_do_not() -> None:
    want = desired(rule("kept"))
    want.permissions = [PermissionIntent(region=R, sid=f"S{n}", absent=True) for n in range(5)]
    have = live(rule("kept"), rule("a"), rule("b"), template("t1"), template("t2"))
    have.statements = [
        StatementResource(region=R, sid=f"S{n}", principals=("*",), actions=("ecr:X",))
        for n in range(5)
    ]
    plan = make_plan(want, have, prune=True)
    assert plan.counts["destroy"] == 9
    assert _refusal(plan, have).startswith(
        f"the plan deletes 4 of the 5 live rules and templates in {ACCOUNT}/{R}; more than 3"
    )


def _replacing(count: int, live_rules: int) -> tuple[Plan, LiveState]:
    """`count` of `live_rules` rules change upstream: each is a replace."""
    want = desired(
        *(rule(f"r{n}", upstream_url="ghcr.io") for n in range(count)),
        *(rule(f"r{n}") for n in range(count, live_rules)),
    )
    have = live(*(rule(f"r{n}") for n in range(live_rules)))
    return make_plan(want, have, prune=False), have


def test_replaces_are_guarded_too() -> None:
    # A replace deletes the rule, then creates it: before, no number of them needed --force.
    plan, have = _replacing(4, live_rules=4)
    assert plan.counts["replace"] == 4
    assert _refusal(plan, have) == (
        f"the plan replaces 4 of the 4 live rules in {ACCOUNT}/{R} (each is deleted, then "
        "created: its pulls fail in between); more than 3 needs --force (safety: max_replaces "
        "3, max_replace_percent 30 from min_existing 10)"
    )
    plan, have = _replacing(3, live_rules=4)
    plan.raise_if_unsafe(Safety(), have)
    plan, have = _replacing(6, live_rules=20)
    plan.raise_if_unsafe(Safety(), have)


def test_each_region_is_judged_on_its_own_and_every_refusal_is_named() -> None:
    want = desired(regions=[R, EU])
    have = live(
        *(rule(f"us{n}") for n in range(4)),
        *(rule(f"eu{n}", region=EU) for n in range(5)),
        regions=[R, EU],
    )
    plan = make_plan(want, have, prune=True)
    message = _refusal(plan, have)
    assert message.count("; more than 3 needs --force") == 2
    assert f"4 of the 4 live rules and templates in {ACCOUNT}/{R};" in message
    assert f"5 of the 5 live rules and templates in {ACCOUNT}/{EU};" in message


def test_the_share_counts_only_from_min_existing() -> None:
    strict = Safety(max_deletes=0, max_delete_percent=50, min_existing=4)
    plan, have = _pruning(3, kept=2)  # 1 of 3: below min_existing, only max_deletes (0) counts
    assert _refusal(plan, have, strict) == (
        f"the plan deletes 1 of the 3 live rules and templates in {ACCOUNT}/{R}; more than 0 "
        "needs --force (safety: max_deletes 0, max_delete_percent 50 from min_existing 4)"
    )
    plan, have = _pruning(4, kept=2)  # 2 of 4 is 50 %
    plan.raise_if_unsafe(strict, have)


@pytest.mark.parametrize(
    ("existing", "deletes", "replaces"),
    [(0, 3, 3), (9, 3, 3), (10, 3, 3), (14, 4, 4), (20, 6, 6), (100, 30, 30)],
)
def test_allowed_counts_of_the_default_policy(existing: int, deletes: int, replaces: int) -> None:
    assert Safety().allowed_deletes(existing) == deletes
    assert Safety().allowed_replaces(existing) == replaces


# -- saved plans carry thresholds other than the defaults ---------------------------------------


def test_a_saved_plan_keeps_the_files_thresholds_and_only_when_they_differ(tmp_path: Path) -> None:
    plan, _ = _pruning(5, kept=0)
    state = desired()
    saved.save(tmp_path / "default.json", plan, state)
    assert "safety" not in json.loads((tmp_path / "default.json").read_text())["desired"]

    state.safety = Safety(max_deletes=5, min_existing=0)
    saved.save(tmp_path / "looser.json", plan, state)
    document = json.loads((tmp_path / "looser.json").read_text())
    assert document["desired"]["safety"] == {
        "max_deletes": 5,
        "max_delete_percent": 30,
        "max_replaces": 3,
        "max_replace_percent": 30,
        "min_existing": 0,
    }
    _, loaded = saved.load(tmp_path / "looser.json")
    assert loaded.safety == state.safety


def test_a_saved_plans_thresholds_are_checked_like_the_rest(tmp_path: Path) -> None:
    plan, _ = _pruning(5, kept=0)
    state = desired()
    state.safety = Safety(max_deletes=5)
    path = tmp_path / "plan.json"
    saved.save(path, plan, state)
    document = json.loads(path.read_text())
    document["desired"]["safety"]["max_deletes"] = "5"
    document["checksum"] = saved.checksum(document)
    path.write_text(json.dumps(document))
    with pytest.raises(InputError) as caught:
        saved.load(path)
    assert str(caught.value) == (
        f"{path}: the saved plan is damaged: desired.safety.max_deletes: "
        "Input should be a valid integer"
    )

"""Typed changes (issue 12): each class holds exactly its sides, every change the differ makes
has an apply order and nothing else has one, and what is left alone is not a change."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from ptc.domain.resources import PermissionIntent, StatementResource
from ptc.domain.statements import statement_for
from ptc.plan import changes as changes_module
from ptc.plan.changes import (
    Action,
    Create,
    Delete,
    NoSuchChange,
    Plan,
    Replace,
    Unmanaged,
    Update,
    apply_order,
    entry_from_dict,
)
from ptc.plan.diff import UNOWNED, make_plan

from .test_diff import ACCOUNT, R, desired, live, live_secret, managed_secret, rule, template


def _everything_plan(prune: bool) -> Plan:
    """One plan with every change the differ can make (with prune), or what is left alone."""
    intents = [
        PermissionIntent(region=R, sid="New", prefixes=["quay"]),
        PermissionIntent(region=R, sid="Changed", prefixes=["quay"]),
        PermissionIntent(region=R, sid="Gone", absent=True),
    ]
    want = desired(
        managed_secret(),
        managed_secret("ecr-pullthroughcache/new"),
        template("new"),
        template("changed", description="new"),
        rule("new"),
        rule("changed", role=f"arn:aws:iam::{ACCOUNT}:role/ptc"),
        rule("replaced", upstream_url="ghcr.io", upstream_registry="github-container-registry"),
    )
    want.permissions = intents
    have = live(
        live_secret(),
        template("changed", description="old"),
        template("old"),
        rule("changed"),
        rule("replaced"),
        rule("old"),
    )
    changed = statement_for(intents[1], ACCOUNT).model_copy(update={"actions": ("ecr:Old",)})
    have.statements = [changed, _statement("Gone"), _statement("Foreign")]
    differ = lambda region, pairs: {secret.name for secret, _ in pairs}  # noqa: E731
    return make_plan(want, have, prune=prune, values_differ=differ)


def _statement(sid: str) -> StatementResource:
    return StatementResource(region=R, sid=sid, principals=("*",), actions=("ecr:X",))


def test_every_change_the_differ_makes_has_an_order_and_no_other_does() -> None:
    made = {(c.kind, c.action) for c in _everything_plan(prune=True).changes}
    # _ORDER held a ("template", "replace") that nothing made, and sorted a missing pair
    # silently last: now the table is exactly what the differ makes.
    assert made == set(changes_module._ORDER)


def test_a_change_without_an_order_fails_loudly() -> None:
    with pytest.raises(NoSuchChange, match="^ptc makes no delete of a secret$"):
        apply_order("secret", Action.DELETE)
    with pytest.raises(NoSuchChange, match="^ptc makes no replace of a template$"):
        Replace(template("a"), template("a", description="x"), ("description",), "why")
    with pytest.raises(NoSuchChange, match="^ptc makes no delete of a secret$"):
        Delete(live_secret(), "pruned")


def test_each_change_holds_exactly_its_sides() -> None:
    old, new = rule("a"), rule("a", upstream_url="ghcr.io")
    create = Create(new)
    assert (create.desired, create.live, create.changed, create.reason) == (new, None, (), None)
    delete = Delete(old, "not in the file; pruned")
    assert (delete.desired, delete.live, delete.reason) == (None, old, "not in the file; pruned")
    update = Update(new, old, ("upstream_url",))
    assert (update.desired, update.live, update.changed, update.reason) == (
        new,
        old,
        ("upstream_url",),
        None,
    )
    replace = Replace(new, old, ("upstream_url",), "upstream_url cannot change in place")
    assert (replace.action, replace.address, replace.order) == (
        Action.REPLACE,
        f"{R}/rule/a",
        (R, 4, "a"),
    )
    with pytest.raises(TypeError):
        Replace(new, old, ("upstream_url",))  # type: ignore[call-arg]  # a replace says why
    with pytest.raises(FrozenInstanceError):
        create.desired = old  # type: ignore[misc]


def test_apply_order_is_the_rationale_table() -> None:
    plan = _everything_plan(prune=True)
    assert [(c.action.value, c.address) for c in plan.changes] == [
        ("update", f"{R}/secret/{managed_secret().name}"),
        ("create", f"{R}/secret/ecr-pullthroughcache/new"),
        ("update", f"{R}/template/changed"),
        ("create", f"{R}/template/new"),
        ("update", f"{R}/statement/Changed"),
        ("delete", f"{R}/statement/Gone"),
        ("create", f"{R}/statement/New"),
        ("delete", f"{R}/rule/old"),
        ("update", f"{R}/rule/changed"),
        ("create", f"{R}/rule/new"),
        ("replace", f"{R}/rule/replaced"),
        ("delete", f"{R}/template/old"),
    ]


def test_what_is_left_alone_is_not_a_change() -> None:
    plan = _everything_plan(prune=False)
    assert all(not isinstance(c, Unmanaged) for c in plan.changes)
    # By key; a template and a rule of one key stay in the differ's order, as before.
    assert [(u.address, u.reason) for u in plan.unmanaged] == [
        (f"{R}/statement/Foreign", UNOWNED),
        (f"{R}/template/old", "not in the file; left alone"),
        (f"{R}/rule/old", "not in the file; left alone"),
    ]
    # The statement the file marks absent is deleted with or without prune.
    assert (plan.counts["unmanaged"], plan.counts["destroy"]) == (3, 1)
    # The JSON keeps listing them after the region's changes, as format_version 2 has them.
    listed = [(c["action"], c["address"]) for c in plan.to_dict()["changes"]]
    assert listed[-4:] == [
        ("replace", f"{R}/rule/replaced"),
        ("unmanaged", f"{R}/statement/Foreign"),
        ("unmanaged", f"{R}/template/old"),
        ("unmanaged", f"{R}/rule/old"),
    ]
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again == plan and again.unmanaged == plan.unmanaged


def _entry(action: str, **sides: Any) -> dict[str, Any]:
    data = Create(rule("a")).to_dict()
    return {**data, "action": action, **sides}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (_entry("delete"), "a delete has live, reason, not desired"),
        (_entry("explode"), "unknown action 'explode'"),
        (
            _entry("create", live=rule("a").model_dump(mode="json")),
            "a create has desired, not desired, live",
        ),
        (
            _entry("create", key="b", address=f"{R}/rule/b"),
            f"the create of {R}/rule/b holds {R}/rule/a",
        ),
    ],
    ids=["delete without live", "unknown action", "create with live", "another key"],
)
def test_an_entry_that_does_not_fit_its_action_is_refused(
    data: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValueError) as caught:
        entry_from_dict(data)
    assert str(caught.value) == problem

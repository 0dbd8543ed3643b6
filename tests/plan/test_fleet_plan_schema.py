"""docs/plan.schema.json describes the JSON of a plan over several accounts exactly.

Real output of a file with `accounts:` (issue #13): with changes of every action, without
changes, narrowed with --account and --shard, with an account whose role is refused, and
`show -f json` of the saved plans. Each document must validate, take the schema's
several-accounts branch, and hold together (every account in `plans` or `failed`, the
summary the sum of the accounts', every address in its own account).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ptc.plan.fleet import AccountPlan, FleetPlan, Selection
from ptc.plan.targets import parse_shard
from ptc.sandbox.embedded import SandboxInfo
from tests.cli.test_interrupted_accounts import ONE_AT_A_TIME, _ctrl_c_planning
from tests.cli.test_plan_accounts import FILE, A, B, ByHand, C, _in
from tests.support import refuse_the_caller, run

from .test_diff import _mixed_plan
from .test_plan_schema import SCHEMA, _causes, _errors

ROLE = "arn:aws:iam::{}:role/ptc-deployer"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def _json(*args: str | Path, exit_code: int = 0) -> dict[str, Any]:
    result = run(*args)
    assert result.exit_code == exit_code, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _holds_together(document: dict[str, Any]) -> None:
    """What the schema cannot say: the parts of the document agree with one another."""
    plans, failed = document["plans"], document["failed"]
    planned, unplanned = [p["account"] for p in plans], [f["account"] for f in failed]
    skipped = document.get("not_attempted", [])
    assert sorted(planned + unplanned + skipped) == sorted(document["accounts"])
    for part in (planned, unplanned, skipped):  # each in account order
        assert [a for a in document["accounts"] if a in part] == part
    total: Counter[str] = Counter()
    for plan in plans:
        account = plan["account"]
        assert plan["role"] == ROLE.format(account)
        assert all(c["address"].startswith(f"{account}/") for c in plan["changes"])
        assert all(a.startswith(f"{account}/") for a in plan["not_compared"])
        total.update(plan["summary"])
    summary = {**{k: total[k] for k in plans[0]["summary"]}, "failed": len(failed)}
    if "interrupted" in document:
        summary["not_attempted"] = len(skipped)
    assert document["summary"] == summary
    assert [f["role"] for f in failed] == [ROLE.format(f["account"]) for f in failed]


def _saved_accounts(saved: Path) -> list[dict[str, Any]]:
    """The plans inside a saved plan over several accounts (each a one-account plan)."""
    accounts = json.loads(saved.read_text(encoding="utf-8"))["accounts"]
    return [a["plan"] for a in accounts if "plan" in a]


def test_real_plans_over_several_accounts_validate(
    rules: Path, sandbox: list[str], by_hand: ByHand, tmp_path: Path
) -> None:
    saved, narrowed = tmp_path / "plan.json", tmp_path / "shard.json"
    created = _json("plan", *sandbox, "-f", "json", "--out", saved, rules)
    shown = _json("show", "-f", "json", saved)
    inside = _saved_accounts(saved)
    assert run("apply", *sandbox, "--auto-approve", "--plan", saved).exit_code == 0
    clean = _json("plan", *sandbox, "-f", "json", rules)
    with by_hand():
        _in(B).client("ecr").create_pull_through_cache_rule(
            ecrRepositoryPrefix="other", upstreamRegistryUrl="public.ecr.aws"
        )
    rules.write_text(
        FILE.replace("description: Quay cache", "description: Quay cache, changed").replace(
            "upstream: quay.io", "upstream: quay.io\n    upstream_prefix: prometheus"
        ),
        encoding="utf-8",
    )
    changed = _json("plan", *sandbox, "-f", "json", "--account", C, "--account", B, rules)
    shard = "1/2" if parse_shard("1/2").holds(B) else "2/2"  # the shard with B's extra rule
    pruned = _json(
        "plan", *sandbox, "-f", "json", "--prune", "--shard", shard, "--out", narrowed, rules
    )
    documents = [created, shown, clean, changed, pruned, _json("show", "-f", "json", narrowed)]

    assert [_errors(d) for d in documents] == [[]] * len(documents)
    assert [_errors(p) for p in inside] == [[]] * len(inside)  # one-account plans
    for document in documents:
        _holds_together(document)
    assert shown == created and documents[5] == pruned
    assert created["summary"]["add"] == 18 and clean["summary"]["add"] == 0
    assert changed["accounts"] == [B, C]
    assert changed["selection"] == {"accounts": [B, C], "shard": None}
    assert pruned["selection"] == {"accounts": [], "shard": shard}
    assert B in pruned["accounts"] and len(pruned["accounts"]) < 3
    seen = {c["action"] for d in documents for p in d["plans"] for c in p["changes"]}
    assert seen == {"create", "update", "replace", "delete", "unmanaged"}


def test_an_account_that_failed_validates_with_its_role_and_error(
    aws: SandboxInfo, rules: Path, tmp_path: Path
) -> None:
    refuse_the_caller(_in(B).client("iam"))
    saved = tmp_path / "plan.json"

    planned = _json("plan", "-f", "json", "--out", saved, rules, exit_code=1)
    shown = _json("show", "-f", "json", saved)

    assert _errors(planned) == []
    _holds_together(planned)
    assert shown == planned
    [failed] = planned["failed"]
    assert failed["account"] == B and failed["role"] == ROLE.format(B)
    assert failed["error"].startswith(f"cannot assume {ROLE.format(B)}: ")
    assert planned["summary"]["failed"] == 1


def test_an_interrupted_plan_validates_with_the_accounts_not_attempted(
    rules: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ctrl_c_planning(monkeypatch, B)

    planned = _json("plan", *sandbox, *ONE_AT_A_TIME, "-f", "json", rules, exit_code=130)

    assert _errors(planned) == []
    _holds_together(planned)
    assert (planned["interrupted"], planned["not_attempted"]) == (True, [B, C])


def _fleet_document() -> dict[str, Any]:
    """A plan over two accounts from the differ's plan, the second account failed."""
    plan = _mixed_plan()
    fleet = FleetPlan(
        (
            AccountPlan(plan.account, ROLE.format(plan.account), plan),
            AccountPlan(B, ROLE.format(B), error="cannot assume it: AccessDenied"),
        ),
        Selection(),
    )
    document: dict[str, Any] = json.loads(json.dumps(fleet.to_dict()))
    return document


def test_the_fleet_plan_of_the_differ_validates() -> None:
    document = _fleet_document()

    assert _errors(document) == []
    actions = {c["action"] for c in document["plans"][0]["changes"]}
    assert actions == {"create", "update", "replace", "delete"}


@pytest.mark.parametrize(
    ("case", "edit", "error"),
    [
        (
            "a failed account without its error",
            lambda d: d["failed"][0].pop("error"),
            "['failed', 0]: 'error' is a required property",
        ),
        (
            "a failed account with an empty error",
            lambda d: d["failed"][0].update(error=""),
            "['failed', 0, 'error']: '' should be non-empty",
        ),
        (
            "an account's plan without its role",
            lambda d: d["plans"][0].pop("role"),
            "['plans', 0]: 'role' is a required property",
        ),
        (
            "an address without its account",
            lambda d: d["plans"][0]["changes"][0].update(address="us-east-1/secret/x"),
            "['plans', 0, 'changes', 0, 'address']: 'us-east-1/secret/x' does not match "
            "'^[0-9]{12}/[a-z0-9-]+/(secret|template|rule|statement)/.'",
        ),
        (
            "an account's plan with the document's versions",
            lambda d: d["plans"][0].update(format_version=2),
            "['plans', 0]: Additional properties are not allowed ('format_version' was unexpected)",
        ),
        (
            "a summary without the failed accounts",
            lambda d: d["summary"].pop("failed"),
            "['summary']: 'failed' is a required property",
        ),
        (
            "a one-account field at the top",
            lambda d: d.update(account=d["accounts"][0]),
            "[]: Additional properties are not allowed ('account' was unexpected)",
        ),
        (
            "the accounts not attempted without the interruption",
            lambda d: d.update(not_attempted=[C]),
            "[]: 'interrupted' is a dependency of 'not_attempted'",
        ),
        (
            "an interruption without its count of accounts not attempted",
            lambda d: d.update(interrupted=True, not_attempted=[C]),
            "['summary']: 'not_attempted' is a required property",
        ),
        (
            "a count of accounts not attempted without the interruption",
            lambda d: d["summary"].update(not_attempted=0),
            "should not be valid under {'required': ['not_attempted']}",
        ),
        (
            "a selection without its shard",
            lambda d: d["selection"].pop("shard"),
            "['selection']: 'shard' is a required property",
        ),
    ],
)
def test_the_schema_refuses_what_is_not_a_fleet_plan(case: str, edit: Any, error: str) -> None:
    document = _fleet_document()
    edit(document)

    assert any(error in cause for cause in _causes(document))


def test_a_one_account_plan_with_an_account_address_is_refused() -> None:
    document = json.loads(json.dumps(_mixed_plan().to_dict()))
    document["changes"][0]["address"] = f"{A}/{document['changes'][0]['address']}"

    assert any("does not match '^[a-z0-9-]+/(secret" in e for e in _causes(document))


def test_an_account_of_several_has_the_fields_of_a_one_account_plan() -> None:
    """The two shapes cannot drift apart: an account's plan in a plan over several is a
    one-account plan without the versions (said once) and with the role."""
    one = SCHEMA["$defs"]["account_plan"]
    each = SCHEMA["$defs"]["fleet_account_plan"]
    versions = {"format_version", "ptc_version"}

    assert set(each["properties"]) == set(one["properties"]) - versions | {"role"}
    assert set(each["required"]) == set(one["required"]) - versions | {"role"}
    assert set(one["required"]) == set(one["properties"])
    fleet_summary = SCHEMA["$defs"]["fleet_summary"]["properties"]
    counts = set(SCHEMA["$defs"]["summary"]["properties"])
    assert set(fleet_summary) == counts | {"failed", "not_attempted"}
    assert set(_fleet_document()["summary"]) == counts | {"failed"}


def test_a_shard_is_said_as_i_of_n_and_its_saved_plan_applies_to_it(
    rules: Path, sandbox: list[str], tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"

    planned = _json("plan", *sandbox, "-f", "json", "--shard", " 01 / 2", "--out", saved, rules)
    applied = run("apply", *sandbox, "--plan", saved, "--shard", "1/2", "--auto-approve")

    assert _errors(planned) == []
    assert planned["selection"] == {"accounts": [], "shard": "1/2"}
    assert json.loads(saved.read_text(encoding="utf-8"))["selection"]["shard"] == "1/2"
    assert applied.exit_code == 0, applied.output


def test_a_selection_says_its_shard_as_i_of_n() -> None:
    assert Selection().shard is None
    assert Selection((A,), "2 /4").shard == "2/4"

"""plan and apply over every account of a file with `accounts:`, against the embedded
sandbox, whose AssumeRole gives credentials of the role's account (issue #13, "Done when")."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import boto3
import pytest

from ptc.sandbox.embedded import SandboxInfo
from tests.support import refuse_the_caller, run

A, B, C = "111111111111", "222222222222", "333333333333"
OWN = "123456789012"  # the sandbox's default credentials' account
ORG = "o-a1b2c3d4e5"
FILE = f"""\
version: 1
accounts:
  role: arn:aws:iam::{{account}}:role/ptc-deployer
  ids: ["{C}", "{A}", "{B}"]
regions: [us-east-1, eu-west-1]
rules:
  - prefix: quay
    upstream: quay.io
templates:
  - prefix: quay
    applied_for: [PULL_THROUGH_CACHE]
    description: Quay cache
    role: arn:aws:iam::{{account}}:role/ecr-template
permissions:
  - sid: PullThroughCacheForTheOrganization
    organization: {ORG}
    prefixes: [quay]
"""
ByHand = Callable[[], AbstractContextManager[SandboxInfo]]


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def _in(account: str, region: str = "us-east-1") -> boto3.Session:
    """A session in `account` of the running sandbox (AssumeRole lands there)."""
    sts: Any = boto3.client("sts", region_name=region)
    role = f"arn:aws:iam::{account}:role/ptc-deployer"
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="test")["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def _rules(session: boto3.Session) -> list[tuple[str, str]]:
    ecr: Any = session.client("ecr")
    answer = ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    return [(rule["registryId"], rule["ecrRepositoryPrefix"]) for rule in answer]


def _apply(rules: Path, sandbox: list[str], *extra: str) -> Any:
    applied = run("apply", *sandbox, "--auto-approve", rules, *extra)
    assert applied.exit_code == 0, applied.output
    return applied


def test_apply_makes_every_account_and_region_and_plans_clean(
    rules: Path, sandbox: list[str], by_hand: ByHand
) -> None:
    applied = _apply(rules, sandbox)
    planned = run("plan", *sandbox, "--detailed-exitcode", rules)

    for account in (A, B, C):
        assert f"  applied       {account}\n" in applied.stdout
        assert f"done     create {account}/eu-west-1/rule/quay" in applied.stdout
    assert applied.stdout.rstrip().endswith(
        "Apply over 3 accounts complete: 3 applied, 0 without changes, 0 failed, 0 not attempted."
    )
    assert (planned.exit_code, planned.stdout) == (
        0,
        f"{A}: No changes. The live state matches the file.\n\n"
        f"{B}: No changes. The live state matches the file.\n\n"
        f"{C}: No changes. The live state matches the file.\n\n"
        "No changes in 3 accounts. The live state matches the file.\n",
    )
    with by_hand():
        for account in (A, B, C):
            for region in ("us-east-1", "eu-west-1"):
                session = _in(account, region)
                assert _rules(session) == [(account, "quay")]
                policy = json.loads(session.client("ecr").get_registry_policy()["policyText"])
                [statement] = policy["Statement"]
                assert statement["Principal"] == "*"
                assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG}}
                template = session.client("ecr").describe_repository_creation_templates()
                role = template["repositoryCreationTemplates"][0]["customRoleArn"]
                assert role == f"arn:aws:iam::{account}:role/ecr-template"


def test_drift_in_one_account_is_shown_by_its_id(
    rules: Path, sandbox: list[str], by_hand: ByHand
) -> None:
    _apply(rules, sandbox)
    with by_hand():
        _in(B, "eu-west-1").client("ecr").delete_pull_through_cache_rule(ecrRepositoryPrefix="quay")

    planned = run("plan", *sandbox, "--detailed-exitcode", rules)

    assert planned.exit_code == 2, planned.output
    assert f"  # {B}/eu-west-1/rule/quay will be created\n" in planned.stdout
    assert f"{B}: Plan: 1 to add, 0 to change, 0 to replace, 0 to destroy." in planned.stdout
    assert f"{A}: No changes." in planned.stdout
    assert planned.stdout.endswith(
        "Plan over 3 accounts (1 with changes): 1 to add, 0 to change, 0 to replace, "
        "0 to destroy.\n"
    )


def test_account_narrows_plan_and_apply(rules: Path, sandbox: list[str], by_hand: ByHand) -> None:
    applied = _apply(rules, sandbox, "--account", C)
    planned = run("plan", *sandbox, rules, "--account", A, "--account", C, "-r", "us-east-1")
    unknown = run("plan", *sandbox, rules, "--account", "444444444444")

    assert f"  applied       {C}" in applied.stdout and A not in applied.stdout
    assert planned.exit_code == 0, planned.output
    assert f"{A}/us-east-1/rule/quay will be created" in planned.stdout
    assert C in planned.stdout and B not in planned.stdout and "eu-west-1" not in planned.stdout
    assert unknown.exit_code == 64
    assert f"error: --account 444444444444: not an account of {rules}" in unknown.stderr
    with by_hand():
        assert _rules(_in(A)) == [] and _rules(_in(C)) == [(C, "quay")]


def test_accounts_under_an_organizational_unit(
    rules: Path, sandbox: list[str], tmp_path: Path
) -> None:
    made = run(
        "sandbox",
        "organization",
        "--sandbox-state",
        tmp_path / "s.json",
        f"ou-ab12-workload1={A},{B}",
        f"ou-ab12-workload1/ou-ab12-team0001={C}",
    )
    assert made.exit_code == 0, made.output
    rules.write_text(
        FILE.replace(f'  ids: ["{C}", "{A}", "{B}"]', "  organization_units: [ou-ab12-workload1]"),
        encoding="utf-8",
    )

    planned = run("plan", *sandbox, "--format", "json", rules)

    assert planned.exit_code == 0, planned.output
    document = json.loads(planned.stdout)
    assert document["accounts"] == [A, B, C]
    assert [p["account"] for p in document["plans"]] == [A, B, C]
    assert document["summary"] == {
        "add": 18,
        "change": 0,
        "replace": 0,
        "destroy": 0,
        "unmanaged": 0,
        "failed": 0,
    }
    addresses = [c["address"] for c in document["plans"][2]["changes"]]
    assert f"{C}/us-east-1/statement/PullThroughCacheForTheOrganization" in addresses


def test_an_account_whose_role_is_refused_fails_alone(aws: SandboxInfo, rules: Path) -> None:
    # In moto's in-process AWS (the embedded sandbox does not keep IAM between runs).
    refuse_the_caller(_in(B).client("iam"))

    planned = run("plan", "--format", "json", rules)
    applied = run("apply", "--auto-approve", rules)

    assert planned.exit_code == 1
    document = json.loads(planned.stdout)
    assert [p["account"] for p in document["plans"]] == [A, C]
    [failed] = document["failed"]
    assert failed["account"] == B
    assert failed["error"].startswith(f"cannot assume arn:aws:iam::{B}:role/ptc-deployer: ")
    assert f"error: account {B}: " in planned.stderr
    assert applied.exit_code == 1
    assert f"  applied       {A}\n" in applied.stdout
    assert f"  FAILED        {B}: cannot assume arn:aws:iam::{B}:role/ptc-deployer: " in (
        applied.stdout
    )
    assert f"  applied       {C}\n" in applied.stdout
    assert "Apply over 3 accounts incomplete: 2 applied, 0 without changes, 1 failed" in (
        applied.stdout
    )
    assert _rules(_in(A)) == [(A, "quay")] and _rules(_in(C)) == [(C, "quay")]


def test_a_saved_plan_applies_account_by_account_and_refuses_a_stale_one(
    rules: Path, sandbox: list[str], by_hand: ByHand, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    planned = run("plan", *sandbox, rules, "--out", saved)
    assert planned.exit_code == 0, planned.output
    shown = run("show", saved)
    with by_hand():  # the live state of one account moves after the plan
        _in(C).client("ecr").create_pull_through_cache_rule(
            ecrRepositoryPrefix="other", upstreamRegistryUrl="public.ecr.aws"
        )

    applied = run("apply", *sandbox, "--plan", saved, "--auto-approve")

    assert shown.stdout == planned.stdout.replace(
        f"Saved the plan to {saved}; apply it with: ptc apply --plan {saved}\n", ""
    )
    assert applied.exit_code == 1, applied.output
    assert f"  applied       {A}\n" in applied.stdout
    assert f"  FAILED        {C}: the live state changed since the plan was made" in (
        applied.stdout
    )
    with by_hand():
        assert _rules(_in(B)) == [(B, "quay")]
        assert _rules(_in(C)) == [(C, "other")]


def test_a_saved_plan_is_refused_for_another_shard_or_account(
    rules: Path, sandbox: list[str], tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    assert run("plan", *sandbox, rules, "--shard", "1/2", "--out", saved).exit_code == 0

    other = run("apply", *sandbox, "--plan", saved, "--shard", "2/2", "--auto-approve")
    accounts = run("apply", *sandbox, "--plan", saved, "--account", A, "--auto-approve")

    assert other.exit_code == 64
    assert other.stderr == (
        "error: the saved plan was made for --shard 1/2, not --shard 2/2: apply the plan made "
        "for these accounts, or plan them again\n"
    )
    assert accounts.exit_code == 64
    assert "made for --shard 1/2, not --account 111111111111" in accounts.stderr


def test_apply_asks_once_for_every_account(rules: Path, sandbox: list[str]) -> None:
    from unittest import mock

    with mock.patch("ptc.cli.output.stdin_is_terminal", return_value=True):
        declined = run("apply", *sandbox, rules, input="no\n")
        approved = run("apply", *sandbox, rules, input="yes\n")

    assert declined.exit_code == 1
    assert declined.stdout.count("Apply these changes in 3 accounts?") == 1
    assert declined.stdout.rstrip().endswith("Apply cancelled.")
    assert approved.exit_code == 0, approved.output
    assert approved.stdout.count("Enter a value:") == 1


def test_safety_thresholds_hold_per_account_and_region(
    rules: Path, sandbox: list[str], by_hand: ByHand
) -> None:
    _apply(rules, sandbox)
    with by_hand():
        ecr: Any = _in(B).client("ecr")
        for prefix in ("aa", "bb", "cc", "dd"):
            ecr.create_pull_through_cache_rule(
                ecrRepositoryPrefix=prefix, upstreamRegistryUrl="public.ecr.aws"
            )

    refused = run("apply", *sandbox, "--auto-approve", "--prune", rules)

    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: the plan deletes 4 of the 6 live rules and templates in {B}/us-east-1; more "
        "than 3 needs --force (safety: max_deletes 3, max_delete_percent 30 from "
        "min_existing 10)\n"
    )


def test_markdown_carries_the_accounts(rules: Path, sandbox: list[str]) -> None:
    shown = run("plan", *sandbox, "--format", "markdown", rules, "--account", A)

    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("<!-- ptc-plan -->\n\n### ptc plan for 1 account\n")
    assert f"| `{A}` | `eu-west-1` | 3 | 0 | 0 | 0 | 0 |" in shown.stdout
    assert f"#### Changes in account `{A}`" in shown.stdout
    assert f"<code>{A}/us-east-1/rule/quay</code> will be created" in shown.stdout


def test_the_example_applies_to_every_account_and_plans_clean(sandbox: list[str]) -> None:
    example = Path(__file__).parents[2] / "examples" / "accounts.yaml"

    applied = run("apply", *sandbox, "--auto-approve", example)
    planned = run("plan", *sandbox, "--detailed-exitcode", example)

    assert applied.exit_code == 0, applied.output
    assert "Plan over 3 accounts (3 with changes): 36 to add, 0 to change" in applied.stdout
    assert (planned.exit_code, planned.stdout.splitlines()[-1]) == (
        0,
        "No changes in 3 accounts. The live state matches the file.",
    )


def test_a_file_for_one_account_takes_its_own_id_only(tmp_path: Path, sandbox: list[str]) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(f'version: 1\naccount: "{OWN}"\nregions: [us-east-1]\n', encoding="utf-8")
    saved = tmp_path / "plan.json"

    own = run("plan", *sandbox, path, "--account", OWN, "--out", saved)
    other = run("plan", *sandbox, path, "--account", B)
    sharded = run("apply", *sandbox, "--plan", saved, "--shard", "1/2")
    elsewhere = run("apply", *sandbox, "--plan", saved, "--account", B)

    assert own.exit_code == 0, own.output
    assert (other.exit_code, other.stderr) == (
        64,
        f"error: --account {B}: {path} has no 'accounts:'; its account is {OWN}\n",
    )
    assert (sharded.exit_code, sharded.stderr) == (
        64,
        "error: --shard: the saved plan is for one account, with none to split\n",
    )
    assert (elsewhere.exit_code, elsewhere.stderr) == (
        64,
        f"error: --account {B}: the saved plan is for account {OWN}\n",
    )


def test_max_concurrency_bounds_the_accounts_at_once(rules: Path, sandbox: list[str]) -> None:
    one_at_a_time = run("plan", *sandbox, rules, "--max-concurrency", "1")
    none = run("plan", *sandbox, rules, "--max-concurrency", "0")

    assert one_at_a_time.exit_code == 0, one_at_a_time.output
    assert one_at_a_time.stdout.endswith(
        "Plan over 3 accounts (3 with changes): 18 to add, 0 to change, 0 to replace, "
        "0 to destroy.\n"
    )
    assert none.exit_code == 64
    assert "give 1 or more" in none.output


def test_a_saved_plan_without_secret_values_compares_them_per_account(
    tmp_path: Path, sandbox: list[str]
) -> None:
    example = Path(__file__).parents[2] / "examples" / "accounts.yaml"
    saved = tmp_path / "plan.json"
    assert run("apply", *sandbox, "--auto-approve", example).exit_code == 0
    planned = run("plan", *sandbox, example, "--without-secret-values", "--out", saved)

    applied = run("apply", *sandbox, "--plan", saved, "--auto-approve")

    assert planned.exit_code == 0, planned.output
    assert applied.exit_code == 0, applied.output
    for account in (A, B, C):
        assert (
            f"{account}: The plan was made with --without-secret-values; compared the values "
            "of 2 secret(s) now: they match.\n"
        ) in applied.stdout

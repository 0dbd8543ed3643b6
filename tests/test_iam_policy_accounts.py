"""`ptc iam-policy` for a file with `accounts:`: the deployer role's policy, the same in every
target account (`${aws:PrincipalAccount}`), and the caller's (`--caller`): sts:AssumeRole on
the role, and the Organizations reads when the file names OUs."""

from __future__ import annotations

import contextlib
import fnmatch
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ptc.checks.runner import validate_text
from ptc.config.models import PtcFile
from ptc.iam_policy import COMMANDS, PRINCIPAL_ACCOUNT, Command, build_policy, caller_policy
from tests.support import run

A, B, C = "111111111111", "222222222222", "333333333333"
ROLE = "arn:aws:iam::{account}:role/ptc-deployer"
BODY = """\
regions: [us-east-1, eu-west-1]
rules:
  - prefix: docker-hub
    upstream: registry-1.docker.io
    credentials: ecr-pullthroughcache/docker-hub
  - prefix: central
    upstream: 444444444444.dkr.ecr.us-east-1.amazonaws.com
    role: arn:aws:iam::{account}:role/ecr-pull
templates:
  - prefix: central
    applied_for: [PULL_THROUGH_CACHE]
    lifecycle_policy:
      rules:
        - rulePriority: 1
          selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 5}
          action: {type: expire}
    role: arn:aws:iam::{account}:role/ecr-template
secrets:
  - name: ecr-pullthroughcache/docker-hub
    username: {env: HUB_USER}
    access_token: {env: HUB_TOKEN}
permissions:
  - sid: Builds
    principals: ["{account}"]
    prefixes: [central]
"""
FLEET = f"""\
version: 1
accounts:
  role: {ROLE}
  ids: ["{A}", "{B}", "{C}"]
  exclude: ["{C}"]
{BODY}"""


def _file(text: str) -> PtcFile:
    result = validate_text(text, "rules.yaml", Path("."))
    assert result.file is not None and not result.errors, result.findings
    return result.file


def _in_account(policy: dict[str, Any], account: str) -> dict[str, Any]:
    """The policy as IAM evaluates it for a principal of `account`."""
    text = json.dumps(policy).replace(PRINCIPAL_ACCOUNT, account)
    return dict(json.loads(text))


@pytest.mark.parametrize("command", COMMANDS)
def test_the_role_policy_is_in_each_account_that_accounts_own_policy(command: Command) -> None:
    # The single-account policy is proven against recorded calls (tests/test_iam_policy.py);
    # the deployer role's, with IAM's variable filled in, must be exactly that policy.
    fleet = build_policy(_file(FLEET), command).policy
    single = build_policy(_file(f'version: 1\naccount: "{B}"\n{BODY}'), command).policy

    assert PRINCIPAL_ACCOUNT in json.dumps(fleet)
    assert _in_account(fleet, B) == single
    assert build_policy(_file(FLEET), command, account=B).policy == single


def test_the_notes_say_whose_policy_it_is() -> None:
    each = build_policy(_file(FLEET), "plan").notes
    one = build_policy(_file(FLEET), "plan", account=A).notes

    assert each[0] == (
        f"the file has 'accounts:': this is the policy of {ROLE} in each target account, "
        "where IAM fills in ${aws:PrincipalAccount}; 'ptc iam-policy FILE --caller' prints "
        "what the identity ptc runs as needs to assume it"
    )
    assert f"this is the policy of {ROLE} in account {A};" in one[0]
    assert not any("has no 'account'" in note for note in each)


def test_the_caller_may_assume_the_role_of_each_listed_account() -> None:
    result = caller_policy(_file(FLEET))

    assert result.policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AssumeTheDeployerRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": [
                    f"arn:aws:iam::{A}:role/ptc-deployer",
                    f"arn:aws:iam::{B}:role/ptc-deployer",
                ],
            }
        ],
    }
    assert result.notes == [
        f"the role {ROLE} must trust this identity (sts:AssumeRole in its trust policy)"
    ]


def test_with_organization_units_the_caller_lists_them_and_assumes_any_accounts_role() -> None:
    text = FLEET.replace("  exclude:", "  organization_units: [ou-ab12-workload1]\n  exclude:")
    text = text.replace("  exclude:", "  external_id: {env: PTC_EXTERNAL_ID}\n  exclude:")

    result = caller_policy(_file(text))
    narrowed = caller_policy(_file(text), account=A)

    assert result.policy["Statement"] == [
        {
            "Sid": "AssumeTheDeployerRole",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": ["arn:aws:iam::*:role/ptc-deployer"],
        },
        {
            "Sid": "ListTheAccountsOfOrganizationUnits",
            "Effect": "Allow",
            "Action": [
                "organizations:ListAccountsForParent",
                "organizations:ListOrganizationalUnitsForParent",
            ],
            "Resource": "*",
        },
    ]
    assert narrowed.policy["Statement"][0]["Resource"] == [f"arn:aws:iam::{A}:role/ptc-deployer"]
    assert len(narrowed.policy["Statement"]) == 2  # the OUs are listed on every run
    assert result.notes[0].endswith(
        "(sts:AssumeRole in its trust policy, with the sts:ExternalId condition)"
    )


def test_a_caller_policy_needs_accounts() -> None:
    with pytest.raises(ValueError, match="a caller policy is for a file with 'accounts:'"):
        caller_policy(_file(f'version: 1\naccount: "{A}"\n{BODY}'))


def test_the_command_prints_the_callers_policy_and_refuses_it_without_accounts(
    tmp_path: Path,
) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(FLEET, encoding="utf-8")
    single = tmp_path / "single.yaml"
    single.write_text(f'version: 1\naccount: "{A}"\n{BODY}', encoding="utf-8")

    printed = run("iam-policy", fleet, "--caller")
    refused = run("iam-policy", single, "--caller")
    excluded = run("iam-policy", fleet, "--account", C)

    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == caller_policy(_file(FLEET)).policy
    assert printed.stderr.startswith(f"note: the role {ROLE} must trust this identity")
    assert refused.exit_code == 64
    assert refused.stderr == (
        f"error: --caller: {single} has no 'accounts:'; ptc runs there with the caller's own "
        "credentials, whose policy is the one --for prints\n"
    )
    assert (excluded.exit_code, excluded.stderr) == (
        64,
        f"error: --account {C}: not an account of {fleet}\n",
    )


def test_the_callers_policy_allows_every_call_the_caller_makes(
    tmp_path: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Record what the caller's own session calls in a run over an OU's accounts."""
    import ptc.cli.export

    calls: list[tuple[str, str]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        calls.append((f"{service}:{model.name}", params.get("RoleArn", "*")))

    original = ptc.cli.export.aws_connection

    @contextlib.contextmanager
    def recording(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with original(*args, **kwargs) as connection:
            connection.session.events.register("provide-client-params", record)
            yield connection

    monkeypatch.setattr(ptc.cli.export, "aws_connection", recording)
    state = sandbox[-1]
    placed = run("sandbox", "organization", "--sandbox-state", state, f"ou-ab12-workload1={A},{B}")
    assert placed.exit_code == 0
    text = (
        f"version: 1\naccounts:\n  role: {ROLE}\n  organization_units: [ou-ab12-workload1]\n"
        "regions: [us-east-1]\n"
    )
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(text, encoding="utf-8")

    result = run("export", *sandbox, "--from", fleet)

    assert result.exit_code == 0, result.output
    statements = caller_policy(_file(text)).policy["Statement"]
    granted = [
        (a, r) for s in statements for a in _listed(s["Action"]) for r in _listed(s["Resource"])
    ]
    assert {action for action, _ in calls} == {
        "sts:AssumeRole",
        "organizations:ListAccountsForParent",
        "organizations:ListOrganizationalUnitsForParent",
    }
    for action, resource in calls:
        assert any(a == action and fnmatch.fnmatchcase(resource, r) for a, r in granted), (
            action,
            resource,
        )


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_too_many_accounts_for_one_policy_allow_the_role_in_any_account() -> None:
    # 200 role ARNs are about 9,000 characters: IAM refuses a managed policy over 6,144.
    ids = ", ".join(f'"{100000000000 + n}"' for n in range(200))
    many = FLEET.replace(f'ids: ["{A}", "{B}", "{C}"]\n  exclude: ["{C}"]', f"ids: [{ids}]")
    result = caller_policy(_file(many))

    assert result.policy["Statement"][0]["Resource"] == ["arn:aws:iam::*:role/ptc-deployer"]
    assert len(json.dumps(result.policy, separators=(",", ":"))) < 6144
    assert result.notes[-1] == (
        "200 accounts' roles would exceed IAM's 6,144-character policy limit: "
        "the role is allowed in any account (its trust policy decides)"
    )

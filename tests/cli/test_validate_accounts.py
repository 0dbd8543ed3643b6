"""`ptc validate --online` over the accounts of a file with `accounts:`, against the served
sandbox: each account's checks run in that account, findings name it, and an account whose
role cannot be assumed is one finding that stops no other account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from tests.support import refuse_the_caller, run

if TYPE_CHECKING:
    from ptc.sandbox.embedded import SandboxInfo
    from ptc.sandbox.server import RunningServer

A, B, C, D = "111111111111", "222222222222", "333333333333", "444444444444"
HUB = "ecr-pullthroughcache/docker-hub"
FLEET = f"""\
version: 1
accounts:
  role: arn:aws:iam::{{account}}:role/ptc-deployer
  ids: ["{A}", "{B}", "{C}", "{D}"]
regions: [us-east-1]
rules:
  - prefix: docker-hub
    upstream: registry-1.docker.io
    credentials: {HUB}
"""
GOOD = {"username": "octocat", "accessToken": "dckr_pat_test"}


def _session(sandbox: SandboxInfo, account: str) -> Any:
    sts = sandbox.session().client("sts")
    role = f"arn:aws:iam::{account}:role/ptc-deployer"
    keys = sts.assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
    return boto3.Session(
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
        region_name="us-east-1",
    )


def _hub_rule(sandbox: SandboxInfo, account: str, value: dict[str, str]) -> None:
    session = _session(sandbox, account)
    secret = session.client("secretsmanager").create_secret(
        Name=HUB, SecretString=json.dumps(value)
    )
    session.client("ecr").create_pull_through_cache_rule(
        ecrRepositoryPrefix="docker-hub",
        upstreamRegistryUrl="registry-1.docker.io",
        credentialArn=secret["ARN"],
    )


def test_every_account_is_checked_and_findings_name_it(
    aws: SandboxInfo, sandbox_server: RunningServer, tmp_path: Path
) -> None:
    _hub_rule(aws, A, GOOD)
    _hub_rule(aws, B, {"username": "octocat"})  # no accessToken
    refuse_the_caller(_session(aws, C).client("iam"), trusted=A)  # A only
    # D: nothing applied yet
    rules = tmp_path / "fleet.yaml"
    rules.write_text(FLEET, encoding="utf-8")
    served = {"AWS_ENDPOINT_URL": sandbox_server.url}

    result = run("validate", "--online", rules, env=served)

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{rules}:3:9: PTC605 error: account {C}: could not check: cannot assume "
        f"arn:aws:iam::{C}:role/ptc-deployer: AssumeRole: access denied: User: "
        "arn:aws:sts::123456789012:user/moto is not authorized to perform: sts:AssumeRole "
        f"on resource: arn:aws:iam::{C}:role/ptc-deployer"
    )
    assert lines[1] == (
        "    fix: Check that the role exists in that account, trusts the caller (and the "
        "external ID, if any), and allows what 'ptc iam-policy' lists; the other accounts "
        "were checked."
    )
    where = f"{rules}:9:18:"
    assert [line for line in lines[2:] if line.startswith(where) and "error" in line] == [
        f"{where} PTC601 error: account {D}: rule 'docker-hub' in us-east-1 is not "
        "applied yet; run ptc apply",
        f"{where} PTC603 error: account {D}: rule 'docker-hub' in us-east-1: secret "
        f"'{HUB}' does not exist in account {D}, us-east-1",
        f"{where} PTC604 error: account {B}: rule 'docker-hub' in us-east-1: "
        f"secret '{HUB}' lacks the key(s) accessToken",
    ]
    assert lines[-1] == f"{rules}: 4 errors, 1 warning"
    assert "dckr_pat_test" not in result.output


def test_account_narrows_the_accounts_checked(
    aws: SandboxInfo, sandbox_server: RunningServer, tmp_path: Path
) -> None:
    _hub_rule(aws, A, GOOD)
    rules = tmp_path / "fleet.yaml"
    rules.write_text(FLEET, encoding="utf-8")
    served = {"AWS_ENDPOINT_URL": sandbox_server.url}

    result = run("validate", "--online", "--account", A, rules, env=served)
    unknown = run("validate", "--online", "--account", "999999999999", rules, env=served)

    assert result.exit_code == 0
    assert result.stdout.endswith(f"{rules}: 0 errors, 1 warning\n")  # PTC305: not managed
    assert unknown.exit_code == 64
    assert unknown.stderr == f"error: --account 999999999999: not an account of {rules}\n"


def test_a_file_without_accounts_is_checked_in_the_callers_account(
    tmp_path: Path, sandbox: list[str]
) -> None:
    rules = tmp_path / "rules.yaml"
    single = FLEET.replace(FLEET[FLEET.index("accounts:") : FLEET.index("regions:")], "")
    rules.write_text(single, encoding="utf-8")

    result = run("validate", "--online", *sandbox, rules)

    assert result.exit_code == 1
    assert f"{rules}:6:18: PTC601 error: rule 'docker-hub' in us-east-1 is not applied" in (
        result.stdout
    )


def test_accounts_options_need_online(tmp_path: Path) -> None:
    rules = tmp_path / "fleet.yaml"
    rules.write_text(FLEET, encoding="utf-8")

    result = run("validate", "--account", A, rules)

    assert result.exit_code == 64
    assert result.stderr == "error: --account, --shard and --max-concurrency need --online\n"


def test_ctrl_c_reports_the_accounts_checked_and_names_the_others(
    tmp_path: Path, sandbox: list[str], monkeypatch: Any
) -> None:
    from ptc.checks import online

    real = online.online_problems

    def online_problems(*args: Any, **kwargs: Any) -> Any:
        if args[3] == B:  # (context, probe, regions, account)
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(online, "online_problems", online_problems)
    rules = tmp_path / "fleet.yaml"
    rules.write_text(FLEET, encoding="utf-8")

    result = run("validate", "--online", *sandbox, "--max-concurrency", "1", rules)
    document = run("validate", "--online", *sandbox, "--max-concurrency", "1", "-f", "json", rules)

    assert result.exit_code == document.exit_code == 130, result.output
    assert (
        result.stderr
        == document.stderr
        == (
            f"account {B}: not checked (interrupted)\n"
            f"account {C}: not checked (interrupted)\n"
            f"account {D}: not checked (interrupted)\n"
            "error: interrupted\n"
        )
    )
    assert f"account {A}: " in result.stdout  # what A's checks found is reported
    assert all(f"account {x}" not in result.stdout for x in (B, C, D))
    assert f"account {A}: " in document.stdout

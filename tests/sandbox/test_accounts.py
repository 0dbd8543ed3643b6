"""Many accounts in one sandbox: AssumeRole lands in the role's account, which keeps its own
ECR, Secrets Manager and Organizations, in-process, served, and across a save and load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core.base_backend import BackendDict

from ptc.sandbox import accounts, organizations, state
from ptc.sandbox.embedded import SandboxInfo, running
from ptc.sandbox.server import start_background
from ptc.sandbox.standin import StandIn

A, B = "111111111111", "222222222222"
SECRET_VALUE = json.dumps({"username": "octocat", "accessToken": "dckr_pat_x"})


def _assumed(base: SandboxInfo, account: str, endpoint: str | None = None) -> boto3.Session:
    """A boto3 session with the credentials AssumeRole of a role in `account` gives."""
    sts = base.session().client("sts", endpoint_url=endpoint)
    role = f"arn:aws:iam::{account}:role/ptc-deployer"
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="test")["Credentials"]
    return _session(base.region, credentials)


def _session(region: str, credentials: dict[str, Any]) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def _make_rules(session: boto3.Session, prefix: str, endpoint: str | None = None) -> str:
    """A secret and a Docker Hub rule using it, in the session's account; the secret's ARN."""
    secrets: Any = session.client("secretsmanager", endpoint_url=endpoint)
    arn = str(
        secrets.create_secret(Name="ecr-pullthroughcache/hub", SecretString=SECRET_VALUE)["ARN"]
    )
    ecr: Any = session.client("ecr", endpoint_url=endpoint)
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix=prefix, upstreamRegistryUrl="registry-1.docker.io", credentialArn=arn
    )
    return arn


def _rules(session: boto3.Session, endpoint: str | None = None) -> list[tuple[str, str]]:
    ecr: Any = session.client("ecr", endpoint_url=endpoint)
    return [
        (rule["registryId"], rule["ecrRepositoryPrefix"])
        for rule in ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    ]


def test_two_accounts_rules_and_secrets_are_kept_apart(aws: SandboxInfo) -> None:
    in_a, in_b = _assumed(aws, A), _assumed(aws, B)

    arn_a = _make_rules(in_a, "hub-a")
    arn_b = _make_rules(in_b, "hub-b")

    assert arn_a.startswith(f"arn:aws:secretsmanager:us-east-1:{A}:secret:")
    assert arn_b.startswith(f"arn:aws:secretsmanager:us-east-1:{B}:secret:")
    assert _rules(in_a) == [(A, "hub-a")]
    assert _rules(in_b) == [(B, "hub-b")]
    assert _rules(aws.session()) == []
    # Account B's secret is not account A's to use, as in ECR.
    with pytest.raises(Exception, match="UnableToAccessSecretException"):
        in_a.client("ecr").create_pull_through_cache_rule(
            ecrRepositoryPrefix="other",
            upstreamRegistryUrl="registry-1.docker.io",
            credentialArn=arn_b,
        )


def test_two_accounts_are_kept_apart_by_the_server(tmp_path: Path) -> None:
    path = tmp_path / "server.json"
    server = start_background(path)
    try:
        base = server.info()
        in_a, in_b = _assumed(base, A, server.url), _assumed(base, B, server.url)
        _make_rules(in_a, "hub-a", server.url)
        _make_rules(in_b, "hub-b", server.url)
        assert _rules(in_a, server.url) == [(A, "hub-a")]
        assert _rules(in_b, server.url) == [(B, "hub-b")]
        identity = in_b.client("sts", endpoint_url=server.url).get_caller_identity()
        assert identity["Arn"] == f"arn:aws:sts::{B}:assumed-role/ptc-deployer/test"
    finally:
        server.stop()
    saved = json.loads(path.read_text())["accounts"]
    assert sorted(saved) == [A, B]
    # Restarted from its state, the server still knows whose credentials a client cached.
    BackendDict.reset()
    server = start_background(path)
    try:
        assert _rules(in_b, server.url) == [(B, "hub-b")]
        assert _rules(in_a, server.url) == [(A, "hub-a")]
    finally:
        server.stop()
        BackendDict.reset()


def test_state_keeps_every_accounts_data_and_no_secret_value(
    aws: SandboxInfo, tmp_path: Path
) -> None:
    _make_rules(_assumed(aws, A), "hub-a")
    _make_rules(_assumed(aws, B), "hub-b")
    outline = organizations.seed(
        aws.account_id, [organizations.parse_placement(f"ou-ab12-workload1={A},{B}")]
    )
    path = tmp_path / "sandbox.json"

    state.dump(path, StandIn(b"test key"))
    BackendDict.reset()
    state.load(path)

    assert _rules(_assumed(aws, A)) == [(A, "hub-a")]
    assert _rules(_assumed(aws, B)) == [(B, "hub-b")]
    assert "dckr_pat_x" not in path.read_text()
    org = aws.session().client("organizations")
    assert org.describe_organization()["Organization"]["Id"] == outline.id
    listed = org.list_accounts_for_parent(ParentId="ou-ab12-workload1")["Accounts"]
    assert sorted(account["Id"] for account in listed) == [A, B]
    assert org.list_roots()["Roots"][0]["Id"] == "r-ab12"
    # A member account sees its organisation too.
    member = _assumed(aws, B).client("organizations")
    assert member.describe_organization()["Organization"]["Id"] == outline.id


def test_embedded_sandbox_keeps_the_organization_between_runs(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    with running(path) as sandbox:
        organizations.seed(
            sandbox.account_id,
            [
                organizations.parse_placement(f"ou-ab12-workload1={A}"),
                organizations.parse_placement(f"ou-ab12-workload1/ou-ab12-team0001={B}"),
            ],
        )
    with running(path) as sandbox:
        org: Any = sandbox.session().client("organizations")
        children = org.list_children(ParentId="ou-ab12-workload1", ChildType="ORGANIZATIONAL_UNIT")
        below = org.list_accounts_for_parent(ParentId="ou-ab12-team0001")["Accounts"]
        assert [child["Id"] for child in children["Children"]] == ["ou-ab12-team0001"]
        assert [(account["Id"], account["Status"]) for account in below] == [(B, "ACTIVE")]


def test_seeding_twice_changes_nothing(aws: SandboxInfo) -> None:
    placements = [organizations.parse_placement(f"ou-ab12-workload1={A},{B}")]

    first = organizations.seed(aws.account_id, placements)
    second = organizations.seed(aws.account_id, placements)

    assert first == second
    assert first.units == (("ou-ab12-workload1", (A, B)),)
    assert (first.management_account, first.root_id) == (aws.account_id, "r-ab12")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ou-ab12-workload1", "'ou-ab12-workload1': expected OU=ACCOUNT[,ACCOUNT...]"),
        ("workloads=111111111111", "'workloads=111111111111': 'workloads' is not an OU id"),
        ("ou-ab12-workload1=1111", "'ou-ab12-workload1=1111': '1111' is not an account id"),
    ],
)
def test_a_bad_placement_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(organizations.UsageError) as raised:
        organizations.parse_placement(text)
    assert str(raised.value).startswith(message)


def test_a_role_the_caller_is_not_trusted_by_is_refused(aws: SandboxInfo) -> None:
    iam = _assumed(aws, B).client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName="ptc-deployer", AssumeRolePolicyDocument=json.dumps(trust))

    with pytest.raises(Exception, match="AccessDenied") as raised:
        _assumed(aws, B)
    in_a = _assumed(aws, A)
    role = f"arn:aws:iam::{B}:role/ptc-deployer"
    allowed = in_a.client("sts").assume_role(RoleArn=role, RoleSessionName="from-a")

    assert "not authorized to perform: sts:AssumeRole" in str(raised.value)
    assert allowed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{B}:assumed-role/ptc-deployer/from-a"


@pytest.mark.parametrize("account", ["123456789012", A, B, "000000000001", "999999999999"])
def test_an_access_key_id_names_its_account(account: str) -> None:
    from moto.iam.utils import generate_access_key_id_from_account_id

    for kind in ("AKIA", "ASIA"):
        assert accounts.account_of_key(generate_access_key_id_from_account_id(account, kind)) == (
            account
        )


@pytest.mark.parametrize("key", ["testing", "AKIAIOSFODNN7EXAMPLE", "ASIA" + "A" * 16])
def test_a_key_id_of_no_account_is_none(key: str) -> None:
    assert accounts.account_of_key(key) is None


def test_sandbox_organization_makes_and_prints_the_organization(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ptc.cli import app

    path = tmp_path / "sandbox.json"
    made = CliRunner().invoke(
        app,
        ["sandbox", "organization", "--sandbox-state", str(path), f"ou-ab12-workload1={A},{B}"],
    )
    again = CliRunner().invoke(
        app, ["sandbox", "organization", "--sandbox-state", str(path), f"ou-ab12-sandbox1={B}"]
    )

    assert made.exit_code == 0, made.output
    org_id = json.loads(path.read_text())["organizations"]["123456789012"]["id"]
    assert made.stdout == (
        f"organization {org_id}: management account 123456789012, root r-ab12\n"
        f"  ou-ab12-workload1: {A}, {B}\n"
    )
    assert again.stdout == (
        f"organization {org_id}: management account 123456789012, root r-ab12\n"
        f"  ou-ab12-sandbox1: {B}\n"
        f"  ou-ab12-workload1: {A}\n"
    )


def test_sandbox_organization_refuses_a_bad_placement_before_starting(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ptc.cli import app

    path = tmp_path / "sandbox.json"
    result = CliRunner().invoke(
        app, ["sandbox", "organization", "--sandbox-state", str(path), "workloads=111111111111"]
    )

    assert result.exit_code == 64
    assert result.stderr.startswith("error: 'workloads=111111111111': 'workloads' is not an OU id")
    assert not path.exists()


def _aws_cli() -> list[str] | None:
    import importlib.util
    import shutil
    import sys

    if importlib.util.find_spec("awscli") is not None:
        return [sys.executable, "-m", "awscli"]
    found = shutil.which("aws")
    return [found] if found else None


@pytest.mark.external
@pytest.mark.skipif(_aws_cli() is None, reason="the aws CLI is not installed")
def test_the_aws_cli_builds_an_organization_in_sandbox_serve(sandbox_server: Any) -> None:
    import os
    import subprocess

    from ptc.sandbox.embedded import dummy_environment

    management = "444444444444"  # an account of its own: the server is shared by the session
    credentials = (
        sandbox_server.info()
        .client("sts")
        .assume_role(RoleArn=f"arn:aws:iam::{management}:role/admin", RoleSessionName="cli")[
            "Credentials"
        ]
    )
    env = {k: v for k, v in {**os.environ, **dummy_environment("us-east-1")}.items() if v}
    env.update(
        AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
        AWS_SESSION_TOKEN=credentials["SessionToken"],
        AWS_ENDPOINT_URL=sandbox_server.url,
    )

    def aws(*args: str) -> Any:
        command = [*(_aws_cli() or []), "organizations", *args, "--output", "json"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    org = aws("create-organization", "--feature-set", "ALL")["Organization"]
    root = aws("list-roots")["Roots"][0]["Id"]
    ou = aws("create-organizational-unit", "--parent-id", root, "--name", "workloads")
    ou_id = ou["OrganizationalUnit"]["Id"]
    status = aws("create-account", "--email", "a@example.com", "--account-name", "a")
    member = status["CreateAccountStatus"]["AccountId"]
    aws("move-account", "--account-id", member, "--source-parent-id", root,
        "--destination-parent-id", ou_id)  # fmt: skip
    listed = aws("list-accounts-for-parent", "--parent-id", ou_id)["Accounts"]

    assert org["MasterAccountId"] == management
    assert [(a["Id"], a["Status"]) for a in listed] == [(member, "ACTIVE")]
    # The member account, through a role there, belongs to the organisation.
    in_member = _assumed(sandbox_server.info(), member, sandbox_server.url)
    described = in_member.client("organizations", endpoint_url=sandbox_server.url)
    assert described.describe_organization()["Organization"]["Id"] == org["Id"]

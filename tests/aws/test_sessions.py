"""Sessions in another account by STS AssumeRole, against the multi-account sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ptc.aws.clients import CoreSession
from ptc.aws.sessions import AssumeRoleError, assume_role_session, session_name
from ptc.sandbox.embedded import SandboxInfo

MEMBER = "222222222222"
ROLE = f"arn:aws:iam::{MEMBER}:role/ptc-deployer"
CALLER = "arn:aws:sts::123456789012:user/moto"


def _assume_role_calls(base: CoreSession) -> list[dict[str, Any]]:
    """Every AssumeRole request the base session's clients send, by its parameters."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    base.events.register("provide-client-params.sts.AssumeRole", record)
    return calls


def _trust(statement: dict[str, Any]) -> None:
    """Create the role in MEMBER's account (as its admin), trusting as `statement` says."""
    admin = f"arn:aws:iam::{MEMBER}:role/admin"
    iam = assume_role_session(CoreSession(), admin, account=MEMBER, name="setup").client("iam")
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    iam.create_role(RoleName="ptc-deployer", AssumeRolePolicyDocument=json.dumps(policy))


def test_the_assumed_sessions_calls_land_in_the_roles_account(aws: SandboxInfo) -> None:
    assumed = assume_role_session(CoreSession(), ROLE, account=MEMBER, name="ptc-plan")

    identity = assumed.client("sts").get_caller_identity()
    assumed.client("ecr").put_registry_policy(policyText=_REGISTRY_POLICY)

    assert identity["Account"] == MEMBER
    assert identity["Arn"] == f"arn:aws:sts::{MEMBER}:assumed-role/ptc-deployer/ptc-plan"
    assert assumed.client("ecr").get_registry_policy()["registryId"] == MEMBER
    own = aws.session().client("ecr")
    with pytest.raises(own.exceptions.RegistryPolicyNotFoundException):
        own.get_registry_policy()


def test_the_session_name_and_external_id_are_sent(aws: SandboxInfo) -> None:
    base = CoreSession()
    calls = _assume_role_calls(base)

    assume_role_session(base, ROLE, account=MEMBER, name="ptc-apply", external_id="ext-1234")

    assert calls == [{"RoleArn": ROLE, "RoleSessionName": "ptc-apply", "ExternalId": "ext-1234"}]


def test_a_role_that_asks_for_an_external_id_is_assumed_with_it(aws: SandboxInfo) -> None:
    _trust(_statement({"StringEquals": {"sts:ExternalId": "ext-1234"}}))

    assumed = assume_role_session(
        CoreSession(), ROLE, account=MEMBER, name="ptc-plan", external_id="ext-1234"
    )

    assert assumed.client("sts").get_caller_identity()["Account"] == MEMBER


def test_an_unassumable_role_is_a_ptc_error_naming_the_account(aws: SandboxInfo) -> None:
    _trust(_statement({"StringEquals": {"sts:ExternalId": "ext-1234"}}))

    with pytest.raises(AssumeRoleError) as raised:
        assume_role_session(CoreSession(), ROLE, account=MEMBER, name="ptc-plan")

    assert str(raised.value) == (
        f"account {MEMBER}: cannot assume {ROLE}: AssumeRole: access denied: User: {CALLER} "
        f"is not authorized to perform: sts:AssumeRole on resource: {ROLE}"
    )
    assert (raised.value.account, raised.value.code, raised.value.exit_code) == (
        MEMBER,
        "AccessDenied",
        1,
    )


def test_a_role_trusting_another_account_is_not_assumable(aws: SandboxInfo) -> None:
    _trust({**_statement(), "Principal": {"AWS": "arn:aws:iam::333333333333:root"}})

    with pytest.raises(AssumeRoleError, match=f"^account {MEMBER}: cannot assume"):
        assume_role_session(CoreSession(), ROLE, account=MEMBER, name="ptc-plan")


def test_credentials_are_refreshed_before_they_expire(aws: SandboxInfo) -> None:
    base = CoreSession()
    calls = _assume_role_calls(base)
    # 15 minutes, STS's shortest session: within botocore's refresh window from the start,
    # so every later use of the credentials assumes the role again.
    assumed = assume_role_session(base, ROLE, account=MEMBER, name="ptc-plan", duration_seconds=900)

    sts = assumed.client("sts")
    first = sts.get_caller_identity()["Arn"]
    second = sts.get_caller_identity()["Arn"]

    assert len(calls) >= 2
    assert first == second == f"arn:aws:sts::{MEMBER}:assumed-role/ptc-deployer/ptc-plan"


def test_without_credentials_nothing_is_assumed(
    aws: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    with pytest.raises(AssumeRoleError) as raised:
        assume_role_session(CoreSession(), ROLE, account=MEMBER, name="ptc-plan")

    assert str(raised.value) == (
        f"account {MEMBER}: cannot assume {ROLE}: no usable AWS credentials to assume it with"
    )


def test_a_boto3_base_session_works_too(aws: SandboxInfo) -> None:
    assumed = assume_role_session(aws.session(), ROLE, account=MEMBER, name="ptc-plan")

    assert assumed.region_name == aws.region
    assert assumed.client("sts").get_caller_identity()["Account"] == MEMBER


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("plan", "ptc-plan"),
        ("sandbox pull", "ptc-sandbox-pull"),
        ("x" * 80, "ptc-" + "x" * 60),
    ],
)
def test_session_names_say_ptc_within_stss_limits(command: str, expected: str) -> None:
    assert session_name(command) == expected


def _statement(condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return statement


_REGISTRY_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "pull",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{MEMBER}:root"},
                "Action": ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
                "Resource": f"arn:aws:ecr:us-east-1:{MEMBER}:repository/*",
            }
        ],
    }
)


def test_sessions_against_sandbox_serve_land_in_the_roles_account(
    sandbox_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptc.sandbox.embedded import dummy_environment

    for variable, value in dummy_environment("us-east-1").items():
        if value is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox_server.url)
    base = CoreSession()
    member = "555555555555"  # an account of its own: the server is shared by the session

    assumed = assume_role_session(
        base, f"arn:aws:iam::{member}:role/ptc-deployer", account=member, name="ptc-plan"
    )
    assumed.client("ecr").create_pull_through_cache_rule(
        ecrRepositoryPrefix="quay-member", upstreamRegistryUrl="quay.io"
    )

    rules = assumed.client("ecr").describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert [(r["registryId"], r["ecrRepositoryPrefix"]) for r in rules] == [(member, "quay-member")]
    own = base.client("ecr").describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert "quay-member" not in [r["ecrRepositoryPrefix"] for r in own]


def test_one_sts_client_serves_every_account_assumed_from_one_session(aws: SandboxInfo) -> None:
    base = CoreSession()
    made: list[str] = []
    client = base.client

    def counting(service: str, **kwargs: Any) -> Any:
        made.append(service)
        return client(service, **kwargs)

    base.client = counting  # type: ignore[method-assign]
    accounts = ["222222222222", "333333333333", "444444444444"]
    for account in accounts:
        assumed = assume_role_session(
            base, f"arn:aws:iam::{account}:role/ptc-deployer", account=account, name="ptc-plan"
        )
        assert assumed.client("sts").get_caller_identity()["Account"] == account

    assert made == ["sts"]  # not one per account: making a client costs milliseconds each

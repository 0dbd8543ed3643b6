"""Clients shared by the accounts of a run, each call signed as its own account."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import botocore.session
import pytest

from ptc.aws.account_clients import AccountSession, NoAccountBound, acting_as, shared_clients
from ptc.aws.clients import RETRY_CONFIG, CoreSession, paginate
from ptc.aws.sessions import assume_role_session
from ptc.sandbox.embedded import SandboxInfo

ACCOUNTS = ["222222222222", "333333333333", "444444444444"]
REGIONS = ["us-east-1", "eu-west-1"]


def _assume(base: Any, account: str) -> AccountSession:
    role = f"arn:aws:iam::{account}:role/ptc-deployer"
    return assume_role_session(base, role, account=account, name="ptc-plan")


def test_accounts_assumed_from_one_session_share_a_client_per_service_and_region(
    aws: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[tuple[str, str | None]] = []
    create = botocore.session.Session.create_client

    def counting(self: Any, service: str, *args: Any, **kwargs: Any) -> Any:
        made.append((service, kwargs.get("region_name")))
        return create(self, service, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting)
    base = CoreSession()
    registries = {}
    for account in ACCOUNTS:
        assumed = _assume(base, account)
        for region in REGIONS:
            ecr = assumed.client("ecr", region_name=region, config=RETRY_CONFIG)
            registries[account, region] = ecr.describe_registry()["registryId"]

    # Not one per account: making a client costs milliseconds of CPU each.
    assert sorted(made) == [("ecr", "eu-west-1"), ("ecr", "us-east-1"), ("sts", "us-east-1")]
    assert registries == {(a, r): a for a in ACCOUNTS for r in REGIONS}


def test_calls_from_many_threads_are_each_signed_as_their_own_account(aws: SandboxInfo) -> None:
    base = CoreSession()
    sessions = {account: _assume(base, account) for account in ACCOUNTS}
    for account, session in sessions.items():
        ecr = session.client("ecr", region_name="us-east-1")
        for i in range(3):  # three pages of one rule each
            ecr.create_pull_through_cache_rule(
                ecrRepositoryPrefix=f"quay-{account}-{i}", upstreamRegistryUrl="quay.io"
            )

    def read(account: str) -> tuple[str, str, list[str]]:
        session = sessions[account]
        identity = session.client("sts").get_caller_identity()["Account"]
        ecr = session.client("ecr", region_name="us-east-1")
        rules = paginate(
            ecr, "describe_pull_through_cache_rules", "pullThroughCacheRules", page_size=1
        )
        return account, identity, sorted(r["ecrRepositoryPrefix"] for r in rules)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(read, ACCOUNTS * 10))

    for account, identity, prefixes in answers:
        assert identity == account
        assert prefixes == [f"quay-{account}-{i}" for i in range(3)]


def test_a_shared_client_outside_any_account_signs_nothing(aws: SandboxInfo) -> None:
    base = CoreSession()
    _assume(base, ACCOUNTS[0])  # the shared clients exist from here on
    shared = shared_clients(base).client("sts", "us-east-1", RETRY_CONFIG)

    with pytest.raises(NoAccountBound):
        shared.get_caller_identity()


def test_a_binding_ends_with_its_block(aws: SandboxInfo) -> None:
    base = CoreSession()
    first, second = (_assume(base, a) for a in ACCOUNTS[:2])
    shared = shared_clients(base).client("sts", "us-east-1", RETRY_CONFIG)

    with acting_as(first.get_credentials()):
        with acting_as(second.get_credentials()):
            inner = shared.get_caller_identity()["Account"]
        outer = shared.get_caller_identity()["Account"]

    assert (inner, outer) == (ACCOUNTS[1], ACCOUNTS[0])
    with pytest.raises(NoAccountBound):
        shared.get_caller_identity()

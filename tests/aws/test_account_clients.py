"""Clients shared by the accounts of a run, each call signed as its own account."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import botocore.session
import pytest
from botocore.config import Config

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


class _ThrottledAccount:
    """Answers ThrottlingException to every attempt signed with `access_key`, and to the
    first attempt of everyone else's calls (`others` of them): the ECR quota of one busy
    account exhausted, while the other accounts are throttled only now and then."""

    def __init__(self, access_key: str, others: int) -> None:
        self.access_key = access_key
        self.others = others
        self.busy_attempts = 0

    def send(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        from tests.plan.conftest import RawBody

        signed_by = request.headers["Authorization"].decode().split("Credential=")[1]
        if not signed_by.startswith(self.access_key):
            if self.others == 0:
                return None
            self.others -= 1
        else:
            self.busy_attempts += 1
        body = '{"__type": "ThrottlingException", "message": "Rate exceeded"}'
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "r"}
        response = AWSResponse(request.url, 400, headers, RawBody(body))
        request.url = "https://ptc-injected-fault.invalid/"  # the sandbox never acts on it
        return response


def test_one_throttled_account_leaves_the_others_their_retries(
    aws: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """botocore's retry quota (500, 5 per throttled retry) and adaptive rate are per client:
    a shared client must keep them per account, or one account's throttling spends every
    account's retries and a healthy account's first throttle fails its call."""
    from botocore.exceptions import ClientError
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    # Standard mode: adaptive's rate limiter would make the busy account wait, in real time.
    retries = Config(retries={"mode": "standard", "total_max_attempts": 5})
    base = CoreSession()
    busy, healthy = (_assume(base, a) for a in ACCOUNTS[:2])
    busy_ecr = busy.client("ecr", region_name="us-east-1", config=retries)
    healthy_ecr = healthy.client("ecr", region_name="us-east-1", config=retries)
    throttle = _ThrottledAccount(busy.get_credentials().get_frozen_credentials().access_key, 0)
    shared_clients(base).client("ecr", "us-east-1", retries).meta.events.register_first(
        "before-send", throttle.send
    )
    for _ in range(30):  # 30 calls, 4 retries each: more than a client's 500 of quota
        with pytest.raises(ClientError, match="ThrottlingException"):
            busy_ecr.describe_registry()
    # 30 first attempts and the 100 retries its own quota pays for (500, 5 per retry).
    assert throttle.busy_attempts == 30 + 100

    throttle.others = 1
    assert healthy_ecr.describe_registry()["registryId"] == ACCOUNTS[1]


def test_pages_abandoned_or_failing_leave_no_binding_behind(aws: SandboxInfo) -> None:
    base = CoreSession()
    first, second = (_assume(base, a) for a in ACCOUNTS[:2])
    ecr = first.client("ecr", region_name="us-east-1", config=RETRY_CONFIG)
    for i in range(3):
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix=f"quay-{i}", upstreamRegistryUrl="quay.io"
        )
    shared = shared_clients(base).client("sts", "us-east-1", RETRY_CONFIG)
    paginator = ecr.get_paginator("describe_pull_through_cache_rules")

    pages = iter(paginator.paginate(PaginationConfig={"PageSize": 1}))
    assert next(pages)["pullThroughCacheRules"][0]["registryId"] == ACCOUNTS[0]
    with acting_as(second.get_credentials()):  # another account's work, between two pages
        assert next(pages)["pullThroughCacheRules"][0]["registryId"] == ACCOUNTS[0]
        assert shared.get_caller_identity()["Account"] == ACCOUNTS[1]
    del pages  # abandoned before its last page
    with pytest.raises(NoAccountBound):
        shared.get_caller_identity()

    failing = paginator.paginate(ecrRepositoryPrefixes=["no-such-rule"])
    with pytest.raises(ecr.exceptions.PullThroughCacheRuleNotFoundException):
        list(failing)
    with pytest.raises(NoAccountBound):
        shared.get_caller_identity()


def test_a_waiter_of_an_account_client_refuses_to_sign_rather_than_guess(
    aws: SandboxInfo,
) -> None:
    """A waiter calls the shared client later, outside the account's binding: it must fail
    (ptc uses none), never sign as whichever account the thread last acted for."""
    base = CoreSession()
    ecr = _assume(base, ACCOUNTS[0]).client("ecr", region_name="us-east-1")
    waiter = ecr.get_waiter("image_scan_complete")

    with pytest.raises(NoAccountBound):
        waiter.wait(repositoryName="repo", imageId={"imageTag": "t"})


def test_credentials_refreshed_inside_a_call_stay_the_accounts_own(aws: SandboxInfo) -> None:
    """botocore refreshes an account's expiring credentials in the call that signs with
    them, while that account is bound: AssumeRole goes out with the caller's credentials,
    and the call with the account's new ones."""
    from datetime import UTC, datetime

    base = CoreSession()
    first, second = (_assume(base, a) for a in ACCOUNTS[:2])
    credentials = first.get_credentials()
    refresh, refreshes = credentials._refresh_using, []
    credentials._refresh_using = lambda: refreshes.append(1) or refresh()
    credentials._expiry_time = datetime.now(UTC)  # expired: refreshed on next use

    with acting_as(second.get_credentials()):  # another account's work around it
        sts = first.client("sts")
        assert sts.get_caller_identity()["Account"] == ACCOUNTS[0]
        assert refreshes == [1]
        assert second.client("sts").get_caller_identity()["Account"] == ACCOUNTS[1]

"""The fault-injection layer itself (conftest.inject): botocore's events, not moto's insides."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest

from ptc.aws.errors import AwsError
from ptc.domain.resources import RuleResource

from .conftest import Faults, gateway

REGION = "us-east-1"
TESTS = Path(__file__).parents[1]


def _rule(prefix: str) -> RuleResource:
    return RuleResource(
        region=REGION, prefix=prefix, upstream_url="quay.io", upstream_registry="quay"
    )


def test_a_faulted_write_never_reaches_the_sandbox(
    session: boto3.Session, inject: Callable[..., Faults]
) -> None:
    gw = gateway(session, [REGION])
    faults = inject("server-error", ("CreatePullThroughCacheRule", 0), gw)
    with pytest.raises(AwsError, match="ServerException"):
        gw.create_rule(_rule("faulted"))
    assert faults.failed_attempts == 2  # every attempt botocore made
    assert gateway(session, [REGION]).read("").rules == []


def test_a_truncated_answer_comes_from_a_request_that_did_reach_it(
    session: boto3.Session, inject: Callable[..., Faults]
) -> None:
    gw = gateway(session, [REGION])
    inject("truncated-body", ("CreatePullThroughCacheRule", 0), gw, attempts=1)
    with pytest.raises(AwsError, match="not an AWS API answer"):
        gw.create_rule(_rule("cut-short"))
    assert [r.prefix for r in gateway(session, [REGION]).read("").rules] == ["cut-short"]


def test_no_test_patches_moto() -> None:
    """moto's internals change between releases; a test that patched them pinned moto."""
    patching = re.compile(r"setattr\([^)]*(moto\.|BotocoreStubber)|BotocoreStubber\.__call__")
    found = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if patching.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []

"""Registry-policy writes race: another writer acting between ptc's reads and its write.

PutRegistryPolicy replaces the whole document and has no condition. These tests put another
writer at each point of apply's read-merge-write (issue 10, item 9): right after ptc's first
read, right after its write, and after every one of its writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from ptc.aws.gateway import Gateway
from ptc.engine import workflow
from ptc.engine.apply import MERGE_ATTEMPTS, ApplyReport, Outcome

from .conftest import gateway, write_file
from .test_permissions import FILE, OWNED, REPLICATION, by_sid, live_policy, put_policy

DEPLOY = {**REPLICATION, "Sid": "PullThroughCacheFromDeploy", "Action": "ecr:CreateRepository"}


class Interfering:
    """The gateway, with another writer acting right after ptc's registry-policy calls.

    `other_writer(call)` runs after each of ptc's reads ("read") and writes ("write").
    """

    def __init__(self, gw: Gateway, other_writer: Callable[[str], None]) -> None:
        self._gw = gw
        self._other_writer = other_writer

    def registry_policy(self, region: str) -> str | None:
        text = self._gw.registry_policy(region)
        self._other_writer("read")
        return text

    def put_registry_policy(self, region: str, text: str) -> None:
        self._gw.put_registry_policy(region, text)
        self._other_writer("write")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gw, name)


def _apply(session: boto3.Session, path: Path, other_writer: Callable[[str], None]) -> ApplyReport:
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    writer: Any = Interfering(gw, other_writer)
    return workflow.apply(planned.plan, writer, desired, desired.base_dir)


def _statement_outcomes(report: ApplyReport) -> list[tuple[str, Outcome]]:
    return [(r.item.key, r.outcome) for r in report.results if r.item.kind == "statement"]


def test_a_statement_written_between_ptc_read_and_write_survives(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    put_policy(session, REPLICATION)

    calls: list[str] = []

    def other_writer(call: str) -> None:
        calls.append(call)
        if calls == ["read"]:  # ptc has read the policy and is about to write its merge
            put_policy(session, REPLICATION, DEPLOY)

    report = _apply(session, path, other_writer)

    assert report.ok and report.verified is True
    assert live_policy(session) == {
        "Version": "2012-10-17",
        "Statement": [REPLICATION, DEPLOY, OWNED],
    }


def test_a_write_that_undoes_ptc_merge_is_merged_again(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    put_policy(session, REPLICATION)
    undone: list[str] = []

    def concurrent_apply(call: str) -> None:
        # Another apply read the policy before ptc wrote and writes its own merge just after
        # ptc's write: ptc's statement is gone, the other apply's is there.
        if call == "write" and not undone:
            undone.append(call)
            put_policy(session, REPLICATION, DEPLOY)

    report = _apply(session, path, concurrent_apply)

    assert undone
    assert report.ok and report.verified is True
    assert _statement_outcomes(report) == [("PullThroughCacheFromCI", Outcome.APPLIED)]
    assert by_sid(live_policy(session)) == {
        "ReplicationFromProd": REPLICATION,
        "PullThroughCacheFromDeploy": DEPLOY,
        "PullThroughCacheFromCI": OWNED,
    }


def test_a_merge_that_cannot_be_guaranteed_fails_loudly(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    put_policy(session, REPLICATION)

    def always_undo(call: str) -> None:
        if call == "write":
            put_policy(session, REPLICATION)

    report = _apply(session, path, always_undo)

    assert not report.ok
    assert _statement_outcomes(report) == [("PullThroughCacheFromCI", Outcome.FAILED)]
    failed = next(r for r in report.results if r.item.kind == "statement")
    assert failed.error == (
        "registry policy in us-east-1: another writer kept changing it while ptc merged its "
        f"statements ({MERGE_ATTEMPTS} attempts); ptc cannot guarantee that its own and the "
        "other statements are all there: check the policy, then apply again"
    )
    # Rules come after the failed statement step and were not attempted.
    assert {r.outcome for r in report.results if r.item.kind == "rule"} == {Outcome.NOT_ATTEMPTED}


def test_a_quiet_registry_costs_one_more_read_before_and_one_after(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    put_policy(session, REPLICATION)
    calls: list[str] = []
    report = _apply(session, path, calls.append)
    assert report.ok and report.verified is True
    # Read, read again just before the write, write, read after it.
    assert calls == ["read", "read", "write", "read"]
    assert json.loads(json.dumps(live_policy(session)))["Statement"] == [REPLICATION, OWNED]

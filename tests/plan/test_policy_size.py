"""The registry policy's size limit holds for the merged document, at plan time.

PTC510 sizes the file's statements alone; ECR's limit (10,240 characters) applies to what
PutRegistryPolicy receives: the file's statements merged into the live policy, foreign
statements included. A merge that would not fit is refused by plan, before anything is
applied, and by apply if the live policy grew after the plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from ptc.domain import statements
from ptc.engine import workflow
from ptc.plan.diff import PlanError

from .conftest import gateway, write_file

ACCOUNT = "123456789012"
FILE = f"""\
    version: 1
    account: "{ACCOUNT}"
    regions: [us-east-1]
    rules:
      - prefix: quay
        upstream: quay.io
    permissions:
      - sid: PullThroughCacheFromCI
        principals: ["arn:aws:iam::{ACCOUNT}:role/ci"]
        prefixes: [quay]
"""


def _foreign(session: boto3.Session, size: int) -> None:
    """A foreign statement padded so that the live policy has about `size` characters."""
    statement: dict[str, Any] = {
        "Sid": "Replication",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "ecr:ReplicateImage",
        "Resource": [],
    }
    document = {"Version": "2012-10-17", "Statement": [statement]}
    n = 0
    while len(statements.dumps(document)) < size:
        statement["Resource"].append(f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team-{n:04d}/*")
        n += 1
    session.client("ecr").put_registry_policy(policyText=statements.dumps(document))


def _plan(session: boto3.Session, path: Path) -> workflow.Planned:
    desired = workflow.load_desired(path)
    return workflow.plan_desired(desired, gateway(session, desired.regions))


def test_a_merge_over_the_limit_is_refused_at_plan(session: boto3.Session, tmp_path: Path) -> None:
    _foreign(session, 10_000)
    with pytest.raises(PlanError) as caught:
        _plan(session, write_file(tmp_path, FILE))
    message = str(caught.value)
    assert "us-east-1: the registry policy merged with the live statements would take " in message
    assert "characters; ECR holds 10240" in message


def test_a_merge_that_fits_plans_and_applies(session: boto3.Session, tmp_path: Path) -> None:
    _foreign(session, 9_000)
    path = write_file(tmp_path, FILE)
    planned = _plan(session, path)
    desired = workflow.load_desired(path)
    report = workflow.apply(planned.plan, gateway(session, desired.regions), desired, tmp_path)
    assert report.ok


def test_apply_refuses_when_the_live_policy_grew_after_the_plan(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, FILE)
    planned = _plan(session, path)
    _foreign(session, 10_100)  # another writer, between plan and apply
    desired = workflow.load_desired(path)
    report = workflow.apply(planned.plan, gateway(session, desired.regions), desired, tmp_path)
    assert not report.ok
    failed = [r for r in report.results if r.error]
    assert "ECR holds 10240" in (failed[0].error or "")


def test_the_sandbox_refuses_a_policy_over_the_limit(session: boto3.Session) -> None:
    ecr = session.client("ecr")
    with pytest.raises(ecr.exceptions.ClientError) as caught:
        _foreign(session, 10_300)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 10240" in str(caught.value)

"""A file without `account:`: plan runs the account-bound checks against STS's account.

Before, `customRoleArn: the role must be in the registry's account` appeared only at apply.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from ptc.engine import workflow
from ptc.plan.diff import PlanError

from .conftest import CallLog, gateway, write_file

OTHER = "210987654321"  # the sandbox's account is 123456789012
FILE = f"""\
    version: 1
    regions: [us-east-1]
    rules:
      - prefix: ecr-shared
        upstream: {OTHER}.dkr.ecr.us-west-2.amazonaws.com
      - prefix: ecr-prod
        upstream: {OTHER}.dkr.ecr.eu-west-1.amazonaws.com
        role: arn:aws:iam::{OTHER}:role/ecr-pull-through-cache
      - prefix: docker-hub
        upstream: registry-1.docker.io
        credentials: arn:aws:secretsmanager:us-east-1:{OTHER}:secret:ecr-pullthroughcache/hub-AbCdEf
    templates:
      - prefix: ecr-prod
        applied_for: [PULL_THROUGH_CACHE]
        role: arn:aws:iam::{OTHER}:role/ecr-template
"""


def test_plan_refuses_what_the_credentials_account_cannot_have(
    session: boto3.Session, tmp_path: Path
) -> None:
    desired = workflow.load_desired(write_file(tmp_path, FILE))  # validate: no errors
    gw = gateway(session, desired.regions)
    log = CallLog().hook(gw)
    with pytest.raises(PlanError) as caught:
        workflow.plan_desired(desired, gw)
    assert str(caught.value) == (
        "cannot plan for account 123456789012:\n"
        "  us-east-1/rule/ecr-shared: the upstream registry is in account 210987654321, not "
        "123456789012; ECR needs a role to pull across accounts (PTC211)\n"
        "  us-east-1/rule/ecr-prod: the role is in account 210987654321; ECR requires it in "
        "123456789012, the account of the registry (PTC212)\n"
        "  us-east-1/rule/docker-hub: the secret is in account 210987654321, the registry's is "
        "123456789012 (PTC304)\n"
        "  us-east-1/template/ecr-prod: the role is in account 210987654321; ECR requires it in "
        "123456789012, the account of the registry (PTC212)"
    )
    assert not [c for c in log.operations() if not c.startswith(("Describe", "List", "Get"))]


def test_the_same_file_in_its_own_account_plans(session: boto3.Session, tmp_path: Path) -> None:
    own = FILE.replace(OTHER, "123456789012")
    own = "\n".join(
        line
        for line in own.splitlines()
        if "docker-hub" not in line and "registry-1" not in line and "secretsmanager" not in line
    )
    desired = workflow.load_desired(write_file(tmp_path, own + "\n"))
    planned = workflow.plan_desired(desired, gateway(session, desired.regions))
    assert planned.plan.counts["add"] == 3

"""Files, a sandbox with rules and pulled repositories, and call recording for status tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ptc.aws.gateway import Gateway
from ptc.aws.repositories import RepositoryGateway
from ptc.engine import workflow
from ptc.plan.desired import DesiredState
from ptc.sandbox.embedded import SandboxInfo
from ptc.sandbox.pull import parse_image, pull
from ptc.status.compute import read_status
from ptc.status.models import StatusReport

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-template"
KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def lifecycle(count: int) -> str:
    rule = {
        "rulePriority": 1,
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": count},
        "action": {"type": "expire"},
    }
    return json.dumps({"rules": [rule]})


POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Pull",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["ecr:BatchGetImage"],
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg"}},
        }
    ],
}

# What is live when the repositories are pulled.
ORIGINAL = f"""\
version: 1
account: "{ACCOUNT}"
regions: [us-east-1, eu-west-1]
rules:
  - prefix: quay
    upstream: quay.io
  - prefix: k8s
    upstream: registry.k8s.io
templates:
  - prefix: quay
    applied_for: [PULL_THROUGH_CACHE]
    lifecycle_policy: {lifecycle(10)}
    resource_tags: {{team: platform}}
    role: {ROLE}
  - prefix: k8s
    applied_for: [PULL_THROUGH_CACHE]
    lifecycle_policy: {lifecycle(3)}
"""

# The quay template after the repositories exist: every setting changed; k8s unchanged.
CHANGED = f"""\
version: 1
account: "{ACCOUNT}"
regions: [us-east-1, eu-west-1]
rules:
  - prefix: quay
    upstream: quay.io
  - prefix: k8s
    upstream: registry.k8s.io
templates:
  - prefix: quay
    applied_for: [PULL_THROUGH_CACHE]
    lifecycle_policy: {lifecycle(5)}
    repository_policy: {json.dumps(POLICY)}
    resource_tags: {{team: platform, cost-center: "4711"}}
    image_tag_mutability: IMMUTABLE
    encryption: {{type: KMS, kms_key: "{KMS_KEY}"}}
    role: {ROLE}
    regions: [us-east-1]
  - prefix: quay
    applied_for: [PULL_THROUGH_CACHE]
    lifecycle_policy: {lifecycle(5)}
    resource_tags: {{team: platform, cost-center: "4711"}}
    role: {ROLE}
    regions: [eu-west-1]
  - prefix: k8s
    applied_for: [PULL_THROUGH_CACHE]
    lifecycle_policy: {lifecycle(3)}
"""

PULLS = [
    ("us-east-1", "quay/prometheus/node-exporter:v1.8.0"),
    ("us-east-1", "quay/prometheus/node-exporter:v1.7.0"),
    ("us-east-1", "quay/coreos/etcd:v3.5"),
    ("us-east-1", "k8s/pause:3.9"),
    ("eu-west-1", "quay/coreos/etcd:v3.5"),
]


def write(directory: Path, text: str, name: str = "rules.yaml") -> Path:
    path = directory / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def apply_file(session: Any, path: Path) -> DesiredState:
    desired = workflow.load_desired(path)
    gateway = Gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gateway)
    report = workflow.apply(planned.plan, gateway, desired, desired.base_dir)
    assert report.ok, report.results
    return desired


@dataclass
class Calls:
    """ECR calls made by hooked clients: (region, operation, repository name or ARN)."""

    log: list[tuple[str, str, str]] = field(default_factory=list)

    def hook(self, gateway: RepositoryGateway) -> Calls:
        for client in gateway.clients():
            region = client.meta.region_name
            client.meta.events.register("before-parameter-build.ecr", self._recorder(region))
        return self

    def _recorder(self, region: str) -> Callable[..., None]:
        def record(params: dict[str, Any], model: Any, **_: Any) -> None:
            target = params.get("repositoryName") or params.get("resourceArn", "")
            self.log.append((region, model.name, target.split(":repository/")[-1]))

        return record

    def writes(self) -> list[tuple[str, str, str]]:
        reads = ("Describe", "Get", "List")
        return [c for c in self.log if not c[1].startswith(reads)]


def fail_call(gateway: RepositoryGateway, operation: str, repository: str) -> None:
    """Make every `operation` on `repository` fail as AWS would refuse it."""

    def refuse(params: dict[str, Any], **_: Any) -> None:
        target = params.get("repositoryName") or params.get("resourceArn", "")
        if target.endswith(repository):
            error = {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}
            raise ClientError(error, operation)  # type: ignore[arg-type]

    for client in gateway.clients():
        client.meta.events.register(f"before-parameter-build.ecr.{operation}", refuse)


@pytest.fixture
def pulled(aws: SandboxInfo, tmp_path: Path) -> SandboxInfo:
    """The ORIGINAL file applied, and PULLS made through the cache."""
    apply_file(aws.session(), write(tmp_path, ORIGINAL, "original.yaml"))
    for region, image in PULLS:
        pull(parse_image(image), aws.account_id, region)
    return aws


def status_of(
    session: Any, path: Path, calls: Calls | None = None
) -> tuple[StatusReport, RepositoryGateway]:
    desired = workflow.load_desired(path)
    gateway = RepositoryGateway(session, desired.regions)
    if calls is not None:
        calls.hook(gateway)
    return read_status(desired, gateway), gateway

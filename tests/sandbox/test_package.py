"""The package's promises to the rest of ptc: cheap to import, idempotent to install."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_importing_the_sandbox_and_its_cli_loads_neither_moto_nor_boto3() -> None:
    code = (
        "import sys, ptc.sandbox, ptc.cli.sandbox; "
        "print([m for m in ('moto', 'boto3', 'botocore') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_install_is_idempotent() -> None:
    from moto.ecr.responses import ECRResponse

    from ptc.sandbox import emulator

    emulator.install()
    before = {action: getattr(ECRResponse, action) for action in emulator.OPERATIONS}
    emulator.install()
    assert emulator.installed()
    assert {action: getattr(ECRResponse, action) for action in emulator.OPERATIONS} == before


def _policy(*actions: str) -> str:
    statement = {
        "Sid": "ptc",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": list(actions),
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_registry_policy_takes_pull_through_cache_actions(ecr: Any) -> None:
    # Registry policy scope V2 (the default) lets a registry policy grant any ECR action.
    policy = _policy("ecr:CreateRepository", "ecr:BatchImportUpstreamImage")
    ecr.put_registry_policy(policyText=policy)
    assert json.loads(ecr.get_registry_policy()["policyText"]) == json.loads(policy)
    with pytest.raises(ClientError) as caught:
        ecr.put_registry_policy(policyText=_policy("s3:GetObject"))
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def test_error_body_is_the_json_protocol_shape(sandbox_server: Any) -> None:
    # What any JSON-protocol client reads off the wire: __type and message, HTTP 400.
    request = urllib.request.Request(
        sandbox_server.url,
        data=json.dumps({"ecrRepositoryPrefix": "nope"}).encode(),
        headers={
            "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.DeletePullThroughCacheRule",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 "
            "Credential=testing/20250101/us-east-1/ecr/aws4_request, SignedHeaders=host, "
            "Signature=0",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 400
    body = json.loads(caught.value.read())
    assert body["__type"] == "PullThroughCacheRuleNotFoundException"
    assert body["message"] == (
        "The pull through cache rule with prefix 'nope' does not exist in the registry with id "
        "'123456789012'"
    )

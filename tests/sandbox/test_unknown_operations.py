"""Operations the sandbox does not emulate answer as ECR answers an unknown target.

ECR's front end answers HTTP 400 with a JSON `UnknownOperationException`, which botocore
does not retry; an HTML 500 made every SDK retry it, then fail with an unreadable error.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ptc.sandbox.embedded import SandboxInfo

TARGET = "AmazonEC2ContainerRegistry_V20150921"


def _attempts(error: ClientError) -> int:
    return int(error.response["ResponseMetadata"].get("RetryAttempts", 0))


@pytest.mark.parametrize(
    ("operation", "params", "name"),
    [
        ("get_account_setting", {"name": "REGISTRY_POLICY_SCOPE"}, "GetAccountSetting"),
        ("put_account_setting", {"name": "BLOB_MOUNTING", "value": "ENABLED"}, "PutAccountSetting"),
        ("describe_image_signing_status",
         {"repositoryName": "app", "imageId": {"imageTag": "1"}}, "DescribeImageSigningStatus"),
    ],
)  # fmt: skip
def test_operations_moto_lacks_are_a_400_json_error(
    sandbox_server: Any, operation: str, params: dict[str, Any], name: str
) -> None:
    info = SandboxInfo("123456789012", "us-east-1", endpoint_url=sandbox_server.url)
    ecr = info.session().client(
        "ecr", endpoint_url=sandbox_server.url, config=Config(retries={"max_attempts": 5})
    )
    with pytest.raises(ClientError) as caught:
        getattr(ecr, operation)(**params)
    error = caught.value
    assert error.response["Error"] == {
        "Code": "UnknownOperationException",
        "Message": f"The ptc sandbox does not emulate the operation {name}",
    }
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert _attempts(error) == 0  # not retried


def test_an_unknown_target_is_a_400_json_error(sandbox_server: Any) -> None:
    request = urllib.request.Request(
        sandbox_server.url + "/",
        data=b"{}",
        headers={
            "X-Amz-Target": f"{TARGET}.NoSuchOperation",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/ecr/"
            "aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 400
    assert caught.value.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert json.loads(caught.value.read()) == {
        "__type": "UnknownOperationException",
        "Message": "The ptc sandbox does not emulate the operation NoSuchOperation",
    }

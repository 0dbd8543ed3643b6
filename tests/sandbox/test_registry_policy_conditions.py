"""The sandbox's registry policy takes organisation-wide statements, as ECR does.

`Principal: "*"` narrowed by aws:PrincipalOrgID / aws:PrincipalOrgPaths is stored and
returned as sent; a Condition that is not a policy grammar's mapping is refused (strict.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

ORGANISATION = {
    "Sid": "PullThroughCacheForTheOrganization",
    "Effect": "Allow",
    "Principal": "*",
    "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
    "Resource": ["arn:aws:ecr:us-east-1:123456789012:repository/*"],
    "Condition": {
        "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
        "ForAnyValue:StringLike": {
            "aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]
        },
    },
}


def _policy(statement: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_an_organisation_wide_statement_is_stored_as_sent(ecr: Any) -> None:
    ecr.put_registry_policy(policyText=_policy(ORGANISATION))

    assert ecr.get_registry_policy()["policyText"] == _policy(ORGANISATION)


def test_a_condition_that_is_not_a_mapping_is_refused(ecr: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ecr.put_registry_policy(policyText=_policy({**ORGANISATION, "Condition": "o-a1b2c3d4e5"}))

    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"

"""Organisation-wide statements: built from a `permissions:` entry, parsed back from ECR.

Building and parsing must meet: what ptc writes, read back in any spelling IAM treats the
same, is the statement the file asks for, so that a plan after apply is clean.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ptc.domain import statements
from ptc.domain.org_principals import OrgScope, condition_values, scope_of
from ptc.domain.resources import PermissionIntent

ACCOUNT = "123456789012"
REGION = "us-east-1"
ORG = "o-a1b2c3d4e5"
OU_1 = f"{ORG}/r-ab12/ou-ab12-11111111/"
OU_2 = f"{ORG}/r-ab12/ou-ab12-22222222/*"
ALL = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"
ACTIONS = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]


def intent(**fields: Any) -> PermissionIntent:
    return PermissionIntent(
        region=REGION, sid="Org", prefixes=("*",), actions=tuple(ACTIONS), **fields
    )


def written(**fields: Any) -> dict[str, Any]:
    return statements.to_api(statements.statement_for(intent(**fields), ACCOUNT))


def read_back(item: dict[str, Any]) -> Any:
    text = json.dumps({"Version": "2012-10-17", "Statement": [item]})
    [statement] = statements.statements_from_policy(text, REGION)
    return statement


def test_an_organisation_without_principals_is_every_principal_in_it() -> None:
    assert written(organization=ORG) == {
        "Sid": "Org",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ACTIONS,
        "Resource": [ALL],
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
    }


def test_paths_are_any_value_string_like_so_that_a_star_takes_the_ous_below() -> None:
    item = written(organization_paths=(OU_2, OU_1, OU_1))

    assert item["Principal"] == "*"
    assert item["Condition"] == {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [OU_1, OU_2]}}


def test_principals_with_an_organisation_keep_the_principals_and_add_the_condition() -> None:
    item = written(principals=("210987654321",), organization=ORG, organization_paths=(OU_1,))

    assert item["Principal"] == {"AWS": ["arn:aws:iam::210987654321:root"]}
    assert item["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": ORG},
        "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": OU_1},
    }


def test_a_statement_without_an_organisation_is_written_as_before() -> None:
    item = written(principals=("210987654321",))

    assert "Condition" not in item
    assert statements.statement_for(intent(principals=("210987654321",)), ACCOUNT).other is None


@pytest.mark.parametrize(
    "live",
    [
        {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}},
        {"Principal": {"AWS": "*"}, "Condition": {"StringEquals": {"aws:PrincipalOrgID": [ORG]}}},
        {"Principal": {"AWS": ["*"]}, "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}},
    ],
    ids=["as written", "one-element list", "AWS list"],
)
def test_any_spelling_of_the_written_statement_reads_back_as_the_desired_one(
    live: dict[str, Any],
) -> None:
    desired = statements.statement_for(intent(organization=ORG), ACCOUNT)
    item = {"Sid": "Org", "Effect": "Allow", "Action": ACTIONS[::-1], "Resource": ALL, **live}

    assert read_back(item) == desired


def test_paths_in_another_order_read_back_as_the_desired_statement() -> None:
    desired = statements.statement_for(intent(organization_paths=(OU_1, OU_2)), ACCOUNT)
    item = {
        **written(organization_paths=(OU_1, OU_2)),
        "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [OU_2, OU_1]}},
    }

    assert read_back(item) == desired


def test_another_organisation_in_the_live_statement_is_a_difference() -> None:
    desired = statements.statement_for(intent(organization=ORG), ACCOUNT)
    item = written(organization="o-f6g7h8i9j0")

    assert read_back(item).other != desired.other


@pytest.mark.parametrize(
    ("condition", "scope"),
    [
        ({"StringEquals": {"aws:PrincipalOrgID": ORG}}, OrgScope(ORG)),
        ({"StringEquals": {"aws:PrincipalOrgID": [ORG]}}, OrgScope(ORG)),
        (
            {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [OU_2, OU_1]}},
            OrgScope(None, (OU_1, OU_2)),
        ),
        (
            {
                "StringEquals": {"aws:PrincipalOrgID": ORG},
                "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": OU_1},
            },
            OrgScope(ORG, (OU_1,)),
        ),
        # What a permissions entry cannot say stays someone else's statement:
        ({"StringEquals": {"aws:PrincipalOrgID": [ORG, "o-f6g7h8i9j0"]}}, None),
        ({"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:SourceVpc": "vpc-1"}}, None),
        (
            {
                "StringEquals": {"aws:PrincipalOrgID": ORG},
                "Bool": {"aws:SecureTransport": "true"},
            },
            None,
        ),
        ({"StringLike": {"aws:PrincipalOrgID": "o-*"}}, None),
        ({"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": [OU_1]}}, None),
        ({"StringEquals": {"aws:PrincipalOrgID": 5}}, None),
        ({"StringEquals": {"aws:PrincipalOrgID": []}}, None),
        ({}, None),
        ("StringEquals", None),
    ],
)
def test_scope_of_reads_only_the_conditions_ptc_writes(
    condition: Any, scope: OrgScope | None
) -> None:
    assert scope_of(condition) == scope


def test_condition_values_leave_other_shapes_alone() -> None:
    condition = {"Bool": {"aws:SecureTransport": True}, "Null": "odd", "S": {"k": ["b", "a"]}}

    assert condition_values(condition) == {
        "Bool": {"aws:SecureTransport": True},
        "Null": "odd",
        "S": {"k": ["a", "b"]},
    }
    assert condition_values(["not", "a", "mapping"]) == ["not", "a", "mapping"]


@pytest.mark.parametrize(
    ("scope", "valid"),
    [
        (OrgScope(ORG, (OU_1, OU_2)), True),
        (OrgScope(None, (f"{ORG}/*",)), True),
        (OrgScope("o-short"), False),
        (OrgScope(None, (f"{ORG}/r-ab12",)), False),  # matches no principal
        (OrgScope("o-f6g7h8i9j0", (OU_1,)), False),  # a path of another organisation
    ],
)
def test_a_scope_is_valid_as_validate_would_accept_it(scope: OrgScope, valid: bool) -> None:
    assert scope.valid() is valid

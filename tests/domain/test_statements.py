"""Registry-policy statement grammar shared by the checks (PTC501, PTC503) and export."""

from __future__ import annotations

import pytest

from ptc.domain import statements


@pytest.mark.parametrize(
    ("principal", "problem"),
    [
        ("123456789012", None),
        ("arn:aws:iam::123456789012:root", None),
        ("arn:aws:iam::123456789012:role/ci/ptc", None),
        ("arn:aws:iam::123456789012:user/ci", None),
        (
            "arn:aws:iam::123456789012:group/ci",
            "'arn:aws:iam::123456789012:group/ci' is an IAM group; "
            "a resource policy cannot name groups",
        ),
        ("ci", "'ci' is not an account ID or an IAM root, role or user ARN"),
        (
            "arn:aws-cn:iam::123456789012:root",
            "principal is in partition 'aws-cn' but the regions are in 'aws'",
        ),
    ],
)
def test_principal_problem(principal: str, problem: str | None) -> None:
    assert statements.principal_problem(principal, {"aws"}) == problem


@pytest.mark.parametrize(("sid", "valid"), [("PullFromCI1", True), ("pull-ci", False), ("", False)])
def test_sid_pattern(sid: str, valid: bool) -> None:
    assert (statements.SID_PATTERN.fullmatch(sid) is not None) is valid

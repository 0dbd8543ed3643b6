"""ARNs: one module builds and parses them; nothing else in ptc spells one out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ptc
from ptc.domain import arns

ACCOUNT = "123456789012"


def test_parse_arn_splits_the_six_parts() -> None:
    arn = arns.parse_arn("arn:aws:iam::123456789012:role/path/ptc:x")

    assert arn == arns.Arn("aws", "iam", "", "123456789012", "role/path/ptc:x")
    assert str(arn) == "arn:aws:iam::123456789012:role/path/ptc:x"


@pytest.mark.parametrize(
    "text", ["", "arn:aws:iam", "urn:aws:iam::1:x", "arn::iam::1:x", "arn:aws::r:1:x"]
)
def test_parse_arn_refuses_what_is_not_an_arn(text: str) -> None:
    assert arns.parse_arn(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [(ACCOUNT, True), ("12345678901", False), ("1234567890123", False), (f"{ACCOUNT}\n", False)],
)
def test_is_account_id(text: str, expected: bool) -> None:
    assert arns.is_account_id(text) is expected


@pytest.mark.parametrize(
    ("region", "prefix", "arn"),
    [
        ("us-east-1", "docker-hub", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/docker-hub/*"),
        ("us-east-1", "docker-hub/", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/docker-hub/*"),
        ("us-east-1", "ROOT", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*"),
        ("us-east-1", "*", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*"),
        ("cn-north-1", "quay", f"arn:aws-cn:ecr:cn-north-1:{ACCOUNT}:repository/quay/*"),
    ],
)
def test_repository_arn_and_back(region: str, prefix: str, arn: str) -> None:
    assert arns.repository_arn(region, ACCOUNT, prefix) == arn
    back = "*" if prefix in ("*", "ROOT") else prefix.rstrip("/")
    assert arns.repository_prefix(arn, region, ACCOUNT) == back


@pytest.mark.parametrize(
    "resource",
    [
        f"arn:aws:ecr:us-west-2:{ACCOUNT}:repository/quay/*",  # another region
        "arn:aws:ecr:us-east-1:210987654321:repository/quay/*",  # another registry
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/quay/nginx",  # one repository
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/quay*",  # not a prefix's pattern
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/Quay/*",  # not a valid prefix
    ],
)
def test_repository_prefix_refuses_what_is_not_a_prefix_of_this_registry(resource: str) -> None:
    assert arns.repository_prefix(resource, "us-east-1", ACCOUNT) is None


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        (
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/hub-AbCdEf",
            "ecr-pullthroughcache/hub-AbCdEf",
        ),
        ("arn:aws:iam::123456789012:role/x", None),
        ("arn:aws:secretsmanager:us-east-1:123456789012:other:x", None),
        ("not an arn", None),
    ],
)
def test_secret_name(arn: str, name: str | None) -> None:
    assert arns.secret_name(arn) == name


def test_secret_arn_is_in_the_partition_of_its_region() -> None:
    arn = arns.secret_arn("cn-northwest-1", ACCOUNT, "ecr-pullthroughcache/hub")

    assert (
        arn == f"arn:aws-cn:secretsmanager:cn-northwest-1:{ACCOUNT}:secret:ecr-pullthroughcache/hub"
    )
    assert arns.secret_name(arn) == "ecr-pullthroughcache/hub"


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        (ACCOUNT, "us-east-1", f"arn:aws:iam::{ACCOUNT}:root"),
        (ACCOUNT, "us-gov-west-1", f"arn:aws-us-gov:iam::{ACCOUNT}:root"),
        (f"arn:aws:iam::{ACCOUNT}:role/ci", "us-east-1", f"arn:aws:iam::{ACCOUNT}:role/ci"),
        ("*", "us-east-1", "*"),
    ],
)
def test_principal_names_an_account_by_its_root(value: str, region: str, expected: str) -> None:
    assert arns.principal(value, region) == expected


def test_role_arn_has_no_region() -> None:
    assert arns.role_arn(ACCOUNT, "aws-cn", "*") == f"arn:aws-cn:iam::{ACCOUNT}:role/*"
    assert arns.ROLE_ARN_PATTERN.fullmatch(arns.role_arn(ACCOUNT, "aws", "ptc/ci"))


@pytest.mark.parametrize(
    ("key", "short"),
    [
        (f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd", "1234abcd"),
        (f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/ptc", "alias/ptc"),
        ("alias/ptc", "alias/ptc"),
        ("1234abcd", "1234abcd"),
        # Another region's or account's key stays a full ARN: it is another key.
        (
            f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd",
            f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd",
        ),
        (
            "arn:aws:kms:us-east-1:210987654321:alias/p",
            "arn:aws:kms:us-east-1:210987654321:alias/p",
        ),
        # Not KMS at all.
        (
            f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:key/x",
            f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:key/x",
        ),
    ],
)
def test_short_kms_key(key: str, short: str) -> None:
    assert arns.short_kms_key(key, "us-east-1", ACCOUNT) == short


def _arn_fstrings(path: Path) -> list[int]:
    """Lines of f-strings that start spelling an ARN out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        and node.values
        and isinstance(node.values[0], ast.Constant)
        and str(node.values[0].value).startswith("arn:")
    ]


def test_no_module_but_arns_builds_an_arn() -> None:
    root = Path(ptc.__file__).parent
    builders = {
        f"{path.relative_to(root)}:{line}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "arns.py"
        for line in _arn_fstrings(path)
    }

    assert builders == set()


def test_a_partial_secret_arn_lacks_the_random_suffix() -> None:
    full = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/hub-AbC123"
    partial = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/hub"
    assert arns.partial_secret_arn(full) == partial

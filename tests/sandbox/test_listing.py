"""Describe pagination, and isolation between accounts and Regions."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ptc.sandbox.embedded import SandboxInfo


def _make_rules(ecr: Any, count: int) -> list[str]:
    prefixes = [f"rule-{index:02d}" for index in range(count)]
    for prefix in prefixes:
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix=prefix, upstreamRegistryUrl="quay.io"
        )
    return prefixes


def test_rules_paginate_by_max_results(ecr: Any) -> None:
    prefixes = _make_rules(ecr, 50)
    paginator = ecr.get_paginator("describe_pull_through_cache_rules")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 7}))
    assert [len(page["pullThroughCacheRules"]) for page in pages] == [7] * 7 + [1]
    seen = [rule["ecrRepositoryPrefix"] for page in pages for rule in page["pullThroughCacheRules"]]
    assert seen == prefixes
    assert "nextToken" not in pages[-1]


def test_default_page_is_100_templates(ecr: Any) -> None:
    for index in range(120):
        ecr.create_repository_creation_template(prefix=f"t{index:03d}", appliedFor=["REPLICATION"])
    first = ecr.describe_repository_creation_templates()
    assert len(first["repositoryCreationTemplates"]) == 100
    second = ecr.describe_repository_creation_templates(nextToken=first["nextToken"])
    assert len(second["repositoryCreationTemplates"]) == 20
    assert "nextToken" not in second
    paged = ecr.get_paginator("describe_repository_creation_templates").paginate(
        PaginationConfig={"PageSize": 25}
    )
    assert len(paged.build_full_result()["repositoryCreationTemplates"]) == 120


def test_deleting_between_pages_neither_repeats_nor_skips(ecr: Any) -> None:
    prefixes = _make_rules(ecr, 10)
    first = ecr.describe_pull_through_cache_rules(maxResults=4)
    ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix=prefixes[0])
    ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix=prefixes[6])
    second = ecr.describe_pull_through_cache_rules(maxResults=100, nextToken=first["nextToken"])
    seen = [r["ecrRepositoryPrefix"] for r in second["pullThroughCacheRules"]]
    assert seen == [p for p in prefixes[4:] if p != prefixes[6]]


def test_filter_and_paginate_together(ecr: Any) -> None:
    _make_rules(ecr, 10)
    wanted = ["rule-01", "rule-03", "rule-05"]
    first = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=wanted, maxResults=2)
    second = ecr.describe_pull_through_cache_rules(
        ecrRepositoryPrefixes=wanted, maxResults=2, nextToken=first["nextToken"]
    )
    seen = [
        r["ecrRepositoryPrefix"] for page in (first, second) for r in page["pullThroughCacheRules"]
    ]
    assert seen == wanted


def test_regions_are_isolated(aws: SandboxInfo) -> None:
    east = aws.session("us-east-1").client("ecr")
    west = aws.session("eu-west-1").client("ecr")
    east.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    east.create_repository_creation_template(prefix="quay", appliedFor=["PULL_THROUGH_CACHE"])
    assert west.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []
    assert west.describe_repository_creation_templates()["repositoryCreationTemplates"] == []
    west.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")


def test_accounts_are_isolated(aws: SandboxInfo) -> None:
    ecr = aws.session().client("ecr")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    role = (
        aws.session()
        .client("sts")
        .assume_role(RoleArn="arn:aws:iam::210987654321:role/admin", RoleSessionName="test")[
            "Credentials"
        ]
    )
    other = aws.session().client(
        "ecr",
        aws_access_key_id=role["AccessKeyId"],
        aws_secret_access_key=role["SecretAccessKey"],
        aws_session_token=role["SessionToken"],
    )
    assert other.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []
    created = other.create_pull_through_cache_rule(
        ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io"
    )
    assert created["registryId"] == "210987654321"
    with pytest.raises(ClientError) as caught:
        other.describe_pull_through_cache_rules(registryId="123456789012")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def test_a_secret_of_another_region_is_not_found_here(aws: SandboxInfo) -> None:
    west_secret = (
        aws.session("us-west-2")
        .client("secretsmanager")
        .create_secret(
            Name="ecr-pullthroughcache/docker-hub",
            SecretString='{"username":"u","accessToken":"t"}',
        )["ARN"]
    )
    east = aws.session("us-east-1").client("ecr")
    with pytest.raises(ClientError) as caught:
        east.create_pull_through_cache_rule(
            ecrRepositoryPrefix="docker-hub",
            upstreamRegistryUrl="registry-1.docker.io",
            credentialArn=west_secret,
        )
    assert caught.value.response["Error"]["Code"] == "UnableToAccessSecretException"

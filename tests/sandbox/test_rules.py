"""Pull-through cache rule operations: what each returns when the request is right."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from ptc.domain import catalog
from ptc.sandbox.embedded import SandboxInfo

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-ptc"


def test_create_echoes_the_rule_and_describe_shows_it(
    aws: SandboxInfo, ecr: Any, make_secret: Callable[..., str]
) -> None:
    arn = make_secret()
    created = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="docker-hub",
        upstreamRegistryUrl="registry-1.docker.io",
        upstreamRegistry="docker-hub",
        credentialArn=arn,
        upstreamRepositoryPrefix="library",
    )
    assert created["ecrRepositoryPrefix"] == "docker-hub"
    assert created["upstreamRegistry"] == "docker-hub"
    assert created["registryId"] == aws.account_id
    assert created["credentialArn"] == arn
    assert created["upstreamRepositoryPrefix"] == "library"
    assert isinstance(created["createdAt"], datetime)
    [rule] = ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert rule == {
        "ecrRepositoryPrefix": "docker-hub",
        "upstreamRegistryUrl": "registry-1.docker.io",
        "upstreamRegistry": "docker-hub",
        "registryId": aws.account_id,
        "credentialArn": arn,
        "upstreamRepositoryPrefix": "library",
        "createdAt": created["createdAt"],
        "updatedAt": created["createdAt"],
    }


@pytest.mark.parametrize("kind", [k for k in catalog.UPSTREAM_KINDS if k.url is not None])
def test_every_catalogued_upstream_is_accepted(
    ecr: Any, make_secret: Callable[..., str], kind: catalog.UpstreamKind
) -> None:
    extra = {"credentialArn": make_secret()} if kind.auth is catalog.Auth.SECRET else {}
    created = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix=kind.default_prefix, upstreamRegistryUrl=kind.url, **extra
    )
    assert created["upstreamRegistry"] == kind.kind


def test_azure_and_ecr_upstreams_take_their_host(ecr: Any, make_secret: Callable[..., str]) -> None:
    azure = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="azure",
        upstreamRegistryUrl="myregistry.azurecr.io",
        credentialArn=make_secret(),
    )
    same_account = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="west", upstreamRegistryUrl=f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com"
    )
    other_account = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="shared",
        upstreamRegistryUrl="210987654321.dkr.ecr.eu-west-1.amazonaws.com",
        customRoleArn=ROLE,
        upstreamRepositoryPrefix="base-images",
    )
    assert azure["upstreamRegistry"] == "azure-container-registry"
    assert same_account["upstreamRegistry"] == "ecr"
    assert other_account["customRoleArn"] == ROLE


def test_root_rule_without_upstream_prefix(ecr: Any) -> None:
    created = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="ROOT", upstreamRegistryUrl="public.ecr.aws"
    )
    assert created["ecrRepositoryPrefix"] == "ROOT"
    assert "upstreamRepositoryPrefix" not in created


def test_update_changes_only_the_credential_and_stamps_updated_at(
    ecr: Any, make_secret: Callable[..., str]
) -> None:
    first = make_secret()
    second = make_secret("ecr-pullthroughcache/docker-hub-2")
    created = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="docker-hub",
        upstreamRegistryUrl="registry-1.docker.io",
        credentialArn=first,
    )
    updated = ecr.update_pull_through_cache_rule(
        ecrRepositoryPrefix="docker-hub", credentialArn=second
    )
    assert updated["credentialArn"] == second
    assert updated["registryId"] == ACCOUNT
    assert updated["updatedAt"] >= created["createdAt"]
    [rule] = ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert rule["credentialArn"] == second
    assert rule["upstreamRegistryUrl"] == "registry-1.docker.io"
    assert rule["createdAt"] == created["createdAt"]


def test_update_custom_role_of_an_ecr_rule(ecr: Any) -> None:
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="west", upstreamRegistryUrl=f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com"
    )
    updated = ecr.update_pull_through_cache_rule(ecrRepositoryPrefix="west", customRoleArn=ROLE)
    assert updated["customRoleArn"] == ROLE


def test_delete_echoes_the_deleted_rule(ecr: Any) -> None:
    created = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io", upstreamRepositoryPrefix="coreos"
    )
    deleted = ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="quay")
    assert deleted["ecrRepositoryPrefix"] == "quay"
    assert deleted["upstreamRegistryUrl"] == "quay.io"
    assert deleted["upstreamRepositoryPrefix"] == "coreos"
    assert deleted["createdAt"] == created["createdAt"]
    assert ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (json.dumps({"username": "u", "accessToken": "t"}), True),
        (json.dumps({"username": "u"}), False),
        (json.dumps({"user": "u", "token": "t"}), False),
        ("not json", False),
    ],
)
def test_validate_reads_the_secret(
    ecr: Any, make_secret: Callable[..., str], value: str, valid: bool
) -> None:
    arn = make_secret(value=value)
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="github", upstreamRegistryUrl="ghcr.io", credentialArn=arn
    )
    result = ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="github")
    assert result["isValid"] is valid
    assert result["credentialArn"] == arn
    assert ("failure" in result) is not valid


def test_validate_reports_a_deleted_secret(
    aws: SandboxInfo, ecr: Any, make_secret: Callable[..., str]
) -> None:
    arn = make_secret()
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="github", upstreamRegistryUrl="ghcr.io", credentialArn=arn
    )
    secrets = aws.session().client("secretsmanager")
    secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    result = ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="github")
    assert result["isValid"] is False
    assert "does not exist" in result["failure"]


def test_validate_an_anonymous_upstream_is_valid(ecr: Any) -> None:
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="k8s", upstreamRegistryUrl="registry.k8s.io"
    )
    assert ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="k8s")["isValid"] is True


def test_moto_ecr_still_works_beside_the_emulator(ecr: Any) -> None:
    ecr.create_repository(repositoryName="docker-hub/library/alpine")
    names = [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]
    assert names == ["docker-hub/library/alpine"]


def test_a_trailing_slash_is_kept_and_names_the_same_rule(ecr: Any) -> None:
    # As Terraform's provider relies on: it stores what Describe returns, ForceNew.
    created = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="team/", upstreamRegistryUrl="public.ecr.aws"
    )
    assert created["ecrRepositoryPrefix"] == "team/"
    for spelling in ("team/", "team"):
        [rule] = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=[spelling])[
            "pullThroughCacheRules"
        ]
        assert rule["ecrRepositoryPrefix"] == "team/"
    with pytest.raises(ecr.exceptions.PullThroughCacheRuleAlreadyExistsException):
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="team", upstreamRegistryUrl="quay.io"
        )
    assert ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="team")[
        "ecrRepositoryPrefix"
    ] == ("team/")
    assert ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []

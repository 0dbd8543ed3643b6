"""The catalog of ECR facts, checked against the facts digest and the installed botocore."""

from __future__ import annotations

from typing import Any

import botocore.loaders
import botocore.session
import pytest

from ptc.domain import arns, catalog

# The "Local regex probe" table of the API facts digest, section 1.1.
VALID_PREFIXES = ["docker-hub", "a/b/c", "root", "ecr-public/", "my--repo", "a__b", "ROOT"]
INVALID_PREFIXES = ["a___b", "a..b", "Docker", "-ab", "ab-", "/a", "a//b", "Root", "ROOT/x", ""]


@pytest.mark.parametrize("prefix", VALID_PREFIXES)
def test_the_prefix_pattern_accepts(prefix: str) -> None:
    assert catalog.PREFIX_PATTERN.match(prefix)
    assert catalog.is_rule_prefix_valid(prefix)
    assert catalog.is_template_prefix_valid(prefix)


@pytest.mark.parametrize("prefix", INVALID_PREFIXES)
def test_the_prefix_pattern_refuses(prefix: str) -> None:
    assert catalog.PREFIX_PATTERN.match(prefix) is None
    assert not catalog.is_rule_prefix_valid(prefix)
    assert not catalog.is_template_prefix_valid(prefix)


@pytest.mark.parametrize(
    ("prefix", "as_rule", "as_template"),
    [
        pytest.param("x", False, True, id="1 character"),
        pytest.param("ab", True, True, id="2 characters"),
        pytest.param("a" * 30, True, True, id="30 characters"),
        pytest.param("a" * 31, False, True, id="31 characters"),
        pytest.param("a" * 256, False, True, id="256 characters"),
        pytest.param("a" * 257, False, False, id="257 characters"),
    ],
)
def test_prefix_lengths_differ_for_rules_and_templates(
    prefix: str, as_rule: bool, as_template: bool
) -> None:
    assert catalog.is_rule_prefix_valid(prefix) is as_rule
    assert catalog.is_template_prefix_valid(prefix) is as_template


@pytest.mark.parametrize(
    ("prefix", "normalized"),
    [("docker-hub/", "docker-hub"), ("a/b/", "a/b"), ("quay", "quay"), ("ROOT", "ROOT")],
)
def test_normalize_prefix_drops_the_trailing_slash(prefix: str, normalized: str) -> None:
    assert catalog.normalize_prefix(prefix) == normalized


# -- upstreams -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "kind", "url"),
    [
        ("public.ecr.aws", "ecr-public", "public.ecr.aws"),
        ("registry.k8s.io", "k8s", "registry.k8s.io"),
        ("quay.io", "quay", "quay.io"),
        ("registry-1.docker.io", "docker-hub", "registry-1.docker.io"),
        ("docker.io", "docker-hub", "registry-1.docker.io"),
        ("index.docker.io", "docker-hub", "registry-1.docker.io"),
        ("ghcr.io", "github-container-registry", "ghcr.io"),
        ("registry.gitlab.com", "gitlab-container-registry", "registry.gitlab.com"),
        ("cgr.dev", "chainguard", "cgr.dev"),
        ("myregistry01.azurecr.io", "azure-container-registry", "myregistry01.azurecr.io"),
        (" Quay.IO ", "quay", "quay.io"),
    ],
)
def test_resolve_upstream_knows_every_kind(host: str, kind: str, url: str) -> None:
    upstream = catalog.resolve_upstream(host)

    assert upstream is not None
    assert (upstream.kind.kind, upstream.url, upstream.account, upstream.region) == (
        kind,
        url,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("host", "account", "region"),
    [
        ("123456789012.dkr.ecr.us-west-2.amazonaws.com", "123456789012", "us-west-2"),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "123456789012", "cn-north-1"),
        ("210987654321.dkr.ecr.eu-central-1.amazonaws.com", "210987654321", "eu-central-1"),
    ],
)
def test_resolve_upstream_reads_account_and_region_of_an_ecr_host(
    host: str, account: str, region: str
) -> None:
    upstream = catalog.resolve_upstream(host)

    assert upstream is not None
    assert (upstream.kind.kind, upstream.url, upstream.auth) == ("ecr", host, catalog.Auth.IAM)
    assert (upstream.account, upstream.region) == (account, region)


@pytest.mark.parametrize(
    "host",
    [
        "harbor.example.com",
        "https://quay.io",
        "quay.io/",
        "gcr.io",
        "registry.gitlab.example.com",
        "abcd.azurecr.io",  # Azure names have 5 to 50 characters
        "my-registry.azurecr.io",  # and no hyphens
        "12345.dkr.ecr.us-east-1.amazonaws.com",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example",
        "",
    ],
)
def test_resolve_upstream_refuses(host: str) -> None:
    assert catalog.resolve_upstream(host) is None


def test_every_upstream_kind_has_a_distinct_default_prefix_that_is_valid() -> None:
    prefixes = [kind.default_prefix for kind in catalog.UPSTREAM_KINDS]

    assert len(set(prefixes)) == len(prefixes)
    assert all(catalog.is_rule_prefix_valid(p) for p in prefixes)


# -- regions and ARNs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "partition", "host"),
    [
        ("us-east-1", "aws", "123456789012.dkr.ecr.us-east-1.amazonaws.com"),
        ("cn-north-1", "aws-cn", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com"),
        ("eusc-de-east-1", "aws-eusc", "123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu"),
        ("cn-south-9", "aws-cn", "123456789012.dkr.ecr.cn-south-9.amazonaws.com.cn"),
        ("us-gov-north-9", "aws-us-gov", "123456789012.dkr.ecr.us-gov-north-9.amazonaws.com"),
        ("xx-new-1", "aws", "123456789012.dkr.ecr.xx-new-1.amazonaws.com"),
    ],
)
def test_partitions_and_registry_hosts(region: str, partition: str, host: str) -> None:
    assert catalog.partition_of(region) == partition
    assert catalog.registry_host("123456789012", region) == host


# -- the installed botocore ECR model -----------------------------------------------------------


@pytest.fixture(scope="module")
def ecr_shapes() -> dict[str, Any]:
    model = botocore.loaders.Loader().load_service_model("ecr", "service-2")
    shapes: dict[str, Any] = model["shapes"]
    return shapes


@pytest.mark.parametrize(
    ("shape", "pattern", "length"),
    [
        (
            "PullThroughCacheRuleRepositoryPrefix",
            catalog.PREFIX_PATTERN,
            catalog.RULE_PREFIX_LENGTH,
        ),
        ("Prefix", catalog.PREFIX_PATTERN, catalog.TEMPLATE_PREFIX_LENGTH),
        ("CredentialArn", catalog.CREDENTIAL_ARN_PATTERN, catalog.CREDENTIAL_ARN_LENGTH),
        ("KmsKeyForRepositoryCreationTemplate", catalog.TEMPLATE_KMS_KEY_PATTERN, (0, 2048)),
        ("ImageTagMutabilityExclusionFilterValue", catalog.EXCLUSION_FILTER_PATTERN, (1, 128)),
    ],
)
def test_patterns_and_lengths_equal_the_botocore_model(
    ecr_shapes: dict[str, Any], shape: str, pattern: Any, length: tuple[int, int]
) -> None:
    model = ecr_shapes[shape]

    assert pattern.pattern == model["pattern"]
    assert (model["min"], model["max"]) == length


def test_the_account_pattern_is_the_model_registry_id_anchored(ecr_shapes: dict[str, Any]) -> None:
    assert arns.ACCOUNT_PATTERN.pattern == f"^{ecr_shapes['RegistryId']['pattern']}$"


@pytest.mark.parametrize(
    ("shape", "values"),
    [
        ("UpstreamRegistry", catalog.UPSTREAM_KIND_NAMES),
        ("ImageTagMutability", tuple(catalog.TagMutability)),
        ("EncryptionType", tuple(catalog.EncryptionType)),
        ("RCTAppliedFor", tuple(catalog.AppliedFor)),
        ("ImageTagMutabilityExclusionFilterType", catalog.EXCLUSION_FILTER_TYPES),
    ],
)
def test_enums_equal_the_botocore_model(
    ecr_shapes: dict[str, Any], shape: str, values: tuple[str, ...]
) -> None:
    assert sorted(ecr_shapes[shape]["enum"]) == sorted(values)


@pytest.mark.parametrize(
    ("shape", "limit"),
    [
        ("RepositoryTemplateDescription", catalog.TEMPLATE_DESCRIPTION_MAX),
        ("RepositoryPolicyText", catalog.REPOSITORY_POLICY_MAX),
        ("LifecyclePolicyTextForRepositoryCreationTemplate", catalog.LIFECYCLE_POLICY_MAX),
        ("RegistryPolicyText", catalog.REGISTRY_POLICY_MAX),
        ("CustomRoleArn", catalog.CUSTOM_ROLE_ARN_MAX),
        ("PullThroughCacheRuleRepositoryPrefixList", catalog.PREFIX_FILTER_MAX),
        ("ImageTagMutabilityExclusionFilters", catalog.EXCLUSION_FILTERS_COUNT[1]),
        ("MaxResults", catalog.PAGE_SIZE_RANGE[1]),
    ],
)
def test_maximum_lengths_equal_the_botocore_model(
    ecr_shapes: dict[str, Any], shape: str, limit: int
) -> None:
    assert ecr_shapes[shape]["max"] == limit


def test_list_minimums_equal_the_botocore_model(ecr_shapes: dict[str, Any]) -> None:
    assert (
        ecr_shapes["ImageTagMutabilityExclusionFilters"]["min"]
        == catalog.EXCLUSION_FILTERS_COUNT[0]
    )
    assert ecr_shapes["MaxResults"]["min"] == catalog.PAGE_SIZE_RANGE[0]


@pytest.mark.parametrize("partition", sorted(catalog.PARTITION_REGIONS))
def test_ptc_knows_every_ecr_region_botocore_knows(partition: str) -> None:
    session = botocore.session.get_session()
    if partition not in session.get_available_partitions():
        pytest.skip(f"botocore does not know partition {partition}")
    botocore_regions = set(session.get_available_regions("ecr", partition_name=partition))

    missing = botocore_regions - set(catalog.PARTITION_REGIONS[partition])

    assert not missing, f"add to catalog.PARTITION_REGIONS[{partition!r}]: {sorted(missing)}"


@pytest.mark.parametrize(
    ("host", "registry"),
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com", ("123456789012", "us-east-1")),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", ("123456789012", "cn-north-1")),
        ("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", ("123456789012", "eusc-de-east-1")),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com", None),  # China is .com.cn
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com.cn", None),
        ("12345678901.dkr.ecr.us-east-1.amazonaws.com", None),
        ("quay.io", None),
    ],
)
def test_parse_registry_host_is_registry_hosts_inverse(
    host: str, registry: tuple[str, str] | None
) -> None:
    assert catalog.parse_registry_host(host) == registry
    if registry is not None:
        assert catalog.registry_host(*registry) == host

"""What ECR accepts: upstream registries, name patterns, limits and regions.

This module is the one source of truth for the facts that `ptc validate`, the sandbox
emulator, the planner and `rewrite-images` all depend on. It imports nothing heavy (no
boto3, no botocore) because `ptc validate` must start fast. The patterns are copied from
botocore's ECR service model (2015-09-21); tests/checks/test_catalog.py checks them against the
installed botocore so that a model change is noticed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from ptc.errors import UsageError

# -- name patterns (botocore ECR model) -------------------------------------------------

# One pattern serves the pull-through cache prefix, the upstream repository prefix and the
# repository creation template prefix; only the length limits differ.
PREFIX_PATTERN: Final = re.compile(
    r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$"
)
RULE_PREFIX_LENGTH: Final = (2, 30)
TEMPLATE_PREFIX_LENGTH: Final = (1, 256)
ROOT: Final = "ROOT"

CREDENTIAL_ARN_PATTERN: Final = re.compile(
    r"^arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\-pullthroughcache\/[a-zA-Z0-9\/_+=.@-]+$"
)
CREDENTIAL_ARN_LENGTH: Final = (50, 612)
# The model leaves the second branch unanchored; ptc always fullmatches (strict reading).
TEMPLATE_KMS_KEY_PATTERN: Final = re.compile(
    r"^$|arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[a-z0-9-]+"
)
EXCLUSION_FILTER_PATTERN: Final = re.compile(r"^[0-9a-zA-Z._*-]{1,128}$")
EXCLUSION_FILTERS_COUNT: Final = (1, 5)
# AWS Organizations' OrganizationalUnitId (the API reference's pattern).
OU_PATTERN: Final = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
CUSTOM_ROLE_ARN_MAX: Final = 2048

SECRET_NAME_PREFIX: Final = "ecr-pullthroughcache/"
SECRET_NAME_PATTERN: Final = re.compile(r"^[a-zA-Z0-9/_+=.@-]{1,512}$")
# Secrets Manager appends "-" and six characters to a secret's ARN; a name that already ends
# like that makes partial-ARN lookups ambiguous.
SECRET_NAME_SUFFIX_LOOKALIKE: Final = re.compile(r"-[a-zA-Z0-9]{6}$")
SECRET_KEYS: Final = ("username", "accessToken")

# -- limits ----------------------------------------------------------------------------

MAX_RULES_PER_REGION: Final = 50  # service quota, not adjustable
TEMPLATE_DESCRIPTION_MAX: Final = 256
REPOSITORY_POLICY_MAX: Final = 10240
LIFECYCLE_POLICY_MAX: Final = 30720
REGISTRY_POLICY_MAX: Final = 10240
TAG_KEY_MAX: Final = 128
TAG_VALUE_MAX: Final = 256
TAGS_MAX: Final = 50
# AWS's tag pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ (Tag.Key and Tag.Value in the
# Resource Groups Tagging API model; "Tagging AWS resources": letters, numbers and spaces
# representable in UTF-8, and _ . : / = + - @). Python's re has no \p{..}: see is_tag_text.
TAG_PUNCTUATION: Final = frozenset("_.:/=+-@")
TAG_RESERVED_PREFIX: Final = "aws:"
PREFIX_FILTER_MAX: Final = 100  # DescribePullThroughCacheRules ecrRepositoryPrefixes
PAGE_SIZE_RANGE: Final = (1, 1000)
DEFAULT_PAGE_SIZE: Final = 100

# -- enums -----------------------------------------------------------------------------


class TagMutability(StrEnum):
    MUTABLE = "MUTABLE"
    IMMUTABLE = "IMMUTABLE"
    IMMUTABLE_WITH_EXCLUSION = "IMMUTABLE_WITH_EXCLUSION"
    MUTABLE_WITH_EXCLUSION = "MUTABLE_WITH_EXCLUSION"


class EncryptionType(StrEnum):
    AES256 = "AES256"
    KMS = "KMS"
    KMS_DSSE = "KMS_DSSE"


class AppliedFor(StrEnum):
    PULL_THROUGH_CACHE = "PULL_THROUGH_CACHE"
    CREATE_ON_PUSH = "CREATE_ON_PUSH"
    REPLICATION = "REPLICATION"


EXCLUSION_FILTER_TYPES: Final = ("WILDCARD",)


class Auth(StrEnum):
    """How ECR authenticates to an upstream."""

    NONE = "none"
    SECRET = "secret"  # a Secrets Manager secret with username and accessToken
    IAM = "iam"  # ECR to ECR: the service-linked role, or customRoleArn across accounts


# -- upstream registries -----------------------------------------------------------------


@dataclass(frozen=True)
class UpstreamKind:
    """One value of the API's UpstreamRegistry enum and what ECR requires of it."""

    kind: str
    url: str | None  # the canonical upstreamRegistryUrl; None where the host varies
    auth: Auth
    default_prefix: str
    aliases: tuple[str, ...] = ()  # other host names that mean the same registry


UPSTREAM_KINDS: Final = (
    UpstreamKind("ecr-public", "public.ecr.aws", Auth.NONE, "ecr-public"),
    UpstreamKind("k8s", "registry.k8s.io", Auth.NONE, "kubernetes"),
    UpstreamKind("quay", "quay.io", Auth.NONE, "quay"),
    UpstreamKind(
        "docker-hub",
        "registry-1.docker.io",
        Auth.SECRET,
        "docker-hub",
        aliases=("docker.io", "index.docker.io"),
    ),
    UpstreamKind("github-container-registry", "ghcr.io", Auth.SECRET, "github"),
    UpstreamKind("gitlab-container-registry", "registry.gitlab.com", Auth.SECRET, "gitlab"),
    UpstreamKind("chainguard", "cgr.dev", Auth.SECRET, "chainguard"),
    UpstreamKind("azure-container-registry", None, Auth.SECRET, "azure"),
    UpstreamKind("ecr", None, Auth.IAM, "ecr"),
)
UPSTREAM_KIND_NAMES: Final = tuple(k.kind for k in UPSTREAM_KINDS)
_KIND_BY_NAME: Final = {k.kind: k for k in UPSTREAM_KINDS}

# Azure registry names are 5-50 alphanumerics.
AZURE_HOST: Final = re.compile(r"^[a-z0-9]{5,50}\.azurecr\.io$")
ECR_HOST: Final = re.compile(
    r"^(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.(?P<suffix>amazonaws\.[a-z.]+)$"
)


@dataclass(frozen=True)
class Upstream:
    """An upstream host the service accepts, resolved to its kind and canonical URL."""

    kind: UpstreamKind
    url: str
    account: str | None = None  # for an ECR upstream
    region: str | None = None  # for an ECR upstream

    @property
    def auth(self) -> Auth:
        return self.kind.auth


def upstream_kind(name: str) -> UpstreamKind:
    return _KIND_BY_NAME[name]


def resolve_upstream(host: str) -> Upstream | None:
    """Map an upstream host as a user or the API writes it to what ECR accepts, or None."""
    host = host.strip().lower()
    for kind in UPSTREAM_KINDS:
        if kind.url is not None and (host == kind.url or host in kind.aliases):
            return Upstream(kind, kind.url)
    if AZURE_HOST.fullmatch(host):
        return Upstream(_KIND_BY_NAME["azure-container-registry"], host)
    registry = parse_registry_host(host)
    if registry is not None and registry[1] in KNOWN_REGIONS:
        account, region = registry
        return Upstream(_KIND_BY_NAME["ecr"], host, account=account, region=region)
    return None


# -- regions and partitions ----------------------------------------------------------------

PARTITION_REGIONS: Final[dict[str, tuple[str, ...]]] = {
    "aws": (
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
        "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
        "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
        "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
    "aws-eusc": ("eusc-de-east-1",),
}  # fmt: skip
REGION_PARTITION: Final = {r: p for p, regions in PARTITION_REGIONS.items() for r in regions}
KNOWN_REGIONS: Final = frozenset(REGION_PARTITION)
# Pull-through cache rules and repository creation templates are not offered here.
PTC_UNSUPPORTED_REGIONS: Final = frozenset(
    {"cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1"}
)
PARTITION_DNS_SUFFIX: Final = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
    "aws-eusc": "amazonaws.eu",
}


# Where a region is needed and none is known (the sandbox's own region, the STS client of a
# session without regions, a probe of the file's schema): us-east-1 hosts AWS's global
# services (STS's global endpoint, IAM) and is moto's default region, so the sandbox, the
# aws CLI and Terraform pointed at it agree on it without being told.
DEFAULT_REGION: Final = "us-east-1"


def partition_of(region: str) -> str:
    """The partition of a region; unknown regions are assumed to be commercial."""
    if region in REGION_PARTITION:
        return REGION_PARTITION[region]
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def registry_host(account: str, region: str) -> str:
    """The private registry host of an account in a region, e.g. for image references."""
    return f"{account}.dkr.ecr.{region}.{PARTITION_DNS_SUFFIX[partition_of(region)]}"


def parse_registry_host(host: str) -> tuple[str, str] | None:
    """The account and region of a private registry host (registry_host's inverse), or None.

    The DNS suffix must be the region's partition's: `.amazonaws.com.cn` in China only.
    """
    match = ECR_HOST.fullmatch(host)
    if match is None or match["suffix"] != PARTITION_DNS_SUFFIX[partition_of(match["region"])]:
        return None
    return match["account"], match["region"]


def is_rule_prefix_valid(prefix: str) -> bool:
    low, high = RULE_PREFIX_LENGTH
    return low <= len(prefix) <= high and PREFIX_PATTERN.fullmatch(prefix) is not None


def is_template_prefix_valid(prefix: str) -> bool:
    low, high = TEMPLATE_PREFIX_LENGTH
    return low <= len(prefix) <= high and PREFIX_PATTERN.fullmatch(prefix) is not None


def is_tag_text(text: str) -> bool:
    """Whether a tag key or value uses only the characters AWS allows in tags."""
    import unicodedata

    return all(char in TAG_PUNCTUATION or unicodedata.category(char)[0] in "LZN" for char in text)


POLICY_EFFECTS: Final = ("Allow", "Deny")


def policy_statement_problem(document: dict[str, object]) -> str | None:
    """Why IAM would refuse this resource policy's statements, or None.

    IAM's grammar: every statement has an Effect of Allow or Deny, and a resource policy's
    statement names who it is for (Principal or NotPrincipal). ECR's SetRepositoryPolicy
    refuses a policy that breaks it ("Invalid repository policy provided").
    """
    statements = document.get("Statement")
    items = [statements] if isinstance(statements, dict) else statements
    if not isinstance(items, list):
        return None  # a missing or malformed Statement is reported on its own
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict):
            return f"statement {index} is not an object"
        effect = item.get("Effect")
        if effect not in POLICY_EFFECTS:
            return f"statement {index}: Effect must be Allow or Deny, not {effect!r}"
        if "Principal" not in item and "NotPrincipal" not in item:
            return f"statement {index} has no Principal"
    return None


def normalize_prefix(prefix: str) -> str:
    """ECR always assumes a trailing '/' on a prefix; ptc compares prefixes without it."""
    return prefix if prefix == ROOT else prefix.rstrip("/")


class RegionOptionError(UsageError):
    """A --region that is no AWS region, has no pull-through cache, or is not the file's.

    (Not to be confused with the check PTC102 UnknownRegion, which is about the file.)
    """


def check_regions(regions: list[str]) -> None:
    """For --region where no file names the regions (export, sandbox pull)."""
    for region in regions:
        if region in PTC_UNSUPPORTED_REGIONS:
            raise RegionOptionError(
                f"--region {region}: ECR pull-through cache is not offered there"
            )
        if region not in KNOWN_REGIONS:
            close = difflib.get_close_matches(region, sorted(KNOWN_REGIONS), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise RegionOptionError(f"--region {region}: not an AWS region{hint}")


def select_regions(wanted: list[str] | None, file_regions: list[str], source: object) -> list[str]:
    """The file's regions that --region selects (all of them without --region), in its order.

    A --region the file does not have is refused: it would silently plan (or check, or grant)
    nothing there. `source` names the file in the message.
    """
    unknown = [r for r in wanted or [] if r not in file_regions]
    if unknown:
        raise RegionOptionError(
            f"--region {', '.join(unknown)}: not a region of {source} ({', '.join(file_regions)})"
        )
    return [r for r in file_regions if wanted is None or r in wanted]

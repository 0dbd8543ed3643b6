"""ARNs and account IDs: every one ptc builds or reads, built and parsed here only.

`arn:<partition>:<service>:<region>:<account>:<resource>` (the ARN reference in the IAM
user guide). The partition follows the region (ptc.domain.catalog.partition_of), so a
China or GovCloud file gets `arn:aws-cn:` or `arn:aws-us-gov:` without saying so. Pure
text in, text out: no botocore (its ArnParser does the same split), since `validate` must
start fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ptc.domain import catalog

# ECR's RegistryId (botocore's model; tests/checks/test_catalog.py compares them).
ACCOUNT_PATTERN: Final = re.compile(r"^[0-9]{12}$")
ROLE_ARN_PATTERN: Final = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>[0-9]{12}):role/[A-Za-z0-9+=,.@_/-]+$"
)
# What a resource policy may name: an account's root, a role or a user (never a group).
PRINCIPAL_ARN_PATTERN: Final = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>[0-9]{12}):"
    r"(root|(role|user)/[A-Za-z0-9+=,.@_/-]+)$"
)
# Every repository of a registry: a registry policy's "*" prefix, and what ROOT covers.
ALL_REPOSITORIES: Final = "*"
_REPOSITORY: Final = "repository/"
_SECRET: Final = "secret:"
_KMS_KEY: Final = "key/"


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its parts (botocore's ArnParser, without importing botocore)."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def is_account_id(text: str) -> bool:
    return ACCOUNT_PATTERN.fullmatch(text) is not None


def in_region(service: str, region: str, account: str, resource: str) -> Arn:
    """A regional resource's ARN, in the partition of its region."""
    return Arn(catalog.partition_of(region), service, region, account, resource)


# -- ECR repositories ------------------------------------------------------------------------


def repository_arn(region: str, account: str, prefix: str) -> str:
    """The repositories a prefix covers: `<prefix>/*`; '*' and ROOT cover every repository."""
    normalized = catalog.normalize_prefix(prefix)
    covered = "*" if normalized in (ALL_REPOSITORIES, catalog.ROOT) else f"{normalized}/*"
    return str(in_region("ecr", region, account, _REPOSITORY + covered))


def repository_prefix(resource: str, region: str, account: str) -> str | None:
    """The prefix a repository ARN of this registry stands for ('*' for all), else None.

    The inverse of repository_arn, for ARNs of rule prefixes only: anything else (another
    registry, one repository, a pattern ptc would not write) is None.
    """
    base = repository_arn(region, account, ALL_REPOSITORIES).removesuffix("*")
    if not resource.startswith(base) or not resource.endswith("*"):
        return None
    rest = resource.removeprefix(base)
    if rest == "*":
        return ALL_REPOSITORIES
    prefix = rest.removesuffix("/*")
    return prefix if rest.endswith("/*") and catalog.is_rule_prefix_valid(prefix) else None


# -- Secrets Manager -------------------------------------------------------------------------


_RANDOM_SUFFIX: Final = "-xxxxxx"


def secret_arn(region: str, account: str, name: str) -> str:
    """A secret's ARN as far as the name tells: Secrets Manager appends '-' and 6 characters."""
    return str(in_region("secretsmanager", region, account, _SECRET + name))


def partial_secret_arn(full_arn: str) -> str:
    """A secret's full ARN without the '-' and 6 characters Secrets Manager appended: the
    partial ARN that AWS accepts for the secret as well (and ECR rules may hold)."""
    return full_arn[: -len(_RANDOM_SUFFIX)]


def secret_name(arn: str) -> str | None:
    """The secret's name as given in an ARN, with Secrets Manager's random suffix if present."""
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "secretsmanager":
        return None
    if not parsed.resource.startswith(_SECRET):
        return None
    return parsed.resource.removeprefix(_SECRET)


# -- IAM ---------------------------------------------------------------------------------------


def root_arn(account: str, region: str) -> str:
    """An account as IAM stores it in a policy's Principal: its root, in the region's partition."""
    return str(Arn(catalog.partition_of(region), "iam", "", account, "root"))


def role_arn(account: str, partition: str, name: str) -> str:
    """A role (or, with a name such as '*', roles) of an account; IAM is global: no region."""
    return str(Arn(partition, "iam", "", account, f"role/{name}"))


def principal(value: str, region: str) -> str:
    """A 12-digit account ID means that account's root, as IAM stores it."""
    return root_arn(value, region) if is_account_id(value) else value


# -- KMS ---------------------------------------------------------------------------------------


def short_kms_key(key: str, region: str, account: str) -> str:
    """A KMS key or alias of this region and account as a key ID or `alias/<name>`.

    Secrets Manager answers with a key ID or an alias ARN whatever the request said, so
    `alias/x` in the file and `arn:aws:kms:<region>:<account>:alias/x` live are the same.
    Anything else (another account's key, an ID already short) is returned as it is.
    """
    parsed = parse_arn(key)
    if parsed is None or (parsed.service, parsed.region, parsed.account) != (
        "kms",
        region,
        account,
    ):
        return key
    return parsed.resource.removeprefix(_KMS_KEY)

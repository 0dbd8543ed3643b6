"""The desired-state file, version 1, as pydantic models.

The models check structure only: keys, types, required fields. Domain constraints
(prefix patterns, enums, ARNs, limits) are checks in `ptc.checks`, each with a stable ID and
a fix; the JSON Schema still advertises the enums and patterns so that editors complete
them. Field names are the file format's and must not change within version 1.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ptc.domain import arns, catalog
from ptc.domain.org_principals import ORGANIZATION_PATH_PATTERN, ORGANIZATION_PATTERN


class _Model(BaseModel):
    # defer_build: each model's validator is built when a file is first validated, in one
    # go from PtcFile, not one by one when this module is imported (commands that only
    # name the models, `ptc --help` among them, pay nothing).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


def _enum(values: Any) -> dict[str, Any]:
    return {"enum": [str(v) for v in values]}


Region = Annotated[str, Field(json_schema_extra=_enum(sorted(catalog.KNOWN_REGIONS)))]
Regions = Annotated[
    list[Region],
    Field(
        min_length=1,
        description="The regions this applies to; defaults to every region of the file.",
    ),
]


class ValueSource(_Model):
    """Where a secret value comes from; the value itself never appears in the file."""

    env: str | None = Field(None, description="Name of an environment variable.")
    file: str | None = Field(
        None, description="Path of a file (relative to the rules file) holding the value."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> ValueSource:
        if (self.env is None) == (self.file is None):
            raise PydanticCustomError(
                "value_source", "give exactly one of 'env' or 'file' as the value's source"
            )
        return self


def _refuse_literal(value: Any) -> Any:
    if isinstance(value, str | int | float | bool):
        # The message must not quote the value: it may be a real password.
        raise PydanticCustomError(
            "literal_secret",
            "a literal secret value is refused; use {env: NAME} or {file: path}",
        )
    return value


class Rule(_Model):
    """A pull-through cache rule."""

    prefix: str = Field(
        description="ecrRepositoryPrefix: the namespace of cached repositories, or ROOT.",
        json_schema_extra={"pattern": catalog.PREFIX_PATTERN.pattern},
    )
    upstream: str = Field(
        description="Upstream registry host, e.g. registry-1.docker.io, quay.io, ghcr.io."
    )
    credentials: str | None = Field(
        None,
        description="Secrets Manager secret (name or full ARN) holding username and accessToken.",
    )
    upstream_prefix: str | None = Field(
        None,
        description="upstreamRepositoryPrefix: only upstream repositories under it are cached.",
    )
    role: str | None = Field(
        None,
        description="customRoleArn: IAM role ECR assumes for an ECR upstream in another account.",
    )
    regions: Regions | None = None


class Secret(_Model):
    """An upstream-credential secret that ptc creates and keeps up to date."""

    name: str = Field(
        description="Secret name; must start with ecr-pullthroughcache/.",
        json_schema_extra={"pattern": "^ecr-pullthroughcache/"},
    )
    username: ValueSource
    access_token: ValueSource
    kms_key: str | None = Field(None, description="KMS key (ID, ARN or alias) to encrypt with.")
    regions: Regions | None = None

    _literal_username = field_validator("username", mode="before")(_refuse_literal)
    _literal_token = field_validator("access_token", mode="before")(_refuse_literal)


class Encryption(_Model):
    type: str = Field(json_schema_extra=_enum(catalog.EncryptionType))
    kms_key: str | None = Field(None, description="KMS key ARN (an alias is not accepted by ECR).")


PolicyDocument = Annotated[
    dict[str, Any],
    Field(description="An inline JSON/YAML mapping, or {file: path} to a JSON file."),
]


class Template(_Model):
    """A repository creation template."""

    prefix: str = Field(
        description="Repositories whose name starts with this prefix get these settings; or ROOT.",
        json_schema_extra={"pattern": catalog.PREFIX_PATTERN.pattern},
    )
    applied_for: list[Annotated[str, Field(json_schema_extra=_enum(catalog.AppliedFor))]]
    description: str | None = None
    image_tag_mutability: str | None = Field(None, json_schema_extra=_enum(catalog.TagMutability))
    image_tag_mutability_exclusions: list[str] = Field(
        default_factory=list,
        description="Wildcard tag filters; only with *_WITH_EXCLUSION tag mutability.",
    )
    encryption: Encryption | None = None
    lifecycle_policy: PolicyDocument | None = None
    repository_policy: PolicyDocument | None = None
    resource_tags: dict[str, str] = Field(default_factory=dict)
    role: str | None = Field(
        None, description="customRoleArn: needed when resource_tags or KMS encryption are used."
    )
    regions: Regions | None = None


OrganizationPath = Annotated[
    str, Field(json_schema_extra={"pattern": ORGANIZATION_PATH_PATTERN.pattern})
]


class Permission(_Model):
    """A statement of the registry permissions policy, owned by ptc through its Sid.

    With `absent: true` it names a statement to remove (only `sid` and `regions` then).
    """

    sid: str = Field(
        description="Statement ID: letters and digits; ptc owns the live statement with it.",
        json_schema_extra={"pattern": "^[A-Za-z0-9]+$"},
    )
    principals: list[str] | None = Field(
        None, description="IAM role, user or account-root ARNs, or 12-digit account IDs."
    )
    organization: str | None = Field(
        None,
        description=(
            "AWS Organizations ID: only principals of this organization (aws:PrincipalOrgID); "
            "without 'principals', every principal in it."
        ),
        json_schema_extra={"pattern": ORGANIZATION_PATTERN.pattern},
    )
    organization_paths: list[OrganizationPath] | None = Field(
        None,
        description=(
            "Organization paths o-…/r-…/ou-…/ (end with '*' for the OUs below): only principals "
            "of accounts there (aws:PrincipalOrgPaths); without 'principals', every one."
        ),
    )
    prefixes: list[str] | None = Field(
        None, description="Prefixes of rules in the file (or ROOT), or '*' for all repositories."
    )
    actions: list[str] | None = Field(
        None,
        description="Default: ecr:CreateRepository and ecr:BatchImportUpstreamImage.",
    )
    absent: bool = Field(False, description="Remove the live statement with this Sid.")
    regions: Regions | None = None


class Safety(_Model):
    """How much one apply may delete or replace in a region before it needs --force.

    After octoDNS's thresholds: a count always allowed, and beyond it a share of what is
    live, which counts only once a region holds enough to make a share meaningful.
    `plan`/`apply` options of the same names override these.
    """

    max_deletes: int = Field(
        3, description="Rules and templates a region may lose without --force, whatever its size."
    )
    max_delete_percent: int = Field(
        30,
        description="Beyond max_deletes: this percentage of a region's live rules and templates.",
    )
    max_replaces: int = Field(
        3,
        description="Rules a region may replace without --force (a replace deletes the rule, "
        "then creates it: pulls through it fail in between).",
    )
    max_replace_percent: int = Field(
        30, description="Beyond max_replaces: this percentage of a region's live rules."
    )
    min_existing: int = Field(
        10,
        description="The percentages count only where a region holds at least this many of "
        "what they measure (rules and templates; rules, for replaces); below, the counts alone.",
    )

    def allowed_deletes(self, existing: int) -> int:
        """How many of `existing` live rules and templates one region may lose."""
        return self._allowed(existing, self.max_deletes, self.max_delete_percent)

    def allowed_replaces(self, existing: int) -> int:
        """How many of `existing` live rules one region may replace."""
        return self._allowed(existing, self.max_replaces, self.max_replace_percent)

    def _allowed(self, existing: int, floor: int, percent: int) -> int:
        if existing < self.min_existing:
            return floor  # a share of a few resources means little; the count decides
        return max(floor, existing * percent // 100)


AccountId = Annotated[str, Field(json_schema_extra={"pattern": arns.ACCOUNT_PATTERN.pattern})]
OrganizationUnitId = Annotated[
    str, Field(json_schema_extra={"pattern": catalog.OU_PATTERN.pattern})
]


class Accounts(_Model):
    """The accounts one file applies to, each reached by assuming `role` in it.

    The targets are `ids` and every ACTIVE account under `organization_units` (recursively),
    less `exclude`; `ptc targets` lists them.
    """

    role: str = Field(
        description="IAM role assumed in each account; write the account as {account}.",
        json_schema_extra={"pattern": r"^arn:aws[a-z-]*:iam::\{account\}:role/"},
    )
    ids: list[AccountId] = Field(default_factory=list, description="Account IDs (quoted).")
    organization_units: list[OrganizationUnitId] = Field(
        default_factory=list,
        description="AWS Organizations OU IDs: every ACTIVE account under them, recursively.",
    )
    exclude: list[AccountId] = Field(
        default_factory=list, description="Account IDs to leave out (e.g. from an OU)."
    )
    external_id: ValueSource | None = Field(
        None,
        description="The external ID the roles require, from {env: NAME} or {file: path}.",
    )


class PtcFile(_Model):
    """A ptc desired-state file (version 1)."""

    version: int = Field(json_schema_extra={"const": 1})
    account: str | None = Field(
        None,
        description="AWS account ID (quoted); plan and apply refuse to run in another account.",
        json_schema_extra={"pattern": arns.ACCOUNT_PATTERN.pattern},
    )
    accounts: Accounts | None = Field(
        None, description="Several accounts to apply this file to (instead of 'account')."
    )
    regions: Regions
    prune: bool = Field(
        False, description="Delete live rules and templates in these regions that the file omits."
    )
    rules: list[Rule] = Field(default_factory=list)
    secrets: list[Secret] = Field(default_factory=list)
    templates: list[Template] = Field(default_factory=list)
    permissions: list[Permission] = Field(
        default_factory=list,
        description="Registry policy statements for pull-through cache, owned by their Sid.",
    )
    safety: Safety = Field(
        default_factory=Safety,
        description="How many deletes and replaces apply makes without --force.",
    )

    def regions_of(self, item: Rule | Secret | Template | Permission) -> list[str]:
        """The regions an item applies to: its own list, or the file's."""
        return list(item.regions) if item.regions is not None else list(self.regions)


def json_schema() -> dict[str, Any]:
    schema = PtcFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ptc desired-state file, version 1"
    return schema

"""The normalised resources that plan compares: one shape for the file and for AWS.

Both sides are reduced to these models before comparing, so that what ECR fills in or
spells differently (a trailing '/' on a prefix, ROOT as the default upstream prefix,
default tag mutability and encryption, policy JSON key order, tag lists) never shows up
as a change. The secret value is never part of a model: only where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from ptc.domain import catalog

Kind = Literal["secret", "template", "rule", "statement"]
PENDING = "(known after apply)"


@dataclass(frozen=True)
class Shown:
    """What a plan shows of a resource: data, and which attributes it cannot show, and why.

    `values` holds no secret and no placeholder: an unknown or sensitive attribute is None
    there and named in `unknown` or `sensitive`, as Terraform's after_unknown/after_sensitive.
    """

    values: dict[str, Any]
    unknown: frozenset[str] = frozenset()
    sensitive: frozenset[str] = frozenset()


class Resource(BaseModel):
    # defer_build: built on first use (plan), not when `ptc validate` imports the checks.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    KIND: ClassVar[Kind]
    IDENTITY: ClassVar[str]  # the field that names the resource within its region and kind

    region: str

    @property
    def kind(self) -> Kind:
        return self.KIND

    @property
    def key(self) -> str:
        return str(getattr(self, self.IDENTITY))

    def attributes(self) -> dict[str, Any]:
        """What plan compares: everything but the identity."""
        return self.model_dump(exclude={"region", self.IDENTITY})

    def shown(self) -> Shown:
        """What plan shows: the compared attributes, as data."""
        return Shown(self.attributes())


class RuleResource(Resource):
    prefix: str
    upstream_url: str
    upstream_registry: str
    upstream_prefix: str | None = None  # None means ROOT, ECR's default
    credential_arn: str | None = None
    credential_name: str | None = None  # for display and for secrets not created yet
    role: str | None = None

    KIND: ClassVar[Kind] = "rule"
    IDENTITY: ClassVar[str] = "prefix"

    def attributes(self) -> dict[str, Any]:
        shown = super().attributes()
        name = shown.pop("credential_name")
        if self.credential_arn is None and name:
            # The secret is created by the same apply; its ARN is not known yet.
            shown["credential_arn"] = f"{name} {PENDING}"
        return shown

    def shown(self) -> Shown:
        values = super().attributes()
        del values["credential_name"]
        if self.credential_arn is None and self.credential_name:
            return Shown(values, unknown=frozenset({"credential_arn"}))
        return Shown(values)


class TemplateResource(Resource):
    prefix: str
    applied_for: tuple[str, ...]
    description: str | None = None
    image_tag_mutability: str = catalog.TagMutability.MUTABLE
    image_tag_mutability_exclusions: tuple[str, ...] = ()
    encryption_type: str = catalog.EncryptionType.AES256
    kms_key: str | None = None
    lifecycle_policy: str | None = None  # canonical JSON
    repository_policy: str | None = None  # canonical JSON
    resource_tags: dict[str, str] = {}
    role: str | None = None

    KIND: ClassVar[Kind] = "template"
    IDENTITY: ClassVar[str] = "prefix"


class ValueRef(BaseModel):
    """Where a secret value comes from: an environment variable or a file. Never the value."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    env: str | None = None
    file: str | None = None

    def describe(self) -> str:
        return f"env {self.env}" if self.env else f"file {self.file}"


class SecretResource(Resource):
    name: str
    arn: str | None = None
    kms_key: str | None = None
    # Desired side: the sources of username and accessToken. Live side: None.
    username: ValueRef | None = None
    access_token: ValueRef | None = None
    # Compared, never shown: True when the live value differs from the sources' value.
    value_differs: bool = False

    KIND: ClassVar[Kind] = "secret"
    IDENTITY: ClassVar[str] = "name"

    def attributes(self) -> dict[str, Any]:
        return self.model_dump(
            exclude={"region", "name", "arn", "username", "access_token", "value_differs"}
        )

    def shown(self) -> Shown:
        # The value is never known to a plan; it is an attribute all the same.
        return Shown({**self.attributes(), "value": None}, sensitive=frozenset({"value"}))


class StatementResource(Resource):
    """One statement of a region's registry policy, normalised (see ptc.domain.statements).

    Lists are sorted sets, a single string is a one-element list, and 12-digit account IDs
    are root ARNs, so that ECR's or a person's spelling never shows up as a change.
    """

    sid: str  # the key; statements without a Sid get a positional key and are never owned
    effect: str = "Allow"
    principals: tuple[str, ...] = ()  # Principal.AWS
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    other: str | None = None  # canonical JSON of any other element (Condition, NotAction, ...)

    KIND: ClassVar[Kind] = "statement"
    IDENTITY: ClassVar[str] = "sid"


class PermissionIntent(BaseModel):
    """A `permissions:` entry in one region, before the account is known (STS tells plan)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    region: str
    sid: str
    principals: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    absent: bool = False
    organization: str | None = None  # aws:PrincipalOrgID
    organization_paths: tuple[str, ...] = ()  # aws:PrincipalOrgPaths


AnyResource = RuleResource | TemplateResource | SecretResource | StatementResource

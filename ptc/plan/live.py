"""The live state as read from AWS, normalised into the same resources as the file.

The conversion from API responses lives here (pure functions over dicts) rather than in
the boto3 gateway, so it is tested without AWS and shared by plan and export.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ptc.config import documents
from ptc.domain import catalog
from ptc.domain.resources import (
    RuleResource,
    SecretResource,
    StatementResource,
    TemplateResource,
)
from ptc.domain.statements import canonical_policy
from ptc.plan.desired import normalize_upstream_prefix


@dataclass
class SecretIndex:
    """The ecr-pullthroughcache/ secrets of one region, to resolve names and partial ARNs."""

    arn_by_name: dict[str, str] = field(default_factory=dict)

    def name_of(self, arn: str) -> str | None:
        """The secret a full or partial ARN refers to, if it exists."""
        for name, full in self.arn_by_name.items():
            if arn == full or arn == full.rsplit("-", 1)[0] and arn.endswith(f"secret:{name}"):
                return name
        return None

    def canonical(self, arn: str | None) -> str | None:
        """A full ARN for a partial one, so that both spellings compare equal."""
        if arn is None:
            return None
        name = self.name_of(arn)
        return self.arn_by_name[name] if name else arn


@dataclass
class LiveState:
    """Everything ptc manages, as it is in one account, for some regions."""

    account: str
    regions: list[str]
    rules: list[RuleResource] = field(default_factory=list)
    templates: list[TemplateResource] = field(default_factory=list)
    secrets: list[SecretResource] = field(default_factory=list)
    secret_versions: dict[str, str] = field(default_factory=dict)  # ARN -> last change
    statements: list[StatementResource] = field(default_factory=list)  # every one, owned or not
    registry_policies: dict[str, str | None] = field(default_factory=dict)  # region -> text

    def index(self, region: str) -> SecretIndex:
        return SecretIndex({s.name: s.arn or "" for s in self.secrets if s.region == region})

    def fingerprint(self) -> str:
        """Identifies this live state; a saved plan applies only to the state it was made from."""
        body = {
            "account": self.account,
            "regions": sorted(self.regions),
            "resources": sorted(
                json.dumps(r.model_dump(mode="json"), sort_keys=True)
                for r in [*self.rules, *self.templates, *self.secrets]
            ),
            "secret_versions": dict(sorted(self.secret_versions.items())),
            # The whole document, foreign statements included: apply rewrites all of it.
            "registry_policies": {
                region: canonical_policy(text)
                for region, text in sorted(self.registry_policies.items())
            },
        }
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def rule_from_api(item: dict[str, Any], region: str, index: SecretIndex) -> RuleResource:
    url = item["upstreamRegistryUrl"]
    upstream = catalog.resolve_upstream(url)
    kind = item.get("upstreamRegistry") or (upstream.kind.kind if upstream else "unknown")
    credential = item.get("credentialArn") or None
    return RuleResource(
        region=region,
        prefix=catalog.normalize_prefix(item["ecrRepositoryPrefix"]),
        upstream_url=upstream.url if upstream else url,
        upstream_registry=kind,
        upstream_prefix=normalize_upstream_prefix(item.get("upstreamRepositoryPrefix")),
        credential_arn=index.canonical(credential),
        credential_name=index.name_of(credential) if credential else None,
        role=item.get("customRoleArn") or None,
    )


def template_from_api(item: dict[str, Any], region: str) -> TemplateResource:
    encryption = item.get("encryptionConfiguration") or {}
    filters = item.get("imageTagMutabilityExclusionFilters") or []
    return TemplateResource(
        region=region,
        prefix=catalog.normalize_prefix(item["prefix"]),
        applied_for=tuple(sorted(set(item.get("appliedFor") or []))),
        description=item.get("description") or None,
        image_tag_mutability=item.get("imageTagMutability") or catalog.TagMutability.MUTABLE,
        image_tag_mutability_exclusions=tuple(sorted({f["filter"] for f in filters})),
        encryption_type=encryption.get("encryptionType") or catalog.EncryptionType.AES256,
        kms_key=encryption.get("kmsKey") or None,
        lifecycle_policy=_canonical_text(item.get("lifecyclePolicy")),
        repository_policy=_canonical_text(item.get("repositoryPolicy")),
        resource_tags={t["Key"]: t["Value"] for t in item.get("resourceTags") or []},
        role=item.get("customRoleArn") or None,
    )


def _canonical_text(text: str | None) -> str | None:
    """Policy text as ECR returns it, re-serialised so that formatting never differs."""
    if not text:
        return None
    try:
        return documents.canonical_json(json.loads(text))
    except ValueError:
        return text


def secret_from_api(item: dict[str, Any], region: str) -> SecretResource:
    return SecretResource(
        region=region, name=item["Name"], arn=item["ARN"], kms_key=item.get("KmsKeyId") or None
    )

"""The file's desired state, expanded per region into normalised resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptc.config import documents
from ptc.config.models import (
    Permission,
    PtcFile,
    Rule,
    Safety,
    Secret,
    Template,
    ValueSource,
)
from ptc.domain import arns, catalog
from ptc.domain.json_documents import canonical_json
from ptc.domain.resources import (
    PermissionIntent,
    RuleResource,
    SecretResource,
    TemplateResource,
    ValueRef,
)
from ptc.domain.statements import DEFAULT_ACTIONS


@dataclass
class DesiredState:
    """What the file asks for in the regions being planned."""

    account: str | None
    regions: list[str]
    prune: bool
    base_dir: Path
    rules: list[RuleResource] = field(default_factory=list)
    templates: list[TemplateResource] = field(default_factory=list)
    secrets: list[SecretResource] = field(default_factory=list)
    permissions: list[PermissionIntent] = field(default_factory=list)
    safety: Safety = field(default_factory=Safety)  # the file's thresholds; --force skips them


def expand(file: PtcFile, base_dir: Path, regions: list[str] | None = None) -> DesiredState:
    """Expand a validated file; `regions` narrows the file's regions (--region)."""
    chosen = [r for r in file.regions if regions is None or r in regions]
    state = DesiredState(file.account, chosen, file.prune, base_dir, safety=file.safety)
    for region in chosen:
        state.secrets += [_secret(s, region) for s in file.secrets if region in file.regions_of(s)]
        state.templates += [
            _template(t, region, base_dir) for t in file.templates if region in file.regions_of(t)
        ]
        state.rules += [_rule(r, region) for r in file.rules if region in file.regions_of(r)]
        state.permissions += [
            _permission(p, region) for p in file.permissions if region in file.regions_of(p)
        ]
    return state


def _rule(rule: Rule, region: str) -> RuleResource:
    upstream = catalog.resolve_upstream(rule.upstream)
    assert upstream is not None, "validate refuses unsupported upstreams"
    credentials = rule.credentials
    by_arn = credentials is not None and credentials.startswith("arn:")
    return RuleResource(
        region=region,
        prefix=catalog.normalize_prefix(rule.prefix),
        upstream_url=upstream.url,
        upstream_registry=upstream.kind.kind,
        upstream_prefix=normalize_upstream_prefix(rule.upstream_prefix),
        credential_arn=credentials if by_arn else None,
        credential_name=arns.secret_name(credentials) if by_arn and credentials else credentials,
        role=rule.role,
    )


def normalize_upstream_prefix(value: str | None) -> str | None:
    """ECR treats a missing upstream prefix as ROOT; ptc writes both as None."""
    if value is None or value == catalog.ROOT:
        return None
    return catalog.normalize_prefix(value)


def _template(template: Template, region: str, base_dir: Path) -> TemplateResource:
    encryption = template.encryption
    return TemplateResource(
        region=region,
        prefix=catalog.normalize_prefix(template.prefix),
        applied_for=tuple(sorted(set(template.applied_for))),
        description=template.description or None,
        image_tag_mutability=template.image_tag_mutability or catalog.TagMutability.MUTABLE,
        image_tag_mutability_exclusions=tuple(
            sorted(set(template.image_tag_mutability_exclusions))
        ),
        encryption_type=encryption.type if encryption else catalog.EncryptionType.AES256,
        kms_key=encryption.kms_key if encryption else None,
        lifecycle_policy=_document(template.lifecycle_policy, base_dir),
        repository_policy=_document(template.repository_policy, base_dir),
        resource_tags=dict(sorted(template.resource_tags.items())),
        role=template.role,
    )


def _document(value: dict[str, Any] | None, base_dir: Path) -> str | None:
    if value is None:
        return None
    return canonical_json(documents.resolve(value, base_dir))


def _secret(secret: Secret, region: str) -> SecretResource:
    return SecretResource(
        region=region,
        name=secret.name,
        kms_key=secret.kms_key,
        username=_ref(secret.username),
        access_token=_ref(secret.access_token),
    )


def _ref(source: ValueSource) -> ValueRef:
    return ValueRef(env=source.env, file=source.file)


def _permission(permission: Permission, region: str) -> PermissionIntent:
    return PermissionIntent(
        region=region,
        sid=permission.sid,
        principals=tuple(permission.principals or ()),
        prefixes=tuple(permission.prefixes or ()),
        actions=tuple(permission.actions or DEFAULT_ACTIONS),
        absent=permission.absent,
        organization=permission.organization,
        organization_paths=tuple(permission.organization_paths or ()),
    )

"""Live items normalised into the same resources as the file, whoever read them.

AWS's answers (ptc.aws.responses) and Terraform's state (ptc.terraform.takeover) name the
same fields differently; each maps its own names onto these builders, so that both come
out exactly as plan compares them: prefixes and upstreams spelled as the file spells them,
policy texts canonical, empty values and the API's defaults alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from ptc.domain import catalog
from ptc.domain.json_documents import canonical_json
from ptc.domain.resources import RuleResource, SecretResource, TemplateResource
from ptc.plan.desired import normalize_upstream_prefix
from ptc.plan.live import SecretIndex


def live_rule(
    region: str,
    index: SecretIndex,
    *,
    prefix: str,
    upstream_url: str,
    upstream_registry: str | None = None,
    upstream_prefix: str | None = None,
    credential: str | None = None,
    role: str | None = None,
) -> RuleResource:
    """A rule; `credential` (a full or partial ARN) resolved against the region's secrets."""
    upstream = catalog.resolve_upstream(upstream_url)
    kind = upstream_registry or (upstream.kind.kind if upstream else "unknown")
    credential = credential or None
    return RuleResource(
        region=region,
        prefix=catalog.normalize_prefix(prefix),
        upstream_url=upstream.url if upstream else upstream_url,
        upstream_registry=kind,
        upstream_prefix=normalize_upstream_prefix(upstream_prefix),
        credential_arn=index.canonical(credential),
        credential_name=index.name_of(credential) if credential else None,
        role=role or None,
    )


def live_template(
    region: str,
    *,
    prefix: str,
    applied_for: Iterable[str] | None = None,
    description: str | None = None,
    image_tag_mutability: str | None = None,
    exclusions: Iterable[str] = (),
    encryption_type: str | None = None,
    kms_key: str | None = None,
    lifecycle_policy: str | None = None,
    repository_policy: str | None = None,
    resource_tags: Mapping[str, str] | None = None,
    role: str | None = None,
) -> TemplateResource:
    return TemplateResource(
        region=region,
        prefix=catalog.normalize_prefix(prefix),
        applied_for=tuple(sorted(set(applied_for or []))),
        description=description or None,
        image_tag_mutability=image_tag_mutability or catalog.TagMutability.MUTABLE,
        image_tag_mutability_exclusions=tuple(sorted(set(exclusions))),
        encryption_type=encryption_type or catalog.EncryptionType.AES256,
        kms_key=kms_key or None,
        lifecycle_policy=canonical_text(lifecycle_policy),
        repository_policy=canonical_text(repository_policy),
        resource_tags=dict(resource_tags or {}),
        role=role or None,
    )


def live_secret(region: str, *, name: str, arn: str, kms_key: str | None = None) -> SecretResource:
    return SecretResource(region=region, name=name, arn=arn, kms_key=kms_key or None)


def canonical_text(text: str | None) -> str | None:
    """Policy text as ECR returns it, re-serialised so that formatting never differs."""
    if not text:
        return None
    try:
        return canonical_json(json.loads(text))
    except ValueError:
        return text

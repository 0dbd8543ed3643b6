"""Export: the live rules and templates as a version-1 file that plans with no changes.

Items that are the same in several regions become one item, narrowed with `regions:`
where they exist only in some. Rules name their secret by name, never by value; the
secrets themselves are not exported (ptc cannot read back where a value came from).
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from ptc import catalog
from ptc.plan.live import LiveState
from ptc.plan.resources import RuleResource, TemplateResource

HEADER = (
    "# Exported by 'ptc export'. Review it, keep it in version control, and run\n"
    "# 'ptc plan' on it: it should show no changes.\n"
)


def export_live(live: LiveState) -> dict[str, Any]:
    document: dict[str, Any] = {"version": 1, "account": live.account, "regions": live.regions}
    rules = _merge([(r.region, _rule(r)) for r in live.rules], live.regions)
    templates = _merge([(t.region, _template(t)) for t in live.templates], live.regions)
    if rules:
        document["rules"] = rules
    if templates:
        document["templates"] = templates
    return document


def _merge(items: list[tuple[str, dict[str, Any]]], regions: list[str]) -> list[dict[str, Any]]:
    """One entry per distinct item; `regions:` only where it is not in every region."""
    grouped: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for region, item in items:
        key = json.dumps(item, sort_keys=True)
        grouped.setdefault(key, (item, []))[1].append(region)
    merged = []
    for item, found_in in grouped.values():
        if sorted(found_in) != sorted(regions):
            item = {**item, "regions": found_in}
        merged.append(item)
    return merged


def _rule(rule: RuleResource) -> dict[str, Any]:
    item: dict[str, Any] = {"prefix": rule.prefix, "upstream": rule.upstream_url}
    if rule.credential_arn:
        item["credentials"] = rule.credential_name or rule.credential_arn
    if rule.upstream_prefix:
        item["upstream_prefix"] = rule.upstream_prefix
    if rule.role:
        item["role"] = rule.role
    return item


def _template(template: TemplateResource) -> dict[str, Any]:
    item: dict[str, Any] = {"prefix": template.prefix, "applied_for": list(template.applied_for)}
    if template.description:
        item["description"] = template.description
    item["image_tag_mutability"] = template.image_tag_mutability
    if template.image_tag_mutability_exclusions:
        item["image_tag_mutability_exclusions"] = list(template.image_tag_mutability_exclusions)
    if template.encryption_type != catalog.EncryptionType.AES256 or template.kms_key:
        encryption: dict[str, Any] = {"type": template.encryption_type}
        if template.kms_key:
            encryption["kms_key"] = template.kms_key
        item["encryption"] = encryption
    for field in ("lifecycle_policy", "repository_policy"):
        text = getattr(template, field)
        if text:
            item[field] = json.loads(text)
    if template.resource_tags:
        item["resource_tags"] = dict(template.resource_tags)
    if template.role:
        item["role"] = template.role
    return item


def to_yaml(document: dict[str, Any]) -> str:
    body = yaml.safe_dump(document, sort_keys=False, default_flow_style=False, allow_unicode=True)
    return HEADER + body

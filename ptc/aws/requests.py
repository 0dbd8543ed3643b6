"""API requests built from resources: pure functions, so they are tested without AWS."""

from __future__ import annotations

from typing import Any

from ptc.domain import catalog
from ptc.domain.resources import RuleResource, TemplateResource


def rule_create_request(rule: RuleResource) -> dict[str, Any]:
    request: dict[str, Any] = {
        "ecrRepositoryPrefix": rule.prefix,
        "upstreamRegistryUrl": rule.upstream_url,
        "upstreamRegistry": rule.upstream_registry,
    }
    if rule.credential_arn:
        request["credentialArn"] = rule.credential_arn
    if rule.role:
        request["customRoleArn"] = rule.role
    if rule.upstream_prefix:
        request["upstreamRepositoryPrefix"] = rule.upstream_prefix
    return request


def rule_update_request(rule: RuleResource) -> dict[str, Any]:
    # ECR refuses an update with neither field; the planner turns that case into a replace.
    request: dict[str, Any] = {"ecrRepositoryPrefix": rule.prefix}
    if rule.credential_arn:
        request["credentialArn"] = rule.credential_arn
    if rule.role:
        request["customRoleArn"] = rule.role
    if len(request) == 1:
        raise ValueError(f"rule {rule.prefix}: an update needs a credential or a role")
    return request


def template_request(template: TemplateResource, live: TemplateResource | None) -> dict[str, Any]:
    """The whole template, as create and update both take it.

    Update always sends every field (what it leaves out may be reset, or kept: the API does
    not say). Where the live template has a value the file drops, an empty value clears it.
    """
    request: dict[str, Any] = {
        "prefix": template.prefix,
        "appliedFor": list(template.applied_for),
        "imageTagMutability": template.image_tag_mutability,
        "encryptionConfiguration": _encryption(template),
        "resourceTags": [{"Key": k, "Value": v} for k, v in template.resource_tags.items()],
    }
    if template.image_tag_mutability_exclusions:
        request["imageTagMutabilityExclusionFilters"] = [
            {"filterType": catalog.EXCLUSION_FILTER_TYPES[0], "filter": f}
            for f in template.image_tag_mutability_exclusions
        ]
    optional = {
        "description": template.description,
        "lifecyclePolicy": template.lifecycle_policy,
        "repositoryPolicy": template.repository_policy,
        "customRoleArn": template.role,
    }
    had = _optional_fields(live)
    for key, value in optional.items():
        if value:
            request[key] = value
        elif had.get(key):
            request[key] = ""
    return request


def _optional_fields(live: TemplateResource | None) -> dict[str, Any]:
    if live is None:
        return {}
    return {
        "description": live.description,
        "lifecyclePolicy": live.lifecycle_policy,
        "repositoryPolicy": live.repository_policy,
        "customRoleArn": live.role,
    }


def _encryption(template: TemplateResource) -> dict[str, Any]:
    encryption: dict[str, Any] = {"encryptionType": template.encryption_type}
    if template.kms_key:
        encryption["kmsKey"] = template.kms_key
    return encryption

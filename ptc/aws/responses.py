"""Resources from API responses: pure functions over the dicts botocore returns.

The counterpart of ptc.aws.requests: together they are all the API's shapes ptc knows.
What the fields mean once read (normalised spellings, defaults) is ptc.plan.normalize's,
shared with Terraform's takeover; this module only knows the API's names for them.
"""

from __future__ import annotations

from typing import Any

from ptc.domain.resources import RuleResource, SecretResource, TemplateResource
from ptc.plan.live import SecretIndex
from ptc.plan.normalize import live_rule, live_secret, live_template


def rule_from_api(item: dict[str, Any], region: str, index: SecretIndex) -> RuleResource:
    return live_rule(
        region,
        index,
        prefix=item["ecrRepositoryPrefix"],
        upstream_url=item["upstreamRegistryUrl"],
        upstream_registry=item.get("upstreamRegistry"),
        upstream_prefix=item.get("upstreamRepositoryPrefix"),
        credential=item.get("credentialArn"),
        role=item.get("customRoleArn"),
    )


def template_from_api(item: dict[str, Any], region: str) -> TemplateResource:
    encryption = item.get("encryptionConfiguration") or {}
    filters = item.get("imageTagMutabilityExclusionFilters") or []
    return live_template(
        region,
        prefix=item["prefix"],
        applied_for=item.get("appliedFor"),
        description=item.get("description"),
        image_tag_mutability=item.get("imageTagMutability"),
        exclusions=[f["filter"] for f in filters],
        encryption_type=encryption.get("encryptionType"),
        kms_key=encryption.get("kmsKey"),
        lifecycle_policy=item.get("lifecyclePolicy"),
        repository_policy=item.get("repositoryPolicy"),
        resource_tags={t["Key"]: t["Value"] for t in item.get("resourceTags") or []},
        role=item.get("customRoleArn"),
    )


def secret_from_api(item: dict[str, Any], region: str) -> SecretResource:
    return live_secret(region, name=item["Name"], arn=item["ARN"], kms_key=item.get("KmsKeyId"))

"""Checks of repository creation templates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ptc.checks.base import Check, Context, Problem, Severity
from ptc.checks.lifecycle import lifecycle_problems, quoted
from ptc.config import documents
from ptc.config.loader import DataPath
from ptc.config.models import Template
from ptc.domain import arns, catalog
from ptc.domain.catalog import ROOT, AppliedFor, EncryptionType, TagMutability
from ptc.domain.json_documents import canonical_json

_KMS_TYPES = {EncryptionType.KMS, EncryptionType.KMS_DSSE}
_IMMUTABLE = {TagMutability.IMMUTABLE, TagMutability.IMMUTABLE_WITH_EXCLUSION}
_WITH_EXCLUSION = {TagMutability.IMMUTABLE_WITH_EXCLUSION, TagMutability.MUTABLE_WITH_EXCLUSION}


class TemplatePrefixPattern(Check):
    id = "PTC401"
    summary = "A template prefix that does not match ECR's repository name pattern"
    fix = "Use lower-case letters, digits and . _ - separated by '/', or ROOT."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            if not catalog.PREFIX_PATTERN.fullmatch(template.prefix):
                yield Problem((*path, "prefix"), f"prefix '{template.prefix}' is not valid")


class TemplatePrefixLength(Check):
    id = "PTC402"
    summary = "A template prefix longer than 256 characters or empty"
    fix = "Use a prefix of 1 to 256 characters."

    def check(self, ctx: Context) -> Iterator[Problem]:
        low, high = catalog.TEMPLATE_PREFIX_LENGTH
        for path, template in ctx.templates:
            if not low <= len(template.prefix) <= high:
                yield Problem(
                    (*path, "prefix"),
                    f"prefix has {len(template.prefix)} characters; ECR allows {low} to {high}",
                )


class DuplicateTemplate(Check):
    id = "PTC403"
    summary = "Two templates with the same prefix in one region"
    fix = "Keep one template per prefix and region; narrow the others with 'regions:'."

    def check(self, ctx: Context) -> Iterator[Problem]:
        first: dict[tuple[str, str], DataPath] = {}
        for path, template in ctx.templates:
            for region in dict.fromkeys(ctx.regions_of(template)):
                key = (catalog.normalize_prefix(template.prefix), region)
                if key in first:
                    line = ctx.document.locate(first[key]).line
                    yield Problem(
                        (*path, "prefix"),
                        f"template prefix '{template.prefix}' is already used in {region} "
                        f"by the template on line {line}",
                    )
                    break
                first[key] = path


class AppliedForInvalid(Check):
    id = "PTC404"
    summary = "'applied_for' is empty or names an unknown use"
    fix = "List one or more of PULL_THROUGH_CACHE, CREATE_ON_PUSH, REPLICATION."

    def check(self, ctx: Context) -> Iterator[Problem]:
        known = set(AppliedFor)
        for path, template in ctx.templates:
            if not template.applied_for:
                yield Problem((*path, "applied_for"), "'applied_for' is empty")
            for index, value in enumerate(template.applied_for):
                if value not in known:
                    yield Problem((*path, "applied_for", index), f"unknown use '{value}'")


class TagMutabilityInvalid(Check):
    id = "PTC405"
    summary = "An unknown 'image_tag_mutability'"
    fix = "Use MUTABLE, IMMUTABLE, MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            value = template.image_tag_mutability
            if value is not None and value not in set(TagMutability):
                yield Problem((*path, "image_tag_mutability"), f"unknown tag mutability '{value}'")


class ExclusionsMismatch(Check):
    id = "PTC406"
    summary = "Tag mutability exclusions without a *_WITH_EXCLUSION setting, or the reverse"
    fix = (
        "Give 'image_tag_mutability_exclusions' exactly when 'image_tag_mutability' is "
        "MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            with_exclusion = template.image_tag_mutability in _WITH_EXCLUSION
            has_filters = bool(template.image_tag_mutability_exclusions)
            if has_filters and not with_exclusion:
                yield Problem(
                    (*path, "image_tag_mutability_exclusions"),
                    "exclusions are only used with a *_WITH_EXCLUSION tag mutability",
                )
            elif with_exclusion and not has_filters:
                yield Problem(
                    (*path, "image_tag_mutability"),
                    f"{template.image_tag_mutability} needs 'image_tag_mutability_exclusions'",
                )


class ExclusionsCount(Check):
    id = "PTC407"
    summary = "More than 5 tag mutability exclusions"
    fix = "ECR takes 1 to 5 exclusion filters; combine them with wildcards."

    def check(self, ctx: Context) -> Iterator[Problem]:
        high = catalog.EXCLUSION_FILTERS_COUNT[1]
        for path, template in ctx.templates:
            count = len(template.image_tag_mutability_exclusions)
            if count > high:
                yield Problem(
                    (*path, "image_tag_mutability_exclusions"),
                    f"{count} exclusion filters; ECR allows at most {high}",
                )


class ExclusionFilterInvalid(Check):
    id = "PTC408"
    summary = "A tag mutability exclusion filter that does not match ECR's pattern"
    fix = "Use 1 to 128 letters, digits and . _ - with * as wildcard."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            for index, value in enumerate(template.image_tag_mutability_exclusions):
                if not catalog.EXCLUSION_FILTER_PATTERN.fullmatch(value):
                    yield Problem(
                        (*path, "image_tag_mutability_exclusions", index),
                        f"exclusion filter '{value}' is not valid",
                    )


class EncryptionTypeInvalid(Check):
    id = "PTC409"
    summary = "An unknown encryption type"
    fix = "Use AES256 or KMS."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            if template.encryption and template.encryption.type not in set(EncryptionType):
                yield Problem(
                    (*path, "encryption", "type"),
                    f"unknown encryption type '{template.encryption.type}'",
                )


class EncryptionKeyInvalid(Check):
    id = "PTC410"
    summary = "A KMS key that is not a key ARN, or a key given with AES256"
    fix = (
        "With KMS give the key's full ARN (arn:aws:kms:<region>:<account>:key/<id>); "
        "AES256 takes no key."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            encryption = template.encryption
            if encryption is None or encryption.kms_key is None:
                continue
            where = (*path, "encryption", "kms_key")
            if encryption.type == EncryptionType.AES256:
                yield Problem(where, "AES256 encryption takes no KMS key")
            elif not catalog.TEMPLATE_KMS_KEY_PATTERN.fullmatch(ctx.filled(encryption.kms_key)):
                yield Problem(where, f"'{encryption.kms_key}' is not a KMS key ARN")


class RoleRequired(Check):
    id = "PTC411"
    summary = "A template with resource tags or KMS encryption has no 'role'"
    fix = (
        "Add 'role:' with a role ECR can assume to tag repositories and use the key "
        "(ecr:CreateRepository, ecr:TagResource, kms:CreateGrant, kms:DescribeKey)."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            uses_kms = template.encryption is not None and template.encryption.type in _KMS_TYPES
            if (template.resource_tags or uses_kms) and not template.role:
                what = "resource tags" if template.resource_tags else "KMS encryption"
                yield Problem(
                    path,
                    f"template '{template.prefix}' uses {what}; ECR fails to create "
                    "repositories from it without a role",
                )


class ImmutableCacheTags(Check):
    id = "PTC412"
    severity = Severity.WARNING
    summary = "Immutable tags on repositories the pull-through cache creates"
    fix = "Use MUTABLE (AWS's recommendation for cache repositories), or drop PULL_THROUGH_CACHE."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            if (
                template.image_tag_mutability in _IMMUTABLE
                and AppliedFor.PULL_THROUGH_CACHE in template.applied_for
            ):
                yield Problem(
                    (*path, "image_tag_mutability"),
                    "with immutable tags the cache can no longer refresh a tag from upstream",
                )


def _documents(
    ctx: Context, field: str
) -> Iterator[tuple[DataPath, Template, dict[str, Any] | None, str | None]]:
    """(path, template, resolved document or None, error reading it) for one policy field."""
    for path, template, resolved, error in _resolved(ctx, field):
        yield path, template, resolved.data if resolved else None, error


def _resolved(
    ctx: Context, field: str
) -> Iterator[tuple[DataPath, Template, documents.Resolved | None, str | None]]:
    for path, template in ctx.templates:
        value = getattr(template, field)
        if value is None:
            continue
        try:
            resolved = documents.resolve_document(value, ctx.base_dir)
        except documents.DocumentFileError as exc:
            yield (*path, field), template, None, str(exc)
        else:
            yield (*path, field), template, resolved, None


class LifecyclePolicyInvalid(Check):
    id = "PTC413"
    summary = "A lifecycle policy ECR would refuse"
    fix = "Follow ECR's lifecycle policy syntax: rules with rulePriority, selection and action."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, _, resolved, _error in _resolved(ctx, "lifecycle_policy"):
            if resolved is None:
                continue
            # A referenced file's keys are named by line, not quoted: `file:` may point at
            # any readable file, and findings reach CI logs and pull-request comments.
            name_key = quoted if resolved.source is None else resolved.line_of
            for problem in lifecycle_problems(resolved.data, name_key)[:5]:
                yield Problem(path, f"lifecycle policy: {problem}")


class LifecyclePolicyTooLong(Check):
    id = "PTC414"
    summary = "A lifecycle policy longer than 30,720 characters"
    fix = "Shorten the policy: fewer rules or shorter descriptions."

    def check(self, ctx: Context) -> Iterator[Problem]:
        yield from _too_long(ctx, "lifecycle_policy", catalog.LIFECYCLE_POLICY_MAX)


class RepositoryPolicyInvalid(Check):
    id = "PTC415"
    summary = "A repository policy that is not an IAM policy object of at most 10,240 characters"
    fix = (
        "Give a policy document with a 'Statement' list whose statements have Effect Allow or "
        "Deny and a Principal, at most 10,240 characters as JSON."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, _, document, _error in _documents(ctx, "repository_policy"):
            if document is not None and "Statement" not in document:
                yield Problem(path, "repository policy has no 'Statement'")
            elif document is not None and (problem := catalog.policy_statement_problem(document)):
                yield Problem(path, f"repository policy: {problem}")
        yield from _too_long(ctx, "repository_policy", catalog.REPOSITORY_POLICY_MAX)


def _too_long(ctx: Context, field: str, limit: int) -> Iterator[Problem]:
    for path, _, document, _error in _documents(ctx, field):
        if document is not None:
            length = len(canonical_json(document))
            if length > limit:
                yield Problem(path, f"{length:,} characters as JSON; ECR allows {limit:,}")


class TemplateMatchesNoRule(Check):
    id = "PTC416"
    severity = Severity.WARNING
    summary = "A PULL_THROUGH_CACHE template whose prefix matches no rule"
    fix = "Use the prefix of the rule whose repositories it should shape (or ROOT)."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            if AppliedFor.PULL_THROUGH_CACHE not in template.applied_for:
                continue
            for region in ctx.regions_of(template):
                if not self._matches_a_rule(ctx, template.prefix, region):
                    yield Problem(
                        (*path, "prefix"),
                        f"no rule in {region} creates repositories under '{template.prefix}'",
                    )
                    break

    @staticmethod
    def _matches_a_rule(ctx: Context, prefix: str, region: str) -> bool:
        prefix = catalog.normalize_prefix(prefix)
        for _, rule in ctx.rules:
            if region not in ctx.regions_of(rule):
                continue
            rule_prefix = catalog.normalize_prefix(rule.prefix)
            if ROOT in (prefix, rule_prefix) or prefix == rule_prefix:
                return True
            if prefix.startswith(rule_prefix + "/") or rule_prefix.startswith(prefix + "/"):
                return True
        return False


class DescriptionTooLong(Check):
    id = "PTC417"
    summary = "A template description longer than 256 characters"
    fix = "Shorten the description to 256 characters."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            text = template.description or ""
            if len(text) > catalog.TEMPLATE_DESCRIPTION_MAX:
                yield Problem(
                    (*path, "description"),
                    f"description has {len(text)} characters; ECR allows "
                    f"{catalog.TEMPLATE_DESCRIPTION_MAX}",
                )


class ResourceTagsInvalid(Check):
    id = "PTC418"
    summary = "Resource tags over AWS's limits, with characters AWS does not allow, or aws:"
    fix = (
        "At most 50 tags; keys 1-128 characters not starting with 'aws:'; values up to 256; "
        "only letters, numbers, spaces and _ . : / = + - @."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            tags = template.resource_tags
            where = (*path, "resource_tags")
            if len(tags) > catalog.TAGS_MAX:
                yield Problem(where, f"{len(tags)} tags; AWS allows {catalog.TAGS_MAX}")
            for key, value in tags.items():
                if (
                    not 1 <= len(key) <= catalog.TAG_KEY_MAX
                    or key.lower().startswith(catalog.TAG_RESERVED_PREFIX)
                    or not catalog.is_tag_text(key)
                ):
                    yield Problem(
                        (*where, key), f"tag key '{key[:40]}' is not allowed", at_key=True
                    )
                if len(value) > catalog.TAG_VALUE_MAX:
                    yield Problem((*where, key), f"the value of tag '{key}' is too long")
                elif not catalog.is_tag_text(value):
                    yield Problem(
                        (*where, key), f"the value of tag '{key}' has characters AWS does not allow"
                    )


class PolicyFileUnreadable(Check):
    id = "PTC419"
    summary = "A policy {file: ...} that cannot be read or is not a JSON object"
    fix = "Point 'file:' at a JSON (or YAML) object, relative to the rules file."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for field in ("lifecycle_policy", "repository_policy"):
            for path, _, _, error in _documents(ctx, field):
                if error is not None:
                    yield Problem(path, error)


class KmsDsseInTemplate(Check):
    id = "PTC420"
    severity = Severity.WARNING
    summary = "KMS_DSSE encryption in a template"
    fix = "Use KMS: KMS_DSSE exists only in GovCloud, where templates are not offered."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            if template.encryption and template.encryption.type == EncryptionType.KMS_DSSE:
                yield Problem((*path, "encryption", "type"), "KMS_DSSE is GovCloud-only")


class KmsKeyRegion(Check):
    id = "PTC421"
    summary = "A template's KMS key in another region than the repositories it creates"
    fix = (
        "ECR requires the key in the repository's region: give the template one key per "
        "region (narrow it with 'regions:'), or use AES256."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, template in ctx.templates:
            encryption = template.encryption
            key = encryption.kms_key if encryption else None
            arn = arns.parse_arn(key) if key else None
            if key is None or arn is None or arn.service != "kms":
                continue
            # With {region} the key is each region's own; filled per region, it fits each.
            others = [r for r in ctx.regions_of(template) if _key_region(ctx, key, r) != r]
            if others:
                yield Problem(
                    (*path, "encryption", "kms_key"),
                    f"the key is in {arn.region}; repositories in "
                    f"{', '.join(others)} cannot use it",
                )


def _key_region(ctx: Context, key: str, region: str) -> str | None:
    arn = arns.parse_arn(ctx.filled(key, region))
    return arn.region if arn else None


CHECKS = (
    TemplatePrefixPattern,
    TemplatePrefixLength,
    DuplicateTemplate,
    AppliedForInvalid,
    TagMutabilityInvalid,
    ExclusionsMismatch,
    ExclusionsCount,
    ExclusionFilterInvalid,
    EncryptionTypeInvalid,
    EncryptionKeyInvalid,
    RoleRequired,
    ImmutableCacheTags,
    LifecyclePolicyInvalid,
    LifecyclePolicyTooLong,
    RepositoryPolicyInvalid,
    TemplateMatchesNoRule,
    DescriptionTooLong,
    ResourceTagsInvalid,
    PolicyFileUnreadable,
    KmsDsseInTemplate,
    KmsKeyRegion,
)

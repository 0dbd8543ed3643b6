"""Export: the live rules and templates as a version-1 file that plans with no changes.

Items that are the same in several regions become one item, narrowed with `regions:`
where they exist only in some. Rules name their secret by name, never by value; the
secrets themselves are not exported (ptc cannot read back where a value came from).
Registry policy statements are exported as `permissions:` only when they are pull-through
cache statements the file format can say exactly (and validate accepts); the others stay
unmanaged, which plan lists and apply leaves alone.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from ptc.domain import arns, catalog, statements
from ptc.domain.org_principals import EVERY_PRINCIPAL, OrgScope, scope_of
from ptc.domain.resources import RuleResource, StatementResource, TemplateResource
from ptc.plan.live import LiveState

HEADER = (
    "# Exported by 'ptc export'. Review it, keep it in version control, and run\n"
    "# 'ptc plan' on it: it should show no changes.\n"
)


def export_live(live: LiveState) -> dict[str, Any]:
    document: dict[str, Any] = {"version": 1, "account": live.account, "regions": live.regions}
    rules = merge([(r.region, _rule(r)) for r in live.rules], live.regions)
    templates = merge([(t.region, _template(t)) for t in live.templates], live.regions)
    if rules:
        document["rules"] = rules
    if templates:
        document["templates"] = templates
    rule_prefixes = {(r.prefix, r.region) for r in live.rules}
    permissions = merge(
        [
            (s.region, item)
            for s in live.statements
            if (item := _permission(s, live.account, rule_prefixes)) is not None
        ],
        live.regions,
    )
    if permissions:
        document["permissions"] = permissions
    return document


def merge(items: list[tuple[str, dict[str, Any]]], regions: list[str]) -> list[dict[str, Any]]:
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


def _permission(
    statement: StatementResource, account: str, rule_prefixes: set[tuple[str, str]]
) -> dict[str, Any] | None:
    """The `permissions:` entry that plans to exactly this statement, if there is one."""
    if permission_problem(statement, account, rule_prefixes) is not None:
        return None
    prefixes = [arns.repository_prefix(r, statement.region, account) for r in statement.resources]
    item: dict[str, Any] = {"sid": statement.sid}
    if statement.principals != (EVERY_PRINCIPAL,):
        item["principals"] = list(statement.principals)
    scope = _scope(statement) or OrgScope()
    if scope.organization is not None:
        item["organization"] = scope.organization
    if scope.paths:
        item["organization_paths"] = list(scope.paths)
    item["prefixes"] = sorted(p for p in prefixes if p is not None)
    if set(statement.actions) != set(statements.DEFAULT_ACTIONS):
        item["actions"] = sorted(statement.actions)
    return item


def _scope(statement: StatementResource) -> OrgScope | None:
    """The organisation scope of a statement whose only other element is its Condition."""
    other = json.loads(statement.other) if statement.other else None
    if not isinstance(other, dict) or set(other) != {"Condition"}:
        return None
    return scope_of(other["Condition"])


def permission_problem(
    statement: StatementResource, account: str, rule_prefixes: set[tuple[str, str]]
) -> str | None:
    """Why a statement cannot be a `permissions:` entry (None: it can), in a few words."""
    actions = set(statement.actions)
    partition = catalog.partition_of(statement.region)
    scope = _scope(statement)
    if statement.other is not None and scope is None:
        return (
            "it has elements a permissions entry cannot say (a Condition other than "
            "aws:PrincipalOrgID/aws:PrincipalOrgPaths, NotAction, ...)"
        )
    if scope is not None and not scope.valid():
        return "its organization condition is not one validate accepts"
    if statement.effect != "Allow":
        return "it is not an Allow statement"
    if not statements.SID_PATTERN.fullmatch(statement.sid):
        return "its Sid is missing, repeated or not letters and digits"
    if not actions or not actions <= set(statements.PTC_ACTIONS):
        return "it grants other actions than ecr:CreateRepository and ecr:BatchImportUpstreamImage"
    if statement.principals == (EVERY_PRINCIPAL,) and scope is None:
        return "it is granted to every principal ('*') of every organization"
    principals = set(statement.principals) - ({EVERY_PRINCIPAL} if scope else set())
    if not statement.principals or any(
        statements.principal_problem(p, {partition}) for p in principals
    ):
        return "its principals are not IAM roles, users or accounts"
    for resource in statement.resources:
        prefix = arns.repository_prefix(resource, statement.region, account)
        if prefix != statements.ALL_PREFIXES and (prefix, statement.region) not in rule_prefixes:
            # validate would refuse a prefix that is not a rule of the file
            return "its resources are not the repositories of this registry's rules"
    if not statement.resources:
        return "it names no resources"
    return None


def to_yaml(document: dict[str, Any], header: str = HEADER) -> str:
    body = yaml.safe_dump(document, sort_keys=False, default_flow_style=False, allow_unicode=True)
    return header + body

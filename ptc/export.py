"""Export: the live rules and templates as a version-1 file that plans with no changes.

Items that are the same in several regions become one item, narrowed with `regions:`
where they exist only in some. Rules name their secret by name, never by value; the
secrets themselves are not exported (ptc cannot read back where a value came from).
Registry policy statements are exported as `permissions:` only when they are pull-through
cache statements the file format can say exactly (and validate accepts); the others stay
unmanaged, which plan lists and apply leaves alone.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import yaml

from ptc.domain import arns, catalog, statements, substitution
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


# -- several accounts -------------------------------------------------------------------------
#
# A file with `accounts:` is exported account by account; the exports are then compared with
# each account's own ID written as `{account}` (only where the file format fills it in, the
# fields of ptc.domain.substitution.FIELDS). Accounts that agree make one file with
# `accounts:`; accounts that do not are reported item by item, so that a user can see which
# account drifted from the others before adopting anything.

_SECTIONS = {"rules": "prefix", "templates": "prefix", "permissions": "sid"}
_KINDS = {"rules": "rule", "templates": "template", "permissions": "permission"}
_SHOWN_ACCOUNTS = 5  # a difference names this many accounts, then says how many more


def generalize(document: dict[str, Any], account: str) -> dict[str, Any]:
    """An account's export without `account:`, its own ID as `{account}` where the file
    format fills it in (roles, credentials, KMS keys, permission principals)."""
    body = {k: v for k, v in document.items() if k != "account"}
    generalized = _generalized(body, (), account)
    assert isinstance(generalized, dict)
    return generalized


def _generalized(value: Any, path: tuple[str | int, ...], account: str) -> Any:
    if isinstance(value, dict):
        return {k: _generalized(v, (*path, k), account) for k, v in value.items()}
    if isinstance(value, list):
        return [_generalized(v, (*path, i), account) for i, v in enumerate(value)]
    if isinstance(value, str) and substitution.field_of(path) in substitution.FIELDS:
        return _with_placeholder(value, account)
    return value


def _with_placeholder(text: str, account: str) -> str:
    if text == account:  # a permission principal naming the account itself
        return substitution.ACCOUNT
    arn = arns.parse_arn(text)
    if arn is None or arn.account != account:
        return text  # another account's ARN stays as it is: it is the same in every account
    return str(dataclasses.replace(arn, account=substitution.ACCOUNT))


@dataclass(frozen=True)
class Variant:
    """What some accounts hold under one key: their items (none: they lack it)."""

    accounts: tuple[str, ...]
    items: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Difference:
    """One key on which the accounts' exports disagree; the most common variant first."""

    section: str
    key: str | None  # None: a top-level entry (regions), not an item
    variants: tuple[Variant, ...]

    def message(self) -> str:
        what = self.section if self.key is None else f"{_KINDS[self.section]} '{self.key}'"
        common = self.variants[0]
        parts = [_versus(common, other, self.key is not None) for other in self.variants[1:]]
        return f"{what}: {'; '.join(parts)}"


def _versus(common: Variant, other: Variant, items: bool) -> str:
    those, theirs = _accounts_text(other.accounts), _accounts_text(common.accounts)
    if not other.items:
        return f"not in {those} (in {theirs})"
    if not common.items:
        return f"only in {those}"
    verb = "differs" if len(other.accounts) == 1 else "differ"
    if not items:  # a top-level entry (regions) differs as a whole
        return f"{those} {verb} from {theirs}"
    fields = ", ".join(_differing_fields(common.items, other.items))
    return f"{those} {verb} from {theirs} in {fields}"


def _accounts_text(accounts: tuple[str, ...]) -> str:
    shown = ", ".join(accounts[:_SHOWN_ACCOUNTS])
    more = len(accounts) - _SHOWN_ACCOUNTS
    return f"{shown} and {more} more" if more > 0 else shown


def _differing_fields(a: tuple[dict[str, Any], ...], b: tuple[dict[str, Any], ...]) -> list[str]:
    """The item fields whose values differ between two variants (an item may be in the
    export several times, once per group of regions where it differs)."""

    def values(items: tuple[dict[str, Any], ...], field: str) -> set[str]:
        return {_canonical(item.get(field)) for item in items}

    fields = dict.fromkeys(f for item in (*a, *b) for f in item)
    differing = [f for f in fields if values(a, f) != values(b, f)]
    return differing or ["how often they hold it"]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@dataclass(frozen=True)
class Combined:
    """The accounts' exports as one file (`document`), or why they cannot be one."""

    document: dict[str, Any] | None
    differences: list[Difference]


def combine(exports: dict[str, dict[str, Any]], accounts: dict[str, Any]) -> Combined:
    """One file with `accounts:` for the exports of several accounts, if they agree.

    `exports` maps each account to its export (export_live's document); `accounts` is the
    `accounts:` entry the combined file gets. When the accounts disagree, `document` is
    None and `differences` says on which items, and in which accounts.
    """
    generalized = {account: generalize(doc, account) for account, doc in exports.items()}
    differences = _differences(generalized)
    if differences or not generalized:
        return Combined(None, differences)
    body = next(iter(generalized.values()))
    document = {"version": body.get("version", 1), "accounts": accounts}
    document.update((k, v) for k, v in body.items() if k != "version")
    return Combined(document, [])


def _differences(bodies: dict[str, dict[str, Any]]) -> list[Difference]:
    keys = dict.fromkeys(k for body in bodies.values() for k in body)
    found: list[Difference] = []
    for key in keys:
        if key in _SECTIONS:
            found += _section_differences(bodies, key)
        else:
            variants = _variants({a: (b[key],) if key in b else () for a, b in bodies.items()})
            if len(variants) > 1:
                found.append(Difference(key, None, variants))
    return found


def _section_differences(bodies: dict[str, dict[str, Any]], section: str) -> list[Difference]:
    field = _SECTIONS[section]
    names = dict.fromkeys(str(i[field]) for b in bodies.values() for i in b.get(section, []))
    found = []
    for name in names:
        held = {
            account: tuple(i for i in body.get(section, []) if str(i[field]) == name)
            for account, body in bodies.items()
        }
        variants = _variants(held)
        if len(variants) > 1:
            found.append(Difference(section, name, variants))
    return found


def _variants(held: dict[str, tuple[dict[str, Any], ...]]) -> tuple[Variant, ...]:
    """Accounts grouped by what they hold, the largest group first (then account order)."""
    groups: dict[str, list[str]] = {}
    for account, items in held.items():
        groups.setdefault(_canonical(sorted(map(_canonical, items))), []).append(account)
    ordered = sorted(groups.values(), key=lambda accounts: -len(accounts))
    return tuple(Variant(tuple(a), held[a[0]]) for a in ordered)

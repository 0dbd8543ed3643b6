"""Compare the desired state with the live state and produce a Plan.

ECR's mutability rules are decided here, not in apply, so that the plan shows exactly what
apply will do: a rule's upstream, upstream prefix and registry kind cannot change in
place, and UpdatePullThroughCacheRule cannot remove a credential or role (an update with
neither field is refused), so those become replaces, with the reason named.

Registry policy statements are owned by Sid: a live statement whose Sid the file does not
declare is always left alone, even with prune, because nothing tells a statement ptc once
wrote from another team's; `absent: true` is how the file asks for one to be removed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ptc.domain import arns, statements
from ptc.domain.resources import (
    AnyResource,
    RuleResource,
    SecretResource,
    StatementResource,
    TemplateResource,
)
from ptc.domain.statements import statement_for
from ptc.errors import PtcError
from ptc.plan.changes import (
    AnyChange,
    Change,
    Create,
    Delete,
    Plan,
    Replace,
    Unmanaged,
    Update,
    address,
)
from ptc.plan.desired import DesiredState
from ptc.plan.live import LiveState, SecretIndex

_RULE_REPLACE_FIELDS = ("upstream_url", "upstream_registry", "upstream_prefix")

# Given the desired secrets of a region and their live ARNs, which values differ.
ValueComparer = Callable[[str, list[tuple[SecretResource, str]]], set[str]]

R = TypeVar("R", RuleResource, TemplateResource, SecretResource, StatementResource)
UNOWNED = "not in the file; left alone (ptc changes only the Sids the file declares)"


class PlanError(PtcError):
    """The file cannot be planned against this account (e.g. a secret that does not exist)."""


def make_plan(
    desired: DesiredState,
    live: LiveState,
    *,
    prune: bool,
    values_differ: ValueComparer | None = None,
    values_compared: bool = True,
) -> Plan:
    """`values_compared=False` (--without-secret-values): the plan lists the secrets whose
    value it did not read, and `values_differ` is not called."""
    problems: list[str] = []
    changes: list[AnyChange] = []
    unmanaged: list[Unmanaged[AnyResource]] = []
    for region in desired.regions:
        index = live.index(region)
        changes += _secret_changes(
            desired, live, region, values_differ if values_compared else None
        )
        templates, left = _changes(
            _in(desired.templates, region), _in(live.templates, region), _update_change
        )
        changes += templates + _pruned(left, prune)
        unmanaged += _left_alone(left, prune)
        resolved = [_resolve(r, index, desired, problems) for r in _in(desired.rules, region)]
        rules, left_rules = _changes(resolved, _in(live.rules, region), _rule_change)
        changes += rules + _pruned(left_rules, prune)
        unmanaged += _left_alone(left_rules, prune)
        region_statements, unowned = _statement_changes(desired, live, region)
        _check_policy_size(region, live, region_statements, problems)
        changes += region_statements
        unmanaged += unowned
    if problems:
        raise PlanError("cannot plan:\n  " + "\n  ".join(problems))
    unread = None if values_compared else _existing_secrets(desired, live)
    return Plan.build(
        live.account, desired.regions, changes, live.fingerprint(), prune, unread, unmanaged
    )


def _existing_secrets(desired: DesiredState, live: LiveState) -> list[str]:
    """The managed secrets that exist, whose values a plan without them does not compare."""
    existing = {(s.region, s.name) for s in live.secrets}
    return [
        address(s.region, "secret", s.name)
        for s in desired.secrets
        if (s.region, s.name) in existing
    ]


def _in(resources: Sequence[R], region: str) -> list[R]:
    return [r for r in resources if r.region == region]


def _changes(
    desired: list[R], live: list[R], compare: Callable[[R, R], Change[R] | None]
) -> tuple[list[Change[R]], list[R]]:
    """The creates and in-place changes, and the live resources the file does not declare."""
    live_by_key = {r.key: r for r in live}
    changes: list[Change[R]] = []
    for want in desired:
        have = live_by_key.pop(want.key, None)
        if have is None:
            changes.append(Create(want))
        elif (change := compare(want, have)) is not None:
            changes.append(change)
    return changes, list(live_by_key.values())


def _pruned(left: list[R], prune: bool) -> list[Change[R]]:
    return [Delete(have, "not in the file; pruned") for have in left] if prune else []


def _left_alone(left: list[R], prune: bool) -> list[Unmanaged[R]]:
    return [] if prune else [Unmanaged(have, "not in the file; left alone") for have in left]


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    """The top-level attributes that differ (deepdiff, so nested policies compare deeply)."""
    if before == after:
        # Most resources match; deepdiff (and its import) costs plan a tenth of a second.
        return ()
    from deepdiff import DeepDiff

    diff = DeepDiff(before, after, ignore_order=True, verbose_level=0)
    return tuple(sorted(str(key) for key in diff.affected_root_keys))


def _update_change(want: R, have: R) -> Change[R] | None:
    """Templates and statements change in place, whatever changed."""
    fields = changed_fields(have.attributes(), want.attributes())
    return Update(want, have, fields) if fields else None


def _rule_change(want: RuleResource, have: RuleResource) -> Change[RuleResource] | None:
    fields = changed_fields(have.attributes(), want.attributes())
    if not fields:
        return None
    reason = _replace_reason(want, have, fields)
    return Replace(want, have, fields, reason) if reason else Update(want, have, fields)


def _replace_reason(want: RuleResource, have: RuleResource, fields: tuple[str, ...]) -> str | None:
    forced = [f for f in fields if f in _RULE_REPLACE_FIELDS]
    if forced:
        return f"{', '.join(forced)} cannot change in place"
    removed = [
        name
        for name, old, new in (
            ("credential_arn", have.credential_arn, want.credential_arn or want.credential_name),
            ("role", have.role, want.role),
        )
        if old and not new
    ]
    if removed:
        return f"ECR cannot remove {' and '.join(removed)} in place"
    return None


def _resolve(
    rule: RuleResource, index: SecretIndex, desired: DesiredState, problems: list[str]
) -> RuleResource:
    """Turn a rule's secret name into the ARN that exists, or mark it pending creation."""
    if rule.credential_arn is not None:
        return rule.model_copy(update={"credential_arn": index.canonical(rule.credential_arn)})
    name = rule.credential_name
    if name is None:
        return rule
    if name in index.arn_by_name:
        return rule.model_copy(update={"credential_arn": index.arn_by_name[name]})
    managed = any(s.name == name and s.region == rule.region for s in desired.secrets)
    if not managed:
        problems.append(
            f"rule '{rule.prefix}' in {rule.region}: secret '{name}' does not exist there; "
            "create it, or declare it under 'secrets:'"
        )
    return rule


def _secret_changes(
    desired: DesiredState, live: LiveState, region: str, values_differ: ValueComparer | None
) -> list[Change[SecretResource]]:
    live_by_name = {s.name: s for s in _in(live.secrets, region)}
    wanted = _in(desired.secrets, region)
    existing = [(s, live_by_name[s.name].arn or "") for s in wanted if s.name in live_by_name]
    differing = values_differ(region, existing) if values_differ and existing else set()
    changes: list[Change[SecretResource]] = []
    for want in wanted:
        have = live_by_name.get(want.name)
        if have is None:
            changes.append(Create(want))
            continue
        fields = list(changed_fields(have.attributes(), want.attributes()))
        if "kms_key" in fields and (
            want.kms_key is None  # the file does not manage the key; leave it as it is
            or same_kms_key(want.kms_key, have.kms_key, region, live.account)
        ):
            fields.remove("kms_key")
        if want.name in differing:
            fields.append("value")
        if fields:
            merged = want.model_copy(update={"arn": have.arn, "value_differs": "value" in fields})
            changes.append(Update(merged, have, tuple(sorted(fields))))
    return changes


def same_kms_key(a: str | None, b: str | None, region: str, account: str) -> bool:
    """Whether two spellings name one KMS key or alias in this region and account.

    Secrets Manager answers with a key ID or an alias ARN whatever the request said, so
    `alias/x` in the file and `arn:aws:kms:<region>:<account>:alias/x` live are the same.
    """
    return (
        a is not None
        and b is not None
        and arns.short_kms_key(a, region, account) == arns.short_kms_key(b, region, account)
    )


def _statement_changes(
    desired: DesiredState, live: LiveState, region: str
) -> tuple[list[Change[StatementResource]], list[Unmanaged[StatementResource]]]:
    """The region's statement changes, and the live statements the file does not own."""
    intents = [i for i in desired.permissions if i.region == region]
    absent = {i.sid for i in intents if i.absent}
    wanted = [statement_for(i, live.account) for i in intents if not i.absent]
    live_by_sid = {s.sid: s for s in _in(live.statements, region)}
    changes: list[Change[StatementResource]] = [
        Delete(live_by_sid[sid], "absent: true in the file")
        for sid in sorted(absent & set(live_by_sid))
    ]
    unowned = [s for s in live_by_sid.values() if s.sid not in absent]
    found, left = _changes(wanted, unowned, _update_change)
    return changes + found, [Unmanaged(s, UNOWNED) for s in left]


def _check_policy_size(
    region: str, live: LiveState, changes: list[Change[StatementResource]], problems: list[str]
) -> None:
    upserts: dict[str, StatementResource] = {}
    removals: set[str] = set()
    for change in changes:
        match change:
            case Create(desired=statement) | Update(desired=statement):
                upserts[statement.key] = statement
            case Delete(live=statement):
                removals.add(statement.key)
    if upserts or removals:
        try:
            statements.merged_text(region, live.registry_policies.get(region), upserts, removals)
        except statements.PolicyError as error:
            problems.append(str(error))

"""Checks of `permissions:`, the registry policy statements for pull-through cache.

The facts: a Sid is letters and digits only (IAM); a resource policy names principals as
account IDs or the ARNs of an account's root, roles and users (never groups); the registry
policy grants pull-through cache ecr:CreateRepository and ecr:BatchImportUpstreamImage
(pull-through-cache-iam.html), while ecr:ReplicateImage belongs to replication; the whole
policy holds at most 10,240 characters. Principals in other accounts are the point of a
registry policy, so they are not flagged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ptc.checks.base import Check, Context, Problem
from ptc.config.loader import DataPath
from ptc.config.models import Permission
from ptc.domain import catalog
from ptc.domain.resources import PermissionIntent
from ptc.domain.statements import (
    ALL_PREFIXES,
    DEFAULT_ACTIONS,
    POLICY_VERSION,
    PTC_ACTIONS,
    SID_PATTERN,
    principal_problem,
    statement_for,
    to_api,
)
from ptc.domain.statements import dumps as dump_policy

_LISTS: Final = ("principals", "prefixes", "actions")
_SCOPE: Final = ("organization", "organization_paths")


def permission_items(ctx: Context) -> list[tuple[DataPath, Permission]]:
    """The `permissions:` entries the schema accepts, with their paths."""
    return ctx.permissions


def has_org_scope(permission: Permission) -> bool:
    """Whether the entry admits only an organisation's principals (PTC511-PTC513 check it)."""
    return permission.organization is not None or bool(permission.organization_paths)


class SidPattern(Check):
    id = "PTC501"
    summary = "A permission's 'sid' is not letters and digits only"
    fix = "Use ASCII letters and digits only, e.g. PullThroughCacheFromCI (IAM's rule for Sids)."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, permission in permission_items(ctx):
            if not SID_PATTERN.fullmatch(permission.sid):
                yield Problem((*path, "sid"), f"sid '{permission.sid}' is not letters and digits")


class DuplicateSid(Check):
    id = "PTC502"
    summary = "Two permissions with the same 'sid' in one region"
    fix = "Give each statement its own sid, or narrow one of them with 'regions:'."

    def check(self, ctx: Context) -> Iterator[Problem]:
        first: dict[tuple[str, str], DataPath] = {}
        for path, permission in permission_items(ctx):
            regions = [
                r
                for r in dict.fromkeys(ctx.file.regions_of(permission))
                if (permission.sid, r) in first
            ]
            for region in ctx.file.regions_of(permission):
                first.setdefault((permission.sid, region), path)
            if regions:
                line = ctx.document.locate(first[(permission.sid, regions[0])]).line
                yield Problem(
                    (*path, "sid"),
                    f"the permission on line {line} already uses sid '{permission.sid}' "
                    f"in {', '.join(regions)}",
                )


class PrincipalInvalid(Check):
    id = "PTC503"
    summary = "A principal that a registry policy cannot name"
    fix = (
        "Give a 12-digit account ID, or the ARN of an account root, role or user: "
        "arn:aws:iam::<account>:role/<name>."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, permission in permission_items(ctx):
            partitions = {catalog.partition_of(r) for r in ctx.file.regions_of(permission)}
            for index, principal in enumerate(permission.principals or []):
                if principal == "*":
                    continue  # PTC504
                message = principal_problem(ctx.filled(principal), partitions)
                if message:
                    yield Problem((*path, "principals", index), message)


class PrincipalWildcard(Check):
    id = "PTC504"
    summary = "A permission granted to every principal ('*') of every organization"
    fix = (
        "Name the accounts, roles or users instead; to let every principal of an account "
        "use the cache, give its 12-digit account ID; for your whole organization, give "
        "'organization: o-…' (or 'organization_paths') instead of '*'."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        # "*" would let any AWS account create repositories and import images into this
        # registry at its owner's cost: registry permissions exist to scope, not to open.
        # Narrowed to an organisation (aws:PrincipalOrgID/Paths) it is the documented way
        # to share one cache with every account of it.
        for path, permission in permission_items(ctx):
            if has_org_scope(permission):
                continue
            for index, principal in enumerate(permission.principals or []):
                if principal == "*":
                    yield Problem(
                        (*path, "principals", index),
                        "'*' grants pull-through cache to every AWS principal",
                    )


class ActionNotForPullThroughCache(Check):
    id = "PTC505"
    summary = "An action that is not one of the registry policy's pull-through cache actions"
    fix = f"Use {' and/or '.join(DEFAULT_ACTIONS)} (the default when 'actions' is left out)."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, permission in permission_items(ctx):
            for index, action in enumerate(permission.actions or []):
                if action not in PTC_ACTIONS:
                    yield Problem((*path, "actions", index), *_action_problem(action))


def _action_problem(action: str) -> tuple[str, str | None]:
    spelled = [a for a in PTC_ACTIONS if a.lower() == action.lower()]
    if spelled:
        return f"action '{action}' is spelled '{spelled[0]}'", f"Write '{spelled[0]}'."
    if action.lower() == "ecr:replicateimage":
        return (
            "ecr:ReplicateImage belongs to replication, not to pull-through cache",
            "Remove it; keep the replication statement outside ptc (ptc leaves it alone).",
        )
    return f"action '{action}' is not a pull-through cache action", None


class PrefixNotARule(Check):
    id = "PTC506"
    summary = "A permission's prefix is not the prefix of a rule in its regions"
    fix = "Name the prefix of a rule declared in the file (or ROOT), or '*' for all repositories."

    def check(self, ctx: Context) -> Iterator[Problem]:
        declared = {
            (catalog.normalize_prefix(rule.prefix), region)
            for _, rule in ctx.rules
            for region in ctx.regions_of(rule)
        }
        for path, permission in permission_items(ctx):
            regions = ctx.file.regions_of(permission)
            for index, prefix in enumerate(permission.prefixes or []):
                if prefix == ALL_PREFIXES:
                    continue
                missing = [
                    r for r in regions if (catalog.normalize_prefix(prefix), r) not in declared
                ]
                if missing:
                    yield Problem(
                        (*path, "prefixes", index),
                        f"no rule has prefix '{prefix}' in {', '.join(missing)}",
                    )


class EmptyPermissionList(Check):
    id = "PTC507"
    summary = "A permission without principals or prefixes, or with an empty list"
    fix = (
        "List at least one principal (or give 'organization') and one prefix; leave "
        "'actions' out for the default."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, permission in permission_items(ctx):
            for name in (*_LISTS, "organization_paths"):
                if getattr(permission, name) == []:
                    yield Problem((*path, name), f"'{name}' is empty")
            if permission.absent:
                continue
            if permission.principals is None and not has_org_scope(permission):
                yield Problem(
                    path, f"permission '{permission.sid}' has no 'principals' or 'organization'"
                )
            if permission.prefixes is None:
                yield Problem(path, f"permission '{permission.sid}' has no 'prefixes'")


class AbsentWithSettings(Check):
    id = "PTC508"
    summary = "A permission with 'absent: true' that also says who may do what"
    fix = "Keep only 'sid' (and 'regions') on an absent permission: it removes the statement."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, permission in permission_items(ctx):
            if not permission.absent:
                continue
            for name in (*_LISTS, *_SCOPE):
                if getattr(permission, name) is not None:
                    yield Problem((*path, name), f"'{name}' has no meaning on an absent permission")


class PermissionRegionNotInFile(Check):
    id = "PTC509"
    summary = "A permission names a region that the file's 'regions' does not list"
    fix = "Add the region to the top-level 'regions', or remove it from the permission."

    def check(self, ctx: Context) -> Iterator[Problem]:
        listed = set(ctx.file.regions)
        if not listed:
            return  # the file's own regions are invalid or missing; reported already
        for path, permission in permission_items(ctx):
            for index, region in enumerate(permission.regions or []):
                if region not in listed:
                    yield Problem(
                        (*path, "regions", index),
                        f"region '{region}' is not in the file's regions",
                    )


class RegistryPolicyTooLarge(Check):
    id = "PTC510"
    summary = "The statements of one region exceed the registry policy's 10,240 characters"
    fix = "Merge statements (several principals and prefixes fit in one), or use '*'."

    def check(self, ctx: Context) -> Iterator[Problem]:
        account = ctx.file.account or "123456789012"  # same length as any account
        by_region: dict[str, list[tuple[DataPath, Permission]]] = {}
        for path, permission in permission_items(ctx):
            if not permission.absent:
                for region in dict.fromkeys(ctx.file.regions_of(permission)):
                    by_region.setdefault(region, []).append((path, permission))
        for region, items in sorted(by_region.items()):
            size = _policy_size([p for _, p in items], region, account, ctx)
            if size > catalog.REGISTRY_POLICY_MAX:
                yield Problem(
                    items[-1][0],
                    f"the statements for {region} take {size} characters; "
                    f"the registry policy holds {catalog.REGISTRY_POLICY_MAX}",
                )


def _policy_size(permissions: list[Permission], region: str, account: str, ctx: Context) -> int:
    intents = [
        PermissionIntent(
            region=region,
            sid=p.sid,
            principals=tuple(ctx.filled(principal, region) for principal in p.principals or ()),
            prefixes=tuple(p.prefixes or ()),
            actions=tuple(p.actions or DEFAULT_ACTIONS),
            organization=p.organization,
            organization_paths=tuple(p.organization_paths or ()),
        )
        for p in permissions
    ]
    statements = [to_api(statement_for(i, account)) for i in intents]
    return len(dump_policy({"Version": POLICY_VERSION, "Statement": statements}))


CHECKS = (
    SidPattern,
    DuplicateSid,
    PrincipalInvalid,
    PrincipalWildcard,
    ActionNotForPullThroughCache,
    PrefixNotARule,
    EmptyPermissionList,
    AbsentWithSettings,
    PermissionRegionNotInFile,
    RegistryPolicyTooLarge,
)

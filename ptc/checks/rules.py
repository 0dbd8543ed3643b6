"""Checks of pull-through cache rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ptc.checks.base import Check, Context, Problem, Severity
from ptc.config.loader import DataPath
from ptc.config.models import Rule, Template
from ptc.domain import arns, catalog
from ptc.domain.catalog import ROOT, Auth

_PATTERN_HELP = (
    "lower-case letters and digits in groups separated by '.', '_', '__' or '-', "
    "with '/' between path parts, or ROOT"
)


class RulePrefixPattern(Check):
    id = "PTC201"
    summary = "A rule prefix that does not match ECR's repository name pattern"
    fix = f"Use {_PATTERN_HELP}."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            if not catalog.PREFIX_PATTERN.fullmatch(rule.prefix):
                yield Problem((*path, "prefix"), f"prefix '{rule.prefix}' is not a valid prefix")


class RulePrefixLength(Check):
    id = "PTC202"
    summary = "A rule prefix shorter than 2 or longer than 30 characters"
    fix = "Use a prefix of 2 to 30 characters."

    def check(self, ctx: Context) -> Iterator[Problem]:
        low, high = catalog.RULE_PREFIX_LENGTH
        for path, rule in ctx.rules:
            if not low <= len(rule.prefix) <= high:
                yield Problem(
                    (*path, "prefix"),
                    f"prefix '{rule.prefix}' has {len(rule.prefix)} characters; "
                    f"ECR allows {low} to {high}",
                )


def _rules_by_region(ctx: Context) -> dict[str, list[tuple[DataPath, Rule]]]:
    by_region: dict[str, list[tuple[DataPath, Rule]]] = defaultdict(list)
    for path, rule in ctx.rules:
        for region in dict.fromkeys(ctx.regions_of(rule)):
            by_region[region].append((path, rule))
    return by_region


class DuplicateRulePrefix(Check):
    id = "PTC203"
    summary = "Two rules with the same prefix in one region"
    fix = "Keep one rule per prefix and region; narrow the others with 'regions:'."

    def check(self, ctx: Context) -> Iterator[Problem]:
        clashes: dict[DataPath, tuple[DataPath, list[str]]] = {}
        for region, pairs in _rules_by_region(ctx).items():
            first: dict[str, DataPath] = {}
            for path, rule in pairs:
                key = catalog.normalize_prefix(rule.prefix)
                if key in first:
                    clashes.setdefault(path, (first[key], []))[1].append(region)
                else:
                    first[key] = path
        for path, (earlier, regions) in clashes.items():
            line = ctx.document.locate(earlier).line
            yield Problem(
                (*path, "prefix"),
                f"the rule on line {line} already uses this prefix in {', '.join(sorted(regions))}",
            )


class OverlappingRulePrefix(Check):
    id = "PTC204"
    severity = Severity.WARNING
    summary = "A rule prefix lies under another rule's prefix in the same region"
    fix = "Pick prefixes that do not nest, so that every cached path maps to one upstream."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for region, pairs in sorted(_rules_by_region(ctx).items()):
            prefixes = [(catalog.normalize_prefix(r.prefix), p) for p, r in pairs]
            for prefix, path in prefixes:
                for other, other_path in prefixes:
                    if other != ROOT and prefix.startswith(other + "/"):
                        line = ctx.document.locate(other_path).line
                        yield Problem(
                            (*path, "prefix"),
                            f"prefix '{prefix}' lies under '{other}' (line {line}) in {region}",
                        )


class TooManyRules(Check):
    id = "PTC205"
    summary = "More than 50 rules in one region"
    fix = "ECR allows 50 pull-through cache rules per region (not adjustable): remove some."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for region, pairs in sorted(_rules_by_region(ctx).items()):
            if len(pairs) > catalog.MAX_RULES_PER_REGION:
                path, _ = pairs[catalog.MAX_RULES_PER_REGION]
                yield Problem(
                    path,
                    f"{region} has {len(pairs)} rules; ECR allows "
                    f"{catalog.MAX_RULES_PER_REGION} per region",
                )


class UnsupportedUpstream(Check):
    id = "PTC206"
    summary = "An upstream registry that ECR pull-through cache does not support"
    fix = (
        "Use one of registry-1.docker.io, public.ecr.aws, quay.io, ghcr.io, registry.k8s.io, "
        "registry.gitlab.com, cgr.dev, <name>.azurecr.io, <account>.dkr.ecr.<region>.amazonaws.com "
        "(a real region; .amazonaws.com.cn only for China's regions)."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            if catalog.resolve_upstream(rule.upstream) is None:
                yield Problem((*path, "upstream"), self._message(rule.upstream), self._fix(rule))

    @staticmethod
    def _message(host: str) -> str:
        return f"ECR cannot cache from '{host}'"

    def _fix(self, rule: Rule) -> str:
        host = rule.upstream
        if "://" in host or "/" in host:
            bare = host.split("://", 1)[-1].split("/", 1)[0]
            return f"Give the host name only, without scheme or path: '{bare}'."
        if "gitlab" in host:
            return "ECR supports GitLab.com only (registry.gitlab.com), not self-managed GitLab."
        return self.fix


class CredentialsRequired(Check):
    id = "PTC207"
    summary = "An upstream that needs credentials has none"
    fix = (
        "Add 'credentials:' naming a Secrets Manager secret (ecr-pullthroughcache/...) "
        "with username and accessToken."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            upstream = catalog.resolve_upstream(rule.upstream)
            if upstream and upstream.auth is Auth.SECRET and not rule.credentials:
                yield Problem(path, f"upstream {upstream.url} requires credentials")


class CredentialsNotAccepted(Check):
    id = "PTC208"
    summary = "Credentials given for an upstream that takes none"
    fix = "Remove 'credentials:'; this upstream is public (or, for ECR, uses an IAM role)."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            upstream = catalog.resolve_upstream(rule.upstream)
            if upstream and upstream.auth is not Auth.SECRET and rule.credentials:
                yield Problem(
                    (*path, "credentials"), f"upstream {upstream.url} does not take credentials"
                )


class UpstreamPrefixWithRoot(Check):
    id = "PTC209"
    summary = "'upstream_prefix' on a rule whose prefix is ROOT"
    fix = "Remove 'upstream_prefix', or give the rule a prefix other than ROOT."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            if rule.prefix == ROOT and rule.upstream_prefix is not None:
                yield Problem(
                    (*path, "upstream_prefix"),
                    "an upstream prefix can only be set when the rule's prefix is not ROOT",
                )


class UpstreamPrefixInvalid(Check):
    id = "PTC210"
    summary = "An 'upstream_prefix' that does not match ECR's pattern or length"
    fix = f"Use 2 to 30 characters: {_PATTERN_HELP}."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            value = rule.upstream_prefix
            if value is not None and not catalog.is_rule_prefix_valid(value):
                yield Problem((*path, "upstream_prefix"), f"upstream prefix '{value}' is not valid")


class CrossAccountWithoutRole(Check):
    id = "PTC211"
    summary = "An ECR upstream in another account without 'role'"
    fix = (
        "Add 'role:' with an IAM role in this account that trusts "
        "pullthroughcache.ecr.amazonaws.com and may pull from the upstream registry."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        account = ctx.file.account
        for path, rule in ctx.rules:
            upstream = catalog.resolve_upstream(rule.upstream)
            if upstream is None or upstream.account is None or rule.role:
                continue
            if account is not None and upstream.account != account:
                yield Problem(
                    (*path, "upstream"),
                    f"upstream registry is in account {upstream.account}, not {account}; "
                    "ECR needs a role to pull across accounts",
                )


class RoleArnInvalid(Check):
    id = "PTC212"
    summary = "A 'role' that is not an IAM role ARN in the file's account"
    fix = "Give the full ARN of a role in this account: arn:aws:iam::<account>:role/<name>."

    def check(self, ctx: Context) -> Iterator[Problem]:
        items: list[tuple[DataPath, Rule | Template]] = [*ctx.rules, *ctx.templates]
        for path, item in items:
            if item.role is not None:
                filled = ctx.filled(item.role)
                yield from self._check_role((*path, "role"), item.role, filled, ctx.file.account)

    @staticmethod
    def _check_role(
        path: DataPath, role: str, filled: str, account: str | None
    ) -> Iterator[Problem]:
        match = arns.ROLE_ARN_PATTERN.fullmatch(filled)
        if match is None or len(filled) > catalog.CUSTOM_ROLE_ARN_MAX:
            yield Problem(path, f"'{role}' is not an IAM role ARN")
        elif account is not None and match["account"] != account:
            yield Problem(
                path,
                f"role is in account {match['account']}; ECR requires it in {account}, "
                "the account of the registry",
            )


class RoleWithoutEcrUpstream(Check):
    id = "PTC213"
    severity = Severity.WARNING
    summary = "'role' on a rule whose upstream is not ECR"
    fix = "Remove 'role:'; ECR uses a custom role only to pull from another ECR registry."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            upstream = catalog.resolve_upstream(rule.upstream)
            if upstream and upstream.auth is not Auth.IAM and rule.role:
                yield Problem((*path, "role"), f"upstream {upstream.url} is not an ECR registry")


CHECKS = (
    RulePrefixPattern,
    RulePrefixLength,
    DuplicateRulePrefix,
    OverlappingRulePrefix,
    TooManyRules,
    UnsupportedUpstream,
    CredentialsRequired,
    CredentialsNotAccepted,
    UpstreamPrefixWithRoot,
    UpstreamPrefixInvalid,
    CrossAccountWithoutRole,
    RoleArnInvalid,
    RoleWithoutEcrUpstream,
)

"""Checks of the account, the regions and the partitions ARNs live in."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ptc.checks.base import Check, Context, Problem, Severity
from ptc.config.loader import DataPath
from ptc.config.models import Rule, Secret, Template
from ptc.domain import arns, catalog


class AccountInvalid(Check):
    id = "PTC101"
    summary = "The account ID is not 12 digits"
    fix = 'Write the 12-digit account ID in quotes, e.g. account: "123456789012".'

    def check(self, ctx: Context) -> Iterator[Problem]:
        account = ctx.file.account
        if account is not None and not arns.ACCOUNT_PATTERN.fullmatch(account):
            yield Problem(("account",), f"account '{account}' is not a 12-digit AWS account ID")


def _region_lists(ctx: Context) -> Iterator[tuple[DataPath, list[str]]]:
    yield ("regions",), list(ctx.file.regions)
    items: list[tuple[DataPath, Rule | Secret | Template]] = [
        *ctx.rules,
        *ctx.secrets,
        *ctx.templates,
    ]
    for path, item in items:
        if item.regions is not None:
            yield (*path, "regions"), list(item.regions)


class UnknownRegion(Check):
    id = "PTC102"
    summary = "A region name that AWS does not have"
    fix = "Use a region code such as us-east-1 or eu-west-1."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, regions in _region_lists(ctx):
            for index, region in enumerate(regions):
                if region not in catalog.KNOWN_REGIONS:
                    close = difflib.get_close_matches(region, catalog.KNOWN_REGIONS, n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    yield Problem((*path, index), f"unknown region '{region}'{hint}")


class RegionUnsupported(Check):
    id = "PTC103"
    summary = "Pull-through cache is not offered in this region"
    fix = "Remove the region: ECR has no pull-through cache or creation templates there."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, regions in _region_lists(ctx):
            for index, region in enumerate(regions):
                if region in catalog.PTC_UNSUPPORTED_REGIONS:
                    yield Problem(
                        (*path, index),
                        f"ECR does not support pull-through cache rules or repository "
                        f"creation templates in {region}",
                    )


class RegionNotInFile(Check):
    id = "PTC104"
    summary = "An item names a region that the file's 'regions' does not list"
    fix = "Add the region to the top-level 'regions', or remove it from the item."

    def check(self, ctx: Context) -> Iterator[Problem]:
        listed = set(ctx.file.regions)
        if not listed:
            return  # the file's own regions are invalid or missing; reported already
        for path, regions in list(_region_lists(ctx))[1:]:
            for index, region in enumerate(regions):
                if region not in listed:
                    yield Problem(
                        (*path, index),
                        f"region '{region}' is not in the file's regions; "
                        "plan and apply only look at those",
                    )


class DuplicateRegion(Check):
    id = "PTC106"
    severity = Severity.WARNING
    summary = "A region is listed twice"
    fix = "Remove the repeated region."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, regions in _region_lists(ctx):
            seen: set[str] = set()
            for index, region in enumerate(regions):
                if region in seen:
                    yield Problem((*path, index), f"region '{region}' is listed twice")
                seen.add(region)


class MixedPartitions(Check):
    id = "PTC107"
    summary = "The regions span more than one AWS partition"
    fix = "An account lives in one partition (aws, aws-cn, aws-us-gov): use one file per partition."

    def check(self, ctx: Context) -> Iterator[Problem]:
        known = [r for r in ctx.file.regions if r in catalog.KNOWN_REGIONS]
        partitions = sorted({catalog.partition_of(r) for r in known})
        if len(partitions) > 1:
            yield Problem(("regions",), f"regions span the partitions {', '.join(partitions)}")


def _arns(ctx: Context) -> Iterator[tuple[DataPath, str, list[str]]]:
    """Every ARN in the file, where it is, and the regions it is used in."""
    for path, rule in ctx.rules:
        for field in ("credentials", "role"):
            value = getattr(rule, field)
            if value and value.startswith("arn:"):
                yield (*path, field), value, ctx.regions_of(rule)
    for path, template in ctx.templates:
        if template.role and template.role.startswith("arn:"):
            yield (*path, "role"), template.role, ctx.regions_of(template)
        key = template.encryption.kms_key if template.encryption else None
        if key and key.startswith("arn:"):
            yield (*path, "encryption", "kms_key"), key, ctx.regions_of(template)


class PartitionMismatch(Check):
    id = "PTC105"
    summary = "An ARN's partition does not fit the region it is used in"
    fix = "Use the partition of the region: arn:aws: for commercial, arn:aws-cn: for China."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, text, regions in _arns(ctx):
            arn = arns.parse_arn(text)
            if arn is None:
                continue
            for region in regions:
                expected = catalog.partition_of(region)
                if region in catalog.KNOWN_REGIONS and arn.partition != expected:
                    yield Problem(
                        path,
                        f"ARN is in partition '{arn.partition}' but {region} is in '{expected}'",
                    )
                    break
        yield from self._ecr_upstreams(ctx)

    def _ecr_upstreams(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            upstream = catalog.resolve_upstream(rule.upstream)
            if upstream is None or upstream.region is None:
                continue
            for region in ctx.regions_of(rule):
                if catalog.partition_of(upstream.region) != catalog.partition_of(region):
                    yield Problem(
                        (*path, "upstream"),
                        f"the ECR upstream in {upstream.region} is in another partition "
                        f"than {region}",
                    )
                    break


CHECKS = (
    AccountInvalid,
    UnknownRegion,
    RegionUnsupported,
    RegionNotInFile,
    PartitionMismatch,
    DuplicateRegion,
    MixedPartitions,
)

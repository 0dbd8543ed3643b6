"""Status as one function over a reader: scope, read, account check, attribute, compare.

The reads are one wave: STS answers alongside every region's listings, and each region
reads its repositories as soon as its own listings are in. A repository is read only for
what its template sets (ptc.status.drift.governed); the rest comes with the listing.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from ptc.domain.account import check_account
from ptc.plan.desired import DesiredState, with_account
from ptc.status.drift import build_report, governed
from ptc.status.match import region_scopes, template_for
from ptc.status.models import RepositoryFacts, Setting, StatusReport

# repository name -> the settings to read for it; None: not a repository of the file's rules
Chooser = Callable[[str], frozenset[Setting] | None]
# (region, that region's live rule prefixes) -> the region's chooser
Choose = Callable[[str, list[str]], Chooser]


@dataclass(frozen=True)
class Reading:
    """What a reader found: each region's live rule prefixes and the chosen repositories."""

    live_rules: dict[str, list[str]] = field(default_factory=dict)
    repositories: list[RepositoryFacts] = field(default_factory=list)


class StatusReader(Protocol):
    """The reads status needs; ptc.aws.repositories.RepositoryGateway implements them."""

    def account_id(self) -> str: ...
    def caller_arn(self) -> str | None: ...
    def read(self, choose: Choose) -> Reading: ...


def chooser(desired: DesiredState) -> Choose:
    """Which repositories of a region are the file's, and what to read for each."""

    def for_region(region: str, live_rules: list[str]) -> Chooser:
        (scope,) = region_scopes([region], desired.rules, {region: live_rules})
        templates = [t for t in desired.templates if t.region == region]

        def choose(name: str) -> frozenset[Setting] | None:
            if scope.rule_for(name) is None:
                return None
            return governed(template_for(name, templates))

        return choose

    return for_region


def read_status(desired: DesiredState, reader: StatusReader) -> StatusReport:
    """Every repository the file's rules created in its regions, with its drift."""
    # Which settings a template sets does not depend on {account}: the reads need not wait
    # for STS, which answers alongside them (a wrong account is refused once both are in).
    with ThreadPoolExecutor(max_workers=1) as sts:
        checked = sts.submit(check_account, desired.account, reader)
        reading = reader.read(chooser(desired))
        account = checked.result()
    desired = with_account(desired, account)  # a file without `account:` may use {account}
    scopes = region_scopes(desired.regions, desired.rules, reading.live_rules)
    return build_report(account, scopes, desired.templates, reading.repositories)

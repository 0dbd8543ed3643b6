"""Which rule created a repository, and which template ECR applied when it did.

Both follow ECR's prefix semantics: a prefix always ends in an implied '/', so `prod`
covers `prod/app` but not `prod` or `production/app`, and the longest matching prefix
wins (templates `prod` and `prod/team`: `prod/team/app` gets `prod/team`). ROOT is the
fallback for names no other prefix covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ptc.domain import catalog
from ptc.domain.resources import RuleResource, TemplateResource


def longest_prefix(name: str, prefixes: Iterable[str]) -> str | None:
    """The longest non-ROOT prefix that covers `name`, or None."""
    covering = [
        p
        for p in prefixes
        if p != catalog.ROOT and name.startswith(catalog.normalize_prefix(p) + "/")
    ]
    return max(covering, key=len, default=None)


@dataclass(frozen=True)
class RegionScope:
    """The rules of one region: those in the file, and live ones the file does not declare.

    A ROOT rule caches every upstream repository that no other rule's prefix covers, so
    repositories under a live rule the file lacks are not ROOT's even though status
    reports only the file's rules. ECR records no origin on a repository: under a ROOT rule,
    a repository pushed by hand is indistinguishable from one the cache created.
    """

    region: str
    rules: tuple[str, ...]
    live_rules: tuple[str, ...] = ()

    def rule_for(self, name: str) -> str | None:
        """The file's rule that created `name`, or None when it is none of the file's."""
        owner = longest_prefix(name, (*self.rules, *self.live_rules))
        if owner is not None:
            return owner if owner in self.rules else None
        return catalog.ROOT if catalog.ROOT in self.rules else None


def template_for(name: str, templates: Iterable[TemplateResource]) -> TemplateResource | None:
    """The template ECR applies when a pull creates `name`: None means ECR's defaults.

    Only templates applied for PULL_THROUGH_CACHE count; the most specific prefix wins and
    ROOT stands in when none covers the name.
    """
    pull_through = {
        t.prefix: t for t in templates if catalog.AppliedFor.PULL_THROUGH_CACHE in t.applied_for
    }
    prefix = longest_prefix(name, pull_through)
    if prefix is None:
        return pull_through.get(catalog.ROOT)
    return pull_through[prefix]


def region_scopes(
    regions: Iterable[str], rules: Iterable[RuleResource], live_rules: Mapping[str, Iterable[str]]
) -> list[RegionScope]:
    """One scope per region: the file's rule prefixes there, and the live ones (normalised)."""
    rules = list(rules)
    return [
        RegionScope(
            region,
            tuple(r.prefix for r in rules if r.region == region),
            tuple(catalog.normalize_prefix(p) for p in live_rules.get(region, ())),
        )
        for region in regions
    ]

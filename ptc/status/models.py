"""The data status works on: a repository's live facts, its drift, and the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from ptc import __version__

FORMAT_VERSION: Final = 1
# The settings read with one call each, and the ones backfill writes.
Setting = Literal["lifecycle_policy", "repository_policy", "resource_tags"]


@dataclass(frozen=True)
class RepositoryFacts:
    """One live repository as status needs it, normalised at the AWS boundary.

    Policies are canonical JSON (or the raw text when ECR holds something unparsable), so
    they compare with the file's documents; `tags` holds every tag of the repository.
    Only the settings the repository's template sets are read: the others keep their
    empty defaults here.
    """

    region: str
    name: str
    arn: str
    image_tag_mutability: str = "MUTABLE"
    exclusions: tuple[str, ...] = ()
    encryption_type: str = "AES256"
    kms_key: str | None = None
    lifecycle_policy: str | None = None
    repository_policy: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    image_count: int = 0
    last_pull: datetime | None = None


@dataclass(frozen=True)
class Drift:
    """One setting that differs from the template.

    `fixable`: backfill can set it (lifecycle policy, repository policy, tags). Tag
    mutability, encryption and settings the template lacks are reported, never changed.
    """

    setting: str
    summary: str
    fixable: bool
    expected: Any = None
    actual: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "setting": self.setting,
            "fixable": self.fixable,
            "summary": self.summary,
            "expected": self.expected,
            "actual": self.actual,
        }


@dataclass(frozen=True)
class RepositoryStatus:
    """A repository, the rule that created it, the template that applied, and its drift."""

    rule: str
    template: str | None  # None: no template matched; ECR used its defaults
    facts: RepositoryFacts
    drift: tuple[Drift, ...] = ()

    @property
    def drifted(self) -> bool:
        return bool(self.drift)

    @property
    def fixable(self) -> tuple[Drift, ...]:
        return tuple(d for d in self.drift if d.fixable)

    def to_dict(self) -> dict[str, Any]:
        facts = self.facts
        return {
            "region": facts.region,
            "rule": self.rule,
            "repository": facts.name,
            "arn": facts.arn,
            "images": facts.image_count,
            "last_pull": facts.last_pull.isoformat() if facts.last_pull else None,
            "template": self.template,
            "drifted": self.drifted,
            "drift": [d.to_dict() for d in self.drift],
        }


@dataclass
class StatusReport:
    """Every repository under the file's rules, in (region, rule, repository) order."""

    account: str
    regions: list[str]
    repositories: list[RepositoryStatus] = field(default_factory=list)

    @property
    def drifted(self) -> list[RepositoryStatus]:
        return [r for r in self.repositories if r.drifted]

    def summary(self) -> dict[str, int]:
        return {
            "repositories": len(self.repositories),
            "drifted": len(self.drifted),
            "fixable": sum(1 for r in self.repositories if r.fixable),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "ptc_version": __version__,
            "account": self.account,
            "regions": list(self.regions),
            "summary": self.summary(),
            "repositories": [r.to_dict() for r in self.repositories],
        }

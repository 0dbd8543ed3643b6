"""A plan is data: an ordered list of changes, each with the attributes before and after.

Renderers (terminal, JSON) and apply consume this; nothing here prints or calls AWS.
The JSON form is the saved-plan format and the `--format json` output, so it is
versioned (`format_version`) and documented in README.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ptc import __version__
from ptc.domain.resources import (
    AnyResource,
    Kind,
    RuleResource,
    SecretResource,
    StatementResource,
    TemplateResource,
)

# 2: before/after hold data only; sensitive and unknown-after-apply attributes are flags
# (before_sensitive, after_sensitive, after_unknown), as in Terraform's JSON plan; and the
# plan records whether secret values were compared (--without-secret-values).
FORMAT_VERSION = 2


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    UNMANAGED = "unmanaged"  # live, not in the file, left alone (no prune)


# Apply order within a region, and why:
# - secrets first: a rule's credentialArn must name a secret that exists;
# - templates before rules: a new rule may create repositories at once on the next pull,
#   and those get the template that exists at that moment;
# - registry policy statements before rules: a new rule's first pull (the one that creates
#   the repository, needing ecr:CreateRepository) finds its grant already there, and a
#   grant on a prefix with no rule yet gives nothing away. All of a region's statement
#   changes are one read-merge-write of the policy (PutRegistryPolicy replaces the whole
#   document), so they share one position, deletes (absent: true) included;
# - pruned rules go before new ones: a region holds at most 50 rules, so a file that
#   swaps rules near the quota converges only if the old ones make room first;
# - a rule's replace deletes before it creates (one prefix, one rule);
# - templates are deleted last, so that no rule that could still create repositories
#   is left without its template.
_ORDER: dict[tuple[Kind, Action], int] = {
    ("secret", Action.CREATE): 0,
    ("secret", Action.UPDATE): 0,
    ("template", Action.CREATE): 1,
    ("template", Action.UPDATE): 1,
    ("template", Action.REPLACE): 1,
    ("statement", Action.CREATE): 2,
    ("statement", Action.UPDATE): 2,
    ("statement", Action.DELETE): 2,
    ("rule", Action.DELETE): 3,
    ("rule", Action.REPLACE): 4,
    ("rule", Action.CREATE): 4,
    ("rule", Action.UPDATE): 4,
    ("template", Action.DELETE): 5,
}
_UNORDERED = 9

RESOURCE_MODELS: dict[
    str,
    type[RuleResource] | type[TemplateResource] | type[SecretResource] | type[StatementResource],
] = {
    "rule": RuleResource,
    "template": TemplateResource,
    "secret": SecretResource,
    "statement": StatementResource,
}


@dataclass(frozen=True)
class Change:
    """One resource's change. `desired` and `live` are the normalised resources."""

    action: Action
    kind: Kind
    region: str
    key: str
    desired: AnyResource | None = None
    live: AnyResource | None = None
    changed: tuple[str, ...] = ()  # attribute names that differ (update, replace)
    reason: str | None = None  # why a replace, or why left alone

    @property
    def order(self) -> tuple[str, int, str]:
        return (self.region, _ORDER.get((self.kind, self.action), _UNORDERED), self.key)

    @property
    def before(self) -> dict[str, Any] | None:
        return None if self.live is None else self.live.shown().values

    @property
    def after(self) -> dict[str, Any] | None:
        return None if self.desired is None else self.desired.shown().values

    @property
    def before_sensitive(self) -> dict[str, bool]:
        return _flags(None if self.live is None else self.live.shown().sensitive)

    @property
    def after_sensitive(self) -> dict[str, bool]:
        return _flags(None if self.desired is None else self.desired.shown().sensitive)

    @property
    def after_unknown(self) -> dict[str, bool]:
        return _flags(None if self.desired is None else self.desired.shown().unknown)

    @property
    def address(self) -> str:
        return f"{self.region}/{self.kind}/{self.key}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "action": str(self.action),
            "kind": self.kind,
            "region": self.region,
            "key": self.key,
            "changed": list(self.changed),
            "reason": self.reason,
            "before": self.before,
            "after": self.after,
            "before_sensitive": self.before_sensitive,
            "after_sensitive": self.after_sensitive,
            "after_unknown": self.after_unknown,
            "desired": _dump(self.desired),
            "live": _dump(self.live),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        kind = data["kind"]
        return cls(
            action=Action(data["action"]),
            kind=kind,
            region=data["region"],
            key=data["key"],
            desired=_load(kind, data.get("desired")),
            live=_load(kind, data.get("live")),
            changed=tuple(data.get("changed", ())),
            reason=data.get("reason"),
        )


def _flags(names: frozenset[str] | None) -> dict[str, bool]:
    """Terraform's *_sensitive / *_unknown: the attributes whose value `before`/`after` lack."""
    return dict.fromkeys(sorted(names or ()), True)


def _dump(resource: AnyResource | None) -> dict[str, Any] | None:
    # Secret resources hold value sources (an env name, a path), never values.
    return None if resource is None else resource.model_dump(mode="json")


def _load(kind: str, data: dict[str, Any] | None) -> AnyResource | None:
    return None if data is None else RESOURCE_MODELS[kind].model_validate(data)


@dataclass(frozen=True)
class Plan:
    """The changes that would make the live state match the file, in apply order."""

    account: str
    regions: tuple[str, ...]
    changes: tuple[Change, ...]
    live_fingerprint: str
    prune: bool = False
    # False: made with --without-secret-values; `apply --plan` compares the values then.
    secret_values_compared: bool = True
    not_compared: tuple[str, ...] = ()  # addresses of live managed secrets, value unread

    @classmethod
    def build(
        cls,
        account: str,
        regions: list[str],
        changes: list[Change],
        fingerprint: str,
        prune: bool,
        not_compared: list[str] | None = None,
    ) -> Plan:
        """`not_compared` is None when values were compared, else the secrets left unread."""
        ordered = tuple(sorted(changes, key=lambda c: c.order))
        return cls(
            account,
            tuple(regions),
            ordered,
            fingerprint,
            prune,
            secret_values_compared=not_compared is None,
            not_compared=tuple(sorted(not_compared or ())),
        )

    @property
    def actionable(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action is not Action.UNMANAGED)

    @property
    def is_empty(self) -> bool:
        return not self.actionable

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(c.action for c in self.changes)
        return {
            "add": counted[Action.CREATE],
            "change": counted[Action.UPDATE],
            "replace": counted[Action.REPLACE],
            "destroy": counted[Action.DELETE],
            "unmanaged": counted[Action.UNMANAGED],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "ptc_version": __version__,
            "account": self.account,
            "regions": list(self.regions),
            "prune": self.prune,
            "live_fingerprint": self.live_fingerprint,
            "secret_values_compared": self.secret_values_compared,
            "not_compared": list(self.not_compared),
            "summary": self.counts,
            "changes": [c.to_dict() for c in self.changes],
        }

    def checksum(self) -> str:
        """Identifies this exact plan (what `apply --plan` will do)."""
        body = {k: v for k, v in self.to_dict().items() if k != "ptc_version"}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported plan format_version {data.get('format_version')!r}")
        return cls(
            account=data["account"],
            regions=tuple(data["regions"]),
            changes=tuple(Change.from_dict(c) for c in data["changes"]),
            live_fingerprint=data["live_fingerprint"],
            prune=bool(data.get("prune", False)),
            secret_values_compared=bool(data["secret_values_compared"]),
            not_compared=tuple(data["not_compared"]),
        )

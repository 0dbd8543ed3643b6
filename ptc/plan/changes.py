"""A plan is data: an ordered list of changes, each with the attributes before and after.

Renderers (terminal, JSON) and apply consume this; nothing here prints or calls AWS.
The JSON form is the saved-plan format and the `--format json` output, so it is
versioned (`format_version`) and documented in README.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from ptc import __version__
from ptc.config.models import Safety
from ptc.domain.resources import (
    AnyResource,
    Kind,
    Resource,
    RuleResource,
    SecretResource,
    StatementResource,
    TemplateResource,
)
from ptc.errors import UnsafePlanError

if TYPE_CHECKING:
    from ptc.plan.live import LiveState

# 2: before/after hold data only; sensitive and unknown-after-apply attributes are flags
# (before_sensitive, after_sensitive, after_unknown), as in Terraform's JSON plan; and the
# plan records whether secret values were compared (--without-secret-values).
FORMAT_VERSION = 2


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"


# What the plan JSON calls a live resource the file does not declare, left alone (no
# prune): listed, never applied, so not an Action.
UNMANAGED = "unmanaged"

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
# Exactly the changes the differ makes: ptc never deletes a secret and replaces only rules.
# A change missing here cannot be built (apply_order raises), rather than sorting anywhere.
_ORDER: dict[tuple[Kind, Action], int] = {
    ("secret", Action.CREATE): 0,
    ("secret", Action.UPDATE): 0,
    ("template", Action.CREATE): 1,
    ("template", Action.UPDATE): 1,
    ("statement", Action.CREATE): 2,
    ("statement", Action.UPDATE): 2,
    ("statement", Action.DELETE): 2,
    ("rule", Action.DELETE): 3,
    ("rule", Action.REPLACE): 4,
    ("rule", Action.CREATE): 4,
    ("rule", Action.UPDATE): 4,
    ("template", Action.DELETE): 5,
}
# In the plan's listing (JSON, saved plans), what is left alone follows its region's changes.
_LISTED_LAST = max(_ORDER.values()) + 1

RESOURCE_MODELS: dict[
    str,
    type[RuleResource] | type[TemplateResource] | type[SecretResource] | type[StatementResource],
] = {
    "rule": RuleResource,
    "template": TemplateResource,
    "secret": SecretResource,
    "statement": StatementResource,
}

R = TypeVar("R", bound=Resource, covariant=True)


class NoSuchChange(ValueError):
    """A (kind, action) ptc never makes, such as a secret's delete: it has no apply order."""


def apply_order(kind: str, action: Action) -> int:
    """A change's position in its region's apply order (see _ORDER); raises when it has none."""
    try:
        return _ORDER[(kind, action)]  # type: ignore[index]  # any str: a saved plan's kind
    except KeyError:
        raise NoSuchChange(f"ptc makes no {action} of a {kind}") from None


def address(region: str, kind: Kind, key: str) -> str:
    return f"{region}/{kind}/{key}"


class Entry(Generic[R]):
    """One line of a plan: a resource before and after (either may be absent), as data.

    The subclasses are frozen dataclasses holding exactly their sides; the rest (address,
    the Terraform-style flags, the JSON form) follows from those.
    """

    __slots__ = ()
    ACTION_NAME: ClassVar[str]  # the JSON "action"
    changed: tuple[str, ...] = ()  # attribute names that differ (update, replace)
    reason: str | None = None  # why a replace or a delete, or why left alone

    @property
    def desired(self) -> R | None:
        return None

    @property
    def live(self) -> R | None:
        return None

    @property
    def resource(self) -> R:
        """The resource this entry is about: the desired one, else the live one."""
        resource = self.desired or self.live
        assert resource is not None  # every subclass holds at least one side
        return resource

    @property
    def kind(self) -> Kind:
        return self.resource.kind

    @property
    def region(self) -> str:
        return self.resource.region

    @property
    def key(self) -> str:
        return self.resource.key

    @property
    def address(self) -> str:
        return address(self.region, self.kind, self.key)

    @property
    def listed(self) -> tuple[str, int, str]:
        """Where the plan JSON lists it: by region, then apply order, then key."""
        return (self.region, _LISTED_LAST, self.key)

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "action": self.ACTION_NAME,
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


class Change(Entry[R]):
    """A change apply makes: `Create`, `Update`, `Replace` or `Delete` of one resource.

    A (kind, action) without an apply order cannot be built: a plan never holds a change
    that apply could not place.
    """

    __slots__ = ()
    ACTION: ClassVar[Action]

    def __post_init__(self) -> None:
        apply_order(self.kind, self.ACTION)

    @property
    def action(self) -> Action:
        return self.ACTION

    @property
    def order(self) -> tuple[str, int, str]:
        """Region, position in its apply order, key: the plan's sort key."""
        return (self.region, apply_order(self.kind, self.ACTION), self.key)

    @property
    def listed(self) -> tuple[str, int, str]:
        return self.order


@dataclass(frozen=True, slots=True)
class Create(Change[R]):
    desired: R = field()

    ACTION = Action.CREATE
    ACTION_NAME = Action.CREATE.value


@dataclass(frozen=True, slots=True)
class Update(Change[R]):
    """Changed in place; `changed` names the attributes that differ."""

    desired: R = field()
    live: R = field()
    changed: tuple[str, ...] = field()

    ACTION = Action.UPDATE
    ACTION_NAME = Action.UPDATE.value


@dataclass(frozen=True, slots=True)
class Replace(Change[R]):
    """Deleted, then created: `reason` says which attribute cannot change in place."""

    desired: R = field()
    live: R = field()
    changed: tuple[str, ...] = field()
    reason: str = field()

    ACTION = Action.REPLACE
    ACTION_NAME = Action.REPLACE.value


@dataclass(frozen=True, slots=True)
class Delete(Change[R]):
    live: R = field()
    reason: str = field()

    ACTION = Action.DELETE
    ACTION_NAME = Action.DELETE.value


@dataclass(frozen=True, slots=True)
class Unmanaged(Entry[R]):
    """Live, not in the file, left alone: listed in the plan, never applied."""

    live: R = field()
    reason: str = field()

    ACTION_NAME = UNMANAGED


AnyChange = Change[AnyResource]
AnyEntry = Entry[AnyResource]
_BY_ACTION: dict[str, type[Entry[Any]]] = {
    cls.ACTION_NAME: cls for cls in (Create, Update, Replace, Delete, Unmanaged)
}


def entry_from_dict(data: dict[str, Any]) -> AnyEntry:
    """One entry of a plan's JSON `changes`, rebuilt; ValueError when it is not one ptc makes."""
    kind = data["kind"]
    fields = {
        "desired": _load(kind, data.get("desired")),
        "live": _load(kind, data.get("live")),
        "changed": tuple(data.get("changed", ())),
        "reason": data.get("reason"),
    }
    return entry_of(data["action"], fields, where=address(data["region"], kind, data["key"]))


def entry_of(action: str, fields: dict[str, Any], *, where: str) -> AnyEntry:
    """The entry for a JSON action, with these sides, at this address; ValueError when the
    sides do not fit the action or name another resource (an edited plan)."""
    cls = _BY_ACTION.get(action)
    if cls is None:
        raise ValueError(f"unknown action {action!r}")
    names = {f.name for f in dataclass_fields(cls)}  # type: ignore[arg-type]
    extra = [n for n, v in fields.items() if n not in names and v not in (None, ())]
    missing = [n for n in names if fields.get(n) is None]
    if extra or missing:
        raise ValueError(f"a {action} has {', '.join(sorted(names))}, not {_sides(fields)}")
    entry = cls(**{n: fields[n] for n in names})
    held = {address(r.region, r.kind, r.key) for r in (entry.desired, entry.live) if r}
    if held != {where}:
        raise ValueError(f"the {action} of {where} holds {', '.join(sorted(held))}")
    return entry


def _sides(fields: dict[str, Any]) -> str:
    return ", ".join(n for n, v in sorted(fields.items()) if v not in (None, ())) or "nothing"


def _flags(names: frozenset[str] | None) -> dict[str, bool]:
    """Terraform's *_sensitive / *_unknown: the attributes whose value `before`/`after` lack."""
    return dict.fromkeys(sorted(names or ()), True)


def _dump(resource: AnyResource | Resource | None) -> dict[str, Any] | None:
    # Secret resources hold value sources (an env name, a path), never values.
    return None if resource is None else resource.model_dump(mode="json")


def _load(kind: str, data: dict[str, Any] | None) -> AnyResource | None:
    return None if data is None else RESOURCE_MODELS[kind].model_validate(data)


@dataclass(frozen=True)
class Plan:
    """The changes that would make the live state match the file, in apply order, and
    what is live but left alone (`unmanaged`), which apply never sees."""

    account: str
    regions: tuple[str, ...]
    changes: tuple[AnyChange, ...]
    live_fingerprint: str
    prune: bool = False
    # False: made with --without-secret-values; `apply --plan` compares the values then.
    secret_values_compared: bool = True
    not_compared: tuple[str, ...] = ()  # addresses of live managed secrets, value unread
    unmanaged: tuple[Unmanaged[AnyResource], ...] = ()

    @classmethod
    def build(
        cls,
        account: str,
        regions: list[str],
        changes: list[AnyChange],
        fingerprint: str,
        prune: bool,
        not_compared: list[str] | None = None,
        unmanaged: list[Unmanaged[AnyResource]] | None = None,
    ) -> Plan:
        """`not_compared` is None when values were compared, else the secrets left unread."""
        return cls(
            account,
            tuple(regions),
            tuple(sorted(changes, key=lambda c: c.order)),
            fingerprint,
            prune,
            secret_values_compared=not_compared is None,
            not_compared=tuple(sorted(not_compared or ())),
            unmanaged=tuple(sorted(unmanaged or (), key=lambda u: u.listed)),
        )

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(c.action for c in self.changes)
        return {
            "add": counted[Action.CREATE],
            "change": counted[Action.UPDATE],
            "replace": counted[Action.REPLACE],
            "destroy": counted[Action.DELETE],
            "unmanaged": len(self.unmanaged),
        }

    @property
    def entries(self) -> list[AnyEntry]:
        """Changes and what is left alone in one list, as the JSON `changes` has them.

        The sort is stable, so what is left alone keeps its order among equal keys.
        """
        listed: list[AnyEntry] = [*self.changes, *self.unmanaged]
        return sorted(listed, key=lambda e: e.listed)

    def raise_if_unsafe(self, policy: Safety, live: LiveState) -> None:
        """Refuse, naming the numbers, a region losing or replacing more than `policy` allows.

        Per region, as octoDNS's thresholds are per zone: deletes of rules and templates
        against what is live there, and rule replaces (a delete, then a create: the
        prefix's pulls fail in between) against its live rules. Statements are left out:
        ptc deletes one only when the file names it (absent: true). --force skips this.
        """
        problems: list[str] = []
        for region in self.regions:
            here = [c for c in self.changes if c.region == region]
            rules = sum(r.region == region for r in live.rules)
            managed = rules + sum(t.region == region for t in live.templates)
            deletes = sum(isinstance(c, Delete) and c.kind != "statement" for c in here)
            replaces = sum(isinstance(c, Replace) for c in here)
            where = f"{self.account}/{region}"
            allowed = policy.allowed_deletes(managed)
            if deletes > allowed:
                problems.append(
                    f"the plan deletes {deletes} of the {managed} live rules and templates in "
                    f"{where}; more than {allowed} needs --force (safety: max_deletes "
                    f"{policy.max_deletes}, max_delete_percent {policy.max_delete_percent} "
                    f"from min_existing {policy.min_existing})"
                )
            allowed = policy.allowed_replaces(rules)
            if replaces > allowed:
                problems.append(
                    f"the plan replaces {replaces} of the {rules} live rules in {where} (each "
                    f"is deleted, then created: its pulls fail in between); more than {allowed} "
                    f"needs --force (safety: max_replaces {policy.max_replaces}, "
                    f"max_replace_percent {policy.max_replace_percent} from min_existing "
                    f"{policy.min_existing})"
                )
        if problems:
            raise UnsafePlanError("; ".join(problems))

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
            "changes": [e.to_dict() for e in self.entries],
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
        changes, unmanaged = split([entry_from_dict(c) for c in data["changes"]])
        return cls(
            account=data["account"],
            regions=tuple(data["regions"]),
            changes=changes,
            live_fingerprint=data["live_fingerprint"],
            prune=bool(data.get("prune", False)),
            secret_values_compared=bool(data["secret_values_compared"]),
            not_compared=tuple(data["not_compared"]),
            unmanaged=unmanaged,
        )


def split(
    entries: list[AnyEntry],
) -> tuple[tuple[AnyChange, ...], tuple[Unmanaged[AnyResource], ...]]:
    """A plan's JSON listing apart again: the changes, and what is left alone, in order."""
    changes = tuple(e for e in entries if isinstance(e, Change))
    unmanaged = tuple(e for e in entries if isinstance(e, Unmanaged))
    return changes, unmanaged

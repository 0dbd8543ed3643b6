"""Which (account, region) pairs a file applies to, and how to split them into shards.

A file with `accounts:` applies to its explicit `ids` and to every ACTIVE account under its
`organization_units` (recursively), less `exclude`. AWS Organizations is read through the
small `OrganizationReader` protocol (ptc.aws.organizations implements it), so that the
resolution itself is a pure function over data. A file without `accounts:` has one target
account: its `account:`, or the credentials' one (None here: STS decides at run time).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol

from ptc.config.models import PtcFile
from ptc.domain import substitution
from ptc.domain.resources import ValueRef
from ptc.errors import PtcError, UsageError

ACTIVE: Final = "ACTIVE"


@dataclass(frozen=True)
class OrgAccount:
    """An account as Organizations lists it under a parent."""

    id: str
    state: str  # ACTIVE, SUSPENDED, PENDING_CLOSURE, ...


class OrganizationReader(Protocol):
    """The two Organizations reads target resolution needs (each answer complete, paginated)."""

    def accounts_for_parent(self, parent_id: str) -> list[OrgAccount]: ...

    def units_for_parent(self, parent_id: str) -> list[str]: ...


class TargetError(PtcError):
    """The targets cannot be resolved (Organizations refused or does not know an OU)."""


def accounts_under(units: Iterable[str], reader: OrganizationReader) -> set[str]:
    """Every ACTIVE account under `units`, at any depth.

    Suspended and closing accounts are left out: AssumeRole into them fails, and a run that
    fails for an account nobody can use would never be green.
    """
    found: set[str] = set()
    pending = list(dict.fromkeys(units))
    seen = set(pending)
    while pending:
        unit = pending.pop()
        found |= {a.id for a in reader.accounts_for_parent(unit) if a.state == ACTIVE}
        for child in reader.units_for_parent(unit):
            if child not in seen:  # a parent lists each child once; this guards the loop
                seen.add(child)
                pending.append(child)
    return found


def resolve_accounts(
    ids: Iterable[str],
    units: Iterable[str],
    exclude: Iterable[str],
    reader: OrganizationReader | None,
) -> list[str]:
    """explicit ids ∪ accounts under the OUs − exclude, sorted."""
    units = list(units)
    accounts = set(ids)
    if units:
        if reader is None:
            raise TargetError("organization_units need AWS Organizations to list their accounts")
        accounts |= accounts_under(units, reader)
    return sorted(accounts - set(exclude))


# -- the targets of a file --------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One account (None: the credentials') and the role ptc assumes there (None: none)."""

    account: str | None
    role: str | None
    regions: tuple[str, ...]


@dataclass(frozen=True)
class Targets:
    """A file's target accounts, each with its regions, in account order."""

    accounts: tuple[Target, ...]
    external_id: ValueRef | None = None

    def pairs(self) -> list[tuple[Target, str]]:
        """Every (account, region), account by account."""
        return [(target, region) for target in self.accounts for region in target.regions]


def file_targets(
    file: PtcFile,
    reader: OrganizationReader | None,
    regions: list[str] | None = None,
) -> Targets:
    """The targets of a validated file; `regions` narrows the file's regions (--region)."""
    chosen = tuple(r for r in file.regions if regions is None or r in regions)
    spec = file.accounts
    if spec is None:
        return Targets((Target(file.account, None, chosen),))
    ids = resolve_accounts(spec.ids, spec.organization_units, spec.exclude, reader)
    external = spec.external_id
    return Targets(
        tuple(Target(a, substitution.fill(spec.role, account=a), chosen) for a in ids),
        ValueRef(env=external.env, file=external.file) if external else None,
    )


# -- shards -------------------------------------------------------------------------------

_SHARD: Final = re.compile(r"^\s*(\d{1,6})\s*/\s*(\d{1,6})\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (1-based, as `--shard 2/4` says it)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, account: str | None) -> bool:
        """Whether `account` falls in this shard.

        The shard of an account is a hash of its ID alone, not its place in the sorted list:
        adding or removing an account (an OU gains one between the plan job and the apply
        job) moves no other account to another shard, so each shard's saved plan still
        matches the accounts its apply job is given. The price is balance: shards differ in
        size by chance (30 consecutive account IDs in 4 shards: 8, 6, 11 and 5).
        Stability is worth more here: a reviewed plan applied by the wrong shard is refused,
        while an uneven shard only takes longer.
        """
        key = (account or "").encode()
        digest = int.from_bytes(hashlib.sha256(key).digest()[:8], "big")
        return digest % self.count == self.index - 1

    def select(self, targets: Targets) -> Targets:
        return Targets(
            tuple(t for t in targets.accounts if self.holds(t.account)), targets.external_id
        )


def parse_shard(text: str) -> Shard:
    """'I/N' with 1 <= I <= N; anything else is a usage error (exit 64)."""
    match = _SHARD.fullmatch(text)
    if match is None:
        raise UsageError(f"--shard {text}: expected I/N, e.g. 1/4 (shard 1 of 4)")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise UsageError(f"--shard {text}: I must be between 1 and N, and N at least 1")
    return Shard(index, count)

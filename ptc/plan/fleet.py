"""A plan over several accounts: one Plan per target account of a file with `accounts:`.

Each account is planned on its own (its role, its live state, its fingerprint), so the
fleet plan is the list of those plans in account order, the accounts whose planning
failed, with why, and (after Ctrl-C) the accounts not planned. Addresses get the account
in front (`ACCOUNT/REGION/kind/key`): one address names one resource across the whole plan.
The selection the plan was made for (`--account`, `--shard`) travels with it, so that
`apply --plan` can refuse another one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ptc import __version__
from ptc.domain.resources import ValueRef
from ptc.plan.changes import FORMAT_VERSION, AnyEntry, Plan
from ptc.plan.desired import DesiredState
from ptc.plan.targets import parse_shard


def fleet_address(account: str, address: str) -> str:
    """A plan address with its account in front: `ACCOUNT/REGION/kind/key`."""
    return f"{account}/{address}"


@dataclass(frozen=True)
class AccountPlan:
    """One target account: its plan, or why it could not be planned (`interrupted`: Ctrl-C
    came before its plan did)."""

    account: str
    role: str | None
    plan: Plan | None = None
    error: str | None = None
    desired: DesiredState | None = None  # what the plan was computed from (apply verifies)
    interrupted: bool = False

    @property
    def failed(self) -> bool:
        return self.plan is None and not self.interrupted

    def address(self, entry: AnyEntry | str) -> str:
        return fleet_address(self.account, entry if isinstance(entry, str) else entry.address)

    def to_dict(self) -> dict[str, Any]:
        """The account's plan JSON with account-qualified addresses, or its failure."""
        if self.plan is None:
            return {"account": self.account, "role": self.role, "error": self.error}
        data = self.plan.to_dict()
        del data["format_version"], data["ptc_version"]  # the fleet document says them once
        data["role"] = self.role
        for change in data["changes"]:
            change["address"] = self.address(change["address"])
        data["not_compared"] = [self.address(a) for a in data["not_compared"]]
        return data


@dataclass(frozen=True)
class Selection:
    """Which accounts of the file a run covered: `--account` IDs and `--shard I/N`."""

    accounts: tuple[str, ...] = ()  # empty: every account (of the shard)
    shard: str | None = None

    def __post_init__(self) -> None:
        # `--shard "01 / 2"` is shard 1/2: the plan JSON and the saved plan say it as I/N,
        # so that apply --plan with `--shard 1/2` is not refused as another shard's job.
        if self.shard is not None:
            object.__setattr__(self, "shard", str(parse_shard(self.shard)))

    def describe(self) -> str:
        parts = [f"--account {a}" for a in self.accounts]
        parts += [f"--shard {self.shard}"] if self.shard else []
        return " ".join(parts) or "every account"


@dataclass(frozen=True)
class FleetPlan:
    """The plans of every target account, in account order."""

    accounts: tuple[AccountPlan, ...]
    selection: Selection = Selection()
    external_id: ValueRef | None = None  # its source (env or file), never its value
    interrupted: bool = False  # Ctrl-C stopped the planning

    @property
    def plans(self) -> list[AccountPlan]:
        """The accounts that were planned."""
        return [a for a in self.accounts if a.plan is not None]

    @property
    def failed(self) -> list[AccountPlan]:
        return [a for a in self.accounts if a.failed]

    @property
    def not_attempted(self) -> list[AccountPlan]:
        """The accounts Ctrl-C left unplanned."""
        return [a for a in self.accounts if a.plan is None and a.interrupted]

    @property
    def is_empty(self) -> bool:
        """No account has a change (failed accounts have none to show)."""
        return all(a.plan is None or a.plan.is_empty for a in self.accounts)

    @property
    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for account in self.plans:
            assert account.plan is not None
            total.update(account.plan.counts)
        keys = ("add", "change", "replace", "destroy", "unmanaged")
        return {key: total[key] for key in keys}

    @property
    def not_compared(self) -> list[str]:
        return [a.address(n) for a in self.plans if a.plan for n in a.plan.not_compared]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of a plan over several accounts (README "Plan JSON, several accounts")."""
        summary = {**self.counts, "failed": len(self.failed)}
        document: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "ptc_version": __version__,
            "accounts": [a.account for a in self.accounts],
            "selection": {"accounts": list(self.selection.accounts), "shard": self.selection.shard},
            "summary": summary,
            "plans": [a.to_dict() for a in self.plans],
            "failed": [a.to_dict() for a in self.failed],
        }
        if self.interrupted:  # only then: an uninterrupted plan's JSON stays as it was
            summary["not_attempted"] = len(self.not_attempted)
            document["interrupted"] = True
            document["not_attempted"] = [a.account for a in self.not_attempted]
        return document

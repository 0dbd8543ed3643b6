"""The explicit list of every check, in ID order. No discovery magic: add new checks here."""

from __future__ import annotations

import difflib

from ptc.checks import (
    accounts,
    org_permissions,
    regions,
    registry_policy,
    rules,
    safety,
    secrets,
    templates,
)
from ptc.checks.base import Check
from ptc.checks.online import CHECKS as ONLINE_CHECKS
from ptc.checks.schema import SCHEMA_CHECKS
from ptc.errors import UsageError

SEMANTIC_CHECKS: tuple[type[Check], ...] = (
    *regions.CHECKS,
    *rules.CHECKS,
    *secrets.CHECKS,
    *templates.CHECKS,
    *registry_policy.CHECKS,
    *org_permissions.CHECKS,
    *safety.CHECKS,
    *accounts.CHECKS,
)
# ONLINE_CHECKS run only under `validate --online` (against AWS); listed for docs and SARIF.
ALL_CHECKS: tuple[type[Check], ...] = tuple(
    sorted((*SCHEMA_CHECKS, *SEMANTIC_CHECKS, *ONLINE_CHECKS), key=lambda c: c.id)
)
_BY_ID = {check.id: check for check in ALL_CHECKS}


def by_id(check_id: str) -> type[Check]:
    return _BY_ID[check_id]


def is_known(prefix: str) -> bool:
    """Whether `prefix` is a check ID or the start of one (how --ignore matches)."""
    return bool(prefix) and any(check.id.startswith(prefix) for check in ALL_CHECKS)


def unknown_id(prefix: str) -> str:
    """Why `prefix` selects no check, with the likely intended ID and the IDs there are."""
    upper = prefix.strip().upper()
    if upper != prefix and is_known(upper):
        hint = f" (did you mean {upper}? IDs are upper case)"
    else:
        # A whole ID with a slip (PTC2O4); a short prefix has too little to go on.
        close = difflib.get_close_matches(upper, list(_BY_ID), n=1, cutoff=0.8)
        hint = f" (did you mean {close[0]}?)" if close and len(upper) == len(close[0]) else ""
    return f"no check ID starts with '{prefix}'{hint}; the IDs are {id_ranges()}"


def id_ranges() -> str:
    """Every ID, consecutive ones as a range: PTC001-PTC010, PTC101-PTC107, …"""
    numbers = sorted(int(check.id.removeprefix("PTC")) for check in ALL_CHECKS)
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(
        f"PTC{run[0]:03}" if len(run) == 1 else f"PTC{run[0]:03}-PTC{run[-1]:03}" for run in runs
    )


def check_ignore(prefixes: tuple[str, ...]) -> None:
    """--ignore is refused when it would silently skip nothing (a typo, lower case)."""
    for prefix in prefixes:
        if not is_known(prefix):
            raise UsageError(f"--ignore {prefix}: {unknown_id(prefix)}")

"""The explicit list of every check, in ID order. No discovery magic: add new checks here."""

from __future__ import annotations

from ptc.checks import permissions, regions, rules, secrets, templates
from ptc.checks.base import Check
from ptc.checks.online import CHECKS as ONLINE_CHECKS
from ptc.checks.schema import SCHEMA_CHECKS

SEMANTIC_CHECKS: tuple[type[Check], ...] = (
    *regions.CHECKS,
    *rules.CHECKS,
    *secrets.CHECKS,
    *templates.CHECKS,
    *permissions.CHECKS,
)
# ONLINE_CHECKS run only under `validate --online` (against AWS); listed for docs and SARIF.
ALL_CHECKS: tuple[type[Check], ...] = tuple(
    sorted((*SCHEMA_CHECKS, *SEMANTIC_CHECKS, *ONLINE_CHECKS), key=lambda c: c.id)
)
_BY_ID = {check.id: check for check in ALL_CHECKS}


def by_id(check_id: str) -> type[Check]:
    return _BY_ID[check_id]

"""Organisation-wide principals: `Principal: "*"` narrowed by the caller's AWS Organization.

A registry policy lets a whole organisation (or some of its OUs) use one central cache with
the global condition keys aws:PrincipalOrgID (single-valued: StringEquals) and
aws:PrincipalOrgPaths (multivalued: ForAnyValue:StringLike, so that a path ending in '/*'
takes the OUs below it). ptc writes exactly these two conditions, and reads back as a
`permissions:` entry only a Condition made of them and nothing else.

Condition values are compared as sets: IAM reads a single string and a one-element list
alike and ignores order, so `condition_values` gives both sides one spelling (one value: a
string; several: a sorted list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from ptc.domain import arns

ORG_ID_OPERATOR: Final = "StringEquals"
ORG_ID_KEY: Final = "aws:PrincipalOrgID"
ORG_PATHS_OPERATOR: Final = "ForAnyValue:StringLike"
ORG_PATHS_KEY: Final = "aws:PrincipalOrgPaths"
EVERY_PRINCIPAL: Final = "*"

# The patterns of the AWS Organizations API model (organization, root and OU IDs).
ORGANIZATION_PATTERN: Final = re.compile(r"^o-[a-z0-9]{10,32}$")
_ROOT_ID: Final = r"r-[0-9a-z]{4,32}"
_OU_ID: Final = r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}"
# An entity path as IAM puts it in aws:PrincipalOrgPaths: o-…/r-…/ou-…/…/ with a trailing
# '/'; ending it with '*' instead takes everything below (the whole organisation: o-…/*).
ORGANIZATION_PATH_PATTERN: Final = re.compile(
    rf"^o-[a-z0-9]{{10,32}}/(\*|{_ROOT_ID}/({_OU_ID}/)*\*?)$"
)


@dataclass(frozen=True)
class OrgScope:
    """Which organisation's principals a statement admits: an ID, paths, or both."""

    organization: str | None = None
    paths: tuple[str, ...] = ()

    def condition(self) -> dict[str, Any]:
        """The Condition element that admits them ({} for no scope at all)."""
        condition: dict[str, Any] = {}
        if self.organization is not None:
            condition[ORG_ID_OPERATOR] = {ORG_ID_KEY: self.organization}
        if self.paths:
            condition[ORG_PATHS_OPERATOR] = {ORG_PATHS_KEY: _one_spelling(list(self.paths))}
        return condition

    def valid(self) -> bool:
        """Whether validate accepts this scope in a `permissions:` entry."""
        organization = self.organization
        if organization is not None and organization_problem(organization):
            return False
        return not any(
            path_problem(p) or (organization and path_elsewhere(organization, p))
            for p in self.paths
        )


def scope_of(condition: Any) -> OrgScope | None:
    """The scope a Condition element says, when it says exactly that and nothing else."""
    if not isinstance(condition, dict) or not condition:
        return None
    organization = _only(condition, ORG_ID_OPERATOR, ORG_ID_KEY)
    paths = _only(condition, ORG_PATHS_OPERATOR, ORG_PATHS_KEY)
    if organization is None and paths is None:
        return None
    if set(condition) != {
        op for op, found in ((ORG_ID_OPERATOR, organization), (ORG_PATHS_OPERATOR, paths)) if found
    }:
        return None  # another operator besides them
    if organization is not None and len(organization) != 1:
        return None  # one organisation per entry; several stay someone else's statement
    return OrgScope(organization[0] if organization else None, tuple(sorted(set(paths or ()))))


def _only(condition: dict[str, Any], operator: str, key: str) -> list[str] | None:
    """The values of `key`, when it is the only key under `operator` and all are strings."""
    block = condition.get(operator)
    if not isinstance(block, dict) or set(block) != {key}:
        return None
    values = block[key]
    values = [values] if isinstance(values, str) else values
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        return None
    return values


# -- what validate accepts (the checks PTC511-PTC513 and export share these) ---------------


def organization_problem(value: str) -> str | None:
    """Why `organization` is not an organisation ID (None: it is)."""
    if ORGANIZATION_PATTERN.fullmatch(value):
        return None
    if value.startswith(("ou-", "r-")):
        kind = "an organizational unit" if value.startswith("ou-") else "a root"
        return f"'{value}' is {kind}, not an organization; put it in 'organization_paths'"
    if arns.is_account_id(value):
        return f"'{value}' is an account ID, not an organization; list it in 'principals'"
    return f"'{value}' is not an organization ID (o- and 10 to 32 lower-case letters or digits)"


def path_problem(value: str) -> str | None:
    """Why a path matches no principal's aws:PrincipalOrgPaths (None: it can)."""
    if ORGANIZATION_PATH_PATTERN.fullmatch(value):
        return None
    if ORGANIZATION_PATH_PATTERN.fullmatch(value + "/"):
        return f"path '{value}' does not end with '/' or '*', so no principal's path matches it"
    return f"'{value}' is not an organization path o-…/r-…/ou-…/"


def path_elsewhere(organization: str, value: str) -> bool:
    """A valid path of another organisation (an invalid one is PTC512's)."""
    return path_problem(value) is None and value.split("/")[0] != organization


def condition_values(condition: Any) -> Any:
    """The Condition element with each key's values in one spelling (see the module doc)."""
    if not isinstance(condition, dict):
        return condition
    return {
        operator: (
            {key: _one_spelling(values) for key, values in block.items()}
            if isinstance(block, dict)
            else block
        )
        for operator, block in condition.items()
    }


def _one_spelling(values: Any) -> Any:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return values
    unique = sorted(set(values))
    return unique[0] if len(unique) == 1 else unique

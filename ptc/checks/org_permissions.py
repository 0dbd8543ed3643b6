"""Checks of a permission's organisation scope: `organization` and `organization_paths`.

The facts: an organisation ID is `o-` and 10 to 32 lower-case letters or digits (AWS
Organizations API model), and aws:PrincipalOrgID is one of IAM's sensitive keys, where a
wildcard has no valid use. aws:PrincipalOrgPaths holds the entity path of the principal's
account, `o-…/r-…/ou-…/…/` (IDs from the organisation down, each followed by '/'), compared
with StringLike: a path that does not end in '/' or '*' matches no principal, and a path
of another organisation than `organization` makes the statement admit nobody (both
conditions must hold).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ptc.checks.base import Check, Context, Problem
from ptc.checks.registry_policy import permission_items
from ptc.domain.org_principals import organization_problem, path_elsewhere, path_problem

EXAMPLE_PATH: Final = "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"


class OrganizationIdInvalid(Check):
    id = "PTC511"
    summary = "A permission's 'organization' is not an AWS Organizations ID"
    fix = (
        "Give the organization's ID, o-a1b2c3d4e5 ('aws organizations describe-organization' "
        "shows it); name OUs in 'organization_paths'."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, permission in permission_items(ctx):
            if permission.organization is not None:
                message = organization_problem(permission.organization)
                if message:
                    yield Problem((*path, "organization"), message)


class OrganizationPathInvalid(Check):
    id = "PTC512"
    summary = "A permission's organization path is not an AWS Organizations entity path"
    fix = (
        f"Write the IDs from the organization down, each followed by '/': {EXAMPLE_PATH} "
        "(that OU's accounts); end with '*' to take the OUs below as well (o-a1b2c3d4e5/* is "
        "the whole organization)."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, permission in permission_items(ctx):
            for index, value in enumerate(permission.organization_paths or []):
                message = path_problem(value)
                if message:
                    yield Problem((*path, "organization_paths", index), message)


class OrganizationPathElsewhere(Check):
    id = "PTC513"
    summary = "A permission's organization path is in another organization than 'organization'"
    fix = (
        "Use paths in the organization named by 'organization', or leave 'organization' out: "
        "a path names its organization."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, permission in permission_items(ctx):
            organization = permission.organization
            if organization is None or organization_problem(organization):
                continue  # PTC511
            for index, value in enumerate(permission.organization_paths or []):
                if path_elsewhere(organization, value):
                    yield Problem(
                        (*path, "organization_paths", index),
                        f"path is in organization '{value.split('/')[0]}', not in "
                        f"'{organization}': no principal is in both",
                    )


CHECKS = (OrganizationIdInvalid, OrganizationPathInvalid, OrganizationPathElsewhere)

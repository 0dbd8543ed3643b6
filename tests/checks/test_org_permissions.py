"""Organisation-wide permissions in the file: `organization` and `organization_paths`.

validate checks them offline (PTC511-PTC513), lets `*` through only when narrowed to an
organisation (PTC504), and the other permission checks learn the new keys.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent

import pytest

from ptc.checks.registry import ALL_CHECKS
from ptc.checks.registry_policy import permission_items
from ptc.checks.runner import validate_text

HEAD = """\
version: 1
account: "123456789012"
regions: [us-east-1]
rules:
  - prefix: docker-hub
    upstream: public.ecr.aws
permissions:
"""  # the first entry starts on line 8
ORG = "o-a1b2c3d4e5"
OU = f"{ORG}/r-ab12/ou-ab12-11111111/"


def findings(permissions: str) -> list[tuple[str, int, int, str]]:
    """Each entry indented under `permissions:` as people write it, whatever its indentation."""
    result = validate_text(HEAD + indent(dedent(permissions), "  "), "rules.yaml", Path("."))
    return [(f.check_id, f.line, f.column, f.message) for f in result.findings]


def test_an_organisation_a_path_or_both_instead_of_principals_is_clean() -> None:
    found = findings(f"""\
      - sid: WholeOrganization
        organization: {ORG}
        prefixes: [docker-hub]
      - sid: TwoOus
        organization_paths: [{OU}, "{ORG}/r-ab12/ou-ab12-22222222/*", "{ORG}/*"]
        prefixes: ["*"]
      - sid: Both
        organization: {ORG}
        organization_paths: [{OU}]
        principals: ["*", arn:aws:iam::210987654321:role/ci]
        prefixes: ["*"]
    """)

    assert found == []


def test_the_entry_reaches_plan_with_its_organisation() -> None:
    text = HEAD + f"  - sid: Org\n    organization: {ORG}\n    prefixes: ['*']\n"
    result = validate_text(text, "rules.yaml", Path("."))
    assert result.context is not None

    [(_, permission)] = permission_items(result.context)

    assert (permission.organization, permission.principals) == (ORG, None)


def test_a_star_without_an_organisation_is_still_refused() -> None:
    found = findings("  - sid: Everyone\n    principals: ['*']\n    prefixes: ['*']\n")

    assert found == [
        ("PTC504", 9, 18, "'*' grants pull-through cache to every AWS principal"),
    ]


NOT_AN_ID = "is not an organization ID (o- and 10 to 32 lower-case letters or digits)"
IN_PATHS = "not an organization; put it in 'organization_paths'"
NO_MATCH = "does not end with '/' or '*', so no principal's path matches it"
NOT_A_PATH = "is not an organization path o-…/r-…/ou-…/"


@pytest.mark.parametrize(
    ("organization", "message"),
    [
        ("o-a1b2", f"'o-a1b2' {NOT_AN_ID}"),
        ("o-A1B2C3D4E5", f"'o-A1B2C3D4E5' {NOT_AN_ID}"),
        ("o-*", f"'o-*' {NOT_AN_ID}"),
        ("ou-ab12-11111111", f"'ou-ab12-11111111' is an organizational unit, {IN_PATHS}"),
        ("r-ab12", f"'r-ab12' is a root, {IN_PATHS}"),
        (
            "'210987654321'",
            "'210987654321' is an account ID, not an organization; list it in 'principals'",
        ),
    ],
)
def test_an_organisation_that_is_not_an_organisation_id(organization: str, message: str) -> None:
    found = findings(f"  - sid: Org\n    organization: {organization}\n    prefixes: ['*']\n")

    assert found == [("PTC511", 9, 19, message)]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (f"{ORG}/r-ab12/ou-ab12-11111111", f"path '{ORG}/r-ab12/ou-ab12-11111111' {NO_MATCH}"),
        (f"{ORG}/r-ab12", f"path '{ORG}/r-ab12' {NO_MATCH}"),
        ("ou-ab12-11111111/", f"'ou-ab12-11111111/' {NOT_A_PATH}"),
        (f"{ORG}/ou-ab12-11111111/", f"'{ORG}/ou-ab12-11111111/' {NOT_A_PATH}"),
        (f"{ORG}/r-ab12//", f"'{ORG}/r-ab12//' {NOT_A_PATH}"),
    ],
)
def test_a_path_that_matches_no_principal(path: str, message: str) -> None:
    found = findings(f"  - sid: Ous\n    organization_paths: ['{path}']\n    prefixes: ['*']\n")

    assert found == [("PTC512", 9, 26, message)]


def test_a_path_in_another_organisation_than_organization_admits_nobody() -> None:
    found = findings(f"""\
      - sid: Mixed
        organization: {ORG}
        organization_paths: [{OU}, o-zzzzzzzzzz/r-ab12/]
        prefixes: ['*']
    """)

    assert found == [
        (
            "PTC513",
            10,
            65,
            f"path is in organization 'o-zzzzzzzzzz', not in '{ORG}': no principal is in both",
        )
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "- sid: Ci\n  prefixes: ['*']\n",
            [("PTC507", 8, 5, "permission 'Ci' has no 'principals' or 'organization'")],
        ),
        (
            "- sid: Ci\n  organization_paths: []\n  prefixes: ['*']\n",
            [
                ("PTC507", 8, 5, "permission 'Ci' has no 'principals' or 'organization'"),
                ("PTC507", 9, 25, "'organization_paths' is empty"),
            ],
        ),
        (
            "- sid: Ci\n  organization_paths: []\n  principals: ['*']\n  prefixes: ['*']\n",
            [
                ("PTC507", 9, 25, "'organization_paths' is empty"),
                ("PTC504", 10, 18, "'*' grants pull-through cache to every AWS principal"),
            ],
        ),
        (
            f"- sid: Ci\n  absent: true\n  organization: {ORG}\n  organization_paths: [{OU}]\n",
            [
                ("PTC508", 10, 19, "'organization' has no meaning on an absent permission"),
                ("PTC508", 11, 25, "'organization_paths' has no meaning on an absent permission"),
            ],
        ),
        (
            "- sid: Ci\n  organization: 1234\n  prefixes: ['*']\n",
            [
                # As for any key the schema refuses: the entry is checked without it.
                ("PTC507", 8, 5, "permission 'Ci' has no 'principals' or 'organization'"),
                (
                    "PTC007",
                    9,
                    19,
                    "permissions[0].organization: input should be a valid string (got a number)",
                ),
            ],
        ),
    ],
    ids=["no principals", "empty paths", "empty paths and a star", "absent", "not a string"],
)
def test_the_other_permission_checks_know_the_new_keys(
    entry: str, expected: list[tuple[str, int, int, str]]
) -> None:
    indented = "".join(f"  {line}\n" for line in entry.splitlines())

    assert findings(indented) == expected


def test_the_statement_with_its_condition_counts_towards_the_policy_size() -> None:
    paths = "".join(
        f"      - {ORG}/r-ab12/ou-ab12-{n:08d}/ou-ab12-{n + 1:08d}/*\n" for n in range(150)
    )
    fits = findings(f"  - sid: Ous\n    prefixes: ['*']\n    organization_paths:\n{paths}")
    too_large = findings(
        f"  - sid: Ous\n    prefixes: ['*']\n    organization_paths:\n{paths}"
        + "".join(f"      - {ORG}/r-ab12/ou-ab12-{n:08d}/*\n" for n in range(200, 260))
    )

    assert fits == []
    assert [f[0] for f in too_large] == ["PTC510"]


def test_the_new_checks_have_stable_ids_in_order() -> None:
    ids = [check.id for check in ALL_CHECKS]

    assert ids[ids.index("PTC510") + 1 : ids.index("PTC510") + 4] == [
        "PTC511",
        "PTC512",
        "PTC513",
    ]

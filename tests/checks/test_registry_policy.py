"""The checks of `permissions:` (PTC501-PTC510), one file at a time, messages exact."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from ptc.checks.registry_policy import permission_items
from ptc.checks.runner import validate_text

HEAD = """\
version: 1
account: "123456789012"
regions: [us-east-1, eu-west-1]
rules:
  - prefix: docker-hub
    upstream: public.ecr.aws
  - prefix: quay
    upstream: quay.io
    regions: [us-east-1]
permissions:
"""


def findings(permissions: str) -> list[tuple[str, int, str]]:
    text = HEAD + dedent(permissions)
    result = validate_text(text, "rules.yaml", Path("."))
    return [(f.check_id, f.line, f.message) for f in result.findings]


def test_a_cross_account_permission_with_every_kind_of_principal_is_clean() -> None:
    found = findings("""\
      - sid: PullThroughCacheFromCI
        principals:
          - arn:aws:iam::210987654321:role/ci
          - arn:aws:iam::210987654321:user/builder
          - arn:aws:iam::210987654321:root
          - "345678901234"
        prefixes: [docker-hub, "*", docker-hub/]
        actions: [ecr:BatchImportUpstreamImage]
      - sid: PullThroughCacheQuay
        principals: [arn:aws:iam::123456789012:role/ci]
        prefixes: [quay]
        regions: [us-east-1]
      - sid: OldAccess
        absent: true
    """)

    assert found == []


def test_a_clean_file_loads_its_permissions_for_plan() -> None:
    text = HEAD + "  - sid: Ci\n    principals: ['123456789012']\n    prefixes: ['*']\n"
    result = validate_text(text, "rules.yaml", Path("."))
    assert result.context is not None

    [(path, permission)] = permission_items(result.context)

    assert path == ("permissions", 0)
    assert permission.sid == "Ci" and permission.actions is None


@pytest.mark.parametrize(
    ("case", "entry", "expected"),
    [
        (
            "sid with dashes",
            "- sid: pull-ci\n  principals: ['123456789012']\n  prefixes: ['*']\n",
            [("PTC501", 11, "sid 'pull-ci' is not letters and digits")],
        ),
        (
            "group principal",
            "- sid: Ci\n  principals: [arn:aws:iam::123456789012:group/dev]\n  prefixes: ['*']\n",
            [
                (
                    "PTC503",
                    12,
                    "'arn:aws:iam::123456789012:group/dev' is an IAM group; "
                    "a resource policy cannot name groups",
                )
            ],
        ),
        (
            "assumed-role session",
            "- sid: Ci\n  principals: [arn:aws:sts::123456789012:assumed-role/ci/s]\n"
            "  prefixes: ['*']\n",
            [
                (
                    "PTC503",
                    12,
                    "'arn:aws:sts::123456789012:assumed-role/ci/s' is not an account ID "
                    "or an IAM root, role or user ARN",
                )
            ],
        ),
        (
            "everyone",
            "- sid: Ci\n  principals: ['*']\n  prefixes: ['*']\n",
            [("PTC504", 12, "'*' grants pull-through cache to every AWS principal")],
        ),
        (
            "replication action",
            "- sid: Ci\n  principals: ['123456789012']\n  prefixes: ['*']\n"
            "  actions: [ecr:ReplicateImage]\n",
            [
                (
                    "PTC505",
                    14,
                    "ecr:ReplicateImage belongs to replication, not to pull-through cache",
                )
            ],
        ),
        (
            "rule in another region only",
            "- sid: Ci\n  principals: ['123456789012']\n  prefixes: [quay]\n",
            [("PTC506", 13, "no rule has prefix 'quay' in eu-west-1")],
        ),
        (
            "no principals",
            "- sid: Ci\n  prefixes: ['*']\n",
            [("PTC507", 11, "permission 'Ci' has no 'principals' or 'organization'")],
        ),
        (
            "empty actions",
            "- sid: Ci\n  principals: ['123456789012']\n  prefixes: ['*']\n  actions: []\n",
            [("PTC507", 14, "'actions' is empty")],
        ),
        (
            "absent with prefixes",
            "- sid: Ci\n  absent: true\n  prefixes: ['*']\n",
            [("PTC508", 13, "'prefixes' has no meaning on an absent permission")],
        ),
        (
            "region outside the file",
            "- sid: Ci\n  absent: true\n  regions: [eu-north-1]\n",
            [("PTC509", 13, "region 'eu-north-1' is not in the file's regions")],
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and " " in value else "",
)
def test_each_check_names_the_problem(
    case: str, entry: str, expected: list[tuple[str, int, str]]
) -> None:
    indented = "".join(f"  {line}\n" for line in entry.splitlines())

    assert findings(indented) == expected, case


def test_the_same_sid_twice_in_one_region_is_refused_but_not_across_regions() -> None:
    found = findings("""\
      - sid: Ci
        principals: ['123456789012']
        prefixes: [quay]
        regions: [us-east-1]
      - sid: Ci
        principals: ['123456789012']
        prefixes: [docker-hub]
        regions: [eu-west-1]
      - sid: Ci
        absent: true
    """)

    assert found == [
        ("PTC502", 19, "the permission on line 11 already uses sid 'Ci' in us-east-1, eu-west-1")
    ]


def test_a_misspelt_action_gets_its_spelling_as_the_fix() -> None:
    text = HEAD + dedent("""\
      - sid: Ci
        principals: ['123456789012']
        prefixes: ['*']
        actions: [ecr:createrepository]
    """)

    [finding] = validate_text(text, "rules.yaml", Path(".")).findings

    assert (finding.check_id, finding.fix) == ("PTC505", "Write 'ecr:CreateRepository'.")


def test_an_unknown_key_in_a_permission_is_a_schema_finding_with_a_suggestion() -> None:
    found = findings("  - sid: Ci\n    principal: ['123456789012']\n    prefixes: ['*']\n")

    assert (
        "PTC006",
        12,
        "unknown key 'principal' in permissions[0]; did you mean 'principals'?",
    ) in (found)


def test_the_statements_of_one_region_must_fit_the_registry_policy() -> None:
    principals = "".join(
        f"      - arn:aws:iam::123456789012:role/runner-with-a-long-name-{n:04d}\n"
        for n in range(200)
    )
    found = findings(f"  - sid: Ci\n    prefixes: ['*']\n    principals:\n{principals}")

    assert [(f[0], f[1]) for f in found] == [("PTC510", 11), ("PTC510", 11)]
    assert found[0][2].startswith("the statements for eu-west-1 take ")


def test_an_entry_with_a_refused_key_is_still_checked() -> None:
    found = findings("  - just a string\n  - sid: Not-Ok\n    absent: true\n    extra: 1\n")

    assert [(f[0], f[1]) for f in found] == [("PTC007", 11), ("PTC501", 12), ("PTC006", 14)]

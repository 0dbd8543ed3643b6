"""The checks of `accounts:` and of the placeholders (PTC801-PTC812), messages exact.

Where each check points is held by the bad fixtures (tests/fixtures/configs/bad/PTC7*).
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from ptc.checks.runner import validate_text

SECRET = "{account}:secret:ecr-pullthroughcache/hub-AbCdEf"


def findings(text: str) -> list[tuple[str, int, str]]:
    result = validate_text(dedent(text), "rules.yaml", Path("."))
    return [(f.check_id, f.line, f.message) for f in result.findings]


def test_placeholders_in_every_arn_field_are_clean_with_or_without_account() -> None:
    body = """\
        regions: [us-east-1, eu-west-1]
        rules:
          - prefix: central
            upstream: 444444444444.dkr.ecr.us-east-1.amazonaws.com
            role: arn:aws:iam::{account}:role/ecr-pull
          - prefix: docker-hub
            upstream: registry-1.docker.io
            credentials: SECRET
        templates:
          - prefix: central
            applied_for: [PULL_THROUGH_CACHE]
            encryption: {type: KMS, kms_key: "arn:aws:kms:{region}:{account}:key/abcd-1234"}
            role: arn:aws:iam::{account}:role/ecr-template
        permissions:
          - sid: Own
            principals: ["{account}", "arn:aws:iam::{account}:root"]
            prefixes: [central]
    """

    body = dedent(body).replace("SECRET", f"arn:aws:secretsmanager:{{region}}:{SECRET}")
    assert findings("version: 1\n" + body) == []
    assert findings('version: 1\naccount: "111111111111"\n' + body) == []


def test_a_literal_secret_region_is_still_checked_against_each_region() -> None:
    found = findings(f"""\
        version: 1
        regions: [us-east-1, eu-west-1]
        rules:
          - prefix: docker-hub
            upstream: registry-1.docker.io
            credentials: arn:aws:secretsmanager:us-east-1:{SECRET}
    """)

    assert found == [("PTC303", 6, "the secret is in us-east-1, but the rule applies to eu-west-1")]


def test_accounts_findings() -> None:
    found = findings("""\
        version: 1
        accounts:
          role: arn:aws:iam::{account}:role/{region}
          ids: ["111111111111", "111111111111", "12345"]
          organization_units: [ou-AB12-34cd5678]
          exclude: ["999999999999"]
        regions: [us-east-1]
    """)

    assert found == [
        ("PTC809", 3, "{region} is not filled in here: a role is assumed once per account"),
        ("PTC808", 4, "'111111111111' is listed twice"),
        ("PTC802", 4, "'12345' is not a 12-digit AWS account ID"),
        ("PTC803", 5, "'ou-AB12-34cd5678' is not an organizational unit ID"),
    ]


def test_exclude_not_listed_is_a_warning_only_without_organization_units() -> None:
    text = """\
        version: 1
        accounts:
          role: arn:aws:iam::{account}:role/ptc
          ids: ["111111111111"]
          exclude: ["222222222222"]
        regions: [us-east-1]
    """
    with_ou = text.replace("ids:", "organization_units: [ou-ab12-34cd5678]\n          ids:")

    assert findings(text) == [("PTC807", 5, "account 222222222222 is not in 'ids'")]
    assert findings(with_ou) == []


def test_account_and_accounts_together() -> None:
    found = findings("""\
        version: 1
        account: "111111111111"
        accounts:
          role: arn:aws:iam::{account}:role/ptc
          ids: ["111111111111"]
        regions: [us-east-1]
    """)

    assert found == [("PTC801", 3, "'account' and 'accounts' are mutually exclusive")]

"""The placeholder grammar: what is filled in, what is unknown, what was meant."""

from __future__ import annotations

import pytest

from ptc.domain import substitution


def test_fill_replaces_only_the_placeholders_given_a_value() -> None:
    text = "arn:aws:kms:{region}:{account}:key/{region}"

    assert substitution.fill(text, account="111111111111") == (
        "arn:aws:kms:{region}:111111111111:key/{region}"
    )
    assert substitution.fill(text, account="111111111111", region="eu-west-1") == (
        "arn:aws:kms:eu-west-1:111111111111:key/eu-west-1"
    )


@pytest.mark.parametrize(
    ("text", "allowed", "unknown"),
    [
        pytest.param("arn:aws:iam::{account}:role/{region}", ("account", "region"), [], id="known"),
        pytest.param("arn:aws:iam::{region}:role/x", ("account",), ["{region}"], id="not here"),
        pytest.param(
            "arn:aws:iam::{Account}:role/{}", ("account",), ["{Account}", "{}"], id="typo"
        ),
    ],
)
def test_unknown_lists_what_is_not_allowed(
    text: str, allowed: tuple[str, ...], unknown: list[str]
) -> None:
    assert substitution.unknown(text, allowed) == unknown


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("{acount}", "{account}"),
        ("{account_id}", "{account}"),
        ("{Region}", "{region}"),
        ("{x}", None),
    ],
)
def test_suggestion(typo: str, meant: str | None) -> None:
    assert substitution.suggestion(typo) == meant


def test_field_of_reads_list_indexes_as_any() -> None:
    assert substitution.field_of(("permissions", 3, "principals", 0)) in substitution.FIELDS
    assert substitution.field_of(("rules", 0, "upstream")) not in substitution.FIELDS

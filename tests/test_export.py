"""Exports of several accounts compared and combined (ptc.export.combine): data in, data out."""

from __future__ import annotations

from typing import Any

import pytest

from ptc.export import Difference, Variant, combine, generalize

A, B, C = "111111111111", "222222222222", "333333333333"
CENTRAL = "444444444444"
KMS = "arn:aws:kms:us-east-1"
ACCOUNTS = {"role": "arn:aws:iam::{account}:role/ptc-deployer", "ids": [A, B, C]}


def _export(account: str, **changes: Any) -> dict[str, Any]:
    """What export_live gives for an account holding the usual rule, template and grant."""
    document: dict[str, Any] = {
        "version": 1,
        "account": account,
        "regions": ["us-east-1", "eu-west-1"],
        "rules": [
            {"prefix": "quay", "upstream": "quay.io"},
            {
                "prefix": "central",
                "upstream": f"{CENTRAL}.dkr.ecr.us-east-1.amazonaws.com",
                "role": f"arn:aws:iam::{account}:role/ecr-pull",
            },
        ],
        "templates": [
            {
                "prefix": "central",
                "applied_for": ["PULL_THROUGH_CACHE"],
                "image_tag_mutability": "MUTABLE",
                "encryption": {"type": "KMS", "kms_key": f"{KMS}:{account}:alias/ecr"},
                "role": f"arn:aws:iam::{account}:role/ecr-template",
            }
        ],
        "permissions": [
            {
                "sid": "Builds",
                "principals": [account, f"arn:aws:iam::{CENTRAL}:role/ci"],
                "prefixes": ["quay"],
            }
        ],
    }
    document.update(changes)
    return document


def test_an_accounts_own_id_becomes_the_placeholder_where_the_file_fills_it_in() -> None:
    body = generalize(_export(A), A)

    assert "account" not in body
    assert body["rules"][1]["role"] == "arn:aws:iam::{account}:role/ecr-pull"
    # the upstream is no field the file fills in: the central registry stays itself
    assert body["rules"][1]["upstream"] == f"{CENTRAL}.dkr.ecr.us-east-1.amazonaws.com"
    template = body["templates"][0]
    assert template["role"] == "arn:aws:iam::{account}:role/ecr-template"
    assert template["encryption"]["kms_key"] == "arn:aws:kms:us-east-1:{account}:alias/ecr"
    assert body["permissions"][0]["principals"] == ["{account}", f"arn:aws:iam::{CENTRAL}:role/ci"]


def test_accounts_that_agree_make_one_file_with_accounts() -> None:
    combined = combine({a: _export(a) for a in (A, B, C)}, ACCOUNTS)

    assert combined.differences == []
    assert combined.document is not None
    assert list(combined.document) == [
        "version", "accounts", "regions", "rules", "templates", "permissions"
    ]  # fmt: skip
    assert combined.document["accounts"] == ACCOUNTS
    assert combined.document["rules"] == generalize(_export(A), A)["rules"]


def test_a_rule_one_account_lacks_is_named_with_the_accounts() -> None:
    lacking = _export(C, rules=_export(C)["rules"][1:])

    combined = combine({A: _export(A), B: _export(B), C: lacking}, ACCOUNTS)

    assert combined.document is None
    assert [d.message() for d in combined.differences] == [f"rule 'quay': not in {C} (in {A}, {B})"]


def test_a_changed_item_names_its_fields_and_an_extra_one_its_accounts() -> None:
    changed = _export(B)
    changed["templates"][0]["image_tag_mutability"] = "IMMUTABLE"
    changed["rules"].append({"prefix": "ghcr", "upstream": "ghcr.io"})

    combined = combine({A: _export(A), B: changed, C: _export(C)}, ACCOUNTS)

    assert [d.message() for d in combined.differences] == [
        f"rule 'ghcr': only in {B}",
        f"template 'central': {B} differs from {A}, {C} in image_tag_mutability",
    ]


def test_a_role_of_another_account_than_its_own_differs() -> None:
    # Account B's rule uses A's role: no placeholder can say that for every account.
    borrowed = _export(B)
    borrowed["rules"][1]["role"] = f"arn:aws:iam::{A}:role/ecr-pull"

    combined = combine({A: _export(A), B: borrowed}, ACCOUNTS)

    assert [d.message() for d in combined.differences] == [
        f"rule 'central': {B} differs from {A} in role"
    ]


def test_an_item_in_other_regions_says_so() -> None:
    narrowed = _export(B)
    narrowed["rules"][0] = {**narrowed["rules"][0], "regions": ["us-east-1"]}
    split = _export(A)
    # the same rule, once per region with the same content: only its grouping differs
    split["rules"][0:1] = [
        {"prefix": "quay", "upstream": "quay.io", "regions": ["us-east-1"]},
        {"prefix": "quay", "upstream": "quay.io", "regions": ["eu-west-1"]},
    ]

    assert combine({A: _export(A), B: narrowed}, ACCOUNTS).differences[0].message() == (
        f"rule 'quay': {B} differs from {A} in regions"
    )
    assert combine({A: split, C: _export(C)}, ACCOUNTS).differences[0].message() == (
        f"rule 'quay': {C} differs from {A} in regions"
    )


def test_different_regions_and_long_account_lists() -> None:
    many = [f"1000000000{i:02d}" for i in range(8)]
    exports = {a: _export(a) for a in many}
    exports[many[-1]] = _export(many[-1], regions=["us-east-1"])

    combined = combine(exports, {**ACCOUNTS, "ids": many})

    first = ", ".join(many[:5])
    assert [d.message() for d in combined.differences] == [
        f"regions: {many[-1]} differs from {first} and 2 more"
    ]


def test_a_top_level_entry_some_accounts_lack() -> None:
    bare = _export(B)
    del bare["permissions"]
    del bare["regions"]

    messages = [d.message() for d in combine({A: _export(A), B: bare}, ACCOUNTS).differences]

    assert messages == [
        f"regions: not in {B} (in {A})",
        f"permission 'Builds': not in {B} (in {A})",
    ]


@pytest.mark.parametrize("exports", [{}, {A: {"version": 1, "account": A, "regions": []}}])
def test_nothing_or_one_empty_account(exports: dict[str, Any]) -> None:
    combined = combine(exports, ACCOUNTS)
    if exports:
        assert combined.document == {"version": 1, "accounts": ACCOUNTS, "regions": []}
    else:
        assert combined == combine({}, {})
        assert combined.document is None and combined.differences == []


def test_messages_of_variants_built_by_hand() -> None:
    quay = {"prefix": "quay"}
    lacking = Difference("rules", "quay", (Variant((A, B), (quay,)), Variant((C,), ())))
    twice = Difference("rules", "quay", (Variant((A,), (quay,)), Variant((B, C), (quay, quay))))

    assert lacking.message() == f"rule 'quay': not in {C} (in {A}, {B})"
    assert twice.message() == f"rule 'quay': {B}, {C} differ from {A} in how often they hold it"

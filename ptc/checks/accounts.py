"""Checks of `accounts:` (one file, many accounts) and of the `{account}`/`{region}` substitution.

The facts: an account ID is 12 digits; an OU ID is `ou-` then 4-32 characters of the root's
ID, `-`, and 8-32 more (AWS Organizations' OrganizationalUnitId pattern); the role ptc
assumes is an IAM role ARN, and it must name each target's own account (`{account}`), or
every target would be reached through one account's role. ECR wants a rule's or template's
role, and a rule's secret, in the registry's own account (PTC212, PTC304): in a file for
several accounts a literal account there is right for one target at most.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ptc.checks.base import Check, Context, Problem, Severity
from ptc.config.loader import DataPath
from ptc.config.models import Accounts
from ptc.domain import arns, catalog, substitution
from ptc.domain.substitution import ACCOUNT, FIELDS, ROLE_FIELD

_ROLE: DataPath = ("accounts", "role")


def _accounts(ctx: Context) -> Accounts | None:
    accounts = ctx.file.accounts
    return accounts if isinstance(accounts, Accounts) else None


class AccountAndAccounts(Check):
    id = "PTC801"
    summary = "The file has both 'account' and 'accounts'"
    fix = "Keep 'account' for one account, or 'accounts' for several; not both."

    def check(self, ctx: Context) -> Iterator[Problem]:
        data = ctx.document.data
        if data.get("account") is not None and data.get("accounts") is not None:
            yield Problem(
                ("accounts",), "'account' and 'accounts' are mutually exclusive", at_key=True
            )


class TargetAccountInvalid(Check):
    id = "PTC802"
    summary = "An account ID under 'accounts' is not 12 digits"
    fix = 'Write each account ID as 12 digits in quotes, e.g. "123456789012".'

    def check(self, ctx: Context) -> Iterator[Problem]:
        accounts = _accounts(ctx)
        if accounts is None:
            return
        for name in ("ids", "exclude"):
            for index, value in enumerate(getattr(accounts, name)):
                if not arns.ACCOUNT_PATTERN.fullmatch(value):
                    yield Problem(
                        ("accounts", name, index),
                        f"'{value}' is not a 12-digit AWS account ID",
                    )


class OrganizationUnitInvalid(Check):
    id = "PTC803"
    summary = "An organizational unit ID that does not match AWS Organizations' pattern"
    fix = (
        "Give the OU's ID (ou-<4-32 characters>-<8-32 characters>, e.g. ou-ab12-34cd5678), "
        "as 'aws organizations list-organizational-units-for-parent' shows it, not its name."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        accounts = _accounts(ctx)
        for index, value in enumerate(accounts.organization_units if accounts else []):
            if not catalog.OU_PATTERN.fullmatch(value):
                yield Problem(
                    ("accounts", "organization_units", index),
                    f"'{value}' is not an organizational unit ID",
                )


class AssumeRoleInvalid(Check):
    id = "PTC804"
    summary = "The role under 'accounts' does not make an IAM role ARN"
    fix = "Write arn:aws:iam::{account}:role/<name>; ptc fills in each target account's ID."

    def check(self, ctx: Context) -> Iterator[Problem]:
        accounts = _accounts(ctx)
        if accounts is None or substitution.unknown(accounts.role, ("account",)):
            return  # PTC809/PTC810 name the stray placeholder
        role = substitution.fill(accounts.role, account=substitution.SAMPLE_ACCOUNT)
        if not arns.ROLE_ARN_PATTERN.fullmatch(role) or len(role) > catalog.CUSTOM_ROLE_ARN_MAX:
            yield Problem(_ROLE, f"'{accounts.role}' is not an IAM role ARN")


class AssumeRoleFixedAccount(Check):
    id = "PTC805"
    summary = "The role under 'accounts' names one account instead of {account}"
    fix = "Write the account part of the role as {account}: arn:aws:iam::{account}:role/<name>."

    def check(self, ctx: Context) -> Iterator[Problem]:
        accounts = _accounts(ctx)
        match = arns.ROLE_ARN_PATTERN.fullmatch(accounts.role) if accounts else None
        if match is not None:
            yield Problem(
                _ROLE,
                f"the role is in account {match['account']}: every target would be "
                "reached through that account's role",
            )


class NoTargetAccounts(Check):
    id = "PTC806"
    summary = "'accounts' lists neither account IDs nor organizational units"
    fix = "Add 'ids: [\"123456789012\", ...]' and/or 'organization_units: [ou-...]'."

    def check(self, ctx: Context) -> Iterator[Problem]:
        accounts = _accounts(ctx)
        if accounts is not None and not accounts.ids and not accounts.organization_units:
            yield Problem(
                ("accounts",), "'accounts' names no account to apply the file to", at_key=True
            )


class ExcludeNotListed(Check):
    id = "PTC807"
    severity = Severity.WARNING
    summary = "'exclude' names an account that 'ids' does not list (and no OU could hold it)"
    fix = "Remove it from 'exclude', or correct the ID (a typo excludes nothing)."

    def check(self, ctx: Context) -> Iterator[Problem]:
        accounts = _accounts(ctx)
        # Under an OU any account may turn up; only Organizations can tell, so validate
        # (offline) says nothing then.
        if accounts is None or accounts.organization_units:
            return
        for index, value in enumerate(accounts.exclude):
            if arns.ACCOUNT_PATTERN.fullmatch(value) and value not in accounts.ids:
                yield Problem(("accounts", "exclude", index), f"account {value} is not in 'ids'")


class AccountListedTwice(Check):
    id = "PTC808"
    severity = Severity.WARNING
    summary = "An account or OU is listed twice, or both listed and excluded"
    fix = "List each account and OU once; an excluded account is left out whatever lists it."

    def check(self, ctx: Context) -> Iterator[Problem]:
        accounts = _accounts(ctx)
        if accounts is None:
            return
        for name in ("ids", "organization_units", "exclude"):
            seen: set[str] = set()
            for index, value in enumerate(getattr(accounts, name)):
                if value in seen:
                    yield Problem(("accounts", name, index), f"'{value}' is listed twice")
                seen.add(value)
        for index, value in enumerate(accounts.ids):
            if value in accounts.exclude:
                yield Problem(
                    ("accounts", "ids", index),
                    f"account {value} is also in 'exclude', which wins: it is not a target",
                )


def _strings(value: Any, path: DataPath) -> Iterator[tuple[DataPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


class PlaceholderNotFilled(Check):
    id = "PTC809"
    summary = "{account} or {region} where ptc does not fill it in"
    fix = (
        "Use placeholders only in the ARNs of rules (role, credentials), templates (role, "
        "encryption.kms_key), secrets (kms_key) and permission principals; {account} only "
        "in accounts.role."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, text in _strings(ctx.document.data, ()):
            field = substitution.field_of(path)
            if field in FIELDS:
                continue
            role = field == ROLE_FIELD
            for name in substitution.NAMES:
                token = "{" + name + "}"
                if token in text and not (role and name == "account"):
                    why = "a role is assumed once per account" if role else "only ARNs take it"
                    yield Problem(path, f"{token} is not filled in here: {why}")


class UnknownPlaceholder(Check):
    id = "PTC810"
    summary = "A placeholder other than {account} and {region} in an ARN"
    fix = "ptc fills in {account} (the target account's ID) and {region} (the region)."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, text in _strings(ctx.document.data, ()):
            field = substitution.field_of(path)
            if field not in FIELDS and field != ROLE_FIELD:
                continue
            for token in substitution.unknown(text):
                close = substitution.suggestion(token)
                hint = f"; did you mean {close}?" if close else ""
                yield Problem(path, f"unknown placeholder {token}{hint}")


def _account_bound(ctx: Context) -> Iterator[tuple[DataPath, str, str]]:
    """(path, ARN, what) of every ARN ECR wants in the registry's own account."""
    for path, rule in ctx.rules:
        for name in ("role", "credentials"):
            value = getattr(rule, name)
            if value:
                yield (*path, name), value, "the rule's " + ("role" if name == "role" else "secret")
    for path, template in ctx.templates:
        if template.role:
            yield (*path, "role"), template.role, "the template's role"


def _fixed_account(value: str) -> str | None:
    arn = arns.parse_arn(value)
    if arn is None or arn.account == ACCOUNT or not arns.ACCOUNT_PATTERN.fullmatch(arn.account):
        return None
    return arn.account


class FixedAccountArn(Check):
    id = "PTC811"
    summary = "With 'accounts', a role or secret ARN names one account instead of {account}"
    fix = (
        "Write the account part as {account} (arn:aws:iam::{account}:role/<name>): ECR "
        "requires the role and the secret in the registry's own account, in every target."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        if _accounts(ctx) is None:
            return
        for path, value, what in _account_bound(ctx):
            account = _fixed_account(value)
            if account is not None:
                yield Problem(
                    path, f"{what} is in account {account}, which every other target is not"
                )


class FixedAccountKmsKey(Check):
    id = "PTC812"
    severity = Severity.WARNING
    summary = "With 'accounts', a KMS key ARN names one account instead of {account}"
    fix = (
        "Write the account part as {account} for a key in each target account; keep the "
        "literal account only for one shared key whose policy lets every target use it."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        if _accounts(ctx) is None:
            return
        keys: list[tuple[DataPath, str | None]] = [
            ((*p, "encryption", "kms_key"), t.encryption.kms_key if t.encryption else None)
            for p, t in ctx.templates
        ]
        keys += [((*p, "kms_key"), s.kms_key) for p, s in ctx.secrets]
        for path, key in keys:
            account = _fixed_account(key or "")
            if account is not None:
                yield Problem(path, f"the KMS key is in account {account} for every target")


CHECKS = (
    AccountAndAccounts,
    TargetAccountInvalid,
    OrganizationUnitInvalid,
    AssumeRoleInvalid,
    AssumeRoleFixedAccount,
    NoTargetAccounts,
    ExcludeNotListed,
    AccountListedTwice,
    PlaceholderNotFilled,
    UnknownPlaceholder,
    FixedAccountArn,
    FixedAccountKmsKey,
)

"""The one guard every AWS-facing command runs first: the credentials' account is the file's.

It compares two account ids and names the identity when they differ: domain logic over
data that checks (validate --online), plan and status all run, and none of them may
import another, so it sits here at the bottom. The source is a protocol: the botocore
gateways implement it, test fakes too.
"""

from __future__ import annotations

from typing import Protocol

from ptc.errors import PtcError


class AccountMismatch(PtcError):
    """The credentials are for another account than the file names."""


class AccountSource(Protocol):
    def account_id(self) -> str: ...

    def caller_arn(self) -> str | None:
        """The identity `account_id` asked about (STS's Arn), once it has asked."""
        ...


def check_account(expected: str | None, source: AccountSource) -> str:
    """The credentials' account (STS); refused when the file names another."""
    account = source.account_id()
    if expected is not None and expected != account:
        # Naming the identity tells which profile, role or environment variable to fix.
        arn = source.caller_arn()
        whose = f"the credentials of {arn}" if arn else "the credentials"
        raise AccountMismatch(
            f"the file is for account {expected}, but {whose} are for {account}; "
            "refusing to continue"
        )
    return account

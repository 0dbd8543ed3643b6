"""Status as one function over a reader: account check, scope, read, attribute, compare."""

from __future__ import annotations

from typing import Protocol

from ptc.domain.account import check_account
from ptc.plan.desired import DesiredState, with_account
from ptc.status.drift import build_report
from ptc.status.match import InScope, region_scopes
from ptc.status.models import RepositoryFacts, StatusReport


class StatusReader(Protocol):
    """The reads status needs; ptc.aws.repositories.RepositoryGateway implements them."""

    def account_id(self) -> str: ...
    def caller_arn(self) -> str | None: ...
    def live_rule_prefixes(self) -> dict[str, list[str]]: ...
    def read(self, in_scope: InScope) -> list[RepositoryFacts]: ...


def read_status(desired: DesiredState, reader: StatusReader) -> StatusReport:
    """Every repository the file's rules created in its regions, with its drift."""
    account = check_account(desired.account, reader)
    desired = with_account(desired, account)  # a file without `account:` may use {account}
    scopes = region_scopes(desired.regions, desired.rules, reader.live_rule_prefixes())
    by_region = {scope.region: scope for scope in scopes}

    def in_scope(region: str, name: str) -> bool:
        return by_region[region].rule_for(name) is not None

    facts = reader.read(in_scope)
    return build_report(account, scopes, desired.templates, facts)

"""AWS Organizations in the sandbox: saved and restored, and made from a one-line outline.

moto keeps an organisation in its management account's backend (organizations_backends[account]
["aws"]) and maps each member account to it (organizations_backends.master_accounts), so a
member asking DescribeOrganization gets its organisation. The state keeps each organisation's
ids, OUs and accounts (with their OU, name, email and status) exactly, because a ptc file names
OUs by id. Policies other than the two AWS-managed defaults, tags and delegated
administrators are not kept (ptc reads none of them).

seed() builds what `accounts: organization_units:` needs to be tried in the embedded sandbox,
which no other client can reach: OUs with the ids the user picks (nested as `PARENT/CHILD`)
holding the accounts the user names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from moto.organizations.models import (
    FakeAccount,
    FakeOrganizationalUnit,
    OrganizationsBackend,
    organizations_backends,
)

from ptc.errors import UsageError
from ptc.sandbox import DEFAULT_REGION

# AWS Organizations has one endpoint, in us-east-1: the sandbox's default region.
_HOME: Final = DEFAULT_REGION

_PARTITION: Final = "aws"
# The Organizations API's patterns (OrganizationalUnitId, AccountId).
_OU_ID: Final = re.compile(r"ou-([0-9a-z]{4,32})-[a-z0-9]{8,32}")
_ACCOUNT_ID: Final = re.compile(r"\d{12}")


# -- saved state ----------------------------------------------------------------------------------


def snapshot() -> dict[str, dict[str, Any]]:
    """{management account: organisation} for every organisation the sandbox holds."""
    saved: dict[str, dict[str, Any]] = {}
    for account, partitions in dict.items(organizations_backends):
        backend = dict.get(partitions, _PARTITION)
        if backend is not None and backend.org is not None:
            saved[account] = _organization(backend)
    return saved


def _organization(backend: OrganizationsBackend) -> dict[str, Any]:
    org = backend.org
    assert org is not None
    return {
        "id": org.id,
        "rootId": org.root_id,
        "featureSet": org.feature_set,
        "masterAccountEmail": org.master_account_email,
        "organizationalUnits": [
            {"id": ou.id, "name": ou.name, "parentId": ou.parent_id}
            for ou in backend.ou
            if ou.type == "ORGANIZATIONAL_UNIT"
        ],
        "accounts": [_account(a) for a in backend.accounts],
    }


def _account(account: FakeAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "email": account.email,
        "parentId": account.parent_id,
        "status": account.status,
        "joinedMethod": account.joined_method,
        "createdAt": account.create_time.isoformat(),
    }


def restore(saved: dict[str, dict[str, Any]]) -> None:
    for account, organization in saved.items():
        backend = organizations_backends[account][_PARTITION]
        if backend.org is None:
            _restore(backend, organization)


def _restore(backend: OrganizationsBackend, saved: dict[str, Any]) -> None:
    backend.create_organization(region=_HOME, FeatureSet=saved.get("featureSet"))
    org = backend.org
    assert org is not None
    org.id, org.master_account_email = saved["id"], saved["masterAccountEmail"]
    _set_root(backend, saved["rootId"])
    for ou in saved.get("organizationalUnits", []):
        _add_ou(backend, ou["id"], ou["name"], ou["parentId"])
    for record in saved.get("accounts", []):
        account = _add_account(backend, record["id"], record["name"], record["email"])
        account.parent_id = record["parentId"]
        account.status = account.state = record["status"]
        account.joined_method = record["joinedMethod"]
        account.create_time = datetime.fromisoformat(record["createdAt"])


def _set_root(backend: OrganizationsBackend, root_id: str) -> None:
    org = backend.org
    assert org is not None
    items: list[Any] = [*backend.ou, *backend.accounts]
    for item in items:
        if item.type == "ROOT":
            item.id = root_id
        item.organization_id = org.id
        if item.parent_id == org.root_id:
            item.parent_id = root_id
    org.root_id = root_id


def _add_ou(backend: OrganizationsBackend, ou_id: str, name: str, parent: str) -> None:
    backend.create_organizational_unit(Name=name, ParentId=parent)
    backend.ou[-1].id = ou_id


def _add_account(backend: OrganizationsBackend, account_id: str, name: str, email: str) -> Any:
    """The account in the organisation, with this id (moto would pick one at random)."""
    found = next((a for a in backend.accounts if a.id == account_id), None)
    if found is not None:
        return found
    status = backend.create_account(AccountName=name, Email=email)["CreateAccountStatus"]
    account = backend.get_account_by_id(status["AccountId"])
    organizations_backends.master_accounts.pop(account.id, None)
    account.id = account_id
    organizations_backends.master_accounts[account_id] = (backend.account_id, _PARTITION)
    return account


# -- seeding -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """`ou-a/ou-b=111111111111,222222222222`: accounts in OU ou-b, itself under ou-a."""

    path: tuple[str, ...]
    accounts: tuple[str, ...]


def parse_placement(text: str) -> Placement:
    """One `OU[/OU...]=ACCOUNT[,ACCOUNT...]`; raises UsageError saying what is wrong."""
    where, sep, listed = text.partition("=")
    path = tuple(where.split("/"))
    accounts = tuple(a.strip() for a in listed.split(",") if a.strip())
    if not sep or not accounts:
        raise UsageError(f"{text!r}: expected OU=ACCOUNT[,ACCOUNT...]")
    for ou in path:
        if not _OU_ID.fullmatch(ou):
            raise UsageError(
                f"{text!r}: {ou!r} is not an OU id (ou- then 4 to 32 lower-case letters or "
                "digits, -, 8 to 32 more; e.g. ou-ab12-34cd5678)"
            )
    for account in accounts:
        if not _ACCOUNT_ID.fullmatch(account):
            raise UsageError(f"{text!r}: {account!r} is not an account id (12 digits)")
    return Placement(path, accounts)


@dataclass(frozen=True)
class Outline:
    """An organisation as seed() leaves it: ids, and each OU path with its accounts."""

    id: str
    management_account: str
    root_id: str
    units: tuple[tuple[str, tuple[str, ...]], ...]  # ("ou-a/ou-b", (account, ...))


def seed(management_account: str, placements: Iterable[Placement]) -> Outline:
    """Make the organisation (if there is none), its OUs and accounts; move accounts named.

    What exists already is kept: running it twice with the same placements changes nothing.
    """
    placements = list(placements)
    backend = organizations_backends[management_account][_PARTITION]
    if backend.org is None:
        backend.create_organization(region=_HOME, FeatureSet="ALL")
        if placements:  # the root's id is part of every OU id: take it from the first
            root = _OU_ID.fullmatch(placements[0].path[0])
            assert root is not None
            _set_root(backend, f"r-{root.group(1)}")
    for placement in placements:
        parent = _ensure_path(backend, placement.path)
        for account_id in placement.accounts:
            if account_id == management_account:
                raise UsageError(f"{account_id} is the management account: it stays under the root")
            account = _add_account(
                backend, account_id, f"account-{account_id}", f"{account_id}@example.com"
            )
            account.parent_id = parent
    return outline(backend)


def _ensure_path(backend: OrganizationsBackend, path: tuple[str, ...]) -> str:
    org = backend.org
    assert org is not None
    parent = org.root_id
    for ou_id in path:
        existing = next((ou for ou in backend.ou if ou.id == ou_id), None)
        if existing is None:
            _add_ou(backend, ou_id, ou_id, parent)
        elif existing.parent_id != parent:
            raise UsageError(f"{ou_id} is already in the organisation under {existing.parent_id}")
        parent = ou_id
    return parent


def outline(backend: OrganizationsBackend) -> Outline:
    org = backend.org
    assert org is not None
    units = []
    for ou in backend.ou:
        if isinstance(ou, FakeOrganizationalUnit) and ou.type == "ORGANIZATIONAL_UNIT":
            members = tuple(a.id for a in backend.accounts if a.parent_id == ou.id)
            units.append(("/".join(_path(backend, ou.id)), members))
    return Outline(org.id, org.master_account_id, org.root_id, tuple(sorted(units)))


def _path(backend: OrganizationsBackend, ou_id: str) -> list[str]:
    """The OU ids from the root's child down to `ou_id`."""
    parents = {ou.id: ou.parent_id for ou in backend.ou if ou.type == "ORGANIZATIONAL_UNIT"}
    path = [ou_id]
    while (parent := parents.get(path[0])) in parents:
        path.insert(0, str(parent))
    return path

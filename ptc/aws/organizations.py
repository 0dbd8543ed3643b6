"""AWS Organizations reads for target resolution: the accounts and OUs under a parent.

Implements ptc.plan.targets.OrganizationReader with botocore's paginators. Organizations
answers these calls only in the management account or a delegated administrator, so an
access denial names the permissions and where to run (the credentials the role is assumed
from, not a target account's).
"""

from __future__ import annotations

from typing import Any, Final

from ptc.aws.clients import RETRY_CONFIG, Session, check_endpoint, paginate
from ptc.aws.errors import AwsError, translate
from ptc.errors import PtcError
from ptc.plan.targets import OrgAccount, TargetError

PERMISSIONS: Final = {
    "accounts_for_parent": ("organizations:ListAccountsForParent",),
    "units_for_parent": ("organizations:ListOrganizationalUnitsForParent",),
}
_NOT_FOUND: Final = ("ParentNotFoundException", "ChildNotFoundException")
_DENIED: Final = ("AccessDeniedException", "AWSOrganizationsNotInUseException")


class OrganizationsReader:
    """Lists an organisation's accounts and OUs; one client, made on first use."""

    def __init__(self, session: Session, region: str) -> None:
        self._session = session
        self._region = region  # any region of the partition: Organizations is global
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            with translate():
                self._client = self._session.client(
                    "organizations", region_name=self._region, config=RETRY_CONFIG
                )
            check_endpoint(self._client.meta.endpoint_url)
        return self._client

    def accounts_for_parent(self, parent_id: str) -> list[OrgAccount]:
        items = self._list("list_accounts_for_parent", "Accounts", parent_id)
        # `State` replaced `Status` in 2025; an older endpoint (or the sandbox) sends only Status.
        return [OrgAccount(str(a["Id"]), str(a.get("State") or a.get("Status"))) for a in items]

    def units_for_parent(self, parent_id: str) -> list[str]:
        items = self._list("list_organizational_units_for_parent", "OrganizationalUnits", parent_id)
        return [str(unit["Id"]) for unit in items]

    def _list(self, operation: str, key: str, parent_id: str) -> list[dict[str, Any]]:
        try:
            with translate():
                return paginate(self.client, operation, key, ParentId=parent_id)
        except AwsError as exc:
            raise _explained(exc, parent_id) from None


def _explained(exc: AwsError, parent_id: str) -> PtcError:
    if exc.code in _NOT_FOUND:
        return TargetError(f"organizational unit {parent_id} does not exist in the organization")
    if exc.code in _DENIED:
        return TargetError(
            f"cannot list the accounts under {parent_id}: {exc}; organization_units need "
            "organizations:ListAccountsForParent and "
            "organizations:ListOrganizationalUnitsForParent, in the management account or a "
            "delegated administrator"
        )
    return exc

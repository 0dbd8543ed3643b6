"""A session in another account: STS AssumeRole of the file's role, refreshed by botocore.

ptc runs with the caller's credentials (the management or a CI account) and works in each
target account through a role there (`accounts.role`, `{account}` filled in). botocore does
the work: AssumeRoleCredentialFetcher calls AssumeRole with the caller's credentials, and
RefreshableCredentials calls it again before the credentials expire, so a run longer than the
role's session (one hour by default) keeps going. ptc adds what botocore does not: a session
name that says ptc, the first AssumeRole made at once (so a role that cannot be assumed is
found before anything is planned), and errors that name the account.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Any, Final, Protocol

from botocore.credentials import AssumeRoleCredentialFetcher, RefreshableCredentials

from ptc.aws.account_clients import AccountSession, ThreadBoundCredentials, shared_clients
from ptc.aws.clients import RETRY_CONFIG, check_endpoint
from ptc.aws.errors import AwsError, translate

# STS's RoleSessionName: 2 to 64 characters of [\w+=,.@-] (the AssumeRole API reference).
SESSION_NAME_MAX: Final = 64
_NOT_IN_SESSION_NAME: Final = re.compile(r"[^\w+=,.@-]", re.ASCII)
_BASE_LOCK: Final = threading.Lock()
_STS_CLIENTS: Final = "_ptc_sts_clients"  # where a base session keeps its STS clients


class SourceSession(Protocol):
    """The caller's session: ptc's CoreSession, or boto3's in tests and the sandbox."""

    @property
    def region_name(self) -> str | None: ...

    @property
    def client(self) -> Callable[..., Any]: ...

    def get_credentials(self) -> Any: ...


class AssumeRoleError(AwsError):
    """The role of a target account could not be assumed; the message names the account."""

    def __init__(self, message: str, account: str, code: str | None = None) -> None:
        super().__init__(message, code)
        self.account = account


def session_name(command: str) -> str:
    """`ptc-<command>`, within STS's limits, so CloudTrail shows which ptc command acted."""
    return _NOT_IN_SESSION_NAME.sub("-", f"ptc-{command}")[:SESSION_NAME_MAX]


def assume_role_session(
    base: SourceSession,
    role_arn: str,
    *,
    account: str,
    name: str,
    external_id: str | None = None,
    duration_seconds: int | None = None,
) -> AccountSession:
    """A session acting as `role_arn` (in `account`), from the caller's `base` session.

    AssumeRole is called now, once; botocore calls it again whenever the credentials come
    within its refresh window. Raises AssumeRoleError naming the account when it fails.
    """
    source = base.get_credentials()
    if source is None:
        raise AssumeRoleError(
            f"account {account}: cannot assume {role_arn}: no usable AWS credentials to "
            "assume it with",
            account,
        )
    extra: dict[str, Any] = {"RoleSessionName": name}
    if external_id is not None:
        extra["ExternalId"] = external_id
    if duration_seconds is not None:
        extra["DurationSeconds"] = duration_seconds
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=_sts_creator(base),
        source_credentials=source,
        role_arn=role_arn,
        extra_args=extra,
    )
    refresh = _naming_account(fetcher.fetch_credentials, account, role_arn)
    credentials = RefreshableCredentials.create_from_metadata(
        metadata=refresh(), refresh_using=refresh, method=ThreadBoundCredentials.method
    )
    return AccountSession(shared_clients(base), credentials, base.region_name)


def _sts_creator(base: SourceSession) -> Callable[..., Any]:
    """STS clients of the caller's session (its endpoint, its region), retrying as ptc does.

    One client per set of source credentials, shared by every target assumed from them: a
    client costs milliseconds of CPU to make, once per account of a run otherwise.
    """
    clients: dict[tuple[Any, ...], Any] = getattr(base, _STS_CLIENTS, None) or {}
    try:
        setattr(base, _STS_CLIENTS, clients)
    except AttributeError:  # pragma: no cover - a session that takes no attributes
        pass

    def create(service: str, **credentials: Any) -> Any:
        key = (service, *sorted(credentials.items()))
        # Targets are assumed (and refreshed) from worker threads, and a botocore session
        # is not thread-safe; its clients are.
        with _BASE_LOCK:
            client = clients.get(key)
            if client is None:
                client = base.client(
                    service, region_name=base.region_name, config=RETRY_CONFIG, **credentials
                )
                clients[key] = client
        check_endpoint(client.meta.endpoint_url)
        return client

    return create


def _naming_account(
    fetch: Callable[[], dict[str, Any]], account: str, role_arn: str
) -> Callable[[], dict[str, Any]]:
    def fetch_naming_account() -> dict[str, Any]:
        try:
            with translate():
                return fetch()
        except AwsError as exc:
            raise AssumeRoleError(
                f"account {account}: cannot assume {role_arn}: {exc}", account, exc.code
            ) from None

    return fetch_naming_account


class _QuietRefreshFailure(logging.Filter):
    """botocore logs a failed refresh as a warning with its traceback; ptc reports it itself.

    A failure in the mandatory window is raised to the call (as an AssumeRoleError naming the
    account); one in the advisory window leaves the current credentials in use.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Refreshing temporary credentials failed")


logging.getLogger("botocore.credentials").addFilter(_QuietRefreshFailure())

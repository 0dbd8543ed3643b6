"""One botocore client per service and region for every target account of a run.

A run over many accounts used to make its own clients in each account: four per account
over two regions, each costing milliseconds of CPU (the client class, the endpoint
resolution, a copy of the event handlers), which made a 30-account plan CPU-bound on
making clients. What differs between accounts is only the credentials a request is signed
with, and botocore's signer asks its credentials object for them on every request
(`get_frozen_credentials`), in the thread making the call. So the clients here are made
once, from one session whose credentials are `ThreadBoundCredentials`: a stand-in that
answers with the credentials of the account the calling thread acts for. `AccountClient`
wraps a shared client for one account and binds that account's credentials around each
call, paginated pages included; a call outside any binding fails instead of signing with
whatever account came last, so no request can go out under another account's credentials.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, Final, cast

from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver

from ptc.aws.clients import CoreSession, builtin_events

# Calls in flight on one shared client: every account's at once, 32 a region each
# (ptc.aws.clients.MAX_POOL_CONNECTIONS) for up to 32 accounts (--max-concurrency); beyond
# its size urllib3 opens and drops connections. A pool keeps only connections it opened.
SHARED_POOL_CONNECTIONS: Final = 1024
_SHARED: Final = "_ptc_account_clients"  # where a base session keeps its SharedClients
_SHARED_LOCK: Final = threading.Lock()

_acting = threading.local()


class NoAccountBound(RuntimeError):
    """A shared client was called with no account's credentials bound to the thread."""


class ThreadBoundCredentials:
    """The credentials of the account the calling thread acts for (`acting_as`)."""

    method = "assume-role"  # what botocore's credentials carry; shared by every account

    def _current(self) -> Any:
        credentials = getattr(_acting, "credentials", None)
        if credentials is None:
            raise NoAccountBound("a call on a shared client outside any account's binding")
        return credentials

    def get_frozen_credentials(self) -> Any:
        return self._current().get_frozen_credentials()

    def get_deferred_property(self, name: str) -> Callable[[], Any]:
        # Read at endpoint resolution, inside the call: the bound account's value.
        return lambda: getattr(self._current(), name, None)


@contextmanager
def acting_as(credentials: Any) -> Iterator[None]:
    """Calls this thread makes on shared clients are signed with `credentials`."""
    previous = getattr(_acting, "credentials", None)
    _acting.credentials = credentials
    try:
        yield
    finally:
        _acting.credentials = previous


class _BoundProvider(CredentialProvider):
    METHOD = ThreadBoundCredentials.method
    CANONICAL_NAME = "AssumeRole"

    def load(self) -> ThreadBoundCredentials:
        return ThreadBoundCredentials()


class SharedClients:
    """The clients of every account assumed from one base session, by service and region."""

    def __init__(self, base_core: Any | None, region: str | None) -> None:
        profile = base_core.profile if base_core is not None else None
        session = CoreSession(profile, builtin_events=builtin_events())
        core = session.core
        if base_core is not None:
            # The base session's loader has the service models parsed already.
            core.register_component("data_loader", base_core.get_component("data_loader"))
        if region:
            core.set_config_variable("region", region)
        core.register_component("credential_provider", CredentialResolver([_BoundProvider()]))
        self._session = session
        self._clients: dict[tuple[str, str | None, Config | None], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str | None, config: Config | None) -> Any:
        key = (service, region, config)  # a Config hashes by identity
        with self._lock:  # a botocore session is not thread-safe; its clients are
            client = self._clients.get(key)
            if client is None:
                shared = Config(max_pool_connections=SHARED_POOL_CONNECTIONS)
                merged = config.merge(shared) if config is not None else shared
                retries: dict[str, Any] = dict(getattr(merged, "retries", None) or {})
                if retries.get("mode") in _ACCOUNT_RETRY_MODES:
                    # botocore's own handlers would keep one quota and rate for the client.
                    legacy = Config(retries=cast(Any, {**retries, "mode": "legacy"}))
                    client = self._session.client(
                        service, region_name=region, config=merged.merge(legacy)
                    )
                    _AccountRetries(client, retries)
                else:
                    client = self._session.client(service, region_name=region, config=merged)
                self._clients[key] = client
            return client


_ACCOUNT_RETRY_MODES: Final = ("standard", "adaptive")


class _AccountRetries:
    """botocore's retry handlers for a shared client, one set per account.

    botocore keeps its retry state per client: the retry quota (500, spent by every
    retried attempt) and, in adaptive mode, the sending rate measured from throttling.
    AWS throttles each account on its own, so a shared client's single state would let one
    throttled account spend every account's retries (their next throttle then fails the
    call) and slow them all down. The client is made in legacy mode, whose one stateless
    handler is removed here; each account gets the handlers botocore would have
    registered for `retries`, and the client's events call the bound account's.
    """

    def __init__(self, client: Any, retries: dict[str, Any]) -> None:
        self._client = client
        self._retries = retries
        self._lock = threading.Lock()
        self._by_account: dict[int, tuple[Any, list[Callable[..., Any]]]] = {}
        service = client.meta.service_model.service_id.hyphenize()
        events = client.meta.events
        events.unregister(f"needs-retry.{service}", unique_id=f"retry-config-{service}")
        for index, (event, _) in enumerate(self._registered()):
            events.register(event, self._dispatcher(index), unique_id=f"ptc-retries-{index}")

    def _registered(self) -> list[tuple[str, Callable[..., Any]]]:
        """The handlers botocore registers for the client's retry mode, in its order."""
        from botocore.retries import adaptive, standard

        registered: list[tuple[str, Callable[..., Any]]] = []
        recorder = SimpleNamespace(
            register=lambda event, handler, **_: registered.append((event, handler))
        )
        view: Any = SimpleNamespace(
            meta=SimpleNamespace(service_model=self._client.meta.service_model, events=recorder)
        )
        standard.register_retry_handler(view, self._retries.get("total_max_attempts"))
        if self._retries.get("mode") == "adaptive":
            adaptive.register_retry_handler(view)
        return registered

    def _dispatcher(self, index: int) -> Callable[..., Any]:
        def dispatch(**kwargs: Any) -> Any:
            return self._of_bound_account()[index](**kwargs)

        return dispatch

    def _of_bound_account(self) -> list[Callable[..., Any]]:
        credentials = getattr(_acting, "credentials", None)
        if credentials is None:  # pragma: no cover - signing failed before any retry
            raise NoAccountBound("a call on a shared client outside any account's binding")
        with self._lock:
            known = self._by_account.get(id(credentials))
            if known is None:
                # The credentials are kept with their handlers: their id is not reused.
                known = (credentials, [handler for _, handler in self._registered()])
                self._by_account[id(credentials)] = known
            return known[1]


def shared_clients(base: Any) -> SharedClients:
    """The SharedClients of the caller's session `base` (made on first use)."""
    with _SHARED_LOCK:
        shared: SharedClients | None = getattr(base, _SHARED, None)
        if shared is None:
            # boto3.Session (tests, the embedded sandbox) keeps its botocore one in `_session`.
            core = base.core if isinstance(base, CoreSession) else getattr(base, "_session", None)
            shared = SharedClients(core, base.region_name)
            setattr(base, _SHARED, shared)
        return shared


class AccountClient:
    """A shared client acting for one account: each call is signed with its credentials."""

    def __init__(self, client: Any, credentials: Any) -> None:
        self._client = client
        self._credentials = credentials

    @property
    def meta(self) -> Any:
        return self._client.meta

    @property
    def exceptions(self) -> Any:
        return self._client.exceptions

    def get_paginator(self, operation: str) -> _AccountPaginator:
        return _AccountPaginator(self._client.get_paginator(operation), self._credentials)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args: Any, **kwargs: Any) -> Any:
            with acting_as(self._credentials):
                return attribute(*args, **kwargs)

        return call


class _AccountPaginator:
    def __init__(self, paginator: Any, credentials: Any) -> None:
        self._paginator = paginator
        self._credentials = credentials

    def paginate(self, **kwargs: Any) -> Iterable[Any]:
        return _bound_pages(self._paginator.paginate(**kwargs), self._credentials)


def _bound_pages(pages: Iterable[Any], credentials: Any) -> Iterator[Any]:
    """The pages, each fetched under the account's credentials (botocore fetches a page
    when it is asked for, in the iterating thread)."""
    iterator = iter(pages)
    while True:
        with acting_as(credentials):
            try:
                page = next(iterator)
            except StopIteration:
                return
        yield page


class AccountSession:
    """The session of one assumed account: the base's region, the account's credentials,
    clients shared with every other account of the run."""

    def __init__(self, shared: SharedClients, credentials: Any, region: str | None) -> None:
        self._shared = shared
        self._credentials = credentials
        self._region = region

    @property
    def region_name(self) -> str | None:
        return self._region

    def client(
        self, service_name: str, region_name: str | None = None, config: Config | None = None
    ) -> AccountClient:
        shared = self._shared.client(service_name, region_name or self._region, config)
        return AccountClient(shared, self._credentials)

    def get_credentials(self) -> Any:
        return self._credentials

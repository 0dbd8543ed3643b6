"""The botocore clients of one account across regions, shared by every AWS-facing class.

One botocore session per command run, and no boto3: ptc needs only clients, and boto3 would
import s3transfer and its resource layer for nothing. Clients are made lazily, the first
time a region's read or write needs them, so that making one overlaps the calls already in
flight in other threads; a lock guards the session, which is not thread-safe, while the
clients themselves are. Every client retries throttling and 5xx answers with botocore's
adaptive mode, bounded. Importing this module also keeps secret values out of botocore's
DEBUG log, so no client can be made without that filter in place.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, Final, Protocol
from urllib.parse import urlsplit

import botocore.session
from botocore.config import Config
from botocore.loaders import Loader, instance_cache

from ptc.aws.errors import AwsError, require_json, translate
from ptc.domain import catalog

# Connections a client keeps: at least the calls apply and backfill have in flight per
# region (ptc.engine.executor.STEP_WORKERS), else urllib3 opens and discards the extra ones.
MAX_POOL_CONNECTIONS = 32

RETRY_CONFIG = Config(
    # total_max_attempts counts the first attempt; botocore's max_attempts would not.
    retries={"mode": "adaptive", "total_max_attempts": 5},
    max_pool_connections=MAX_POOL_CONNECTIONS,
    connect_timeout=5,
    read_timeout=30,
    user_agent_extra="ptc",
)


class _WithholdSecretValues(logging.Filter):
    """botocore's DEBUG log holds whole request and response bodies: never a secret's value."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "SecretString" in record.getMessage():
            record.msg, record.args = "(a message holding a secret value, withheld by ptc)", ()
        return True


# The two loggers that print bodies: requests (CreateSecret, UpdateSecret) and responses
# (GetSecretValue, BatchGetSecretValue). A filter on a logger sees only its own records.
for _name in ("botocore.endpoint", "botocore.parsers"):
    logging.getLogger(_name).addFilter(_WithholdSecretValues())


class Session(Protocol):
    """What ptc asks of a session; botocore's (below) and boto3's (tests, sandbox) both fit."""

    @property
    def region_name(self) -> str | None: ...

    @property
    def client(self) -> Callable[..., Any]: ...  # client(service, region_name=, config=)


class ModelLoader(Loader):
    """botocore's loader of service models, without a walk of every service to load one.

    Before it loads a model of type `service-2`, `endpoint-rule-set-1` or `paginators-1`,
    botocore's loader lists the services that have one: it opens each of the 400-odd
    service directories and looks for the file, once per type. That walk was the largest
    part of making the first client, while ptc only ever names services that exist. Here
    every directory in the search path is a potential service (one listing per search
    path); loading then finds the file or raises DataNotFoundError, as botocore does for a
    service missing the type (its UnknownServiceError is a DataNotFoundError).
    """

    @instance_cache
    def list_available_services(self, type_name: str) -> list[str]:
        services: set[str] = set()
        for path in self.search_paths:
            if os.path.isdir(path):
                # Models are directories; the data files beside them (endpoints.json) are not.
                services.update(name for name in os.listdir(path) if "." not in name)
        return sorted(services)


def _model_loader(data_path: str | None) -> ModelLoader:
    """As botocore.loaders.create_loader: AWS_DATA_PATH's directories come first."""
    paths = data_path.split(os.pathsep) if data_path else []
    return ModelLoader(
        extra_search_paths=[os.path.expanduser(os.path.expandvars(p)) for p in paths]
    )


_PRISTINE_LOCK: Final = threading.Lock()
_pristine: list[Any] = []  # botocore's built-in handlers, registered once, never used


def builtin_events() -> Any:
    """A copy of the event handlers botocore registers in every new session.

    Registering them (about 200, each event name parsed and aliased) is most of a new
    session's cost, and they are the same module functions in every session; a copy of
    registered ones is several times cheaper. None when botocore keeps them elsewhere than
    this version does: the caller then lets botocore register them.
    """
    with _PRISTINE_LOCK:
        if not _pristine:
            _pristine.append(getattr(botocore.session.Session(), "_original_handler", None))
    return copy.copy(_pristine[0]) if _pristine[0] is not None else None


class CoreSession:
    """A botocore session with the members of boto3.Session that ptc and its tools use."""

    def __init__(self, profile: str | None = None, *, builtin_events: Any = None) -> None:
        """`builtin_events`: a copy of botocore's own handlers (`builtin_events()`), for
        sessions made by the dozen (one per target account), sparing each registering them."""
        if builtin_events is None:
            self.core = botocore.session.Session(profile=profile)
        else:
            self.core = botocore.session.Session(
                profile=profile, event_hooks=builtin_events, include_builtin_handlers=False
            )
        core = self.core
        core.lazy_register_component(
            "data_loader", lambda: _model_loader(core.get_config_variable("data_path"))
        )

    @property
    def events(self) -> Any:
        """The event system every client of this session shares, as boto3.Session's."""
        return self.core.get_component("event_emitter")

    @property
    def region_name(self) -> str | None:
        region = self.core.get_config_variable("region")
        return str(region) if region else None

    def client(
        self,
        service_name: str,
        region_name: str | None = None,
        config: Config | None = None,
        **credentials: Any,  # aws_access_key_id=..., as boto3's: STS AssumeRole passes them
    ) -> Any:
        return self.core.create_client(
            service_name, region_name=region_name, config=config, **credentials
        )

    def get_credentials(self) -> Any:
        """The session's credentials (None when it has none), as boto3.Session's."""
        return self.core.get_credentials()


class _Lazy(Mapping[str, Any]):
    """region -> client, each made on first use (under the session's lock)."""

    def __init__(
        self, make: Callable[[str], Any], regions: list[str], lock: threading.RLock
    ) -> None:
        self._make = make
        self._regions = regions
        self._lock = lock
        self._made: dict[str, Any] = {}

    def __getitem__(self, region: str) -> Any:
        client = self._made.get(region)
        if client is not None:
            return client
        if region not in self._regions:
            raise KeyError(region)
        with self._lock:
            if region not in self._made:
                self._made[region] = self._make(region)
            return self._made[region]

    def __iter__(self) -> Iterator[str]:
        return iter(self._regions)

    def __len__(self) -> int:
        return len(self._regions)


class RegionalClients:
    """ECR (and, where `SECRETS` is set, Secrets Manager) per region, plus one STS client."""

    SECRETS: ClassVar[bool] = True

    def __init__(
        self, session: Session, regions: Iterable[str], config: Config = RETRY_CONFIG
    ) -> None:
        self.session = session
        self.regions = list(dict.fromkeys(regions))
        self._caller_arn: str | None = None  # known once account_id has asked STS
        self._config = config
        self._lock = threading.RLock()
        self._ecr = _Lazy(lambda r: self._make("ecr", r), self.regions, self._lock)
        sm_regions = self.regions if self.SECRETS else []
        self._sm = _Lazy(lambda r: self._make("secretsmanager", r), sm_regions, self._lock)
        self._sts_client: Any = None

    def _make(self, service: str, region: str) -> Any:
        with self._lock, translate(), _endpoint_errors():
            client = self.session.client(service, region_name=region, config=self._config)
        check_endpoint(client.meta.endpoint_url)
        if client.meta.service_model.protocol == "json":
            # Once per client: clients shared by accounts (account_clients) come here again.
            client.meta.events.register("before-parse", require_json, unique_id="require-json")
        return client

    @property
    def _sts(self) -> Any:
        with self._lock:
            if self._sts_client is None:
                first = self.regions[0] if self.regions else catalog.DEFAULT_REGION
                self._sts_client = self._make("sts", first)
            return self._sts_client

    def clients(self) -> list[Any]:
        """Every client (made now), for tests and tools that hook botocore events."""
        return [*self._ecr.values(), *self._sm.values(), self._sts]

    def account_id(self) -> str:
        with translate():  # parsed inside: an answer without Account is a MalformedAnswer
            identity = self._sts.get_caller_identity()
            self._caller_arn = identity.get("Arn")
            return str(identity["Account"])

    def caller_arn(self) -> str | None:
        return self._caller_arn


@contextmanager
def _endpoint_errors() -> Iterator[None]:
    try:
        yield
    except ValueError as exc:  # botocore: "Invalid endpoint: not a url"
        raise AwsError(f"{exc}; check AWS_ENDPOINT_URL (or the profile's endpoint_url)") from None


def check_endpoint(url: str) -> None:
    """Refuse an endpoint botocore accepted but cannot send to (it fails while signing)."""
    problem = None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check ("Port out of range")
    except ValueError as exc:
        problem = str(exc)
    else:
        if parts.scheme not in ("http", "https"):
            problem = f"the scheme must be http or https, not {parts.scheme!r}"
        elif not parts.hostname:
            problem = "no host name"
    if problem:
        raise AwsError(
            f"invalid AWS endpoint {url!r}: {problem}; "
            "check AWS_ENDPOINT_URL (or the profile's endpoint_url)"
        )


def make_session(profile: str | None = None) -> Session:
    with translate():
        session = CoreSession(profile)
        session.core.get_scoped_config()  # an unknown profile fails now, as with boto3
        return session


def paginate(
    client: Any, operation: str, key: str, page_size: int | None = None, **kwargs: Any
) -> list[dict[str, Any]]:
    """Every item of every page: a boto3 paginator, a handful of calls however many items."""
    config = {"PageSize": page_size} if page_size else {}
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(PaginationConfig=config, **kwargs):
        # AWS always sends the list, empty or not; an answer without it is not an answer
        # (a web page or `{}` from a wrong endpoint would otherwise read as "nothing live").
        items += page[key]
    return items

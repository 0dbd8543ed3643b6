"""The boto3 clients of one account across regions, shared by every AWS-facing class.

Clients are made up front, once per command run: boto3 sessions are not thread-safe and
clients are, so region threads reuse them. Every client retries throttling and 5xx answers
with botocore's adaptive mode, bounded. Importing this module also keeps secret values out
of botocore's DEBUG log, so no client can be made without that filter in place.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from ptc.aws.errors import AwsError, require_json, translate

RETRY_CONFIG = Config(
    # total_max_attempts counts the first attempt; botocore's max_attempts would not.
    retries={"mode": "adaptive", "total_max_attempts": 5},
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


class RegionalClients:
    """ECR (and, where `SECRETS` is set, Secrets Manager) per region, plus one STS client."""

    SECRETS: ClassVar[bool] = True

    def __init__(
        self, session: boto3.Session, regions: Iterable[str], config: Config = RETRY_CONFIG
    ) -> None:
        self.session = session
        self.regions = list(dict.fromkeys(regions))
        self._caller_arn: str | None = None  # known once account_id has asked STS
        with translate(), _endpoint_errors():
            self._ecr = {
                r: session.client("ecr", region_name=r, config=config) for r in self.regions
            }
            self._sm = {
                r: session.client("secretsmanager", region_name=r, config=config)
                for r in (self.regions if self.SECRETS else [])
            }
            first = self.regions[0] if self.regions else "us-east-1"
            self._sts = session.client("sts", region_name=first, config=config)
        for client in self.clients():
            check_endpoint(client.meta.endpoint_url)
            if client.meta.service_model.protocol == "json":
                client.meta.events.register("before-parse", require_json)

    def clients(self) -> list[Any]:
        """Every client, for tests and tools that hook botocore events."""
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

"""Helpers for the plan, apply and gateway tests: files, a call log and injected faults.

Faults are injected where the network would fail, through botocore's own events on the
gateway's clients, never by patching moto: a `before-send` handler (once per *attempt*,
registered first, so it answers before the sandbox does) fails an attempt, while botocore's
own retry logic runs unchanged; a `before-parse` handler cuts a real answer short. A
`before-call` hook (once per logical call, not per attempt) decides which logical call is
faulted.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from ptc.aws.gateway import Gateway
from ptc.sandbox import DEFAULT_REGION, DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY
from ptc.sandbox.embedded import SandboxInfo

# Two attempts per call and no backoff: a faulted call fails fast, a retried one succeeds.
FAST_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 2})
FAULT_KINDS = ("throttling", "server-error", "read-timeout", "connection-reset")
# Answers that arrive but are not usable: never retried, each is the call's failure.
# garbage-body and missing-fields stand in for AWS (the request never reaches it);
# truncated-body is AWS's real answer cut short (the request did reach it).
BODY_FAULTS = ("garbage-body", "missing-fields", "truncated-body")
_GARBAGE = "<!DOCTYPE html><html><body><p>502 Bad Gateway<hr>nginx</body></html>"
# Where a faulted attempt is sent instead: no AWS service, and so no mock of one, answers
# there, so the fault's answer is the only one and the sandbox never acts on the request.
_NOWHERE = "https://ptc-injected-fault.invalid"


def write_file(directory: Path, text: str, name: str = "rules.yaml") -> Path:
    path = directory / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retries would sleep up to a second per retry; these tests never wait."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)


TOKEN = "dckr-pat-4c1d"  # the value credentials_env puts in DOCKERHUB_TOKEN


@pytest.fixture
def credentials_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKERHUB_USERNAME", "octocat")
    monkeypatch.setenv("DOCKERHUB_TOKEN", TOKEN)


@pytest.fixture(autouse=True)
def _no_secret_value_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test here runs with DEBUG logging on everywhere; no record may hold the token."""
    caplog.set_level(logging.DEBUG)
    yield
    leaked = [r.name for r in caplog.get_records("call") if TOKEN in r.getMessage()]
    assert leaked == [], f"the secret value was logged by {leaked}"


@pytest.fixture(scope="session")
def _shared_session() -> boto3.Session:
    import moto  # noqa: F401 - its stubber must be among botocore's handlers before a session

    return boto3.Session(
        aws_access_key_id=DUMMY_ACCESS_KEY,
        aws_secret_access_key=DUMMY_SECRET_KEY,
        region_name=DEFAULT_REGION,
    )


@pytest.fixture
def session(aws: SandboxInfo, _shared_session: boto3.Session) -> boto3.Session:
    """A session on the `aws` sandbox, shared by all tests: a new one re-reads every model."""
    return _shared_session


def gateway(session: boto3.Session, regions: list[str]) -> Gateway:
    return Gateway(session, regions, FAST_RETRIES)


@dataclass
class CallLog:
    """Every logical API call made through hooked clients, as 'region:Operation'."""

    calls: list[str] = field(default_factory=list)

    def hook(self, gw: Gateway) -> CallLog:
        for client in gw.clients():
            region = client.meta.region_name
            client.meta.events.register("before-call", self._recorder(region))
        return self

    def _recorder(self, region: str) -> Callable[..., None]:
        def record(model: Any, **_: Any) -> None:
            self.calls.append(f"{region}:{model.name}")

        return record

    def operations(self) -> list[str]:
        return [call.split(":", 1)[1] for call in self.calls]


def _error_response(request: Any, status: int, code: str, message: str) -> AWSResponse:
    if "sts." in request.url:  # STS speaks the query protocol: XML errors
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
        )
        headers = {"Content-Type": "text/xml"}
    else:
        body = json.dumps({"__type": code, "message": message})
        headers = {"Content-Type": "application/x-amz-json-1.1"}
    headers["x-amzn-RequestId"] = "ptc-test"
    return AWSResponse(request.url, status, headers, RawBody(body))


def _ok_response(request: Any, body: str | bytes, content_type: str) -> AWSResponse:
    headers = {"Content-Type": content_type, "x-amzn-RequestId": "ptc-test"}
    return AWSResponse(request.url, 200, headers, RawBody(body))


class RawBody(io.BytesIO):
    """A body as urllib3 hands it to botocore: readable, and streamable in chunks."""

    def __init__(self, body: str | bytes) -> None:
        super().__init__(body.encode() if isinstance(body, str) else body)

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.read()


def fault_response(kind: str, request: Any) -> AWSResponse:
    """What one failed attempt looks like to botocore: an answer, or an exception."""
    if kind == "garbage-body":
        return _ok_response(request, _GARBAGE, "text/html")
    if kind == "missing-fields":
        xml = "sts." in request.url
        empty = "<GetCallerIdentityResponse/>" if xml else "{}"
        return _ok_response(request, empty, "text/xml" if xml else "application/x-amz-json-1.1")
    if kind == "throttling":
        return _error_response(request, 400, "ThrottlingException", "Rate exceeded")
    if kind == "server-error":
        return _error_response(request, 500, "ServerException", "We encountered an error")
    if kind == "read-timeout":
        raise ReadTimeoutError(endpoint_url=request.url)
    if kind == "connection-reset":
        raise ConnectionClosedError(endpoint_url=request.url)
    raise AssertionError(kind)


@dataclass
class Faults:
    """Fails one logical call of hooked clients, `attempts` times.

    `target` is the call's position (0-based) among all calls, or (operation, n) for the
    n-th (0-based) call of that operation: reads run concurrently, so positions within a
    read wave vary from run to run while the n-th ListSecrets does not.
    `attempts=None` fails every attempt, so the call fails after botocore's retries.
    """

    kind: str
    target: int | tuple[str, int]
    attempts: int | None = None
    log: CallLog = field(default_factory=CallLog)
    failed_attempts: int = 0
    _current: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, gw: Gateway) -> Faults:
        for client in gw.clients():
            events = client.meta.events
            events.register("before-call", self._recorder(client.meta.region_name))
            events.register("after-call", self._done)
            events.register("after-call-error", self._done)
            # First: the sandbox's own before-send handler must not answer a faulted attempt.
            events.register_first("before-send", self._send)
            events.register_first("before-parse", self._cut_short)
        return self

    def _send(self, request: Any, **_: Any) -> AWSResponse | None:
        if self.kind == "truncated-body":
            # The request does reach AWS (the sandbox); its answer is cut in before-parse.
            self._current.truncate = self.wants(request)
            return None
        if not self.wants(request):
            return None
        response = fault_response(self.kind, request)  # timeouts and resets raise here
        request.url = _NOWHERE + urlsplit(request.url).path
        return response

    def _cut_short(self, response_dict: dict[str, Any], **_: Any) -> None:
        """AWS's answer with its second half lost (a connection cut mid-body)."""
        if getattr(self._current, "truncate", False):
            self._current.truncate = False
            body = response_dict["body"]
            response_dict["body"] = body[: len(body) // 2]

    def _done(self, **_: Any) -> None:
        self._current.faulted = False

    def _recorder(self, region: str) -> Callable[..., None]:
        def before_call(model: Any, **_: Any) -> None:
            with self._lock:
                if isinstance(self.target, int):
                    self._current.faulted = len(self.log.calls) == self.target
                else:
                    seen = self.log.operations().count(model.name)
                    self._current.faulted = self.target == (model.name, seen)
                self.log.calls.append(f"{region}:{model.name}")

        return before_call

    def wants(self, request: Any) -> bool:
        """Whether this attempt is to fail (and counts it)."""
        if not getattr(self._current, "faulted", False):
            return False
        if self.attempts is not None and self.failed_attempts >= self.attempts:
            return False
        self.failed_attempts += 1
        return True


@pytest.fixture
def inject() -> Callable[..., Faults]:
    """inject(kind, target, gateway, attempts=None): fault one logical call of `gateway`."""

    def make(
        kind: str, target: int | tuple[str, int], gw: Gateway, attempts: int | None = None
    ) -> Faults:
        return Faults(kind, target, attempts).hook(gw)

    return make

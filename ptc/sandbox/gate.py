"""What the sandbox server answers, and when it saves: the AWS APIs, each change saved first.

moto's server app also serves moto's own API under /moto-api/ (a dashboard, a dump of every
stored value, a reset of all state) and instance metadata, and answers CORS for any Origin:
any web page the user visits could read or wipe the sandbox through the browser. Unless the
gate is opened with `moto_api=True` (`ptc sandbox serve --moto-api`), those paths answer 404
and no Access-Control-* header leaves the server.

With a state file, requests are answered one at a time. One that may change something is
followed, still under the lock, by a save of the state, before its answer is sent: a write
the client saw answered survives a crash or a kill. close() takes the lock, saves a last
time and refuses every later request (503), so that a shutdown never acknowledges a write
it will not keep.
"""

from __future__ import annotations

import io
import json
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any, Final
from urllib.parse import parse_qs

from ptc.errors import PtcError

# moto's own endpoints: not AWS APIs, and they give away or wipe the whole state.
_MOTO_PATHS: Final = ("/moto-api", "/favicon.ico", "/latest/meta-data/", "/latest/api/")
# Operations that only read (Describe*, Get*, List*, BatchGet*, Validate*): no save after them.
_READS: Final = ("Describe", "Get", "List", "BatchGet", "Validate")
_FORM: Final = "application/x-www-form-urlencoded"

StartResponse = Callable[..., Any]
App = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
_Answer = tuple[str, list[tuple[str, str]], list[bytes]]


class Gate:
    """A WSGI middleware around moto's app; `save` (None: no state file) persists the sandbox."""

    def __init__(self, app: App, save: Callable[[], None] | None, *, moto_api: bool) -> None:
        self.app = app
        self.save = save
        self.moto_api = moto_api
        self.lock = threading.Lock()
        self.closed = False

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if not self.moto_api and path.startswith(_MOTO_PATHS):
            status, headers, body = _error("404 Not Found", "NotFound", _NOT_SERVED)
        elif self.save is None:  # nothing to keep: requests run side by side, as in moto
            status, headers, body = _call(self.app, environ)
        else:
            with self.lock:
                status, headers, body = self._answer(environ)
        if not self.moto_api:
            headers = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
        start_response(status, headers)
        return body

    def _answer(self, environ: dict[str, Any]) -> _Answer:
        if self.closed:
            return _error("503 Service Unavailable", "ServiceUnavailable", "shutting down")
        changes = _may_change(environ)  # first: the app reads the body, which it tells
        answer = _call(self.app, environ)
        if self.save is not None and changes:
            try:
                self.save()
            except PtcError as exc:
                # Not acknowledged: the client must not believe in a write that is not kept.
                print(f"ptc sandbox: {exc}", file=sys.stderr)
                return _error("500 Internal Server Error", "InternalFailure", "state not saved")
        return answer

    def close(self) -> None:
        """Save a last time (after the request in progress) and answer nothing any more."""
        with self.lock:
            self.closed = True
            if self.save is not None:
                self.save()


_NOT_SERVED: Final = (
    "ptc sandbox serve answers only the AWS APIs; moto's own API (/moto-api/) is served "
    "only with --moto-api"
)


def _call(app: App, environ: dict[str, Any]) -> _Answer:
    """Run the app to the end of its answer, so that it is complete before the save."""
    answer: dict[str, Any] = {}
    body: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], _exc: Any = None) -> Any:
        answer.update(status=status, headers=headers)
        return body.append

    result = app(environ, start_response)
    try:
        body.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return answer["status"], list(answer["headers"]), body


def _may_change(environ: dict[str, Any]) -> bool:
    operation = _operation(environ)
    if operation is None:
        return environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD", "OPTIONS")
    return not operation.startswith(_READS)


def _operation(environ: dict[str, Any]) -> str | None:
    """The API operation: X-Amz-Target for JSON APIs, Action= for query APIs (STS, IAM)."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    if not str(environ.get("CONTENT_TYPE", "")).startswith(_FORM):
        return None
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    raw = environ["wsgi.input"].read(size) if size > 0 else b""
    environ["wsgi.input"] = io.BytesIO(raw)  # put back for moto, which reads it again
    actions = parse_qs(raw.decode("utf-8", "replace")).get("Action")
    return actions[0] if actions else None


def _error(status: str, code: str, message: str) -> _Answer:
    body = json.dumps({"__type": code, "message": message}).encode()
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))]
    return status, headers, [body]

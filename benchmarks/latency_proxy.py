"""A loopback HTTP proxy that adds a fixed delay to every answer, for round-trip benchmarks.

`ptc sandbox serve` answers in a millisecond, which hides how many round trips a command
makes one after another; real AWS is tens of milliseconds away. Put this in front of the
sandbox (AWS_ENDPOINT_URL pointing here) and each request waits `delay` seconds before it
is forwarded, so sequential calls add up and concurrent ones overlap, as with a real region.

Bounded on purpose: it listens on 127.0.0.1 only, forwards only to the one upstream it was
given, serves at most MAX_CONNECTIONS connections at once and stops with its `with` block.

    with delaying_proxy("http://127.0.0.1:4566", delay=0.1) as url:
        ...  # point clients at url
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# A client keeps its connections open (keep-alive), up to ptc's pool of 32 per region and
# service: 17 regions' worth of ECR and Secrets Manager clients stay below this.
MAX_CONNECTIONS = 1280
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = MAX_CONNECTIONS

    def __init__(self, upstream: tuple[str, int], delay: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.delay = delay
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: object, client_address: object) -> None:
        if not self.slots.acquire(timeout=30):
            self.shutdown_request(request)  # type: ignore[arg-type]
            return
        super().process_request(request, client_address)  # type: ignore[arg-type]

    def shutdown_request(self, request: object) -> None:
        super().shutdown_request(request)  # type: ignore[arg-type]
        try:
            self.slots.release()
        except ValueError:  # released already: the connection was refused above
            pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        time.sleep(self.server.delay)  # the answer's round trip
        host, port = self.server.upstream
        upstream = getattr(self, "_upstream", None)
        if upstream is None:
            upstream = self._upstream = http.client.HTTPConnection(host, port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in _HOP_BY_HOP | {"content-length", "server", "date"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


@contextmanager
def delaying_proxy(upstream_url: str, delay: float) -> Iterator[str]:
    """A proxy URL in front of `upstream_url` (loopback) adding `delay` s to every answer."""
    parts = urlsplit(upstream_url)
    if parts.hostname not in ("127.0.0.1", "localhost") or parts.port is None:
        raise ValueError(f"{upstream_url}: the proxy forwards to a loopback port only")
    server = _Server((parts.hostname, parts.port), delay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

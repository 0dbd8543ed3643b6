"""The sandbox as an HTTP server, for clients in other processes (aws CLI, Terraform, SDKs).

moto's server app answers every service moto knows (ECR with the emulator installed, Secrets
Manager, STS, IAM, ...) on one port; clients pick the service by their request signature.
serve() runs in the foreground until Ctrl-C or SIGTERM; start_background() runs it in a
thread for tests and benchmarks. Given a state file, both load it, hold it locked while they
run, and save it after every request that may change something (see gate.py). Only the AWS
APIs are served unless moto_api is set.
"""

from __future__ import annotations

import errno
import functools
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from ptc.domain.catalog import DEFAULT_REGION
from ptc.errors import PtcError
from ptc.sandbox import DEFAULT_ACCOUNT_ID, DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY
from ptc.sandbox.embedded import SandboxInfo
from ptc.sandbox.gate import Gate

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566


class PortInUseError(PtcError):
    """The port is taken (or cannot be bound); the message says which."""


def exports(url: str, region: str = DEFAULT_REGION) -> list[str]:
    """The shell lines that point the aws CLI, SDKs and Terraform at the sandbox."""
    return [
        f"export AWS_ENDPOINT_URL={url}",
        f"export AWS_ACCESS_KEY_ID={DUMMY_ACCESS_KEY}",
        f"export AWS_SECRET_ACCESS_KEY={DUMMY_SECRET_KEY}",
        f"export AWS_DEFAULT_REGION={region}",
    ]


@dataclass
class RunningServer:
    """A sandbox server started by start_background(); stop() saves the state, if any."""

    url: str
    host: str
    port: int
    state_path: Path | None
    _sandbox: _Sandbox = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def info(self, region: str = DEFAULT_REGION) -> SandboxInfo:
        """How to reach this server: `.client(service)` or `.session()` with `endpoint_url`."""
        return SandboxInfo(DEFAULT_ACCOUNT_ID, region, endpoint_url=self.url)

    def stop(self) -> None:
        self._sandbox.server.shutdown()
        self._thread.join()
        self._sandbox.close()


def start_background(
    state_path: Path | None = None,
    host: str = DEFAULT_HOST,
    port: int = 0,
    *,
    moto_api: bool = False,
) -> RunningServer:
    """Start the sandbox in a daemon thread; port 0 picks a free port."""
    sandbox = _prepare(host, port, state_path, quiet=True, moto_api=moto_api)
    server = sandbox.server
    thread = threading.Thread(target=server.serve_forever, name="ptc-sandbox", daemon=True)
    thread.start()
    bound_port = server.server_address[1]
    return RunningServer(_url(host, bound_port), host, bound_port, state_path, sandbox, thread)


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    state_path: Path | None = None,
    echo: Callable[[str], None] = print,
    *,
    moto_api: bool = False,
) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM, then save the state and return."""
    sandbox = _prepare(host, port, state_path, moto_api=moto_api)
    url = _url(host, sandbox.server.server_address[1])
    echo(f"ptc sandbox listening on {url}; use it with:")
    for line in exports(url):
        echo(line)
    if moto_api:
        echo(f"moto's own API is open: {url}/moto-api/ shows and resets everything stored")
    echo("Press Ctrl-C to stop" + (f" (state is saved to {state_path})" if state_path else ""))
    try:
        with _sigterm_as_interrupt():
            sandbox.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.close()
        if state_path is not None:
            echo(f"ptc sandbox stopped; state saved to {state_path}")
        else:
            echo("ptc sandbox stopped")


@dataclass
class _Sandbox:
    """The HTTP server, its gate, and the state file it holds (locked) while it runs."""

    server: Any
    gate: Gate
    held: ExitStack

    def close(self) -> None:
        # Stop accepting first, then save under the gate's lock: a request answered before
        # this point is in the file, and none is answered after it.
        self.server.server_close()
        try:
            self.gate.close()
        finally:
            self.held.close()


def _prepare(
    host: str, port: int, state_path: Path | None, *, quiet: bool = False, moto_api: bool = False
) -> _Sandbox:
    from moto.moto_server.werkzeug_app import MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    from ptc.sandbox import emulator, state, store
    from ptc.sandbox.dispatch import Dispatcher

    _check_port(host, port)
    held = ExitStack()
    save: Callable[[], None] | None = None
    try:
        if state_path is not None:
            stand_in = held.enter_context(store.opened(state_path))
            save = functools.partial(state.dump, state_path, stand_in)
        emulator.install()
        if state_path is not None and state_path.exists():
            state.load(state_path)
        gate = Gate(Dispatcher(create_backend_app), save, moto_api=moto_api)
        handler = _quiet_handler(MotoRequestHandler) if quiet else MotoRequestHandler
        server = make_server(host, port, gate, threaded=True, request_handler=handler)
    except BaseException:
        held.close()
        raise
    return _Sandbox(server, gate, held)


def _quiet_handler(base: type[Any]) -> type[Any]:
    """The request handler without one log line per request (noise in tests)."""

    class Quiet(base):  # type: ignore[misc]
        def log_request(self, *_args: object) -> None:
            pass

    return Quiet


def _check_port(host: str, port: int) -> None:
    # werkzeug prints its own message and calls sys.exit() when it cannot bind; finding out
    # first gives one clear message instead.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except socket.gaierror as error:  # not an address (999.1.1.1) nor a known name
            raise PortInUseError(
                f"--host {host}: not an address or host name ({error.strerror}); "
                "use 127.0.0.1, ::1 or an address of this machine"
            ) from error
        except OSError as error:
            if error.errno == errno.EADDRNOTAVAIL:  # a valid address, but not this machine's
                raise PortInUseError(
                    f"--host {host}: not an address of this machine ({error.strerror})"
                ) from error
            reason = "is already in use" if error.errno == errno.EADDRINUSE else "cannot be used"
            raise PortInUseError(
                f"{host}:{port} {reason} ({error.strerror}); choose another with --port"
            ) from error


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so that `kill` also saves the state and exits cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

"""What `ptc sandbox serve` answers over HTTP: the AWS APIs only; every acknowledged write kept.

Regression tests for issue 10, items 1 (moto's own API, CORS) and 11 (writes answered 200
but lost at shutdown). The servers run on 127.0.0.1, in a thread or a subprocess, and are
stopped by each test.
"""

from __future__ import annotations

import gc
import http.client
import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ptc.sandbox.server import RunningServer, start_background

SERVE = (
    "import typer; from ptc.cli.sandbox import register; app = typer.Typer(); register(app); app()"
)
ECR = "AmazonEC2ContainerRegistry_V20150921"
CANARY = "canary-5f0c1e-never-served"


def _headers(service: str, target: str | None = None) -> dict[str, str]:
    headers = {
        # moto picks the service from the credential scope; it does not check signatures.
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, "
            "SignedHeaders=host, Signature=0"
        ),
        "Content-Type": "application/x-amz-json-1.1",
    }
    if target:
        headers["X-Amz-Target"] = target
    return headers


def _call(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    payload = json.dumps(body).encode() if body is not None else None
    connection.request(method, path, body=payload, headers=headers or {})
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def _connect(server: RunningServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(server.host, server.port, timeout=60)


def _create_template(connection: http.client.HTTPConnection, prefix: str) -> int:
    status, _, _ = _call(
        connection,
        "POST",
        "/",
        {"prefix": prefix, "appliedFor": ["REPLICATION"]},
        _headers("ecr", f"{ECR}.CreateRepositoryCreationTemplate"),
    )
    return status


def _templates(path: Path) -> list[str]:
    accounts = json.loads(path.read_text())["accounts"]
    region = accounts.get("123456789012", {}).get("us-east-1", {})
    return [t["prefix"] for t in region.get("repositoryCreationTemplates", [])]


@pytest.fixture(autouse=True)
def empty_sandbox() -> None:
    """A server in a thread shares this process's moto: start each test from nothing."""
    from moto.core.base_backend import BackendDict

    BackendDict.reset()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    running = start_background(tmp_path / "state.json")
    yield running
    running.stop()


@pytest.fixture
def with_secret(server: RunningServer) -> RunningServer:
    connection = _connect(server)
    status, _, _ = _call(
        connection,
        "POST",
        "/",
        {"Name": "team/token", "SecretString": json.dumps({"accessToken": CANARY})},
        _headers("secretsmanager", "secretsmanager.CreateSecret"),
    )
    assert status == 200
    assert _create_template(connection, "team-a") == 200
    return server


# -- item 1: only the AWS APIs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/moto-api/data.json"),
        ("GET", "/moto-api/"),
        ("POST", "/moto-api/reset"),
        ("POST", "/moto-api/reset-auth"),
        ("GET", "/moto-api/seed?a=42"),
        ("GET", "/latest/meta-data/iam/security-credentials/"),
    ],
)
def test_moto_api_is_not_served(with_secret: RunningServer, method: str, path: str) -> None:
    connection = _connect(with_secret)
    status, headers, body = _call(connection, method, path)
    assert status == 404
    assert json.loads(body) == {
        "__type": "NotFound",
        "message": "ptc sandbox serve answers only the AWS APIs; moto's own API (/moto-api/) "
        "is served only with --moto-api",
    }
    assert CANARY.encode() not in body
    # Nothing was reset: the template is still there.
    status, _, body = _call(
        connection, "POST", "/", {}, _headers("ecr", f"{ECR}.DescribeRepositoryCreationTemplates")
    )
    assert status == 200
    assert [t["prefix"] for t in json.loads(body)["repositoryCreationTemplates"]] == ["team-a"]


@pytest.mark.parametrize("method", ["POST", "OPTIONS"])
def test_no_cors_for_any_origin(server: RunningServer, method: str) -> None:
    headers = {
        **_headers("ecr", f"{ECR}.DescribeRepositoryCreationTemplates"),
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-amz-target,content-type,authorization",
    }
    status, answer, _ = _call(
        _connect(server), method, "/", {} if method == "POST" else None, headers
    )
    assert [h for h in answer if h.startswith("access-control-")] == []
    if method == "POST":
        assert status == 200


def test_moto_api_only_when_asked(tmp_path: Path) -> None:
    running = start_background(moto_api=True)
    try:
        connection = _connect(running)
        status, _, body = _call(connection, "GET", "/moto-api/data.json")
        assert status == 200
        assert isinstance(json.loads(body), dict)
        headers = {**_headers("sts"), "Origin": "https://evil.example"}
        _, answer, _ = _call(connection, "POST", "/", None, headers)
        assert answer.get("access-control-allow-origin") in ("*", "https://evil.example")
    finally:
        running.stop()


# -- item 11: an acknowledged write is never lost --------------------------------------------------


def test_every_acknowledged_write_is_saved_before_its_answer(
    server: RunningServer, tmp_path: Path
) -> None:
    connection = _connect(server)
    assert _create_template(connection, "team-a") == 200
    assert _templates(tmp_path / "state.json") == ["team-a"]  # saved, still running
    assert _create_template(connection, "team-b") == 200
    assert _templates(tmp_path / "state.json") == ["team-a", "team-b"]


def test_reads_do_not_rewrite_the_state(server: RunningServer, tmp_path: Path) -> None:
    connection = _connect(server)
    assert _create_template(connection, "team-a") == 200
    before = (tmp_path / "state.json").stat().st_mtime_ns
    (tmp_path / "state.json").unlink()
    status, _, _ = _call(
        connection, "POST", "/", {}, _headers("ecr", f"{ECR}.DescribeRepositoryCreationTemplates")
    )
    assert status == 200
    assert before and not (tmp_path / "state.json").exists()


def test_a_request_after_shutdown_is_refused_not_acknowledged(tmp_path: Path) -> None:
    running = start_background(tmp_path / "state.json")
    connection = _connect(running)  # kept alive: its handler outlives the listening socket
    try:
        assert _create_template(connection, "before") == 200
    finally:
        running.stop()
    try:
        status = _create_template(connection, "after")
    except (ConnectionError, http.client.HTTPException):
        status = 0  # the connection closed: not acknowledged either
    assert status in (0, 503)
    assert _templates(tmp_path / "state.json") == ["before"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """`ptc sandbox serve --state FILE` in a subprocess; yields (process, port)."""
    started: list[subprocess.Popen[str]] = []

    def start(state: Path) -> tuple[subprocess.Popen[str], int]:
        port = _free_port()
        command = [sys.executable, "-c", SERVE, "sandbox", "serve", "--port", str(port)]
        process = subprocess.Popen(
            [*command, "--state", str(state)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        while line := process.stdout.readline():
            if line.startswith("Press Ctrl-C"):
                return process, port
        raise AssertionError(f"server did not start: {process.communicate(timeout=30)}")

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)  # and closes its pipes


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL])
def test_acknowledged_writes_survive_a_restart(
    serve: Any, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    state = tmp_path / "state.json"
    process, port = serve(state)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    acknowledged = [p for p in ("a", "b", "c") if _create_template(connection, p) == 200]
    assert acknowledged == ["a", "b", "c"]
    process.send_signal(stop_signal)
    process.communicate(timeout=60)

    process, port = serve(state)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    status, _, body = _call(
        connection, "POST", "/", {}, _headers("ecr", f"{ECR}.DescribeRepositoryCreationTemplates")
    )
    assert status == 200
    assert [t["prefix"] for t in json.loads(body)["repositoryCreationTemplates"]] == acknowledged
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"state saved to {state}" in out


def test_a_second_server_on_the_same_state_is_refused(serve: Any, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    serve(state)
    port = _free_port()
    command = [sys.executable, "-c", SERVE, "sandbox", "serve", "--port", str(port)]
    second = subprocess.run(
        [*command, "--state", str(state)], capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 1
    assert second.stderr == (
        f"error: {state}: the sandbox state is in use by another ptc (it holds {state}.lock); "
        "try again when that one has finished\n"
    )


def test_the_server_collects_cyclic_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    # ptc.cli.main turns the collector off for a short run; a server runs until stopped.
    from ptc.sandbox import server
    from tests.support import run

    collecting: list[bool] = []
    monkeypatch.setattr(server, "serve", lambda *_, **__: collecting.append(gc.isenabled()))
    gc.disable()  # as main leaves it (conftest turns it back on after the test)

    assert run("sandbox", "serve", "--port", "1").exit_code == 0
    assert collecting == [True]

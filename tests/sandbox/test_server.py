"""The sandbox server: in a thread, and as `ptc sandbox serve` in its own process."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from ptc.cli.sandbox import register
from ptc.sandbox.embedded import SandboxInfo
from ptc.sandbox.server import start_background

SERVE = (
    "import typer; from ptc.cli.sandbox import register; app = typer.Typer(); register(app); app()"
)


def _client(url: str, service: str = "ecr") -> Any:
    return SandboxInfo("123456789012", "us-east-1", endpoint_url=url).client(service)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_background_server_serves_and_persists(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    server = start_background(path)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        ecr = server.info().client("ecr")
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io"
        )
        identity = _client(server.url, "sts").get_caller_identity()
        assert identity["Account"] == "123456789012"
    finally:
        server.stop()
    assert (
        json.loads(path.read_text())["accounts"]["123456789012"]["us-east-1"][
            "pullThroughCacheRules"
        ][0]["prefix"]
        == "quay"
    )


def test_background_server_serves_ecs_and_keeps_task_definitions(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    server = start_background(path)
    try:
        ecs = server.info().client("ecs")
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}]
        )
        assert ecs.list_task_definition_families()["families"] == ["web"]
    finally:
        server.stop()
    saved = json.loads(path.read_text())["accounts"]["123456789012"]["us-east-1"]
    assert [(d["family"], d["revision"], d["status"]) for d in saved["taskDefinitions"]] == [
        ("web", 1, "ACTIVE")
    ]


def test_session_server_fixture_answers(sandbox_server: Any) -> None:
    secrets = _client(sandbox_server.url, "secretsmanager")
    arn = secrets.create_secret(
        Name="ecr-pullthroughcache/server-fixture",
        SecretString='{"username":"u","accessToken":"t"}',
    )["ARN"]
    ecr = _client(sandbox_server.url)
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="server-fixture", upstreamRegistryUrl="ghcr.io", credentialArn=arn
    )
    assert ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="server-fixture")["isValid"]
    ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="server-fixture")


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_port_in_use_is_one_clear_message(cli: typer.Typer) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["sandbox", "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"127.0.0.1:{port} is already in use" in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Start `ptc sandbox serve --state FILE` in a subprocess; yields (process, url, banner)."""
    started: list[subprocess.Popen[str]] = []

    def start(state: Path) -> tuple[subprocess.Popen[str], str, str]:
        command = [sys.executable, "-c", SERVE, "sandbox", "serve", "--port", str(_free_port())]
        process = subprocess.Popen(
            [*command, "--state", str(state)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        banner = []
        # readline blocks until the server has printed its banner, which ends with Ctrl-C.
        while line := process.stdout.readline():
            banner.append(line)
            if line.startswith("Press Ctrl-C"):
                url = next(b for b in banner if b.startswith("export AWS_ENDPOINT_URL="))
                return process, url.strip().split("=", 1)[1], "".join(banner)
        raise AssertionError(f"server did not start: {process.communicate(timeout=30)}")

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_cleanly_and_keeps_state_across_restarts(
    serve: Any, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    state = tmp_path / "state.json"
    process, url, banner = serve(state)
    assert "export AWS_ACCESS_KEY_ID=" in banner
    _client(url).create_repository_creation_template(prefix="team-a", appliedFor=["REPLICATION"])
    process.send_signal(stop_signal)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert f"state saved to {state}" in out

    process, url, _ = serve(state)
    templates = _client(url).describe_repository_creation_templates()["repositoryCreationTemplates"]
    assert [t["prefix"] for t in templates] == ["team-a"]
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    assert process.returncode == 0

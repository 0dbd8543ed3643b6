"""`ptc rewrite-images --ecs`: live task definitions in the embedded sandbox, end to end.

Two families are registered in the sandbox's state file: `web` pulls from Docker Hub and
Quay directly, `api` already pulls through the cache. Each CLI run loads and saves that file,
so what one run registers the next one (and the assertions) see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ptc.cli import app
from ptc.sandbox.embedded import running
from tests.rewrite.conftest import HOST, RULES

CACHED = f"{HOST}/docker-hub/library/redis:7"
WEB: dict[str, Any] = {
    "family": "web",
    "taskRoleArn": "arn:aws:iam::123456789012:role/web-task",
    "executionRoleArn": "arn:aws:iam::123456789012:role/web-exec",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "volumes": [{"name": "scratch", "host": {}}],
    "containerDefinitions": [
        {
            "name": "web",
            "image": "nginx:1.25",
            "memory": 128,
            "environment": [{"name": "MODE", "value": "nginx:1.25 is not an image field"}],
            "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
        },
        {"name": "exporter", "image": "quay.io/prometheus/node-exporter:v1.8.0", "memory": 64},
        {"name": "local", "image": "example.com/team/tool:2", "memory": 64},
    ],
    "tags": [{"key": "team", "value": "payments"}],
}
API: dict[str, Any] = {
    "family": "api",
    "containerDefinitions": [{"name": "api", "image": CACHED, "memory": 128}],
}
# What describe-task-definition answers that no register request holds, per revision.
PER_REVISION = {"taskDefinitionArn", "revision", "registeredAt", "registeredBy"}


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder: rules.yaml, and a sandbox state with the two families."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.yaml").write_text(RULES)
    state = tmp_path / "sandbox.json"
    with running(state) as info:
        client = info.client("ecs", "us-east-1")
        client.register_task_definition(**WEB)
        client.register_task_definition(**API)
    return state


def _run(state: Path, *args: str) -> Result:
    env = {"COLUMNS": "120", "TERMINAL_WIDTH": "120"}
    command = ["rewrite-images", "--rules", "rules.yaml", "-r", "us-east-1", "--ecs"]
    command += ["--sandbox", "--sandbox-state", str(state), *args]
    return CliRunner().invoke(app, command, env=env)


def _revisions(state: Path) -> dict[str, list[dict[str, Any]]]:
    """Every revision of every family, as describe-task-definition answers, with tags."""
    with running(state) as info:
        client = info.client("ecs", "us-east-1")
        arns = client.list_task_definitions()["taskDefinitionArns"]
        found: dict[str, list[dict[str, Any]]] = {}
        for arn in sorted(arns):
            answer = client.describe_task_definition(taskDefinition=arn, include=["TAGS"])
            definition = {**answer["taskDefinition"], "tags": answer.get("tags", [])}
            found.setdefault(definition["family"], []).append(definition)
    return found


def _other_fields(definition: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in definition.items() if k not in PER_REVISION | {"containerDefinitions"}}


def _images(definition: dict[str, Any]) -> list[str]:
    return [c["image"] for c in definition["containerDefinitions"]]


def test_dry_run_shows_the_diff_and_registers_nothing(sandbox: Path) -> None:
    result = _run(sandbox)

    assert result.exit_code == 0, result.output
    assert "--- a/web\n+++ b/web\n" in result.stdout
    assert '-      "image": "nginx:1.25",\n' in result.stdout
    assert f'+      "image": "{HOST}/docker-hub/library/nginx:1.25",\n' in result.stdout
    assert f'+      "image": "{HOST}/quay/prometheus/node-exporter:v1.8.0",\n' in result.stdout
    assert "a/api" not in result.stdout
    assert f"api:5:17: already cached: {CACHED}" in result.stdout
    assert "web:" in result.stdout and "no rule: example.com/team/tool:2" in result.stdout
    assert "families        2 (1 changed, 0 failed)" in result.stdout
    assert result.stdout.endswith(
        "2 references in 1 family would be rewritten; --write applies it\n"
    )
    revisions = _revisions(sandbox)
    assert [len(revisions["web"]), len(revisions["api"])] == [1, 1]


def test_write_registers_one_revision_with_only_the_images_changed(sandbox: Path) -> None:
    before = _revisions(sandbox)

    result = _run(sandbox, "--write")

    assert result.exit_code == 0, result.output
    registered = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"
    assert f"web: registered {registered}\n" in result.stdout
    assert result.stdout.endswith("rewrote 2 references in 1 family\n")
    after = _revisions(sandbox)
    assert after["api"] == before["api"]  # nothing to rewrite: no new revision
    assert after["web"][0] == before["web"][0]
    old, new = before["web"][0], after["web"][1]
    assert new["taskDefinitionArn"] == registered
    assert _images(new) == [
        f"{HOST}/docker-hub/library/nginx:1.25",
        f"{HOST}/quay/prometheus/node-exporter:v1.8.0",
        "example.com/team/tool:2",
    ]
    assert new["tags"] == [{"key": "team", "value": "payments"}]
    assert _other_fields(new) == _other_fields(old)
    for old_container, new_container in zip(
        old["containerDefinitions"], new["containerDefinitions"], strict=True
    ):
        assert {**new_container, "image": None} == {**old_container, "image": None}


def test_a_second_run_is_clean(sandbox: Path) -> None:
    assert _run(sandbox, "--write").exit_code == 0

    again = _run(sandbox, "--write")

    assert again.exit_code == 0, again.output
    assert again.stdout.endswith("nothing to rewrite\n")
    assert "registered" not in again.stdout
    assert [len(v) for v in _revisions(sandbox).values()] == [1, 2]  # api, web


def test_check_exits_1_while_a_family_would_change_and_0_after(sandbox: Path) -> None:
    check = _run(sandbox, "--check")

    assert check.exit_code == 1, check.output
    assert "web:5:17: would rewrite: nginx:1.25 -> " in check.stdout
    assert check.stdout.endswith("2 references in 1 family pull from cached upstreams directly\n")
    assert [len(v) for v in _revisions(sandbox).values()] == [1, 1]
    assert _run(sandbox, "--write").exit_code == 0
    assert _run(sandbox, "--check").exit_code == 0


def test_family_narrows_what_is_read(sandbox: Path) -> None:
    only_api = _run(sandbox, "--check", "--family", "api")
    only_web = _run(sandbox, "--write", "--family", "web", "--family", "web")

    assert only_api.exit_code == 0, only_api.output
    assert "web" not in only_api.stdout
    assert "families        1 (0 changed, 0 failed)" in only_api.stdout
    assert only_web.exit_code == 0, only_web.output
    assert "api" not in only_web.stdout
    assert [len(v) for v in _revisions(sandbox).values()] == [1, 2]


def test_a_named_family_without_an_active_revision_is_an_error(sandbox: Path) -> None:
    result = _run(sandbox, "--family", "nope", "--family", "api")

    assert result.exit_code == 1
    assert "nope: error: no ACTIVE revision" in result.stderr
    assert "families        2 (0 changed, 1 failed)" in result.stdout


def test_deregistered_revisions_are_kept_by_the_sandbox(sandbox: Path) -> None:
    with running(sandbox) as info:
        info.client("ecs", "us-east-1").deregister_task_definition(taskDefinition="api:1")

    result = _run(sandbox, "--check")

    assert result.exit_code == 1
    assert "api" not in result.stdout  # no ACTIVE family: not listed
    with running(sandbox) as info:
        answer = info.client("ecs", "us-east-1").describe_task_definition(taskDefinition="api:1")
    assert answer["taskDefinition"]["status"] == "INACTIVE"


def test_the_latest_active_revision_is_read(sandbox: Path) -> None:
    """Deregistering a cached revision 2 of api leaves revision 1, which is read."""
    with running(sandbox) as info:
        client = info.client("ecs", "us-east-1")
        upstream = {
            **API,
            "containerDefinitions": [{"name": "api", "image": "redis:7", "memory": 1}],
        }
        client.register_task_definition(**upstream)
        client.deregister_task_definition(taskDefinition="api:1")
        client.register_task_definition(**API)
        client.deregister_task_definition(taskDefinition="api:3")

    result = _run(sandbox, "--check", "--family", "api")

    assert result.exit_code == 1, result.output
    assert "api:5:17: would rewrite: redis:7 -> " in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--ecs", "app"), "--ecs reads no files; leave out the paths"),
        ((), "give files or folders, or --ecs"),
        (("--family", "web", "app"), "only with --ecs"),
        (("--sandbox", "app"), "only with --ecs"),
    ],
)
def test_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    (tmp_path / "rules.yaml").write_text(RULES)
    command = ["rewrite-images", "--rules", str(tmp_path / "rules.yaml"), *args]
    result = CliRunner().invoke(app, command, env={"COLUMNS": "200"})

    assert result.exit_code == 64, result.output
    assert message in result.stderr

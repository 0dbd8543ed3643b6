"""`ptc status` and `ptc status --backfill` as a user runs them, on the embedded sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import ptc.cli.output
import ptc.cli.status
from ptc.aws.errors import AwsError
from ptc.aws.repositories import RepositoryGateway
from ptc.cli import app
from tests.status.conftest import CHANGED, ORIGINAL, PULLS, write

ENV = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}
NOT_A_TTY = (
    "error: refusing to ask for confirmation: standard input is not a terminal; "
    "review the backfill and pass --auto-approve\n"
)
DRIFTING = "4 repositories; 3 drifting from the template, 3 fixable with 'ptc status --backfill'."


def run(*args: str | Path, **kwargs: Any) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env=ENV, **kwargs)
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def changed(tmp_path: Path, sandbox: list[str]) -> Path:
    """The ORIGINAL file applied and PULLS made, with `ptc`; returns the CHANGED file."""
    applied = run("apply", *sandbox, "--auto-approve", write(tmp_path, ORIGINAL, "original.yaml"))
    assert applied.exit_code == 0, applied.output
    for region, image in PULLS:
        pulled = run("sandbox", "pull", "--sandbox-state", sandbox[2], "--region", region, image)
        assert pulled.exit_code == 0, pulled.output
    return write(tmp_path, CHANGED)


def test_status_shows_a_table_and_a_summary(changed: Path, sandbox: list[str]) -> None:
    result = run("status", *sandbox, changed)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "region",
        "rule",
        "repository",
        "images",
        "last",
        "pull",
        "template",
        "drift",
    ]
    pause = next(line for line in lines if "k8s/pause" in line)
    assert pause.split()[:4] == ["us-east-1", "k8s", "k8s/pause", "1"]
    assert pause.split()[-2:] == ["k8s", "none"]
    exporter = next(line for line in lines if "node-exporter" in line)
    assert "lifecycle_policy differs; repository_policy missing" in exporter
    assert lines[-1] == DRIFTING


def test_detailed_exitcode_is_2_with_drift_and_0_without(
    changed: Path, sandbox: list[str], tmp_path: Path
) -> None:
    assert run("status", *sandbox, "--detailed-exitcode", changed).exit_code == 2
    original = tmp_path / "original.yaml"
    clean = run("status", *sandbox, "--detailed-exitcode", original)
    assert clean.exit_code == 0
    assert clean.stdout.splitlines()[-1] == "4 repositories; none drifts from its template."


def test_json_output(changed: Path, sandbox: list[str]) -> None:
    result = run("status", *sandbox, "--format", "json", "--region", "eu-west-1", changed)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["format_version"] == 1
    assert document["regions"] == ["eu-west-1"]
    assert document["summary"] == {"repositories": 1, "drifted": 1, "fixable": 1}
    (row,) = document["repositories"]
    assert {k: row[k] for k in ("region", "rule", "repository", "images", "template")} == {
        "region": "eu-west-1",
        "rule": "quay",
        "repository": "quay/coreos/etcd",
        "images": 1,
        "template": "quay",
    }
    assert row["last_pull"].startswith("20")
    assert [(d["setting"], d["fixable"]) for d in row["drift"]] == [
        ("lifecycle_policy", True),
        ("resource_tags", True),
    ]


def test_backfill_refuses_to_prompt_without_a_terminal(changed: Path, sandbox: list[str]) -> None:
    result = run("status", *sandbox, "--backfill", changed)
    assert result.exit_code == 64
    assert result.stderr == NOT_A_TTY
    assert "Backfill: 8 changes to 3 repositories." in result.stdout
    # Nothing was written.
    assert run("status", *sandbox, changed).stdout.splitlines()[-1] == DRIFTING


def test_backfill_asks_on_a_terminal_and_a_no_changes_nothing(
    changed: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ptc.cli.output, "stdin_is_terminal", lambda: True)
    result = run("status", *sandbox, "--backfill", changed, input="y\n")
    assert result.exit_code == 1
    assert "Apply this backfill?\n  Only 'yes' will be accepted to approve." in result.stdout
    assert result.stdout.splitlines()[-1] == "Backfill cancelled."
    assert run("status", *sandbox, changed).stdout.splitlines()[-1] == DRIFTING


def test_backfill_applies_reports_and_converges(changed: Path, sandbox: list[str]) -> None:
    result = run("status", *sandbox, "--backfill", "--auto-approve", changed)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "  ~ us-east-1/quay/coreos/etcd: tag cost-center=4711 (TagResource)" in lines
    assert (
        "  ! us-east-1/quay/coreos/etcd: tag mutability MUTABLE, template IMMUTABLE (kept)" in lines
    )
    assert "  done     PutLifecyclePolicy eu-west-1/quay/coreos/etcd/lifecycle_policy" in lines
    assert lines[-1] == "Backfill complete: 8 applied, 0 failed, 0 not attempted."
    again = run("status", *sandbox, "--backfill", changed)
    assert again.exit_code == 0
    assert again.stdout.splitlines()[-1] == "Nothing to backfill."
    status = json.loads(run("status", *sandbox, "--format", "json", changed).stdout)
    assert status["summary"] == {"repositories": 4, "drifted": 2, "fixable": 0}


def test_an_interrupted_backfill_reports_and_says_so_on_stderr(
    changed: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writes Ctrl-C let finish are in the report; stderr says why the run ended, as
    # every command Ctrl-C stops does (exit 130).
    from ptc.engine import backfill
    from ptc.engine.executor import RunReport

    monkeypatch.setattr(backfill, "apply_backfill", lambda *a, **k: RunReport([], interrupted=True))
    result = run("status", *sandbox, "--backfill", "--auto-approve", changed)

    assert result.exit_code == 130, result.output
    assert "Interrupted: the calls in flight finished" in result.stdout
    assert result.stderr.endswith("error: interrupted\n")


def test_a_failed_backfill_exits_1_with_the_report(
    changed: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The region's two repositories are written together; both tag writes are in flight
    # when they fail (each waits for the other), so both fail and nothing is left over.
    both = threading.Barrier(2, timeout=30)

    def refuse(self: RepositoryGateway, region: str, arn: str, tags: dict[str, str]) -> None:
        both.wait()
        raise AwsError(f"TagResource in {region}: access denied: no", "AccessDeniedException")

    monkeypatch.setattr(RepositoryGateway, "tag_resource", refuse)
    result = run(
        "status", *sandbox, "--backfill", "--auto-approve", "--region", "us-east-1", changed
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    report = lines[
        lines.index("  done     PutLifecyclePolicy us-east-1/quay/coreos/etcd/lifecycle_policy") :
    ]
    assert report == [
        "  done     PutLifecyclePolicy us-east-1/quay/coreos/etcd/lifecycle_policy",
        "  done     SetRepositoryPolicy us-east-1/quay/coreos/etcd/repository_policy",
        "  done     PutLifecyclePolicy us-east-1/quay/prometheus/node-exporter/lifecycle_policy",
        "  done     SetRepositoryPolicy us-east-1/quay/prometheus/node-exporter/repository_policy",
        "  FAILED   TagResource us-east-1/quay/coreos/etcd/resource_tags: "
        "TagResource in us-east-1: access denied: no",
        "  FAILED   TagResource us-east-1/quay/prometheus/node-exporter/resource_tags: "
        "TagResource in us-east-1: access denied: no",
        "Backfill incomplete: 4 applied, 2 failed, 0 not attempted.",
        "Run 'ptc status --backfill' again to finish: it reads the live state and converges.",
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--backfill", "--format", "json"], 64, "error: --backfill takes neither --format json"),
        (["--region", "ap-south-1"], 64, "error: --region ap-south-1: not a region of"),
    ],
)
def test_bad_usage_is_a_message_and_an_exit_code(
    changed: Path, sandbox: list[str], args: list[str], code: int, message: str
) -> None:
    result = run("status", *sandbox, *args, changed)
    assert result.exit_code == code
    assert result.stderr.startswith(message)


def test_a_missing_file_exits_3(tmp_path: Path, sandbox: list[str]) -> None:
    result = run("status", *sandbox, tmp_path / "nope.yaml")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: ")


def test_status_help_does_not_import_boto3() -> None:
    code = (
        "import sys; from ptc.cli import app\n"
        "try:\n    app(['status', '--help'])\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('boto3', 'botocore', 'moto') if m in sys.modules])"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.splitlines()[-1] == "[]"


# -- in logs and for machines -------------------------------------------------------------------


def test_the_table_is_never_cut_when_output_is_not_a_terminal(
    changed: Path, sandbox: list[str]
) -> None:
    # A CI log is not a terminal: COLUMNS=40 must not wrap or cut a repository's row.
    result = CliRunner().invoke(
        app, ["status", *sandbox, str(changed)], env={"COLUMNS": "40", "TERMINAL_WIDTH": "40"}
    )

    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "node-exporter" in line)
    assert row.split()[:4] == ["us-east-1", "quay", "quay/prometheus/node-exporter", "2"]
    assert "lifecycle_policy differs; repository_policy missing" in row
    assert row.rstrip().endswith("key/0a1b2c3d-4e5f-6789-abcd-ef0123456789 (cannot change)")


def test_json_holds_to_the_published_schema(changed: Path, sandbox: list[str]) -> None:
    import jsonschema

    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "docs" / "status-report.schema.json").read_text()
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    result = run("status", *sandbox, "--format", "json", changed)

    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)
    settings = {d["setting"] for r in document["repositories"] for d in r["drift"]}
    assert settings >= {"lifecycle_policy", "repository_policy", "resource_tags"}
    assert any(r["last_pull"] for r in document["repositories"])

"""examples/github-actions.yml does what it says, with commands and flags ptc really has.

Every `ptc …` line the workflow runs is parsed by ptc's own click commands (arguments and
options parsed, nothing invoked), so a renamed or removed flag fails here, not in a user's
CI. The workflow also installs the distribution by its name, pinned to this version.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from ptc import __version__
from ptc.cli import app
from ptc.errors import EXIT_CHANGES
from ptc.render.markdown import MARKER

WORKFLOW = Path(__file__).parents[1] / "examples" / "github-actions.yml"


def _workflow() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return document


def _steps(job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = _workflow()["jobs"][job]["steps"]
    return steps


def _runs(job: str) -> list[str]:
    """The shell lines of a job's `run:` steps."""
    return [line.strip() for s in _steps(job) if "run" in s for line in s["run"].splitlines()]


def _ptc_commands(job: str) -> list[list[str]]:
    """Each `ptc …` command line as arguments, without shell redirections."""
    commands = []
    for line in _runs(job):
        if line.startswith("ptc "):
            words = shlex.split(line)
            while ">" in words:  # `> plan.md`
                del words[words.index(">") : words.index(">") + 2]
            commands.append(words[1:])
    return commands


def _parse(args: list[str]) -> Any:
    """Parse like `ptc ARGS` would, invoking nothing; a bad flag raises click's UsageError.

    Returns the command's click context (typer carries its own copy of click).
    """
    group: Any = typer.main.get_command(app)
    with group.make_context("ptc", list(args), resilient_parsing=False) as root:
        command = group.get_command(root, args[0])
        assert command is not None, f"ptc has no command {args[0]!r}"
        return command.make_context(args[0], list(args[1:]), parent=root)


def _job_commands() -> dict[str, list[list[str]]]:
    return {job: _ptc_commands(job) for job in ("validate", "plan", "apply")}


def test_the_workflow_runs_these_ptc_commands() -> None:
    assert _job_commands() == {
        "validate": [["validate", "--format", "github", "ptc.yaml"]],
        "plan": [
            [
                "plan",
                "ptc.yaml",
                "--without-secret-values",
                "--detailed-exitcode",
                "--format",
                "markdown",
                "--out",
                "plan.json",
            ]
        ],
        "apply": [
            ["show", "plan.json"],
            ["apply", "--plan", "plan.json", "--auto-approve"],
        ],
    }


@pytest.mark.parametrize(
    "args",
    [args for commands in _job_commands().values() for args in commands],
    ids=lambda args: " ".join(args),
)
def test_each_ptc_command_parses_with_ptc_s_own_options(args: list[str]) -> None:
    context = _parse(args)

    flags = [a.split("=")[0] for a in args if a.startswith("-")]
    options = {opt for p in context.command.params for opt in (*p.opts, *p.secondary_opts)}
    assert [f for f in flags if f not in options] == []
    assert context.params  # parsed, not invoked


def test_the_parser_would_catch_a_flag_ptc_does_not_have() -> None:
    with pytest.raises(Exception, match="No such option: --without-secret-value") as caught:
        _parse(["plan", "ptc.yaml", "--without-secret-value"])
    assert type(caught.value).__name__ == "NoSuchOption"


def test_every_install_is_the_distribution_pinned_to_this_version() -> None:
    installs = [
        line
        for job in _workflow()["jobs"]
        for line in _runs(job)
        if re.match(r"(python -m )?pip install", line)
    ]
    assert installs == [f"pip install ecr-ptc=={__version__}"] * 3


def test_the_plan_is_commented_once_and_the_reviewed_plan_is_applied() -> None:
    workflow = _workflow()
    plan, apply = workflow["jobs"]["plan"], workflow["jobs"]["apply"]
    assert plan["if"] == "github.event_name == 'pull_request'"
    assert apply["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    # One sticky comment, found by the marker the Markdown plan starts with.
    script = next(
        s["with"]["script"] for s in plan["steps"] if "github-script" in s.get("uses", "")
    )
    assert f"const marker = '{MARKER}';" in script and "updateComment" in script
    # The artifact the plan job uploads is the one the apply job downloads, from that run.
    upload = next(s for s in plan["steps"] if "upload-artifact" in s.get("uses", ""))
    download = next(s for s in apply["steps"] if "download-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "plan.json"
    assert download["with"]["name"] == upload["with"]["name"]
    assert download["with"]["run-id"] == "${{ steps.reviewed.outputs.run-id }}"
    # --detailed-exitcode: only "no changes" and "changes" pass the plan step.
    assert EXIT_CHANGES == 2
    assert 'if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then exit "$code"; fi' in _runs("plan")
    # The plan job gets no registry credential; the apply job does.
    assert "secrets." not in yaml.safe_dump(plan)
    assert "secrets.DOCKERHUB_TOKEN" in yaml.safe_dump(apply)

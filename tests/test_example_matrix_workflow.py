"""examples/github-actions-matrix.yml: shards fanned out as jobs, each planned and applied.

As for the single-job workflow (tests/test_example_workflow.py), every `ptc …` line is parsed
by ptc's own click commands, with the matrix's values filled in. Beyond that: the plan and
apply jobs split the accounts the same way, into shards that together hold every account
once; each apply job gets its own shard's reviewed plan; and the per-account matrix the
README shows for fewer jobs consumes exactly what `ptc targets --format github-matrix` prints.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from ptc import __version__
from ptc.cli import app
from ptc.plan.targets import parse_shard
from ptc.render.markdown import MARKER
from tests.support import run

ROOT = Path(__file__).parents[1]
WORKFLOW = ROOT / "examples" / "github-actions-matrix.yml"
README = ROOT / "README.md"
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _workflow() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return document


def _job(name: str) -> dict[str, Any]:
    job: dict[str, Any] = _workflow()["jobs"][name]
    return job


def _runs(job: str) -> list[str]:
    steps = _job(job)["steps"]
    return [line.strip() for s in steps if "run" in s for line in s["run"].splitlines()]


def _filled(line: str, values: dict[str, str]) -> str:
    """A line with its `${{ … }}` expressions replaced by the values a job would see."""
    return _EXPRESSION.sub(lambda match: values[match.group(1)], line)


def _ptc_commands(job: str, values: dict[str, str]) -> list[list[str]]:
    commands = []
    for line in _runs(job):
        if line.startswith("ptc "):
            words = shlex.split(_filled(line, values))
            while ">" in words:  # `> plan.md`
                del words[words.index(">") : words.index(">") + 2]
            commands.append(words[1:])
    return commands


def _parse(args: list[str]) -> Any:
    """Parse like `ptc ARGS` would, invoking nothing; a bad flag raises click's UsageError."""
    group: Any = typer.main.get_command(app)
    with group.make_context("ptc", list(args), resilient_parsing=False) as root:
        command = group.get_command(root, args[0])
        assert command is not None, f"ptc has no command {args[0]!r}"
        return command.make_context(args[0], list(args[1:]), parent=root)


def _shards(job: str) -> list[str]:
    shards: list[str] = _job(job)["strategy"]["matrix"]["shard"]
    return shards


SHARD = {"matrix.shard": "2/4"}


def test_the_jobs_run_these_ptc_commands() -> None:
    assert {job: _ptc_commands(job, SHARD) for job in ("validate", "plan", "apply")} == {
        "validate": [["validate", "--format", "github", "ptc.yaml"]],
        "plan": [
            ["targets", "ptc.yaml", "--shard", "2/4"],
            [
                "plan",
                "ptc.yaml",
                "--shard",
                "2/4",
                "--without-secret-values",
                "--detailed-exitcode",
                "--format",
                "markdown",
                "--out",
                "plan.json",
            ],
        ],
        "apply": [
            ["show", "plan.json"],
            ["apply", "--plan", "plan.json", "--shard", "2/4", "--auto-approve"],
        ],
    }


@pytest.mark.parametrize(
    "args",
    [args for job in ("validate", "plan", "apply") for args in _ptc_commands(job, SHARD)],
    ids=lambda args: " ".join(args),
)
def test_each_ptc_command_parses_with_ptc_s_own_options(args: list[str]) -> None:
    context = _parse(args)

    flags = [a for a in args if a.startswith("-")]
    options = {opt for p in context.command.params for opt in (*p.opts, *p.secondary_opts)}
    assert [f for f in flags if f not in options] == []


def test_plan_and_apply_split_the_accounts_alike_into_complete_disjoint_shards() -> None:
    shards = [parse_shard(text) for text in _shards("plan")]

    assert _shards("apply") == _shards("plan")
    assert {s.count for s in shards} == {len(shards)}
    assert sorted(s.index for s in shards) == list(range(1, len(shards) + 1))
    accounts = [f"{210000000000 + 1111 * i:012d}" for i in range(1, 101)]
    holders = {a: [str(s) for s in shards if s.holds(a)] for a in accounts}
    assert [a for a, held in holders.items() if len(held) != 1] == []
    # A failing shard stops no other, in plan or in apply.
    assert _job("plan")["strategy"]["fail-fast"] is False
    assert _job("apply")["strategy"]["fail-fast"] is False


def test_each_apply_job_applies_its_own_shard_s_reviewed_plan() -> None:
    upload = next(s for s in _job("plan")["steps"] if "upload-artifact" in s.get("uses", ""))
    apply_steps = _job("apply")["steps"]
    download = next(s for s in apply_steps if "download-artifact" in s.get("uses", ""))

    # The matrix index names the artifact: the same list of shards in both jobs gives the
    # same index to the same shard (and `apply --shard` refuses another shard's plan).
    assert (
        upload["with"]["name"] == download["with"]["name"] == "ptc-plan-${{ strategy.job-index }}"
    )
    assert upload["with"]["path"].split() == ["plan.json", "plan.md"]
    assert download["with"]["run-id"] == "${{ steps.reviewed.outputs.run-id }}"
    assert "secrets." not in yaml.safe_dump(_job("plan"))
    assert "secrets.DOCKERHUB_TOKEN" in yaml.safe_dump(_job("apply"))


def test_the_shards_plans_become_one_comment() -> None:
    comment = _job("comment")
    script = next(s["with"]["script"] for s in comment["steps"] if "script" in s.get("with", {}))
    download = next(s for s in comment["steps"] if "download-artifact" in s.get("uses", ""))

    assert comment["needs"] == "plan" and "!cancelled()" in comment["if"]
    assert download["with"]["pattern"] == "ptc-plan-*"
    assert f"const marker = '{MARKER}';" in script and "updateComment" in script


def test_every_install_is_the_distribution_pinned_to_this_version() -> None:
    installs = [
        line
        for job in _workflow()["jobs"]
        for line in _runs(job)
        if re.match(r"(python -m )?pip install", line)
    ]
    assert installs == [f"pip install ecr-ptc=={__version__}"] * 3


def _readme_matrix_job() -> dict[str, Any]:
    """The per-account variant README's "In CI" shows, as YAML."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# One job per account.*?)```", text, re.S)
    assert block is not None, "README lost its per-account matrix example"
    document: dict[str, Any] = yaml.safe_load(block.group(1))
    return document


def test_the_per_account_matrix_consumes_what_ptc_targets_prints(tmp_path: Path) -> None:
    path = tmp_path / "ptc.yaml"
    path.write_text(
        "version: 1\naccounts:\n  role: arn:aws:iam::{account}:role/ptc-deployer\n"
        '  ids: ["111111111111", "222222222222"]\nregions: [us-east-1, eu-west-1]\n',
        encoding="utf-8",
    )
    printed = json.loads(run("targets", path, "--format", "github-matrix").stdout)
    jobs = _readme_matrix_job()["jobs"]
    targets, plan = jobs["targets"], jobs["plan"]

    # The targets job hands ptc's JSON on, untouched, as the plan job's whole matrix.
    step = next(s for s in targets["steps"] if s.get("id") == "targets")
    assert "ptc targets ptc.yaml --format github-matrix" in step["run"]
    assert targets["outputs"]["matrix"] == "${{ steps.targets.outputs.matrix }}"
    assert plan["strategy"]["matrix"] == "${{ fromJSON(needs.targets.outputs.matrix) }}"
    # Every matrix value the job uses is in every entry ptc prints.
    used = {m for line in _runs_of(plan) for m in re.findall(r"matrix\.(\w+)", line)}
    assert used and all(used <= entry.keys() for entry in printed["include"])
    for entry in printed["include"]:
        values = {f"matrix.{k}": str(v) for k, v in entry.items()}
        for line in _runs_of(plan):
            if line.startswith("ptc "):
                _parse(shlex.split(_filled(line, values))[1:])


def _runs_of(job: dict[str, Any]) -> list[str]:
    return [line.strip() for s in job["steps"] if "run" in s for line in s["run"].splitlines()]

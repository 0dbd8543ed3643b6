"""The Markdown view of a plan (a pull request comment): exact snapshots, and the CLI.

The snapshots are the whole text: a reviewer reads it on GitHub, and a workflow replaces
its earlier comment only if the same plan always gives the same text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ptc import __version__
from ptc.cli import app
from ptc.domain.json_documents import canonical_json
from ptc.domain.resources import PermissionIntent, StatementResource
from ptc.plan.changes import Plan
from ptc.plan.diff import make_plan
from ptc.render.markdown import MARKER, render_markdown
from tests.plan.test_diff import (
    DOCKER,
    R,
    desired,
    docker_rule,
    live,
    live_secret,
    managed_secret,
    plan_of,
    rule,
    template,
)

EU = "eu-west-1"
SNAPSHOTS = Path(__file__).parent / "markdown"


def _keep(count: int) -> str:
    selection = {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": count}
    rules = [{"rulePriority": 1, "selection": selection, "action": {"type": "expire"}}]
    return canonical_json({"rules": rules})


def _review_plan() -> Plan:
    want = desired(
        managed_secret(),
        template("docker-hub", description="Docker Hub, 5 images", lifecycle_policy=_keep(5)),
        docker_rule(),
        rule("quay", upstream_prefix="prometheus"),
        rule(
            "ghcr",
            upstream_url="ghcr.io",
            upstream_registry="github-container-registry",
            credential_arn=None,
            credential_name="ecr-pullthroughcache/github",
        ),
        managed_secret("ecr-pullthroughcache/github"),
        rule("quay", region=EU),
        regions=[R, EU],
    )
    have = live(
        live_secret(),
        template("docker-hub", description="Docker Hub", lifecycle_policy=_keep(10)),
        docker_rule(),
        rule("quay"),
        rule("foreign", upstream_url="public.ecr.aws", upstream_registry="ecr-public"),
        regions=[R, EU],
    )
    return plan_of(want, have, values_differ=lambda region, pairs: {DOCKER})


def _snapshot(name: str, plan: Plan) -> str:
    """tests/render/markdown/NAME.md, with this version and the plan's live fingerprint."""
    text = (SNAPSHOTS / f"{name}.md").read_text(encoding="utf-8")
    return text.replace("@VERSION@", __version__).replace(
        "@FINGERPRINT@", plan.live_fingerprint[:19]
    )


def test_a_plan_as_a_pull_request_comment() -> None:
    plan = _review_plan()
    expected = _snapshot("review", plan)

    assert render_markdown(plan) == expected
    assert render_markdown(_review_plan()) == expected  # the same plan, the same text


def _pruning_plan() -> Plan:
    """Destroys (a template with a policy, an absent statement), and what is left alone."""
    want = desired(managed_secret(), rule("quay"))
    want.permissions = [PermissionIntent(region=R, sid="Old", absent=True)]
    gone = template("gone", lifecycle_policy=_keep(3), description="Old, <b>bold</b> ``` fence")
    have = live(live_secret(), rule("quay"), gone)
    have.statements = [_statement("Old"), _statement("Replication")]
    return make_plan(want, have, prune=True, values_compared=False)


def _statement(sid: str) -> StatementResource:
    return StatementResource(
        region=R,
        sid=sid,
        principals=("arn:aws:iam::123456789012:role/ci",),
        actions=("ecr:CreateRepository",),
        resources=(f"arn:aws:ecr:{R}:123456789012:repository/quay/*",),
    )


def test_destroys_show_everything_and_a_backtick_run_cannot_close_the_block() -> None:
    plan = _pruning_plan()
    assert render_markdown(plan) == _snapshot("pruning", plan)


def test_a_plan_too_large_for_a_comment_leaves_the_diffs_out() -> None:
    plan = _pruning_plan()
    assert len(render_markdown(plan)) > 1000
    assert render_markdown(plan, max_chars=1000) == _snapshot("compact", plan)


def test_no_changes() -> None:
    plan = plan_of(desired(), live())
    assert render_markdown(plan) == _snapshot("empty", plan)


# -- the commands ----------------------------------------------------------------------------

TOKEN = "dckr_pat_markdown"
ENV = {"COLUMNS": "120", "DOCKERHUB_USERNAME": "octocat", "DOCKERHUB_TOKEN": TOKEN}


def _run(*args: str | Path) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env=ENV)
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result


@pytest.fixture
def planned(tmp_path: Path) -> tuple[Path, list[str]]:
    from tests.cli.test_plan import FILE

    rules = tmp_path / "rules.yaml"
    rules.write_text(FILE, encoding="utf-8")
    return rules, ["--sandbox", "--sandbox-state", str(tmp_path / "s.json")]


def test_plan_format_markdown_and_show_of_the_saved_plan_agree(
    planned: tuple[Path, list[str]], tmp_path: Path
) -> None:
    rules, sandbox = planned
    saved = tmp_path / "plan.json"

    markdown = _run("plan", *sandbox, "--format", "markdown", "--out", saved, rules)

    assert markdown.exit_code == 0, markdown.output
    assert markdown.stdout.startswith(MARKER + "\n\n### ptc plan for account `123456789012`\n")
    assert "**Plan: 8 to add, 0 to change, 0 to replace, 0 to destroy.**" in markdown.stdout
    assert markdown.stdout.count("<details>") == 8
    for unwanted in ("\x1b", TOKEN, "Saved the plan"):
        assert unwanted not in markdown.stdout
    assert markdown.stderr == ""
    assert _run("show", saved, "--format", "markdown").stdout == markdown.stdout
    text = _run("plan", *sandbox, rules)
    assert _run("show", saved).stdout == text.stdout
    as_json = json.loads(_run("plan", *sandbox, "-f", "json", rules).stdout)
    assert json.loads(_run("show", "-f", "json", saved).stdout) == as_json


def test_show_refuses_what_is_not_a_saved_plan(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"kind": "something-else"}', encoding="utf-8")

    result = _run("show", other)

    assert result.exit_code == 3
    assert result.stderr == f"error: {other}: is not a saved plan made by 'ptc plan --out'\n"
    assert result.stdout == ""

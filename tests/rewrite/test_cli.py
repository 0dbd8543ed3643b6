"""`ptc rewrite-images` as a user runs it: output, formats, exit codes, files on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ptc.cli import app
from tests.rewrite.conftest import HOST, RULES

HUB = f"{HOST}/docker-hub"
POD = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx:1.25  # web\n"
DOCKERFILE = "FROM golang:1.22 AS build\nFROM example.com/base\nFROM build\n"
ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, stdin: str | None = None) -> Result:
    env = {"COLUMNS": "120", "TERMINAL_WIDTH": "120"}
    return CliRunner().invoke(app, ["rewrite-images", *args], input=stdin, env=env)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """rules.yaml (us-east-1 and eu-west-1), a Pod and a Dockerfile, as the working folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.yaml").write_text(RULES)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pod.yaml").write_text(POD)
    (tmp_path / "app" / "Dockerfile").write_text(DOCKERFILE)
    return tmp_path


RULES_ARGS = ("--rules", "rules.yaml", "--region", "us-east-1")


def test_default_prints_a_diff_and_writes_nothing(tree: Path) -> None:
    result = _run(*RULES_ARGS, "app")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "--- a/app/Dockerfile\n"
        "+++ b/app/Dockerfile\n"
        "@@ -1,3 +1,3 @@\n"
        "-FROM golang:1.22 AS build\n"
        f"+FROM {HUB}/library/golang:1.22 AS build\n"
        " FROM example.com/base\n"
        " FROM build\n"
        "--- a/app/pod.yaml\n"
        "+++ b/app/pod.yaml\n"
        "@@ -2,4 +2,4 @@\n"
        " kind: Pod\n"
        " spec:\n"
        "   containers:\n"
        "-  - image: nginx:1.25  # web\n"
        f"+  - image: {HUB}/library/nginx:1.25  # web\n"
        "app/Dockerfile:2:6: no rule: example.com/base (no rule for example.com)\n"
        "to rewrite      2\n"
        "already cached  0\n"
        "no rule         1\n"
        "invalid         0\n"
        "variable        0\n"
        "files           2 (2 changed, 0 failed)\n"
        "2 references in 2 files would be rewritten; --write applies it\n"
    )
    assert (tree / "app" / "pod.yaml").read_text() == POD


def test_write_rewrites_in_place(tree: Path) -> None:
    result = _run(*RULES_ARGS, "--write", "app")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        f"app/Dockerfile:1:6: rewrote: golang:1.22 -> {HUB}/library/golang:1.22",
        "app/Dockerfile:2:6: no rule: example.com/base (no rule for example.com)",
        f"app/pod.yaml:5:12: rewrote: nginx:1.25 -> {HUB}/library/nginx:1.25",
    ]
    assert result.stdout.endswith("rewrote 2 references in 2 files\n")
    assert (tree / "app" / "pod.yaml").read_text() == POD.replace("nginx", f"{HUB}/library/nginx")
    again = _run(*RULES_ARGS, "--check", "app")
    assert again.exit_code == 0
    assert "app/pod.yaml:5:12: already cached: " in again.stdout
    assert again.stdout.endswith("nothing to rewrite\n")


def test_check_fails_with_file_and_line(tree: Path) -> None:
    result = _run(*RULES_ARGS, "--check", "app/pod.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"app/pod.yaml:5:12: would rewrite: nginx:1.25 -> {HUB}/library/nginx:1.25"
    )
    assert result.stdout.endswith("1 reference in 1 file pull from cached upstreams directly\n")
    assert (tree / "app" / "pod.yaml").read_text() == POD


def test_check_github_annotations(tree: Path) -> None:
    (tree / "app" / "bad.json").write_text("{")
    result = _run(*RULES_ARGS, "--check", "--format", "github", "app")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=app/bad.json::not valid JSON: Expecting property name enclosed in double "
        "quotes: line 1 column 2 (char 1)",
        "::error file=app/Dockerfile,line=1,col=6,title=not pulled through the cache::"
        f"golang:1.22 pulls from its upstream directly; use {HUB}/library/golang:1.22",
        "::error file=app/pod.yaml,line=5,col=12,title=not pulled through the cache::"
        f"nginx:1.25 pulls from its upstream directly; use {HUB}/library/nginx:1.25",
        "2 references in 2 files pull from cached upstreams directly",
    ]


def test_github_without_check_warns(tree: Path) -> None:
    (tree / "app" / "Dockerfile").write_text("FROM Nginx\n")
    result = _run(*RULES_ARGS, "--format", "github", "app")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        "::warning file=app/Dockerfile,line=1,col=6,title=invalid image reference::"
        "invalid image reference Nginx: repository name must be lowercase",
        "::warning file=app/pod.yaml,line=5,col=12,title=not pulled through the cache::"
        f"nginx:1.25 pulls from its upstream directly; use {HUB}/library/nginx:1.25",
    ]


def test_json_report(tree: Path) -> None:
    result = _run(*RULES_ARGS, "--format", "json", "app")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["format_version"] == 1
    assert report["target"] == {
        "account": "123456789012",
        "region": "us-east-1",
        "registry": HOST,
    }
    assert report["summary"]["rewritten"] == 2
    assert report["files"][1] == {
        "file": "app/pod.yaml",
        "kinds": ["kubernetes"],
        "changed": True,
        "written": False,
        "error": None,
        "warnings": [],
    }
    assert report["references"][1:] == [
        {
            "file": "app/Dockerfile",
            "line": 2,
            "column": 6,
            "where": "FROM",
            "before": "example.com/base",
            "after": None,
            "status": "no-rule",
            "rule": None,
            "reason": "no rule for example.com",
            "pulls_upstream": False,
        },
        {
            "file": "app/pod.yaml",
            "line": 5,
            "column": 12,
            "where": "spec.containers[0].image",
            "before": "nginx:1.25",
            "after": f"{HUB}/library/nginx:1.25",
            "status": "rewritten",
            "rule": "docker-hub",
            "reason": None,
            "pulls_upstream": True,
        },
    ]


def test_stdin_is_a_filter(tree: Path) -> None:
    result = _run(*RULES_ARGS, "-", stdin=POD)
    assert result.exit_code == 0
    assert result.stdout == POD.replace("nginx", f"{HUB}/library/nginx")
    assert result.stderr.endswith("1 reference in 1 file would be rewritten; --write applies it\n")


def test_stdin_check(tree: Path) -> None:
    result = _run(*RULES_ARGS, "--check", "-", stdin="FROM nginx\n")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"-:1:6: would rewrite: nginx -> {HUB}/library/nginx\n")


def test_stdin_error(tree: Path) -> None:
    result = _run(*RULES_ARGS, "-", stdin='{"containerDefinitions": [}')
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("-: error: not valid JSON: Expecting value: line 1 column 27")


def test_bad_files_are_reported_and_the_rest_written(tree: Path) -> None:
    (tree / "app" / "broken.yaml").write_text("a: [\n")
    (tree / "app" / "image.json").write_bytes(b"\0\1\2")
    result = _run(*RULES_ARGS, "--write", "app")
    assert result.exit_code == 1
    assert result.stderr == (
        "app/broken.yaml: error: not valid YAML: did not find expected node content "
        "(line 2, column 1)\n"
        "app/image.json: error: a binary file, not text\n"
    )
    assert "Traceback" not in result.output
    assert f"{HUB}/library/nginx" in (tree / "app" / "pod.yaml").read_text()
    assert "files           4 (2 changed, 2 failed)\n" in result.stdout


def test_account_and_region_options(tree: Path) -> None:
    args = ("--rules", "rules.yaml", "--account", "111122223333", "--region", "eu-west-1")
    result = _run(*args, "--check", "app/pod.yaml")
    host = "111122223333.dkr.ecr.eu-west-1.amazonaws.com"
    assert f"-> {host}/docker-hub/library/nginx:1.25" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("--rules", "rules.yaml", "app"),
            64,
            "error: the rules file lists 2 regions (us-east-1, eu-west-1); "
            "choose one with --region\n",
        ),
        (
            ("--rules", "missing.yaml", "app"),
            3,
            None,
        ),
        (
            (*RULES_ARGS, "--region", "ap-south-1", "app"),
            64,
            "error: region 'ap-south-1' is not in the rules file's regions "
            "(us-east-1, eu-west-1)\n",
        ),
    ],
)
def test_target_and_rules_errors(
    tree: Path, args: tuple[str, ...], code: int, message: str | None
) -> None:
    result = _run(*args)
    assert result.exit_code == code
    assert result.stdout == ""
    if message is not None:
        assert result.stderr == message
    assert "Traceback" not in result.stderr


def test_invalid_rules_file_exits_1(tree: Path) -> None:
    (tree / "bad-rules.yaml").write_text("version: 1\nregions: [us-east-1]\nrules: [{prefix: X}]\n")
    result = _run("--rules", "bad-rules.yaml", "app")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "error: bad-rules.yaml: 1 error; fix it first"
    assert "PTC008 error: rules[0] is missing 'upstream'" in result.stderr


@pytest.mark.parametrize(
    "args",
    [(*RULES_ARGS, "--write", "--check", "app"), (*RULES_ARGS, "-", "app"), (*RULES_ARGS,)],
)
def test_usage_errors_exit_64(tree: Path, args: tuple[str, ...]) -> None:
    result = _run(*args)
    assert result.exit_code == 64
    assert (tree / "app" / "pod.yaml").read_text() == POD


def test_no_boto3_import(tree: Path) -> None:
    script = (
        "import sys\n"
        "from ptc.cli import app, rewrite\n"
        "rewrite.register(app)\n"
        "try:\n"
        "    app(['rewrite-images', '--rules', 'rules.yaml', '--region', 'us-east-1',\n"
        "         '--write', 'app'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "print('boto3' in sys.modules, 'botocore' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tree, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "False False"
    assert f"{HUB}/library/nginx" in (tree / "app" / "pod.yaml").read_text()


def test_diff_marks_a_missing_final_newline(tree: Path) -> None:
    (tree / "app" / "Dockerfile").write_text("FROM nginx")
    result = _run(*RULES_ARGS, "app/Dockerfile")
    assert result.stdout.startswith(
        "--- a/app/Dockerfile\n+++ b/app/Dockerfile\n@@ -1 +1 @@\n"
        "-FROM nginx\n\\ No newline at end of file\n"
        f"+FROM {HUB}/library/nginx\n\\ No newline at end of file\n"
    )


def test_exclude_and_symlink_loop(tree: Path) -> None:
    (tree / "app" / "loop").symlink_to(tree / "app")
    result = _run(*RULES_ARGS, "--check", "--exclude", "Dockerfile", "app")
    assert result.exit_code == 1
    assert result.stderr == f"app/loop: error: symlink loop: leads back to {tree / 'app'}\n"
    assert "app/Dockerfile" not in result.stdout
    assert "app/pod.yaml:5:12: would rewrite" in result.stdout


RUNNER = "apiVersion: ci.example.com/v1\nkind: Runner\nspec:\n  runner:\n    image: quay.io/o/r:1\n"


def test_an_unknown_kind_fails_check_and_says_how_to_add_it(tree: Path) -> None:
    (tree / "app" / "runner.yaml").write_text(RUNNER)
    result = _run(*RULES_ARGS, "--check", "app/runner.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "app/runner.yaml:5:12: skipped: quay.io/o/r:1 (not a known image field of a Runner: "
        f"--image-path Runner=spec.runner.image rewrites it; would be {HOST}/quay/o/r:1)"
    )
    github = _run(*RULES_ARGS, "--check", "--format", "github", "app/runner.yaml")
    assert github.stdout.splitlines()[0] == (
        "::error file=app/runner.yaml,line=5,col=12,title=image field not known::"
        "quay.io/o/r:1: not a known image field of a Runner: --image-path "
        f"Runner=spec.runner.image rewrites it; would be {HOST}/quay/o/r:1"
    )


def test_image_path_option(tree: Path) -> None:
    (tree / "app" / "runner.yaml").write_text(RUNNER)
    args = ("--image-path", "Runner=spec.runner.image", "--write", "app/runner.yaml")
    result = _run(*RULES_ARGS, *args)
    assert result.exit_code == 0
    assert (tree / "app" / "runner.yaml").read_text() == RUNNER.replace(
        "quay.io/o/r:1", f"{HOST}/quay/o/r:1"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Runner", "'Runner': expected KIND=PATH, e.g. Foo=spec.runner.image"),
        ("=spec.image", "'=spec.image': expected KIND=PATH, e.g. Foo=spec.runner.image"),
        ("Runner=", "'Runner=': expected KIND=PATH, e.g. Foo=spec.runner.image"),
        ("Runner=spec..image", "'spec..image': cannot read the path from '..image'"),
    ],
)
def test_bad_image_path_is_a_usage_error(tree: Path, value: str, message: str) -> None:
    result = _run(*RULES_ARGS, "--image-path", value, "app")
    assert result.exit_code == 64
    assert message in " ".join(result.stderr.replace("│", " ").split())
    assert "Traceback" not in result.stderr
    assert (tree / "app" / "pod.yaml").read_text() == POD


VALUES = "image:\n  registry: docker.io\n  repository: bitnami/nginx\n  tag: 1.27.0\n"


def test_helm_values_by_name_and_by_option(tree: Path) -> None:
    (tree / "app" / "values-prod.yaml").write_text(VALUES)
    (tree / "prod.yaml").write_text(VALUES)
    result = _run(*RULES_ARGS, "--check", "--format", "json", "app", "--helm-values", "prod.yaml")
    report = json.loads(result.stdout)
    assert [(f["file"], f["kinds"]) for f in report["files"]] == [
        ("app/Dockerfile", ["dockerfile"]),
        ("app/pod.yaml", ["kubernetes"]),
        ("app/values-prod.yaml", ["helm-values"]),
        ("prod.yaml", ["helm-values"]),
    ]
    without = _run(*RULES_ARGS, "--check", "--format", "json", "prod.yaml")
    assert json.loads(without.stdout)["files"][0]["kinds"] == []


def test_helm_values_marks_a_file_among_the_paths(tree: Path) -> None:
    (tree / "app" / "chart.yaml").write_text(VALUES)
    args = ("--write", "app", "--helm-values", "./app/chart.yaml")
    result = _run(*RULES_ARGS, *args)
    assert result.exit_code == 0
    assert (tree / "app" / "chart.yaml").read_text() == VALUES.replace("docker.io", HOST).replace(
        "bitnami/nginx", "docker-hub/bitnami/nginx"
    )
    assert result.stdout.endswith("rewrote 3 references in 3 files\n")


def test_write_counts_only_what_was_written(tree: Path) -> None:
    (tree / "app" / "Dockerfile").chmod(0o444)
    result = _run(*RULES_ARGS, "--write", "app")
    assert result.exit_code == 1
    assert (
        result.stderr == "app/Dockerfile: error: cannot write: the file is read-only (mode 0444)\n"
    )
    assert result.stdout == (
        f"app/Dockerfile:1:6: not written: golang:1.22 -> {HUB}/library/golang:1.22 "
        "(cannot write: the file is read-only (mode 0444))\n"
        "app/Dockerfile:2:6: no rule: example.com/base (no rule for example.com)\n"
        f"app/pod.yaml:5:12: rewrote: nginx:1.25 -> {HUB}/library/nginx:1.25\n"
        "rewritten       1\n"
        "already cached  0\n"
        "no rule         1\n"
        "invalid         0\n"
        "variable        0\n"
        "not written     1\n"
        "files           2 (1 changed, 1 failed)\n"
        "rewrote 1 reference in 1 file\n"
    )
    assert (tree / "app" / "Dockerfile").read_text() == DOCKERFILE


def test_warnings_are_reported(tree: Path) -> None:
    import os

    os.link(tree / "app" / "pod.yaml", tree / "pod-copy.yaml")
    result = _run(*RULES_ARGS, "--write", "app")
    assert result.exit_code == 0
    assert result.stderr == (
        "app/pod.yaml: warning: it had 1 other hard link, which keeps the old content: "
        "the rewritten file is a new one\n"
    )
    report = json.loads(_run(*RULES_ARGS, "--format", "json", "--write", "app").stdout)
    assert [f["warnings"] for f in report["files"]] == [[], []]

"""`ptc validate`, `ptc schema` and `ptc checks` as a user runs them: output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

import ptc
from ptc.checks.registry import ALL_CHECKS
from ptc.cli import app
from ptc.render.findings import checks_markdown

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/rules.yaml"
HEAD = "version: 1\nregions: [us-east-1]\n"
ERRORS = HEAD + "rules:\n  - prefix: Quay\n    upstream: quay.io\n"
WARNINGS = "version: 1\nregions: [us-east-1, us-east-1]\n"
MIXED = (
    ERRORS
    + "  - {prefix: pub, upstream: public.ecr.aws}\n  - {prefix: pub/x, upstream: public.ecr.aws}\n"
)


def _run(*args: str) -> Result:
    runner = CliRunner()
    return runner.invoke(app, list(args), env={"COLUMNS": "120", "TERMINAL_WIDTH": "120"})


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(directory: Path, text: str, name: str = "ptc.yaml") -> str:
    (directory / name).write_text(text, encoding="utf-8")
    return name


# -- text output and exit codes ----------------------------------------------------------------


def test_the_example_is_clean(in_repo: Path) -> None:
    result = _run("validate", EXAMPLE)

    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "examples/rules.yaml: 0 errors, 0 warnings\n",
        "",
    )


def test_findings_are_printed_with_location_id_severity_and_fix(in_tmp: Path) -> None:
    name = _write(in_tmp, ERRORS + "  - prefix: quay/x\n    upstream: quay.io\n    extra: 1\n")

    result = _run("validate", name)

    assert result.exit_code == 1
    assert result.stdout == (
        "ptc.yaml:4:13: PTC201 error: prefix 'Quay' is not a valid prefix\n"
        "    fix: Use lower-case letters and digits in groups separated by '.', '_', '__' or '-', "
        "with '/' between path parts, or ROOT.\n"
        "ptc.yaml:8:5: PTC006 error: unknown key 'extra' in rules[1]\n"
        "    fix: Remove the key or correct its spelling.\n"
        "ptc.yaml: 2 errors, 0 warnings\n"
    )


@pytest.mark.parametrize(
    ("text", "options", "exit_code"),
    [
        pytest.param(HEAD, [], 0, id="clean"),
        pytest.param(ERRORS, [], 1, id="errors"),
        pytest.param(WARNINGS, [], 0, id="warnings only"),
        pytest.param(WARNINGS, ["--strict"], 1, id="warnings with --strict"),
        pytest.param(HEAD, ["--strict"], 0, id="clean with --strict"),
        pytest.param(ERRORS, ["--ignore", "PTC201"], 0, id="errors ignored"),
        pytest.param(WARNINGS, ["--strict", "--ignore", "PTC1"], 0, id="warnings ignored"),
        pytest.param("version: [1\n", [], 1, id="invalid YAML"),
        pytest.param("", [], 1, id="empty file"),
    ],
)
def test_exit_codes(in_tmp: Path, text: str, options: list[str], exit_code: int) -> None:
    name = _write(in_tmp, text)

    assert _run("validate", name, *options).exit_code == exit_code


def test_ignore_is_repeatable(in_tmp: Path) -> None:
    name = _write(in_tmp, ERRORS + "account: '1'\n")

    result = _run("validate", name, "--ignore", "PTC201", "--ignore", "PTC101")

    assert (result.exit_code, result.stdout) == (0, "ptc.yaml: 0 errors, 0 warnings\n")


def _unreadable(directory: Path, case: str) -> str:
    match case:
        case "missing":
            return "nope.yaml"
        case "directory":
            (directory / "configs").mkdir()
            return "configs"
        case "binary":
            (directory / "ptc.yaml").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00")
        case "not UTF-8":
            (directory / "ptc.yaml").write_bytes(b"version: 1\ndescription: caf\xe9\n")
        case "50 MB":
            with (directory / "ptc.yaml").open("wb") as handle:
                handle.truncate(50 * 1000 * 1000)
    return "ptc.yaml"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "error: nope.yaml: no such file\n"),
        ("directory", "error: configs: is a directory, not a file\n"),
        ("binary", "error: ptc.yaml: is a binary file, not YAML or JSON text\n"),
        ("not UTF-8", "error: ptc.yaml: is not UTF-8 text (invalid byte at offset 27)\n"),
        ("50 MB", "error: ptc.yaml: 50.0 MB is too large; ptc reads files up to 10 MiB\n"),
    ],
)
@pytest.mark.parametrize("output_format", ["text", "json"])
def test_an_unreadable_file_is_one_message_and_exit_3(
    in_tmp: Path, case: str, message: str, output_format: str
) -> None:
    name = _unreadable(in_tmp, case)

    result = _run("validate", name, "--format", output_format)

    assert (result.exit_code, result.stdout, result.stderr) == (3, "", message)


def test_an_unknown_format_is_a_usage_error(in_repo: Path) -> None:
    result = _run("validate", EXAMPLE, "--format", "xml")

    assert (result.exit_code, result.stdout) == (64, "")
    assert result.stderr == (
        "error: invalid value for '--format' / '-f': 'xml' is not one of 'text', 'json', "
        "'github', 'sarif'; see 'ptc validate --help'\n"
    )


def test_an_alias_bomb_is_a_finding_not_a_crash(in_repo: Path) -> None:
    result = _run("validate", "tests/fixtures/configs/bad/PTC009-alias-bomb.yaml", "-f", "json")

    assert result.exit_code == 1
    assert [f["id"] for f in json.loads(result.stdout)["findings"]] == ["PTC009"]


# -- machine formats ---------------------------------------------------------------------------


def test_json_lists_every_finding(in_tmp: Path) -> None:
    name = _write(in_tmp, ERRORS)

    result = _run("validate", name, "--format", "json")

    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "format_version": 1,
        "ptc_version": ptc.__version__,
        "findings": [
            {
                "file": "ptc.yaml",
                "line": 4,
                "column": 13,
                "id": "PTC201",
                "severity": "error",
                "message": "prefix 'Quay' is not a valid prefix",
                "fix": "Use lower-case letters and digits in groups separated by '.', '_', '__' "
                "or '-', with '/' between path parts, or ROOT.",
            }
        ],
    }


def test_json_of_a_clean_file_is_an_empty_list(in_repo: Path) -> None:
    result = _run("validate", EXAMPLE, "-f", "json")

    assert (result.exit_code, json.loads(result.stdout)) == (
        0,
        {"format_version": 1, "ptc_version": ptc.__version__, "findings": []},
    )


def test_github_prints_one_annotation_per_finding(in_tmp: Path) -> None:
    name = _write(in_tmp, MIXED)

    result = _run("validate", name, "--format", "github")

    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning"]
    assert all(line.startswith(("::error file=", "::warning file=")) for line in lines)
    assert lines[0] == (
        "::error file=ptc.yaml,line=4,col=13,title=PTC201::prefix 'Quay' is not a valid prefix. "
        "Fix: Use lower-case letters and digits in groups separated by '.', '_', '__' or '-', "
        "with '/' between path parts, or ROOT."
    )
    assert lines[1].startswith(
        "::warning file=ptc.yaml,line=7,col=14,title=PTC204::prefix 'pub/x' lies under "
    )


def test_github_escapes_what_would_break_an_annotation(in_tmp: Path) -> None:
    name = _write(in_tmp, HEAD + "owner: x\n", name="a,b:c.yaml")

    result = _run("validate", name, "--format", "github")

    assert result.stdout.startswith("::error file=a%2Cb%3Ac.yaml,line=3,col=1,title=PTC006::")


def test_github_prints_nothing_for_a_clean_file(in_repo: Path) -> None:
    result = _run("validate", EXAMPLE, "--format", "github")

    assert (result.exit_code, result.stdout) == (0, "")


def test_sarif_is_version_2_1_0_with_every_check_as_a_rule(in_tmp: Path) -> None:
    name = _write(in_tmp, MIXED)

    result = _run("validate", name, "--format", "sarif")

    log: dict[str, Any] = json.loads(result.stdout)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert result.exit_code == 1
    assert log["version"] == "2.1.0"
    assert [rule["id"] for rule in rules] == [check.id for check in ALL_CHECKS]
    assert [
        (
            r["ruleId"],
            rules[r["ruleIndex"]]["id"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in run["results"]
    ] == [
        ("PTC201", "PTC201", "error", "ptc.yaml", {"startLine": 4, "startColumn": 13}),
        ("PTC204", "PTC204", "warning", "ptc.yaml", {"startLine": 7, "startColumn": 14}),
    ]


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_no_format_repeats_a_literal_secret(in_tmp: Path, output_format: str) -> None:
    text = (
        HEAD
        + "secrets:\n  - name: ecr-pullthroughcache/x\n"
        + "    username: hunter2\n    access_token: [hunter2]\n"
    )
    name = _write(in_tmp, text)

    result = _run("validate", name, "--format", output_format)

    assert result.exit_code == 1
    assert "PTC306" in result.stdout
    assert "hunter2" not in result.stdout + result.stderr


# -- schema and checks -------------------------------------------------------------------------


def test_schema_prints_the_json_schema_the_example_satisfies() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    result = _run("schema")
    schema = json.loads(result.stdout)
    data = yaml.safe_load((ROOT / EXAMPLE).read_text(encoding="utf-8"))

    validator = jsonschema.Draft202012Validator(schema)

    assert result.exit_code == 0
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(validator.iter_errors(data)) == []
    assert [e.message for e in validator.iter_errors({**data, "prunes": True})] == [
        "Additional properties are not allowed ('prunes' was unexpected)"
    ]


def test_schema_names_the_required_fields_and_forbids_others() -> None:
    schema = json.loads(_run("schema").stdout)

    assert schema["required"] == ["version", "regions"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["version"]["const"] == 1
    assert set(schema["properties"]) == {
        "version",
        "account",
        "accounts",
        "regions",
        "prune",
        "rules",
        "secrets",
        "templates",
        "permissions",
        "safety",
    }
    assert schema["$defs"]["Accounts"]["required"] == ["role"]
    assert schema["$defs"]["Accounts"]["additionalProperties"] is False


def test_checks_lists_every_check_with_its_fix() -> None:
    result = CliRunner().invoke(app, ["checks"], env={"COLUMNS": "40", "TERMINAL_WIDTH": "40"})

    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert lines[0].split() == ["ID", "severity", "what", "it", "finds", "fix"]
    assert [line.split()[0] for line in lines[1:]] == [check.id for check in ALL_CHECKS]
    assert lines[1].split()[:2] == ["PTC001", "error"]
    # The fix the help promises, whole: output that is not a terminal is never cut.
    for check, line in zip(ALL_CHECKS, lines[1:], strict=True):
        assert check.summary in line, check.id
        assert line.rstrip().endswith(check.fix), check.id


def test_checks_markdown_is_the_generated_page() -> None:
    assert _run("checks", "--markdown").stdout == checks_markdown()


# -- start-up: no boto3 for the offline commands -----------------------------------------------


def _imported_modules(*args: str) -> tuple[int, set[str]]:
    """Run `python -X importtime -m ptc ARGS` and return its exit code and imported modules."""
    process = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ptc", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in process.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return process.returncode, modules


@pytest.mark.parametrize("args", [("--help",), ("validate", EXAMPLE)], ids=["--help", "validate"])
def test_offline_commands_do_not_import_boto3(args: tuple[str, ...]) -> None:
    exit_code, modules = _imported_modules(*args)

    assert exit_code == 0
    assert "ptc.cli" in modules  # the parse worked: this is the import log of ptc itself
    heavy = sorted(m for m in modules if m.split(".")[0] in {"boto3", "botocore", "s3transfer"})
    assert heavy == [], "import them inside the command that needs AWS"


# -- several files (pre-commit passes them all at once) ----------------------------------------


def test_several_files_print_findings_and_a_summary_per_file(in_tmp: Path) -> None:
    clean = _write(in_tmp, HEAD, name="a.yaml")
    bad = _write(in_tmp, ERRORS, name="b.yaml")

    result = _run("validate", clean, bad)

    assert result.exit_code == 1
    assert result.stdout == (
        "a.yaml: 0 errors, 0 warnings\n"
        "b.yaml:4:13: PTC201 error: prefix 'Quay' is not a valid prefix\n"
        "    fix: Use lower-case letters and digits in groups separated by '.', '_', '__' or '-', "
        "with '/' between path parts, or ROOT.\n"
        "b.yaml: 1 error, 0 warnings\n"
    )


def test_several_clean_files_pass_and_json_holds_all_findings(in_tmp: Path) -> None:
    first = _write(in_tmp, WARNINGS, name="a.yaml")
    second = _write(in_tmp, MIXED, name="b.yaml")

    assert _run("validate", first, first).exit_code == 0
    result = _run("validate", first, second, "-f", "json")
    assert result.exit_code == 1
    assert [(f["file"], f["id"]) for f in json.loads(result.stdout)["findings"]] == [
        ("a.yaml", "PTC106"),
        ("b.yaml", "PTC201"),
        ("b.yaml", "PTC204"),
    ]


def test_an_unreadable_file_among_several_is_exit_3_after_the_others(in_tmp: Path) -> None:
    bad = _write(in_tmp, ERRORS, name="b.yaml")

    result = _run("validate", "nope.yaml", bad)

    assert (result.exit_code, result.stderr) == (3, "error: nope.yaml: no such file\n")
    assert result.stdout.endswith("b.yaml: 1 error, 0 warnings\n")

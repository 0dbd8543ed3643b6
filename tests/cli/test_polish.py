"""Command-line details from issue 9's evaluation: one meaning per short flag, options that
cannot go together, export's region, --ignore and inline suppression, validate's JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import typer.main
from typer import _click
from typer.core import TyperOption
from typer.testing import CliRunner, Result

from ptc.checks.registry import ALL_CHECKS, id_ranges
from ptc.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "rules.yaml")
ENV = {"COLUMNS": "120", "TERMINAL_WIDTH": "120"}
# Checks are added over time: the messages name whatever IDs there are.
IDS = id_ranges()
QUAY = "version: 1\nregions: [us-east-1]\nrules:\n  - prefix: quay\n    upstream: quay.io\n"


def run(*args: str | Path, env: dict[str, str | None] | None = None, **kw: Any) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env={**ENV, **(env or {})}, **kw)
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result


def _options(command: _click.Command, path: str = "ptc") -> list[tuple[str, TyperOption]]:
    found = [(path, p) for p in command.params if isinstance(p, TyperOption)]
    for name, sub in getattr(command, "commands", {}).items():
        found += _options(sub, f"{path} {name}")
    return found


# -- -r is --region everywhere --------------------------------------------------------------------


def test_r_means_region_on_every_command() -> None:
    options = _options(typer.main.get_command(app))
    with_r = {(path, tuple(p.opts)) for path, p in options if "-r" in p.opts}
    with_region = {(path, tuple(p.opts)) for path, p in options if "--region" in p.opts}

    assert with_r == with_region
    assert {path for path, _ in with_region} == {
        "ptc validate",
        "ptc plan",
        "ptc apply",
        "ptc export",
        "ptc import-terraform",
        "ptc status",
        "ptc targets",
        "ptc rewrite-images",
        "ptc iam-policy",
        "ptc sandbox pull",
    }


def test_rewrite_images_takes_the_rules_by_long_flag_and_r_for_the_region(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        QUAY.replace("[us-east-1]", '[us-east-1, eu-west-1]\naccount: "123456789012"'),
        encoding="utf-8",
    )
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: quay.io/a/b:1\n")

    result = run("rewrite-images", "--rules", rules, "-r", "eu-west-1", "--check", pod)

    assert result.exit_code == 1  # a reference to rewrite, into eu-west-1
    assert ".dkr.ecr.eu-west-1.amazonaws.com/quay/a/b:1" in result.stdout


# -- options that do not go together -----------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["plan"], ["apply", "--auto-approve"], ["status"], ["validate", "--online"], ["export"]],
    ids=lambda c: c[0],
)
def test_profile_with_sandbox_is_refused(
    command: list[str], sandbox: list[str], tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(QUAY, encoding="utf-8")
    file = [] if command == ["export"] else [rules]

    result = run(*command, *sandbox, "--profile", "prod", *file)

    assert (result.exit_code, result.stdout) == (64, "")
    assert result.stderr == (
        "error: --profile and --sandbox do not go together: the sandbox uses no AWS credentials\n"
    )
    assert not (tmp_path / "s.json").exists()  # refused before the sandbox started


def test_profile_with_sandbox_is_refused_before_anything_else(sandbox: list[str]) -> None:
    # The example's secrets are not set: the sandbox's placeholder notice must not come first.
    result = run("plan", *sandbox, "--profile", "prod", EXAMPLE)

    assert (result.exit_code, result.stdout) == (64, "")
    assert result.stderr.startswith("error: --profile and --sandbox do not go together")


# -- export's region ----------------------------------------------------------------------------


def test_export_without_region_uses_the_configured_one_and_says_so(
    sandbox: list[str], tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(QUAY, encoding="utf-8")
    assert run("apply", *sandbox, "--auto-approve", rules).exit_code == 0

    result = run("export", *sandbox)

    assert result.exit_code == 0
    assert result.stderr == (
        "export: no --region given; exporting us-east-1, the configured region\n"
    )
    assert "regions:\n- us-east-1\n" in result.stdout
    assert "prefix: quay" in result.stdout


def test_export_without_any_region_refuses(tmp_path: Path, aws: Any) -> None:
    empty = tmp_path / "config"
    empty.write_text("")
    env = {"AWS_REGION": None, "AWS_DEFAULT_REGION": None, "AWS_PROFILE": None}

    result = run("export", env={**env, "AWS_CONFIG_FILE": str(empty)})

    assert (result.exit_code, result.stdout) == (64, "")
    assert result.stderr == (
        "error: export needs --region REGION: no region is configured "
        "(AWS_REGION, AWS_DEFAULT_REGION or the profile's region)\n"
    )


def test_export_help_speaks_of_regions_and_of_the_from_file_only() -> None:
    result = run("export", "--help", env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})

    # export reads no file of its own: the only file its options speak of is --from's
    assert "--from" in result.stdout
    assert "default: the file" not in result.stdout
    assert "A region to export (repeatable); default: the --from file's regions, else the" in (
        result.stdout
    )


# -- --ignore -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("ptc204", " (did you mean PTC204? IDs are upper case)"),
        ("PTC2O4", " (did you mean PTC204?)"),
        ("PTC999", ""),
        ("", ""),
    ],
)
def test_ignore_of_an_unknown_id_is_a_usage_error_naming_the_ids(value: str, hint: str) -> None:
    result = run("validate", "--ignore", value, EXAMPLE)

    assert (result.exit_code, result.stdout) == (64, "")
    assert result.stderr == (
        f"error: --ignore {value}: no check ID starts with '{value}'{hint}; the IDs are {IDS}\n"
    )


@pytest.mark.parametrize("value", ["PTC204", "PTC2", "PTC"])
def test_ignore_takes_an_id_or_the_start_of_one(value: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(QUAY + "  - {prefix: quay/x, upstream: quay.io}\n", encoding="utf-8")

    assert run("validate", rules).stdout.count("PTC204 warning") == 1
    assert run("validate", "--ignore", value, rules).stdout.endswith(": 0 errors, 0 warnings\n")


def test_every_check_id_is_in_the_named_ranges() -> None:
    assert IDS.startswith("PTC001-PTC010, PTC101-PTC107, PTC201-")
    numbers = {int(c.id[3:]) for c in ALL_CHECKS}
    ranged: set[int] = set()
    for part in IDS.split(", "):
        first, _, last = part.partition("-")  # a lone ID (PTC701) is a range of one
        ranged |= set(range(int(first[3:]), int((last or first)[3:]) + 1))
    assert ranged == numbers


# -- inline suppression -------------------------------------------------------------------------

TWO_BAD = """\
version: 1
regions: [us-east-1]
rules:
  - prefix: Quay   # ptc: ignore=PTC201 (legacy name, renamed in Q3)
    upstream: quay.io
  - prefix: Ghcr
    upstream: ghcr.io
    credentials: ecr-pullthroughcache/ghcr
"""


def test_an_inline_ignore_silences_that_check_on_that_line_only(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(TWO_BAD, encoding="utf-8")

    result = run("validate", "-f", "json", rules)

    found = [(f["line"], f["id"]) for f in json.loads(result.stdout)["findings"]]
    assert (4, "PTC201") not in found
    assert (6, "PTC201") in found  # the same check on another line still reports


def test_an_inline_ignore_of_several_ids_and_prefixes(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        QUAY.replace("prefix: quay", "prefix: Q  # ptc: ignore=PTC201, PTC20"), encoding="utf-8"
    )

    result = run("validate", rules)

    assert (result.exit_code, result.stdout) == (0, f"{rules}: 0 errors, 0 warnings\n")


def test_plan_honours_inline_ignores_too(tmp_path: Path, sandbox: list[str]) -> None:
    # The suppression is in the file: every command reads the file the same way.
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        QUAY + "  - prefix: quay/sub   # ptc: ignore=PTC204\n    upstream: quay.io\n",
        encoding="utf-8",
    )
    assert "PTC204" not in run("validate", "--strict", rules).stdout

    assert run("plan", *sandbox, rules).exit_code == 0


def test_an_inline_ignore_naming_no_check_is_a_warning(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(QUAY.replace("prefix: quay", "prefix: quay  # ptc: ignore=ptc201"))

    result = run("validate", "--strict", rules)

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{rules}:4:33: PTC010 warning: '# ptc: ignore=ptc201' silences nothing: no check ID "
        f"starts with 'ptc201' (did you mean PTC201? IDs are upper case); the IDs are {IDS}"
    )


def test_the_file_structure_checks_cannot_be_silenced(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(QUAY + "    extra: 1   # ptc: ignore=PTC006\n", encoding="utf-8")

    result = run("validate", rules)

    assert result.exit_code == 1
    assert "PTC006 error: unknown key 'extra'" in result.stdout


# -- validate --format json ---------------------------------------------------------------------


def test_validate_json_has_a_format_version_and_holds_to_its_schema(tmp_path: Path) -> None:
    schema = json.loads((ROOT / "docs" / "validate-report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = sorted((ROOT / "tests" / "fixtures" / "configs" / "bad").glob("*.yaml"))
    assert len(bad) > 50

    documents = [json.loads(run("validate", "-f", "json", EXAMPLE).stdout)]
    documents.append(json.loads(run("validate", "-f", "json", *bad).stdout))

    for document in documents:
        validator.validate(document)
        assert document["format_version"] == 1
    seen = {(f["id"], f["severity"]) for f in documents[1]["findings"]}
    assert {severity for _, severity in seen} == {"error", "warning"}
    assert len({check_id for check_id, _ in seen}) > 50

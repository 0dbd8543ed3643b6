"""The runner: schema errors mapped to checks and locations, crash isolation, --ignore."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest

from ptc.checks import rules
from ptc.checks.base import Context, Finding, Problem, Severity
from ptc.checks.runner import dotted, load_valid, validate_file, validate_text
from ptc.errors import ConfigError
from ptc.render import findings as formats

HEAD = "version: 1\nregions: [us-east-1]\n"


def _findings(text: str, base_dir: Path = Path(".")) -> list[tuple[str, int, int, str]]:
    result = validate_text(dedent(text), "ptc.yaml", base_dir)
    return [(f.check_id, f.line, f.column, f.message) for f in result.findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            HEAD + "rules:\n  - prefix: quay\n    upstrem: quay.io\n",
            [
                ("PTC008", 4, 5, "rules[0] is missing 'upstream'"),
                ("PTC006", 5, 5, "unknown key 'upstrem' in rules[0]; did you mean 'upstream'?"),
            ],
            id="unknown key with a close match, at the key",
        ),
        pytest.param(
            HEAD + "owner: platform\n",
            [("PTC006", 3, 1, "unknown key 'owner' in the file")],
            id="unknown top-level key without a close match",
        ),
        pytest.param(
            HEAD
            + "secrets:\n  - name: ecr-pullthroughcache/x\n    username: {env: U}\n"
            + "    access_token: {env: T, fiel: t}\n",
            [
                (
                    "PTC006",
                    6,
                    28,
                    "unknown key 'fiel' in secrets[0].access_token; did you mean 'file'?",
                )
            ],
            id="unknown key in a nested model",
        ),
        pytest.param(
            "account: '123456789012'\n",
            [
                ("PTC008", 1, 1, "the file is missing 'regions'"),
                ("PTC008", 1, 1, "the file is missing 'version'"),
            ],
            id="missing top-level fields",
        ),
        pytest.param(
            HEAD + "prune: 1\n",
            [("PTC007", 3, 8, "prune: input should be a valid boolean (got a number)")],
            id="wrong type of a scalar",
        ),
        pytest.param(
            HEAD + "rules: {prefix: quay, upstream: quay.io}\n",
            [("PTC007", 3, 8, "rules: input should be a valid list (got a mapping)")],
            id="a mapping where a list belongs",
        ),
        pytest.param(
            HEAD + "rules: [quay.io]\n",
            [
                (
                    "PTC007",
                    3,
                    9,
                    "rules[0]: input should be a valid dictionary or instance of rule (got text)",
                )
            ],
            id="an item that is not a mapping",
        ),
        pytest.param(
            HEAD
            + "secrets:\n  - name: ecr-pullthroughcache/x\n    username: {env: U, file: u}\n"
            + "    access_token: {env: T}\n",
            [
                (
                    "PTC007",
                    5,
                    15,
                    "secrets[0].username: give exactly one of 'env' or 'file' "
                    "as the value's source",
                )
            ],
            id="both sources of a secret value",
        ),
        pytest.param(
            "version: 2\nregions: [nowhere-1]\n",
            [("PTC005", 1, 10, "version 2 is not supported; this ptc reads 1")],
            id="unsupported version stops there",
        ),
        pytest.param(
            "version: one\nregions: [us-east-1]\n",
            [("PTC007", 1, 10, "version: input should be a valid integer (got text)")],
            id="a version that is not a number",
        ),
        pytest.param(
            "- version: 1\n",
            [("PTC004", 1, 1, "the file is a list, not a mapping")],
            id="a file that is a list",
        ),
        pytest.param(
            "hello\n", [("PTC004", 1, 1, "the file is text, not a mapping")], id="a file of text"
        ),
        pytest.param("", [("PTC004", 1, 1, "the file is empty")], id="an empty file"),
    ],
)
def test_schema_errors_become_located_findings(
    text: str, expected: list[tuple[str, int, int, str]]
) -> None:
    assert _findings(text) == expected


def test_the_fix_of_a_value_source_error_says_what_to_write() -> None:
    text = HEAD + "secrets:\n  - name: ecr-pullthroughcache/x\n    username: {}\n"
    result = validate_text(text, "ptc.yaml", Path("."))

    fixes = {f.fix for f in result.findings if f.check_id == "PTC007"}

    assert fixes == {"Write {env: NAME} or {file: path}, not both."}


SECRET = "hunter2"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"    username: {{env: U}}\n    access_token: {SECRET}\n", id="literal token"),
        pytest.param(f"    username: {SECRET}\n    access_token: {{env: T}}\n", id="literal user"),
        pytest.param(f'    username: {{env: U}}\n    access_token: "{SECRET}"\n', id="quoted"),
        pytest.param(f"    username: {{env: U}}\n    access_token: [{SECRET}]\n", id="in a list"),
        pytest.param(
            f"    username: {{env: U}}\n    access_token: {{env: T, value: {SECRET}}}\n",
            id="under an unknown key",
        ),
        pytest.param(f"    kms_key: [{SECRET}]\n", id="in another field"),
    ],
)
def test_no_output_format_repeats_a_secret_value(text: str) -> None:
    source = HEAD + "secrets:\n  - name: ecr-pullthroughcache/x\n" + text
    findings = validate_text(source, "ptc.yaml", Path(".")).findings
    assert any(f.severity is Severity.ERROR for f in findings)

    for render in (formats.as_text, formats.as_json, formats.as_github, formats.as_sarif):
        assert SECRET not in render(findings)


def test_a_crashing_check_becomes_ptc002_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(self: object, ctx: Context) -> Iterator[Problem]:
        raise RuntimeError("boom")

    monkeypatch.setattr(rules.RulePrefixPattern, "check", crash)

    found = _findings(HEAD + "rules:\n  - {prefix: q, upstream: quay.io}\n")

    assert found == [
        ("PTC002", 1, 1, "check PTC201 crashed: RuntimeError: boom"),
        ("PTC202", 4, 14, "prefix 'q' has 1 characters; ECR allows 2 to 30"),
    ]


def test_one_broken_item_does_not_hide_the_findings_of_the_others() -> None:
    text = (
        HEAD
        + "rules:\n  - {prefix: a, upstream: quay.io, regoins: [x]}\n"
        + "  - {prefix: Quay, upstream: quay.io}\n"
    )

    assert _findings(text) == [
        ("PTC202", 4, 14, "prefix 'a' has 1 characters; ECR allows 2 to 30"),
        ("PTC006", 4, 36, "unknown key 'regoins' in rules[0]; did you mean 'regions'?"),
        ("PTC201", 5, 14, "prefix 'Quay' is not a valid prefix"),
    ]


def test_ignore_drops_checks_by_id_prefix() -> None:
    text = HEAD + "rules:\n  - {prefix: Quay, upstream: harbor.example.com}\n"
    everything = validate_text(text, "ptc.yaml", Path("."))

    some = validate_text(text, "ptc.yaml", Path("."), ignore=["PTC20"])
    one = validate_text(text, "ptc.yaml", Path("."), ignore=["PTC201"])

    assert [f.check_id for f in everything.findings] == ["PTC201", "PTC206"]
    assert some.findings == []
    assert [f.check_id for f in one.findings] == ["PTC206"]


def test_a_file_with_warnings_only_still_yields_its_model() -> None:
    result = validate_text("version: 1\nregions: [us-east-1, us-east-1]\n", "ptc.yaml", Path("."))

    assert result.errors == []
    assert [f.check_id for f in result.warnings] == ["PTC106"]
    assert result.file is not None
    assert result.file.regions == ["us-east-1", "us-east-1"]


def test_a_file_with_errors_yields_no_model() -> None:
    result = validate_text(HEAD + "account: '1'\n", "ptc.yaml", Path("."))

    assert [f.check_id for f in result.errors] == ["PTC101"]
    assert result.file is None
    assert result.context is None


def test_load_valid_refuses_a_file_with_errors(tmp_path: Path) -> None:
    path = tmp_path / "ptc.yaml"
    path.write_text(HEAD + "account: '1'\nrules: [{prefix: Q, upstream: quay.io}]\n")

    with pytest.raises(ConfigError) as raised:
        load_valid(path)

    assert str(raised.value) == f"{path}: 3 errors; fix them first"
    assert [f.check_id for f in raised.value.findings] == [  # type: ignore[attr-defined]
        f.check_id for f in validate_file(path).errors
    ]
    assert [f.check_id for f in raised.value.findings if isinstance(f, Finding)] == [
        "PTC101",
        "PTC201",
        "PTC202",
    ]


def test_load_valid_returns_the_model_of_a_clean_file() -> None:
    result = load_valid(Path(__file__).resolve().parents[2] / "examples" / "rules.yaml")

    assert result.file is not None
    assert [rule.prefix for rule in result.file.rules][:2] == ["docker-hub", "github"]


def test_a_yaml_error_in_a_file_is_a_finding_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "ptc.yaml"
    path.write_text("version: [1\n")

    result = validate_file(path)

    assert [(f.check_id, f.line, f.column) for f in result.findings] == [("PTC001", 2, 1)]
    assert result.file is None


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("rules",), "rules"),
        (("rules", 0), "rules[0]"),
        (("rules", 0, "prefix"), "rules[0].prefix"),
        (("templates", 1, "resource_tags", "team"), "templates[1].resource_tags.team"),
    ],
)
def test_dotted_paths(path: tuple[str | int, ...], text: str) -> None:
    assert dotted(path) == text

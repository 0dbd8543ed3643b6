"""The YAML loader: marks, duplicate and merge keys, hostile documents, unreadable files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ptc.config import loader
from ptc.config.loader import (
    MAX_FILE_BYTES,
    Document,
    LoadProblem,
    Mark,
    YamlError,
    load,
    parse,
    read_text,
)
from ptc.errors import EXIT_UNREADABLE, InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "configs"


def _error(text: str) -> tuple[str, str, Mark | None]:
    with pytest.raises(YamlError) as raised:
        parse(text, "ptc.yaml")
    return raised.value.code, raised.value.message, raised.value.mark


# -- marks -------------------------------------------------------------------------------


def test_marks_are_one_based_and_point_at_keys_and_values() -> None:
    doc = parse("version: 1\nregions:\n  - us-east-1\n  - eu-west-1\n", "ptc.yaml")

    assert doc.key_marks[("version",)] == Mark(1, 1)
    assert doc.value_marks[("version",)] == Mark(1, 10)
    assert doc.key_marks[("regions",)] == Mark(2, 1)
    assert doc.value_marks[("regions", 0)] == Mark(3, 5)
    assert doc.value_marks[("regions", 1)] == Mark(4, 5)


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    doc = parse("rules:\n  - prefix: quay\n", "ptc.yaml")

    assert doc.locate(("rules", 0, "upstream")) == Mark(2, 5)
    assert doc.locate(("rules", 0, "prefix"), key=True) == Mark(2, 5)
    assert doc.locate(("rules", 0, "prefix")) == Mark(2, 13)
    assert doc.locate(("nothing", "here")) == Mark(1, 1)


def test_an_empty_document_has_no_data_and_locates_at_the_start() -> None:
    doc = parse("# only a comment\n", "ptc.yaml")

    assert doc.data is None
    assert doc.locate(("version",)) == Mark(1, 1)


def test_crlf_line_ends_count_as_one_line_each() -> None:
    doc = parse("version: 1\r\nregions:\r\n  - us-east-1\r\n", "ptc.yaml")

    assert doc.data == {"version": 1, "regions": ["us-east-1"]}
    assert doc.value_marks[("regions", 0)] == Mark(3, 5)


def test_a_byte_order_mark_is_dropped_and_does_not_shift_columns(tmp_path: Path) -> None:
    path = tmp_path / "ptc.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\n")

    doc = load(path)

    assert doc.data == {"version": 1}
    assert doc.key_marks[("version",)] == Mark(1, 1)


def test_json_is_yaml_too() -> None:
    doc = parse('{"version": 1, "regions": ["us-east-1"]}', "ptc.json")

    assert doc.data == {"version": 1, "regions": ["us-east-1"]}
    assert doc.value_marks[("regions", 0)] == Mark(1, 28)


def test_keys_that_are_not_text_become_text() -> None:
    assert parse("1: a\ntrue: b\n", "ptc.yaml").data == {"1": "a", "True": "b"}


# -- duplicate and merge keys --------------------------------------------------------------


def test_duplicate_keys_are_reported_at_the_repeated_key_and_the_last_one_wins() -> None:
    doc = parse("version: 1\nversion: 2\n", "ptc.yaml")

    assert doc.data == {"version": 2}
    assert doc.problems == [
        LoadProblem(
            "PTC003",
            "duplicate key 'version': YAML keeps only the last one",
            ("version",),
            Mark(2, 1),
        )
    ]
    assert doc.value_marks[("version",)] == Mark(2, 10)


def test_duplicate_keys_are_found_in_nested_mappings() -> None:
    text = "rules:\n  - prefix: a\n    upstream: quay.io\n    prefix: b\n"

    doc = parse(text, "ptc.yaml")

    assert [(p.path, p.mark) for p in doc.problems] == [(("rules", 0, "prefix"), Mark(4, 5))]
    assert doc.data["rules"][0]["prefix"] == "b"


@pytest.mark.parametrize(
    ("text", "merged"),
    [
        pytest.param(
            "b: &b {a: 1, c: 2}\nm:\n  <<: *b\n  a: 3\n", {"a": 3, "c": 2}, id="own key after"
        ),
        pytest.param(
            "b: &b {a: 1, c: 2}\nm:\n  a: 3\n  <<: *b\n", {"a": 3, "c": 2}, id="own key before"
        ),
        pytest.param(
            "x: &x {a: 1}\ny: &y {a: 2, c: 3}\nm:\n  <<: [*x, *y]\n",
            {"a": 1, "c": 3},
            id="first wins",
        ),
        pytest.param(
            "x: &x {a: 1}\ny: &y {<<: *x, c: 3}\nm:\n  <<: *y\n",
            {"a": 1, "c": 3},
            id="nested merge",
        ),
    ],
)
def test_merge_keys_follow_yaml_precedence_without_duplicate_findings(
    text: str, merged: dict[str, int]
) -> None:
    doc = parse(text, "ptc.yaml")

    assert doc.data["m"] == merged
    assert doc.problems == []


def test_a_merged_value_is_located_where_it_is_written() -> None:
    doc = parse("b: &b {a: 1, c: 2}\nm:\n  <<: *b\n  a: 3\n", "ptc.yaml")

    assert doc.value_marks[("m", "a")] == Mark(4, 6)
    assert doc.value_marks[("m", "c")] == Mark(1, 17)


@pytest.mark.parametrize(
    "text", ["m: {<<: 1}\n", "m: {<<: [1]}\n"], ids=["scalar", "list of scalar"]
)
def test_a_merge_key_needs_a_mapping(text: str) -> None:
    code, message, _ = _error(text)

    assert (code, message) == ("PTC001", "a merge key ('<<') needs a mapping")


# -- hostile and invalid documents ----------------------------------------------------------


def test_an_alias_bomb_is_refused_as_ptc009() -> None:
    text = (FIXTURES / "bad" / "PTC009-alias-bomb.yaml").read_text()

    code, message, mark = _error(text)

    assert code == "PTC009"
    assert message == (
        "the document expands to more than 200,000 values "
        "(aliases that repeat each other, a 'billion laughs' document?)"
    )
    assert mark is not None and mark.line == 3


def test_an_alias_bomb_made_of_merge_keys_is_refused_as_ptc009() -> None:
    lines = ["a0: &a0 {k: v}"]
    lines += [f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * 10)}]}}" for i in range(1, 10)]

    code, _, _ = _error("\n".join(lines) + "\n")

    assert code == "PTC009"


@pytest.mark.parametrize(
    "text",
    ["a: &a [1, *a]\n", "a: &a\n  b: *a\n"],
    ids=["sequence", "mapping"],
)
def test_a_recursive_alias_is_refused(text: str) -> None:
    assert _error(text) == ("PTC009", "an alias refers to itself", Mark(1, 4))


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("[" * 3_000 + "]" * 3_000, Mark(1, 101)),
        ("{a: " * 3_000 + "1" + "}" * 3_000, Mark(1, 401)),
        ("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 150)), Mark(101, 201)),
    ],
    ids=["sequences", "mappings", "block mappings"],
)
def test_deep_nesting_is_refused_by_ptcs_own_limit(text: str, mark: Mark) -> None:
    # ptc's limit fires long before any PyYAML or libyaml limit, so the verdict and its
    # wording do not change with the PyYAML release that happens to be installed.
    message = f"the document is nested more than {loader.MAX_DEPTH} levels deep"
    assert _error(text) == ("PTC009", message, mark)


def test_nesting_just_past_the_limit_is_refused_and_at_the_limit_is_read() -> None:
    depth = loader.MAX_DEPTH
    assert loader.parse("[" * depth + "]" * depth, "f.yaml").data is not None
    code, _, _ = _error("[" * (depth + 1) + "]" * (depth + 1))
    assert code == "PTC009"


def test_brackets_in_quotes_and_comments_do_not_count_as_nesting() -> None:
    deep = "[" * (loader.MAX_DEPTH + 1)
    text = f"a: '{deep}'\nb: \"{deep}\"\n# {deep}\nc: [1]\n"
    assert loader.parse(text, "f.yaml").data == {"a": deep, "b": deep, "c": [1]}


def test_a_self_merging_alias_is_refused() -> None:
    assert _error("a: &a {<<: *a}\n") == ("PTC009", "the document is nested too deeply", None)


@pytest.mark.parametrize(
    ("text", "message", "mark"),
    [
        pytest.param(
            "version: 1\n---\nversion: 2\n",
            "invalid YAML: but found another document",
            Mark(2, 1),
            id="two documents",
        ),
        pytest.param(
            "regions:\n\t- us-east-1\n",
            "invalid YAML: found character that cannot start any token",
            Mark(2, 1),
            id="tab indentation",
        ),
        pytest.param(
            "regions: [us-east-1\n",
            "invalid YAML: did not find expected ',' or ']'",
            Mark(2, 1),
            id="unclosed flow sequence",
        ),
        pytest.param(
            "regions: !Ref Regions\n",
            "cannot read value: could not determine a constructor for the tag '!Ref'",
            Mark(1, 10),
            id="custom tag on a scalar",
        ),
        pytest.param(
            "regions: !Split [us-east-1]\n",
            "unsupported tag '!Split'",
            Mark(1, 10),
            id="custom tag on a sequence",
        ),
        pytest.param(
            "role: !GetAtt {Ref: Role}\n",
            "unsupported tag '!GetAtt'",
            Mark(1, 7),
            id="custom tag on a mapping",
        ),
        pytest.param(
            "x: !!python/object:os.system {}\n",
            "unsupported tag 'tag:yaml.org,2002:python/object:os.system'",
            Mark(1, 4),
            id="python object",
        ),
        pytest.param(
            "x: !!python/name:os.system\n",
            "cannot read value: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/name:os.system'",
            Mark(1, 4),
            id="python name",
        ),
        pytest.param(
            "? [a, b]\n: 1\n", "mapping keys must be plain values", Mark(1, 3), id="complex key"
        ),
        pytest.param(
            "a: é\nb: \x1f\n",
            "invalid YAML: unacceptable character #x001f: control characters are not allowed",
            Mark(2, 4),
            id="control character",
        ),
        pytest.param(
            "a: b\nc: d\ud800\n",
            "invalid YAML: the text holds a lone surrogate, not a character",
            Mark(2, 5),
            id="lone surrogate",
        ),
        pytest.param(
            "d: 2024-13-45\n",
            "cannot read the value as timestamp",
            Mark(1, 4),
            id="bad date",
        ),
        pytest.param(
            "v: !!int abc\n",
            "cannot read the value as int",
            Mark(1, 4),
            id="bad explicit int",
        ),
    ],
)
def test_invalid_yaml_is_ptc001_with_one_line_and_a_position(
    text: str, message: str, mark: Mark
) -> None:
    code, found, where = _error(text)

    assert (code, found, where) == ("PTC001", message, mark)
    assert "\n" not in found
    assert "abc" not in found  # a mis-tagged value may be a secret: never echo it


# -- reading files -----------------------------------------------------------------------------


def test_read_text_returns_the_text_of_a_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "ptc.yaml"
    path.write_text("description: Zürich\n", encoding="utf-8")

    assert read_text(path) == "description: Zürich\n"


def _input_error(path: str | Path) -> str:
    with pytest.raises(InputError) as raised:
        read_text(path)
    assert raised.value.exit_code == EXIT_UNREADABLE
    return str(raised.value)


def test_a_missing_file(tmp_path: Path) -> None:
    assert _input_error(tmp_path / "nope.yaml") == f"{tmp_path / 'nope.yaml'}: no such file"


def test_a_directory(tmp_path: Path) -> None:
    assert _input_error(tmp_path) == f"{tmp_path}: is a directory, not a file"


def test_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    assert _input_error(path) == f"{path}: is a binary file, not YAML or JSON text"


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("description: Zürich\n".encode("latin-1"))

    assert _input_error(path) == f"{path}: is not UTF-8 text (invalid byte at offset 14)"


def test_a_utf16_file_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("version: 1\n".encode("utf-16"))

    assert _input_error(path) == f"{path}: is a binary file, not YAML or JSON text"


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1000 * 1000)  # sparse: no disk space, no time

    assert _input_error(path) == f"{path}: 50.0 MB is too large; ptc reads files up to 10 MiB"


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES - 1) + b"\n")

    assert len(read_text(path)) == MAX_FILE_BYTES


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_refused_after_the_limit() -> None:
    assert _input_error("/dev/zero") == "/dev/zero: is too large; ptc reads files up to 10 MiB"


def test_a_file_name_with_a_nul_byte() -> None:
    assert _input_error("ptc\x00.yaml") == "'ptc\\x00.yaml': not a usable file name"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("version: 1\n")
    path.chmod(0)

    assert _input_error(path) == f"{path}: cannot read: Permission denied"


def test_load_reads_and_parses(tmp_path: Path) -> None:
    path = tmp_path / "ptc.yaml"
    path.write_text("version: 1\n")

    doc = load(path)

    assert isinstance(doc, Document)
    assert (doc.source, doc.data) == (str(path), {"version": 1})

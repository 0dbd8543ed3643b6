"""Generated and mutated files: validation always ends in findings, never in an exception."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ptc.checks.registry import by_id
from ptc.checks.runner import Validation, validate_document, validate_text
from ptc.config.loader import parse
from ptc.domain import catalog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "examples" / "rules.yaml").read_text(encoding="utf-8")
BASE_DIR = ROOT / "tests" / "fixtures" / "configs" / "good"  # where policy files resolve
SETTINGS = settings(max_examples=200, deadline=None)
YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
YAML_ALPHABET = list("{}[],:-?&*!|>'\"#%@`~<=.\\/ \t\n") + list("abkv01")


def _assert_well_formed(result: Validation, text: str) -> None:
    # YAML breaks lines at \r, \r\n, NEL, LS and PS as well as \n, and so do its marks.
    lines = len(YAML_LINE_BREAK.findall(text)) + 2
    for finding in result.findings:
        assert by_id(finding.check_id).severity is finding.severity
        assert 1 <= finding.line <= lines
        assert finding.column >= 1
        assert finding.message
        assert finding.fix
    if result.errors:
        assert result.file is None


# -- (a) arbitrary text ------------------------------------------------------------------------


@SETTINGS
@given(st.one_of(st.text(max_size=400), st.text(st.sampled_from(YAML_ALPHABET), max_size=400)))
@example("\r{")  # a lone CR breaks the line for YAML: the finding is on line 3
def test_validate_text_turns_any_text_into_findings(text: str) -> None:
    result = validate_text(text, "ptc.yaml", BASE_DIR)

    _assert_well_formed(result, text)


# -- (b) structured generation: the file format, valid and mutated --------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
REGION = st.one_of(st.sampled_from(sorted(catalog.KNOWN_REGIONS)), st.text(max_size=15))
REGIONS = st.lists(REGION, min_size=0, max_size=3)
PREFIX = st.one_of(
    st.sampled_from(["ROOT", "quay", "docker-hub", "a/b", "ecr-public/", "x", "Quay", "a__b"]),
    st.lists(
        st.sampled_from(["a", "b0", "c-d", "e__f", "g.h", "i--j"]), min_size=1, max_size=4
    ).map("/".join),
    st.text(max_size=40),
)
HOST = st.one_of(
    st.sampled_from([k.url for k in catalog.UPSTREAM_KINDS if k.url]),
    st.sampled_from(
        [
            "docker.io",
            "myregistry01.azurecr.io",
            "123456789012.dkr.ecr.us-west-2.amazonaws.com",
            "210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn",
            "https://quay.io/",
        ]
    ),
    st.text(max_size=30),
)
ARN_PART = st.sampled_from(["aws", "aws-cn", "aws-us-gov", ""])
ACCOUNT = st.sampled_from(["123456789012", "210987654321", "1", ""])
CREDENTIALS = st.one_of(
    st.sampled_from(["ecr-pullthroughcache/docker-hub", "dockerhub", "ecr-pullthroughcache/a b"]),
    st.builds(
        "arn:{}:secretsmanager:{}:{}:secret:{}".format,
        ARN_PART,
        REGION,
        ACCOUNT,
        st.sampled_from(["ecr-pullthroughcache/x", "other", "ecr-pullthroughcache/x-AbCdEf"]),
    ),
    st.text(max_size=30),
)
ROLE = st.one_of(
    st.builds("arn:{}:iam::{}:role/ptc".format, ARN_PART, ACCOUNT), st.text(max_size=30)
)
VALUE_SOURCE = st.one_of(
    st.fixed_dictionaries({"env": st.text(max_size=10)}),
    st.fixed_dictionaries({"file": st.sampled_from(["policies/org-pull.yaml", "nope"])}),
    st.fixed_dictionaries({"env": st.just("A"), "file": st.just("b")}),
)
LIFECYCLE = st.one_of(
    st.just({"file": "policies/tagged-and-untagged.json"}),
    st.just({"file": "policies/missing.json"}),
    st.just({"file": "policies/org-pull.yaml"}),
    st.fixed_dictionaries(
        {
            "rules": st.lists(
                st.fixed_dictionaries(
                    {
                        "rulePriority": st.one_of(st.integers(-1, 3), JUNK),
                        "selection": st.one_of(
                            st.fixed_dictionaries(
                                {
                                    "tagStatus": st.sampled_from(["tagged", "untagged", "any", 1]),
                                    "countType": st.sampled_from(
                                        ["imageCountMoreThan", "sinceImagePushed", "x"]
                                    ),
                                    "countNumber": st.one_of(st.integers(0, 5), JUNK),
                                },
                                optional={
                                    "countUnit": st.just("days"),
                                    "tagPrefixList": st.one_of(st.lists(st.text(max_size=4)), JUNK),
                                    "tagPatternList": st.lists(st.text("*a", max_size=12)),
                                },
                            ),
                            JUNK,
                        ),
                        "action": st.one_of(
                            st.fixed_dictionaries(
                                {"type": st.sampled_from(["expire", "transition", "x"])},
                                optional={"targetStorageClass": st.sampled_from(["archive", "x"])},
                            ),
                            JUNK,
                        ),
                    }
                ),
                max_size=3,
            )
        }
    ),
    JUNK,
)

RULE = st.fixed_dictionaries(
    {"prefix": PREFIX, "upstream": HOST},
    optional={
        "credentials": CREDENTIALS,
        "upstream_prefix": PREFIX,
        "role": ROLE,
        "regions": REGIONS,
    },
)
SECRET = st.fixed_dictionaries(
    {
        "name": CREDENTIALS,
        "username": st.one_of(VALUE_SOURCE, st.just("hunter2")),
        "access_token": VALUE_SOURCE,
    },
    optional={"kms_key": st.text(max_size=20), "regions": REGIONS},
)
TEMPLATE = st.fixed_dictionaries(
    {
        "prefix": PREFIX,
        "applied_for": st.lists(
            st.one_of(st.sampled_from([str(v) for v in catalog.AppliedFor]), st.text(max_size=10)),
            max_size=3,
        ),
    },
    optional={
        "description": st.text(max_size=300),
        "image_tag_mutability": st.one_of(
            st.sampled_from([str(v) for v in catalog.TagMutability]), st.text(max_size=10)
        ),
        "image_tag_mutability_exclusions": st.lists(st.text(max_size=10), max_size=7),
        "encryption": st.fixed_dictionaries(
            {
                "type": st.one_of(
                    st.sampled_from([str(v) for v in catalog.EncryptionType]), st.text(max_size=8)
                )
            },
            optional={"kms_key": st.one_of(ROLE, st.text(max_size=10))},
        ),
        "lifecycle_policy": LIFECYCLE,
        "repository_policy": st.one_of(
            st.just({"file": "policies/org-pull.yaml"}), st.just({"Version": "2012-10-17"}), JUNK
        ),
        "resource_tags": st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
        "role": ROLE,
        "regions": REGIONS,
    },
)
FILE = st.fixed_dictionaries(
    {
        "version": st.sampled_from([1, 1, 1, 2, "1"]),
        "regions": REGIONS,
        "rules": st.lists(RULE, max_size=4),
        "secrets": st.lists(SECRET, max_size=2),
        "templates": st.lists(TEMPLATE, max_size=2),
    },
    optional={"account": ACCOUNT, "prune": st.booleans()},
)


@st.composite
def mutated_files(draw: st.DrawFn) -> Any:
    """A file shaped like the format, then broken in a few random places."""
    data: Any = draw(FILE)
    for _ in range(draw(st.integers(0, 3))):
        data = _mutate(data, draw(st.randoms(use_true_random=False)), draw(JUNK))
    return data


def _mutate(data: Any, rng: random.Random, junk: Any) -> Any:
    """Drop a key, replace a value with junk, or add an unknown key, somewhere in `data`."""
    if not isinstance(data, dict | list) or not data or rng.random() < 0.25:
        return junk
    if isinstance(data, list):
        index = rng.randrange(len(data))
        data[index] = _mutate(data[index], rng, junk)
        return data
    key = rng.choice(sorted(data, key=str))
    action = rng.choice(["drop", "descend", "unknown"])
    if action == "drop":
        del data[key]
    elif action == "unknown":
        data[f"{key}x"] = junk
    else:
        data[key] = _mutate(data[key], rng, junk)
    return data


@SETTINGS
@given(mutated_files())
def test_validate_document_turns_any_generated_file_into_findings(data: Any) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    document = parse(text, "ptc.yaml")

    result = validate_document(document, BASE_DIR)

    _assert_well_formed(result, text)
    assert "PTC002" not in {f.check_id for f in result.findings}


@SETTINGS
@given(FILE)
def test_generated_files_without_mutation_never_crash_a_check(data: Any) -> None:
    text = yaml.safe_dump(data, sort_keys=False)

    result = validate_text(text, "ptc.yaml", BASE_DIR)

    _assert_well_formed(result, text)
    assert "PTC002" not in {f.check_id for f in result.findings}


# -- (c) mutations of the example's text ---------------------------------------------------------

LINES = EXAMPLE.splitlines(keepends=True)
EDIT = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("duplicate"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("swap"), st.integers(0, len(LINES) - 1), st.integers(0, len(LINES) - 1)),
    st.tuples(
        st.just("insert"),
        st.integers(0, len(EXAMPLE)),
        st.text(st.sampled_from(YAML_ALPHABET), min_size=1, max_size=3),
    ),
)


def _edit(lines: list[str], edit: tuple[Any, ...]) -> list[str]:
    kind, where, *rest = edit
    where = min(where, len(lines) - 1) if lines else 0
    if not lines:
        return lines
    if kind == "delete":
        return lines[:where] + lines[where + 1 :]
    if kind == "duplicate":
        return lines[: where + 1] + lines[where:]
    if kind == "swap":
        other = min(rest[0], len(lines) - 1)
        lines = list(lines)
        lines[where], lines[other] = lines[other], lines[where]
        return lines
    text = "".join(lines)
    at = min(edit[1], len(text))
    return (text[:at] + rest[0] + text[at:]).splitlines(keepends=True)


@SETTINGS
@given(st.lists(EDIT, min_size=1, max_size=4))
def test_mutations_of_the_example_become_findings(edits: list[tuple[Any, ...]]) -> None:
    lines = LINES
    for edit in edits:
        lines = _edit(lines, edit)
    text = "".join(lines)

    result = validate_text(text, "rules.yaml", ROOT / "examples")

    _assert_well_formed(result, text)
    assert "PTC002" not in {f.check_id for f in result.findings}


def test_a_mutation_of_the_example_is_detected() -> None:
    """The property above is not vacuous: a one-line edit of the example is a finding."""
    lines = _edit(LINES, ("duplicate", LINES.index("  - prefix: quay\n")))

    result = validate_text("".join(lines), "rules.yaml", ROOT / "examples")

    assert [(f.check_id, f.line, f.message) for f in result.findings] == [
        ("PTC008", 18, "rules[2] is missing 'upstream'")
    ]

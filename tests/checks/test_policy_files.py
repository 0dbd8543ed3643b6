"""A policy read from {file: ...} is never quoted in a finding: its path and line are named.

`file:` may point at any readable file (a password file, a key); findings reach CI logs, and
`--format github` publishes them on pull requests (issue 10, item 3).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ptc.cli import app

CANARY = "canary-d41c9e"
RULES = """\
version: 1
account: "123456789012"
regions: [us-east-1]
rules:
  - prefix: quay
    upstream: quay.io
templates:
  - prefix: quay
    applied_for: [PULL_THROUGH_CACHE]
    {field}: {{file: {name}}}
"""
LIFECYCLE_RULE = {
    "rulePriority": 1,
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
    "action": {"type": "expire"},
}
# Each file reaches a different message that used to quote it.
CASES = {
    "top-level key": (
        "lifecycle_policy",
        "passwd",
        f"root: x\n{CANARY}-root:x:0:0: /bin/sh\n",
        "lifecycle policy: unknown key (in {path}, line 2) at the top of the lifecycle policy",
    ),
    "rule key": (
        "lifecycle_policy",
        "policy.json",
        json.dumps({"rules": [{**LIFECYCLE_RULE, CANARY: 1}]}, indent=1),
        "lifecycle policy: rules[0]: unknown key (in {path}, line 13)",
    ),
    "selection key": (
        "lifecycle_policy",
        "policy.json",
        json.dumps(
            {
                "rules": [
                    {**LIFECYCLE_RULE, "selection": {**LIFECYCLE_RULE["selection"], CANARY: 1}}
                ]
            },  # type: ignore[dict-item]
            indent=1,
        ),
        "lifecycle policy: rules[0]: unknown selection key (in {path}, line 9)",
    ),
    "action key": (
        "lifecycle_policy",
        "policy.json",
        json.dumps({"rules": [{**LIFECYCLE_RULE, "action": {"type": "expire", CANARY: 1}}]}),
        "lifecycle policy: rules[0]: unknown action key (in {path}, line 1)",
    ),
    "YAML tag": (
        "repository_policy",
        "policy.yaml",
        f"!{CANARY} [a]\n",
        "{path}:1:1: not valid JSON or YAML",
    ),
    "YAML syntax": (
        "repository_policy",
        "policy.yaml",
        f"key: [{CANARY}\nother: '{CANARY}\n",
        "{path}:2:6: not valid JSON or YAML",
    ),
    "escape": (
        "repository_policy",
        "policy.json",
        f'{{"Statement": "\\{CANARY}"}}',
        "{path}:1:16: not valid JSON or YAML",
    ),
}


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_referenced_file_is_named_never_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, output_format: str
) -> None:
    field, name, content, message = CASES[case]
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(content)
    Path("rules.yaml").write_text(RULES.format(field=field, name=name))

    result = CliRunner().invoke(app, ["validate", "--format", output_format, "rules.yaml"])

    assert result.exit_code == 1, result.output
    assert CANARY not in result.output
    assert message.format(path=name) in result.output


def test_plan_names_the_file_without_quoting_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptc.config.documents import DocumentFileError, resolve

    monkeypatch.chdir(tmp_path)
    Path("policy.yaml").write_text(f"!{CANARY} [a]\n")
    with pytest.raises(DocumentFileError) as raised:
        resolve({"file": "policy.yaml"}, Path())
    assert str(raised.value) == "policy.yaml:1:1: not valid JSON or YAML"


def test_an_inline_policy_still_quotes_its_own_keys() -> None:
    from ptc.checks.lifecycle import lifecycle_problems

    assert lifecycle_problems({"rules": [LIFECYCLE_RULE], "extra": 1}) == [
        "unknown key 'extra' at the top of the lifecycle policy"
    ]

"""The lifecycle policy validator: what ECR accepts and the sentence for what it refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ptc.checks.lifecycle import lifecycle_problems


def _rule(priority: Any = 1, action: Any = None, **selection: Any) -> dict[str, Any]:
    chosen = {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5}
    chosen.update(selection)
    return {
        "rulePriority": priority,
        "selection": {k: v for k, v in chosen.items() if v is not None},
        "action": action if action is not None else {"type": "expire"},
    }


def _policy(*rules: Any) -> dict[str, Any]:
    return {"rules": list(rules)}


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param(_policy(_rule()), id="untagged count"),
        pytest.param(
            _policy(_rule(tagStatus="tagged", tagPatternList=["prod*", "v*.*.*-rc*"])),
            id="tag patterns with up to four wildcards",
        ),
        pytest.param(
            _policy(_rule(tagStatus="tagged", tagPrefixList=["v1", "v2"])), id="tag prefixes"
        ),
        pytest.param(
            _policy(_rule(countType="sinceImagePushed", countUnit="days", countNumber=14)),
            id="since pushed in days",
        ),
        pytest.param(
            _policy(
                _rule(
                    countType="sinceImagePulled",
                    countUnit="days",
                    action={"type": "transition", "targetStorageClass": "archive"},
                )
            ),
            id="transition to archive",
        ),
        pytest.param(
            _policy(_rule(1, tagStatus="tagged", tagPrefixList=["v"]), _rule(2, tagStatus="any")),
            id="any has the highest priority",
        ),
        pytest.param(
            {"rules": [{**_rule(), "description": "Keep five untagged images"}]},
            id="with a description",
        ),
    ],
)
def test_valid_policies_have_no_problems(policy: dict[str, Any]) -> None:
    assert lifecycle_problems(policy) == []


def test_the_example_policy_is_valid() -> None:
    path = Path(__file__).resolve().parents[2] / "examples" / "policies" / "keep-10.json"

    assert lifecycle_problems(json.loads(path.read_text())) == []


@pytest.mark.parametrize(
    ("policy", "problems"),
    [
        pytest.param(
            {"rules": [_rule()], "version": 1},
            ["unknown key 'version' at the top of the lifecycle policy"],
            id="unknown top-level key",
        ),
        pytest.param({}, ["a lifecycle policy needs a non-empty 'rules' list"], id="no rules"),
        pytest.param(
            {"rules": []}, ["a lifecycle policy needs a non-empty 'rules' list"], id="empty rules"
        ),
        pytest.param(
            _policy("expire"), ["rules[0]: a rule must be a mapping"], id="rule not a mapping"
        ),
        pytest.param(
            {"rules": [{**_rule(), "priority": 1}]},
            ["rules[0]: unknown key 'priority'"],
            id="unknown rule key",
        ),
        pytest.param(
            _policy(_rule(priority=0)),
            ["rules[0]: 'rulePriority' must be a whole number of at least 1"],
            id="priority zero",
        ),
        pytest.param(
            _policy(_rule(priority=True)),
            ["rules[0]: 'rulePriority' must be a whole number of at least 1"],
            id="priority true",
        ),
        pytest.param(
            {"rules": [{**_rule(), "description": 7}]},
            ["rules[0]: 'description' must be text"],
            id="description not text",
        ),
        pytest.param(
            _policy({"rulePriority": 1, "action": {"type": "expire"}}),
            ["rules[0]: 'selection' is required and must be a mapping"],
            id="no selection",
        ),
        pytest.param(
            _policy(_rule(tagStatus="some")),
            ["rules[0]: 'tagStatus' must be one of tagged, untagged, any"],
            id="unknown tag status",
        ),
        pytest.param(
            _policy(_rule(tagStatus="tagged")),
            [
                "rules[0]: 'tagStatus: tagged' needs exactly one of 'tagPatternList' or "
                "'tagPrefixList'"
            ],
            id="tagged without a list",
        ),
        pytest.param(
            _policy(_rule(tagPrefixList=["v"])),
            ["rules[0]: 'tagPrefixList' is only allowed with 'tagStatus: tagged'"],
            id="list without tagged",
        ),
        pytest.param(
            _policy(_rule(tagStatus="tagged", tagPatternList=[])),
            ["rules[0]: 'tagPatternList' must be a non-empty list of text"],
            id="empty pattern list",
        ),
        pytest.param(
            _policy(_rule(tagStatus="tagged", tagPatternList=["*a*b*c*d*"])),
            ["rules[0]: a tag pattern may hold at most 4 wildcards"],
            id="five wildcards",
        ),
        pytest.param(
            _policy(_rule(countType="sinceImagePushed")),
            ["rules[0]: 'countUnit: days' is required with 'sinceImagePushed'"],
            id="since without days",
        ),
        pytest.param(
            _policy(_rule(countUnit="days")),
            ["rules[0]: 'countUnit' is only allowed with the since* count types"],
            id="count with a unit",
        ),
        pytest.param(
            _policy(_rule(countType="imageCount")),
            [
                "rules[0]: 'countType' must be one of imageCountMoreThan, sinceImagePushed, "
                "sinceImagePulled, sinceImageTransitioned"
            ],
            id="unknown count type",
        ),
        pytest.param(
            _policy(_rule(countNumber="5")),
            ["rules[0]: 'countNumber' must be a whole number of at least 1"],
            id="count number as text",
        ),
        pytest.param(
            _policy(_rule(storage="archive")),
            ["rules[0]: unknown selection key 'storage'"],
            id="unknown selection key",
        ),
        pytest.param(
            _policy(_rule(action={"type": "delete"})),
            ["rules[0]: action 'type' must be one of expire, transition"],
            id="unknown action",
        ),
        pytest.param(
            _policy(_rule(action={"type": "transition", "targetStorageClass": "standard"})),
            ["rules[0]: a 'transition' action needs 'targetStorageClass: archive'"],
            id="transition to standard",
        ),
        pytest.param(
            _policy(_rule(action={"type": "expire", "after": 1})),
            ["rules[0]: unknown action key 'after'"],
            id="unknown action key",
        ),
        pytest.param(
            _policy(_rule(action="expire")),
            ["rules[0]: 'action' is required and must be a mapping"],
            id="action not a mapping",
        ),
        pytest.param(
            _policy(_rule(1), _rule(1)),
            ["every rule needs a different 'rulePriority'"],
            id="same priority twice",
        ),
        pytest.param(
            _policy(_rule(1, tagStatus="any"), _rule(2)),
            ["a rule with 'tagStatus: any' must have the highest 'rulePriority'"],
            id="any not last",
        ),
        pytest.param(
            _policy(_rule(0), _rule(priority=2, tagStatus="x")),
            [
                "rules[0]: 'rulePriority' must be a whole number of at least 1",
                "rules[1]: 'tagStatus' must be one of tagged, untagged, any",
            ],
            id="problems of several rules",
        ),
    ],
)
def test_invalid_policies_name_every_problem(policy: dict[str, Any], problems: list[str]) -> None:
    assert lifecycle_problems(policy) == problems

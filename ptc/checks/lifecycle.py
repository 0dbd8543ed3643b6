"""What makes an ECR lifecycle policy valid (the service checks it only at apply time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TAG_STATUSES = ("tagged", "untagged", "any")
COUNT_TYPES = (
    "imageCountMoreThan",
    "sinceImagePushed",
    "sinceImagePulled",
    "sinceImageTransitioned",
)
ACTION_TYPES = ("expire", "transition")
STORAGE_CLASSES = ("standard", "archive")
MAX_WILDCARDS = 4
_RULE_KEYS = {"rulePriority", "description", "selection", "action"}
_SELECTION_KEYS = {
    "tagStatus", "tagPatternList", "tagPrefixList", "countType", "countUnit", "countNumber",
    "storageClass",
}  # fmt: skip
_ACTION_KEYS = {"type", "targetStorageClass"}


KeyNamer = Callable[[tuple[str | int, ...]], str]


def quoted(key_path: tuple[str | int, ...]) -> str:
    """An inline policy's unknown key, as the file says it: 'key'."""
    return f"'{key_path[-1]}'"


def lifecycle_problems(policy: dict[str, Any], name_key: KeyNamer = quoted) -> list[str]:
    """Every reason ECR would refuse this lifecycle policy, as short sentences.

    `name_key` says how to name an unknown key from its path in the policy: quoted for an
    inline policy; by file and line for one read from {file: ...}, whose text is not shown.
    """
    unknown = set(policy) - {"rules"}
    if unknown:
        key = name_key((sorted(unknown)[0],))
        return [f"unknown key {key} at the top of the lifecycle policy"]
    rules = policy.get("rules")
    if not isinstance(rules, list) or not rules:
        return ["a lifecycle policy needs a non-empty 'rules' list"]
    problems: list[str] = []
    for index, rule in enumerate(rules):
        named = _under(name_key, ("rules", index))
        problems += [f"rules[{index}]: {p}" for p in _rule_problems(rule, named)]
    return problems or _ordering_problems(rules)


def _under(name_key: KeyNamer, prefix: tuple[str | int, ...]) -> KeyNamer:
    return lambda key_path: name_key((*prefix, *key_path))


def _rule_problems(rule: Any, name_key: KeyNamer) -> list[str]:
    if not isinstance(rule, dict):
        return ["a rule must be a mapping"]
    problems = [f"unknown key {name_key((k,))}" for k in sorted(set(rule) - _RULE_KEYS)]
    priority = rule.get("rulePriority")
    if not _positive_int(priority):
        problems.append("'rulePriority' must be a whole number of at least 1")
    if "description" in rule and not isinstance(rule["description"], str):
        problems.append("'description' must be text")
    problems += _selection_problems(rule.get("selection"), _under(name_key, ("selection",)))
    problems += _action_problems(rule.get("action"), _under(name_key, ("action",)))
    return problems


def _selection_problems(selection: Any, name_key: KeyNamer) -> list[str]:
    if not isinstance(selection, dict):
        return ["'selection' is required and must be a mapping"]
    extra = sorted(set(selection) - _SELECTION_KEYS)
    problems = [f"unknown selection key {name_key((k,))}" for k in extra]
    status = selection.get("tagStatus")
    if status not in TAG_STATUSES:
        problems.append(f"'tagStatus' must be one of {', '.join(TAG_STATUSES)}")
    problems += _tag_list_problems(selection, status)
    count_type = selection.get("countType")
    if count_type not in COUNT_TYPES:
        problems.append(f"'countType' must be one of {', '.join(COUNT_TYPES)}")
    elif count_type == "imageCountMoreThan" and "countUnit" in selection:
        problems.append("'countUnit' is only allowed with the since* count types")
    elif count_type != "imageCountMoreThan" and selection.get("countUnit") != "days":
        problems.append(f"'countUnit: days' is required with '{count_type}'")
    if not _positive_int(selection.get("countNumber")):
        problems.append("'countNumber' must be a whole number of at least 1")
    return problems


def _tag_list_problems(selection: dict[str, Any], status: Any) -> list[str]:
    lists = [k for k in ("tagPatternList", "tagPrefixList") if k in selection]
    if status == "tagged" and len(lists) != 1:
        return ["'tagStatus: tagged' needs exactly one of 'tagPatternList' or 'tagPrefixList'"]
    if status != "tagged" and lists:
        return [f"'{lists[0]}' is only allowed with 'tagStatus: tagged'"]
    problems = []
    for key in lists:
        values = selection[key]
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) and v for v in values)
        ):
            problems.append(f"'{key}' must be a non-empty list of text")
        elif any(v.count("*") > MAX_WILDCARDS for v in values):
            problems.append(f"a tag pattern may hold at most {MAX_WILDCARDS} wildcards")
    return problems


def _action_problems(action: Any, name_key: KeyNamer) -> list[str]:
    if not isinstance(action, dict):
        return ["'action' is required and must be a mapping"]
    extra = sorted(set(action) - _ACTION_KEYS)
    problems = [f"unknown action key {name_key((k,))}" for k in extra]
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        problems.append(f"action 'type' must be one of {', '.join(ACTION_TYPES)}")
    elif kind == "transition" and action.get("targetStorageClass") not in STORAGE_CLASSES[1:]:
        problems.append("a 'transition' action needs 'targetStorageClass: archive'")
    return problems


def _ordering_problems(rules: list[dict[str, Any]]) -> list[str]:
    priorities = [rule["rulePriority"] for rule in rules]
    if len(set(priorities)) != len(priorities):
        return ["every rule needs a different 'rulePriority'"]
    any_rules = [r["rulePriority"] for r in rules if r["selection"]["tagStatus"] == "any"]
    if any_rules and max(any_rules) != max(priorities):
        return ["a rule with 'tagStatus: any' must have the highest 'rulePriority'"]
    return []


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1

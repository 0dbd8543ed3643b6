"""ECS task definitions: `containerDefinitions[].image`.

Accepted shapes: the input of register-task-definition, the output of
describe-task-definition (`{"taskDefinition": {...}}`), and a list of either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ptc.rewrite.documents import Occurrence, Path, Tree, find_structured


def _task_definitions(doc: Any, tree: Tree) -> Iterator[tuple[Path, Any]]:
    roots: list[tuple[Path, Any]] = [((i,), item) for i, item in enumerate(tree.items(doc))]
    for path, root in roots or [((), doc)]:
        inner = tree.get(root, "taskDefinition")
        if tree.is_mapping(inner):
            yield (*path, "taskDefinition"), inner
        elif tree.is_mapping(root):
            yield path, root


def is_ecs(doc: Any, tree: Tree) -> bool:
    return any(
        tree.items(tree.get(td, "containerDefinitions")) for _, td in _task_definitions(doc, tree)
    )


def images(doc: Any, tree: Tree) -> Iterator[tuple[Path, Any]]:
    for path, td in _task_definitions(doc, tree):
        for index, container in enumerate(tree.items(tree.get(td, "containerDefinitions"))):
            image = tree.get(container, "image")
            if tree.text(image) is not None:
                yield (*path, "containerDefinitions", index, "image"), image


def find(text: str) -> list[Occurrence]:
    return find_structured(text, images)

"""Image paths: where in a document an image reference is, as a small JSONPath subset.

`spec.templates[*].container.image` reads: the `spec` key, every item of its `templates`
list, their `container` key, its `image`. The syntax is the part of JSONPath (and of
kubectl's `-o jsonpath`) that names fields: an optional leading `$.`, dotted keys, `[N]`
for one list item, `[*]` for every item, `*` for every value of a mapping and `['key']`
for a key with dots. Filters, slices and recursive descent are not supported: a path names
fields, it does not search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from ptc.rewrite.documents import Path, Tree


class Every:
    """A step that matches every item of a list (`[*]`) or every value of a mapping (`*`)."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol

    def __repr__(self) -> str:
        return self.symbol


ITEMS: Final = Every("[*]")
VALUES: Final = Every("*")
Step = str | int | Every

_TOKEN: Final = re.compile(
    r"\.?(?P<key>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|\.?(?P<star>\*)"
    r"|\[(?P<index>[0-9]+)\]"
    r"|\[(?P<items>\*)\]"
    r"|\[(?P<quote>['\"])(?P<quoted>[^'\"]+)(?P=quote)\]"
)


class PathSyntaxError(ValueError):
    """A path is not in the supported syntax; the message says where."""


@dataclass(frozen=True)
class ImagePath:
    """A parsed path, with the text it was written as (for messages)."""

    text: str
    steps: tuple[Step, ...]

    def find(self, doc: Any, tree: Tree, prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
        """Every string at this path in `doc`, with its concrete path."""
        yield from _walk(doc, tree, self.steps, prefix)


def parse_path(text: str) -> ImagePath:
    """Parse `text`; raise PathSyntaxError."""
    body = text.strip()
    body = body[1:] if body.startswith("$") else body
    steps: list[Step] = []
    position = 0
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None:
            raise PathSyntaxError(f"'{text}': cannot read the path from '{body[position:]}'")
        steps.append(_step(match))
        position = match.end()
    if not steps:
        raise PathSyntaxError(f"'{text}': the path is empty")
    return ImagePath(text, tuple(steps))


def _step(match: re.Match[str]) -> Step:
    if match["key"] is not None:
        return match["key"]
    if match["star"] is not None:
        return VALUES
    if match["index"] is not None:
        return int(match["index"])
    if match["items"] is not None:
        return ITEMS
    return match["quoted"]


def _walk(node: Any, tree: Tree, steps: tuple[Step, ...], path: Path) -> Iterator[tuple[Path, Any]]:
    if not steps:
        if tree.text(node) is not None:
            yield path, node
        return
    step, rest = steps[0], steps[1:]
    if step is ITEMS:
        for index, item in enumerate(tree.items(node)):
            yield from _walk(item, tree, rest, (*path, index))
    elif step is VALUES:
        for key, value in tree.entries(node):
            yield from _walk(value, tree, rest, (*path, key))
    elif isinstance(step, int):
        items = tree.items(node)
        if step < len(items):
            yield from _walk(items[step], tree, rest, (*path, step))
    else:
        assert isinstance(step, str)
        yield from _walk(tree.get(node, step), tree, rest, (*path, step))

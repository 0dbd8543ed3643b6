"""kustomize `images:` entries (kustomization files, and Flux's `Kustomization` CRD).

An entry `{name, newName, newTag, digest}` makes kustomize replace the image `name` in its
resources with `newName` (and the tag). The image pulled is `newName`, or `name` when
there is no `newName`. So `newName` is rewritten; without one, a `newName:` line is added
after `name:`, which stays as it is: it is what kustomize matches in the resources.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, Final

from ptc.rewrite.documents import Occurrence, Path, Tree

FILE_NAMES: Final = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
NAME_KEY: Final = "name"
_KEY_BEFORE_VALUE: Final = re.compile(r"""(["']?)name\1[ \t]*:[ \t]*["']?$""")


def is_kustomization(doc: Any, tree: Tree, file_name: str) -> bool:
    """`kind: Kustomization` (kustomize's or Flux's), or a mapping in a kustomization file."""
    if tree.text(tree.get(doc, "kind")) == "Kustomization":
        return True
    return file_name in FILE_NAMES and tree.is_mapping(doc) and not tree.get(doc, "kind")


def images(doc: Any, tree: Tree) -> Iterator[tuple[Path, Any]]:
    """Each entry's `newName`, or its `name` where it has no newName at all."""
    flux = tree.get(doc, "apiVersion") is not None and tree.get(doc, "images") is None
    prefix: Path = ("spec", "images") if flux else ("images",)
    node = tree.get(tree.get(doc, "spec"), "images") if flux else tree.get(doc, "images")
    for index, entry in enumerate(tree.items(node)):
        new_name, name = tree.get(entry, "newName"), tree.get(entry, NAME_KEY)
        if tree.text(new_name) is not None:
            yield (*prefix, index, "newName"), new_name
        elif new_name is None and tree.text(name) is not None:
            yield (*prefix, index, NAME_KEY), name


def add_new_name(occurrence: Occurrence, text: str, is_json: bool) -> Occurrence:
    """The occurrence of a `name` with the edit that adds `newName` after it.

    Block style gets a line of its own below `name:` (after any comment on that line);
    flow style and JSON get `, newName: ...` right after the value.
    """
    end = occurrence.end
    quoted = end < len(text) and text[end] in "\"'"
    after_value = end + 1 if quoted else end
    if is_json:
        return _with(occurrence, after_value, ', "newName": "{ref}"')
    rest = text[after_value:].lstrip(" \t")
    if rest.startswith((",", "}")):
        return _with(occurrence, after_value, ", newName: {ref}")
    line_start = text.rfind("\n", 0, occurrence.start) + 1
    key = _KEY_BEFORE_VALUE.search(text, line_start, occurrence.start)
    if key is None:
        problem = "no newName line can be placed after this name: add one by hand"
        return replace(occurrence, problem=problem)
    line_end = text.find("\n", after_value)
    line_end = len(text) if line_end < 0 else line_end
    newline = "\n"
    if text[line_end - 1 : line_end] == "\r":
        line_end, newline = line_end - 1, "\r\n"
    indent = " " * (key.start() - line_start)
    return _with(occurrence, line_end, f"{newline}{indent}newName: {{ref}}")


def _with(occurrence: Occurrence, position: int, template: str) -> Occurrence:
    return replace(occurrence, layout=((position, position, template),))

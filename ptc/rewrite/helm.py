"""Helm values files: `image:` as a reference, or as `{registry, repository, tag}`.

Charts spell an image in their values as `image: repo:tag`, or as a mapping whose
`repository` (with an optional `registry` before it) names the image and whose `tag` or
`digest` picks the version. The name pulled is `registry/repository`, or `repository`
alone. With a registry, the registry becomes the cache's host and the repository the path
on it; without one, the repository gets the whole cached name. Tags are left alone.

A values file is recognised by its name (`values.yaml`, `values-prod.yaml`,
`values.prod.yml`, ...) or named with `--helm-values FILE`: the structure alone (an
`image` key) is too common to be sure of.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, Final

from ptc.rewrite.documents import Occurrence, Path, Tree

_VALUES_NAME: Final = re.compile(r"values([._-][^/]*)?\.ya?ml", re.IGNORECASE)
REGISTRY: Final = "registry"
REPOSITORY: Final = "repository"
_DOT_REGISTRY: Final = "." + REGISTRY
# One registry node (an alias) for several images: its edit would move all of them.
_SHARED: Final = "its registry is shared with other images through a YAML alias"


def is_values_name(name: str) -> bool:
    return _VALUES_NAME.fullmatch(name) is not None


def images(doc: Any, tree: Tree) -> Iterator[tuple[Path, Any]]:
    """Every `image` string, and every `image` mapping's registry and repository."""
    yield from _walk(doc, tree, (), set())


def _walk(node: Any, tree: Tree, path: Path, seen: set[int]) -> Iterator[tuple[Path, Any]]:
    if id(node) in seen:  # aliases share nodes: each once, and no alias bomb
        return
    seen.add(id(node))
    if tree.is_mapping(node):
        for key, value in tree.entries(node):
            if key == "image":
                yield from _image(value, tree, (*path, key))
            else:
                yield from _walk(value, tree, (*path, key), seen)
    else:
        for index, item in enumerate(tree.items(node)):
            yield from _walk(item, tree, (*path, index), seen)


def _image(node: Any, tree: Tree, path: Path) -> Iterator[tuple[Path, Any]]:
    if tree.text(node) is not None:
        yield path, node
        return
    repository = tree.get(node, REPOSITORY)
    if tree.text(repository) is None:
        return
    registry = tree.get(node, REGISTRY)
    if tree.text(registry):  # an empty registry is no registry
        yield (*path, REGISTRY), registry
    yield (*path, REPOSITORY), repository


def join_registries(occurrences: list[Occurrence]) -> list[Occurrence]:
    """One occurrence per image: a registry and its repository become one reference.

    It is placed at the repository and written in two edits: the cache's host over the
    registry, the path on it over the repository.
    """
    by_where = {o.where: o for o in occurrences}
    registries = Counter((o.start, o.end) for o in occurrences if o.where.endswith(_DOT_REGISTRY))
    joined: dict[tuple[int, int], Occurrence] = {}
    for occurrence in occurrences:
        image, _, field = occurrence.where.rpartition(".")
        if field == REGISTRY:
            continue
        registry = by_where.get(image + _DOT_REGISTRY) if field == REPOSITORY else None
        if registry is not None:
            shared = registries[registry.start, registry.end] > 1
            occurrence = replace(
                occurrence,
                value=f"{registry.value}/{occurrence.value}",
                where=image,
                problem=_SHARED if shared else registry.problem or occurrence.problem,
                layout=(
                    (registry.start, registry.end, "{host}"),
                    (occurrence.start, occurrence.end, "{path}"),
                ),
            )
        # An alias shares its anchor's node: one span, one edit.
        joined.setdefault((occurrence.start, occurrence.end), occurrence)
    return list(joined.values())

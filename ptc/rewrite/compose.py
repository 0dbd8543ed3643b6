"""docker-compose files: `services.<name>.image`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ptc.rewrite.documents import Occurrence, Path, Tree, find_structured


def is_compose(doc: Any, tree: Tree) -> bool:
    """A mapping with a `services` mapping (the Compose specification; version 2 and 3)."""
    return tree.is_mapping(tree.get(doc, "services"))


def images(doc: Any, tree: Tree) -> Iterator[tuple[Path, Any]]:
    for name, service in tree.entries(tree.get(doc, "services")):
        if tree.get(service, "build") is not None:
            continue  # `image` then names what compose builds and tags, not what it pulls
        image = tree.get(service, "image")
        if tree.text(image) is not None:
            yield ("services", name, "image"), image


def find(text: str) -> list[Occurrence]:
    return find_structured(text, images)

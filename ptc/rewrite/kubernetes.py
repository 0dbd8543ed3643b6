"""Kubernetes manifests: the containers of every workload kind that carries a pod template."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from ptc.rewrite.documents import Occurrence, Path, Tree, find_structured

# Where each kind keeps its pod spec.
POD_SPEC: Final[dict[str, tuple[str, ...]]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CONTAINER_LISTS: Final = ("initContainers", "containers", "ephemeralContainers")


def is_kubernetes(doc: Any, tree: Tree) -> bool:
    """An object with apiVersion and kind."""
    return tree.text(tree.get(doc, "apiVersion")) is not None and (
        tree.text(tree.get(doc, "kind")) is not None
    )


def images(doc: Any, tree: Tree, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every `image` of a manifest's containers, with its path, in document order."""
    kind = tree.text(tree.get(doc, "kind"))
    if kind is None:
        return
    if kind.endswith("List"):  # List, and typed lists such as PodList
        for index, item in enumerate(tree.items(tree.get(doc, "items"))):
            yield from images(item, tree, (*path, "items", index))
        return
    spec_path = POD_SPEC.get(kind)
    if spec_path is None:
        return
    spec = doc
    for key in spec_path:
        spec = tree.get(spec, key)
    for name in CONTAINER_LISTS:
        for index, container in enumerate(tree.items(tree.get(spec, name))):
            image = tree.get(container, "image")
            if tree.text(image) is not None:
                yield (*path, *spec_path, name, index, "image"), image


def find(text: str) -> list[Occurrence]:
    return find_structured(text, images)

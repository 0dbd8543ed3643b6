"""Kubernetes manifests: the images of pod templates, whatever the kind, and of known CRDs.

Where an object's images are, in order:
1. its kind's own pod spec (`Pod`, `PodTemplate`, Knative's `Revision`), or the paths of a
   known CRD without pod templates (Tekton, Argo Workflows);
2. otherwise a pod template at one of the paths workloads and most CRDs use
   (`spec.template.spec`, ...), whatever the kind: Deployment and Argo Rollout alike;
3. the paths the user added for the kind (`--image-path KIND=PATH`).
An `image` key anywhere else in an object of a kind that is not built into Kubernetes is
reported as skipped, so that a gate never passes an image it did not understand. In the
built-in kinds an `image` elsewhere (an annotation, a ConfigMap's data) is not a container.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from ptc.rewrite.documents import Occurrence, Path, Tree, dotted, find_structured
from ptc.rewrite.paths import ImagePath, parse_path

CONTAINER_LISTS: Final = ("initContainers", "containers", "ephemeralContainers")

# Kinds whose pod spec is not (only) in a pod template.
POD_SPECS: Final[dict[str, tuple[str, ...]]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template.spec",),
    "Revision": ("spec",),  # Knative Serving: a Revision's spec is a pod spec
}
# Tried for every other kind.
TEMPLATE_POD_SPECS: Final = (
    # Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job; Argo
    # Rollout, Knative Service and Configuration, OpenKruise CloneSet, ...
    "spec.template.spec",
    "spec.jobTemplate.spec.template.spec",  # CronJob
    "spec.jobTargetRef.template.spec",  # KEDA ScaledJob
)


def _argo(spec: str) -> tuple[str, ...]:
    fields = (
        "container.image",
        "script.image",
        "initContainers[*].image",
        "sidecars[*].image",
        "containerSet.containers[*].image",
    )
    return tuple(f"{spec}.templates[*].{field}" for field in fields)


def _tekton(spec: str) -> tuple[str, ...]:
    return tuple(
        f"{spec}.{f}" for f in ("steps[*].image", "sidecars[*].image", "stepTemplate.image")
    )


# CRDs that keep images outside pod specs.
KIND_IMAGE_PATHS: Final[dict[str, tuple[str, ...]]] = {
    "Workflow": _argo("spec"),
    "WorkflowTemplate": _argo("spec"),
    "ClusterWorkflowTemplate": _argo("spec"),
    "CronWorkflow": _argo("spec.workflowSpec"),
    "Task": _tekton("spec"),
    "ClusterTask": _tekton("spec"),
    "TaskRun": _tekton("spec.taskSpec"),
    "Pipeline": _tekton("spec.tasks[*].taskSpec") + _tekton("spec.finally[*].taskSpec"),
    "PipelineRun": (
        _tekton("spec.pipelineSpec.tasks[*].taskSpec")
        + _tekton("spec.pipelineSpec.finally[*].taskSpec")
    ),
    "StepAction": ("spec.image",),
}
_BUILT_IN_GROUPS: Final = frozenset({"", "apps", "batch", "autoscaling", "policy", "extensions"})

ImagePaths = Mapping[str, tuple[ImagePath, ...]]
_POD_SPECS = {kind: tuple(map(parse_path, paths)) for kind, paths in POD_SPECS.items()}
_TEMPLATES = tuple(map(parse_path, TEMPLATE_POD_SPECS))
_KIND_PATHS = {kind: tuple(map(parse_path, paths)) for kind, paths in KIND_IMAGE_PATHS.items()}


def is_kubernetes(doc: Any, tree: Tree) -> bool:
    """An object with apiVersion and kind."""
    return tree.text(tree.get(doc, "apiVersion")) is not None and (
        tree.text(tree.get(doc, "kind")) is not None
    )


def objects(doc: Any, tree: Tree, path: Path = ()) -> Iterator[tuple[Path, str, Any]]:
    """Each object of a manifest with its path and kind; a `List`'s items, not the list."""
    kind = tree.text(tree.get(doc, "kind"))
    if kind is None:
        return
    if kind.endswith("List"):  # List, and typed lists such as PodList
        for index, item in enumerate(tree.items(tree.get(doc, "items"))):
            yield from objects(item, tree, (*path, "items", index))
        return
    yield path, kind, doc


def images(doc: Any, tree: Tree, extra: ImagePaths | None = None) -> Iterator[tuple[Path, Any]]:
    """Every image of a manifest at a known path, with its path, in document order."""
    for path, kind, obj in objects(doc, tree):
        yield from _object_images(obj, kind, tree, path, extra or {})


def _object_images(
    obj: Any, kind: str, tree: Tree, path: Path, extra: ImagePaths
) -> Iterator[tuple[Path, Any]]:
    for spec_path in _POD_SPECS.get(kind, () if kind in _KIND_PATHS else _TEMPLATES):
        for spec_at, spec in _nodes(spec_path, obj, tree, path):
            for name in CONTAINER_LISTS:
                for index, container in enumerate(tree.items(tree.get(spec, name))):
                    image = tree.get(container, "image")
                    if tree.text(image) is not None:
                        yield (*spec_at, name, index, "image"), image
    for image_path in (*_KIND_PATHS.get(kind, ()), *extra.get(kind, ())):
        yield from image_path.find(obj, tree, path)


def _nodes(spec_path: ImagePath, obj: Any, tree: Tree, path: Path) -> Iterator[tuple[Path, Any]]:
    """The mappings at a pod spec path (ImagePath.find yields strings only)."""
    node = obj
    for step in spec_path.steps:
        assert isinstance(step, str)  # pod spec paths are plain keys
        node = tree.get(node, step)
        path = (*path, step)
    if tree.is_mapping(node):
        yield path, node


def skipped(doc: Any, tree: Tree, known: set[Path]) -> Iterator[tuple[Path, Any, str]]:
    """`image` strings of kinds not built into Kubernetes that no known path covers."""
    for path, kind, obj in objects(doc, tree):
        if _built_in(tree.text(tree.get(obj, "apiVersion"))):
            continue
        # metadata (labels, annotations) names no container image, whatever the kind.
        seen = {id(tree.get(obj, "metadata"))}
        for at, node in _image_keys(obj, tree, path, seen):
            if at not in known:
                suggestion = dotted(at[len(path) :])
                yield (
                    at,
                    node,
                    (
                        f"not a known image field of a {kind}: "
                        f"--image-path {kind}={suggestion} rewrites it"
                    ),
                )


def _built_in(api_version: str | None) -> bool:
    group = (api_version or "").rpartition("/")[0]
    return group in _BUILT_IN_GROUPS or group.endswith(".k8s.io")


def _image_keys(node: Any, tree: Tree, path: Path, seen: set[int]) -> Iterator[tuple[Path, Any]]:
    # Each node once: YAML aliases share nodes, and an alias bomb must not explode here.
    if id(node) in seen:
        return
    seen.add(id(node))
    if tree.is_mapping(node):
        for key, value in tree.entries(node):
            if key == "image" and tree.text(value) is not None:
                yield (*path, key), value
            else:
                yield from _image_keys(value, tree, (*path, key), seen)
    else:
        for index, item in enumerate(tree.items(node)):
            yield from _image_keys(item, tree, (*path, index), seen)


def find(text: str) -> list[Occurrence]:
    return find_structured(text, images)

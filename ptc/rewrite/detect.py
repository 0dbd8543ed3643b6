"""Which kind of input a text is, decided by its content, and its image references."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

import yaml

from ptc.rewrite import compose, dockerfile, ecs, kubernetes, kustomize
from ptc.rewrite import helm as helm_values
from ptc.rewrite.documents import (
    BOM,
    LineIndex,
    Occurrence,
    Path,
    Structured,
    Tree,
    dotted,
    looks_like_json,
    parse_structured,
)
from ptc.rewrite.kubernetes import ImagePaths
from ptc.rewrite.variables import default_of


class ManifestKind(StrEnum):
    DOCKERFILE = "dockerfile"
    KUBERNETES = "kubernetes"
    KUSTOMIZE = "kustomize"
    COMPOSE = "compose"
    ECS = "ecs"
    HELM = "helm-values"


class ManifestError(Exception):
    """The text cannot be read as the kind it claims to be; the message says why."""


@dataclass(frozen=True)
class Located:
    kinds: tuple[ManifestKind, ...]  # empty: not an input ptc rewrites
    occurrences: list[Occurrence]


@dataclass(frozen=True)
class Options:
    """What the user told ptc about inputs it cannot recognise alone."""

    # Image paths per Kubernetes kind, beyond the built-in ones (--image-path).
    image_paths: ImagePaths = field(default_factory=dict)


_Detector = Callable[[Any, Tree], bool]
_Walker = Callable[[Any, Tree], Iterable[tuple[Path, Any]]]
# The kinds whose images one walker finds, tried after kustomize and Kubernetes.
_STRUCTURED: Final[tuple[tuple[ManifestKind, _Detector, _Walker], ...]] = (
    (ManifestKind.ECS, ecs.is_ecs, ecs.images),
    (ManifestKind.COMPOSE, compose.is_compose, compose.images),
)


def locate(
    text: str, name: str = "", options: Options | None = None, *, helm: bool = False
) -> Located:
    """Detect the kind of `text` (`name` is a hint) and find its references.

    `helm` says the text is a Helm values file whatever its name.
    """
    options = options or Options()
    body = text.removeprefix(BOM)
    if (
        not helm
        and not looks_like_json(body)
        and (dockerfile.is_dockerfile_name(name) or dockerfile.looks_like_dockerfile(body))
    ):
        return Located((ManifestKind.DOCKERFILE,), with_defaults(text, dockerfile.find(text)))
    parsed = _parse(text, strict_json=name.lower().endswith(".json"))
    kinds: list[ManifestKind] = []
    found: list[Occurrence] = []
    try:
        for doc in parsed.documents:  # YAML: composed one by one; a later one may be broken
            kind = _kind(doc, parsed.tree, name, helm)
            if kind is None:
                continue
            occurrences = _occurrences(kind, doc, parsed, options)
            if kind is ManifestKind.HELM and not occurrences and not helm:
                continue  # named like a values file, but without an image: not one ptc reads
            if kind not in kinds:
                kinds.append(kind)
            found += occurrences
    except yaml.YAMLError as exc:
        raise ManifestError(_yaml_message(exc)) from None
    found.sort(key=lambda o: o.start)  # the report follows the text
    return Located(tuple(kinds), with_defaults(text, found, parsed.lines))


def _kind(doc: Any, tree: Tree, name: str, helm: bool) -> ManifestKind | None:
    # Kubernetes before the others: a manifest may well have a `services` or
    # `containerDefinitions` key somewhere, but only a manifest has apiVersion and kind at
    # the top. A values file only by name: its structure is too common to be sure of.
    if helm:
        return ManifestKind.HELM
    if kustomize.is_kustomization(doc, tree, name):
        return ManifestKind.KUSTOMIZE
    if kubernetes.is_kubernetes(doc, tree):
        return ManifestKind.KUBERNETES
    for kind, detects, _ in _STRUCTURED:
        if detects(doc, tree):
            return kind
    if helm_values.is_values_name(name):
        return ManifestKind.HELM
    return None


def _occurrences(
    kind: ManifestKind, doc: Any, parsed: Structured, options: Options
) -> list[Occurrence]:
    tree = parsed.tree
    if kind is ManifestKind.KUBERNETES:
        return _kubernetes(doc, parsed, options)
    if kind is ManifestKind.KUSTOMIZE:
        located = parsed.locate(list(kustomize.images(doc, tree)))
        return [
            kustomize.add_new_name(o, parsed.text, parsed.is_json)
            if o.where.endswith("." + kustomize.NAME_KEY)
            else o
            for o in located
        ]
    if kind is ManifestKind.HELM:
        return helm_values.join_registries(
            parsed.locate(list(helm_values.images(doc, tree)), aliases=True)
        )
    walker = next(w for k, _, w in _STRUCTURED if k is kind)
    return parsed.locate(list(walker(doc, tree)))


def _kubernetes(doc: Any, parsed: Structured, options: Options) -> list[Occurrence]:
    """Images at known paths, then the `image` fields of unknown kinds, marked skipped."""
    found = list(kubernetes.images(doc, parsed.tree, options.image_paths))
    notes = {}
    for path, node, note in kubernetes.skipped(doc, parsed.tree, {p for p, _ in found}):
        found.append((path, node))
        notes[dotted(path)] = note
    occurrences = parsed.locate(found)
    if not notes:
        return occurrences
    return [replace(o, skipped=notes[o.where]) if o.where in notes else o for o in occurrences]


def with_defaults(
    text: str, occurrences: list[Occurrence], lines: LineIndex | None = None
) -> list[Occurrence]:
    """Each `${VAR:-<image>}` reference replaced by its default, placed inside it."""
    lines = lines or LineIndex(text)
    result = []
    for occurrence in occurrences:
        default = default_of(occurrence.value)
        if (
            default is not None
            and not occurrence.layout
            and (text[occurrence.start : occurrence.end] == occurrence.value)
        ):
            start = occurrence.start + default.offset
            line, column = lines.position(start)
            occurrence = replace(
                occurrence,
                start=start,
                end=start + len(default.value),
                line=line,
                column=column,
                value=default.value,
                where=f"{occurrence.where} (default of ${default.name})",
            )
        result.append(occurrence)
    return result


def _parse(text: str, *, strict_json: bool) -> Structured:
    """Parse as JSON (a .json name, or JSON-like text) or YAML; raise ManifestError."""
    try:
        return parse_structured(text, strict_json=True) if strict_json else _parse_any(text)
    except ValueError as exc:
        raise ManifestError(f"not valid JSON: {exc}") from None
    except yaml.YAMLError as exc:
        raise ManifestError(_yaml_message(exc)) from None


def _parse_any(text: str) -> Structured:
    if not looks_like_json(text.removeprefix(BOM)):
        return parse_structured(text)
    try:
        return parse_structured(text, strict_json=True)
    except ValueError as json_error:
        try:
            return parse_structured(text)  # a YAML flow mapping need not be JSON
        except yaml.YAMLError:
            # Text that starts like JSON was most likely meant as JSON: say what is wrong.
            raise json_error from None


def _yaml_message(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"not valid YAML: {exc.problem} (line {mark.line + 1}, column {mark.column + 1})"
    return f"not valid YAML: {exc}"

"""Which kind of input a text is, decided by its content, and its image references."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import yaml

from ptc.rewrite import compose, dockerfile, ecs, kubernetes
from ptc.rewrite.documents import (
    BOM,
    Occurrence,
    Path,
    Structured,
    Tree,
    looks_like_json,
    parse_structured,
)


class Kind(StrEnum):
    DOCKERFILE = "dockerfile"
    KUBERNETES = "kubernetes"
    COMPOSE = "compose"
    ECS = "ecs"


class ManifestError(Exception):
    """The text cannot be read as the kind it claims to be; the message says why."""


@dataclass(frozen=True)
class Located:
    kinds: tuple[Kind, ...]  # empty: not an input ptc rewrites
    occurrences: list[Occurrence]


_Detector = Callable[[Any, Tree], bool]
_Walker = Callable[[Any, Tree], Iterable[tuple[Path, Any]]]
# Kubernetes first: a manifest may well have a `services` or `containerDefinitions` key
# somewhere, but only a manifest has apiVersion and kind at the top.
_STRUCTURED: Final[tuple[tuple[Kind, _Detector, _Walker], ...]] = (
    (Kind.KUBERNETES, kubernetes.is_kubernetes, kubernetes.images),
    (Kind.ECS, ecs.is_ecs, ecs.images),
    (Kind.COMPOSE, compose.is_compose, compose.images),
)


def locate(text: str, name: str = "") -> Located:
    """Detect the kind of `text` (`name` is a hint) and find its references."""
    body = text.removeprefix(BOM)
    if not looks_like_json(body) and (
        dockerfile.is_dockerfile_name(name) or dockerfile.looks_like_dockerfile(body)
    ):
        return Located((Kind.DOCKERFILE,), dockerfile.find(text))
    parsed = _parse(text, strict_json=name.lower().endswith(".json"))
    kinds: list[Kind] = []
    found: list[tuple[Path, Any]] = []
    for doc in parsed.documents:
        for kind, detects, walker in _STRUCTURED:
            if detects(doc, parsed.tree):
                if kind not in kinds:
                    kinds.append(kind)
                found += walker(doc, parsed.tree)
                break
    return Located(tuple(kinds), parsed.locate(found))


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

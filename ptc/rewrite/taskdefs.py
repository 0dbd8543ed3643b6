"""Live ECS task definitions: the same rewrite as an ECS task-definition file, on API data.

Each family's latest ACTIVE revision, as the RegisterTaskDefinition request that would
register it again, is laid out as JSON and rewritten by the file engine (`rewrite_text`), so
files and live task definitions follow one mapping and one reference grammar. Only the image
spans change, so the parsed result differs from the read request in the images alone. The
AWS side is a `Registry` (ptc/aws/ecs.py); nothing here imports boto3 or prints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from ptc.errors import PtcError
from ptc.rewrite.engine import FileResult, Report, not_written, rewrite_text
from ptc.rewrite.mapping import Mapper


class Registry(Protocol):
    def families(self) -> list[str]: ...

    def latest(self, family: str) -> dict[str, Any] | None: ...

    def register(self, request: dict[str, Any]) -> str: ...


def as_text(request: dict[str, Any]) -> str:
    """A request as the JSON the engine reads and the diff shows (default=str: timestamps)."""
    return json.dumps(request, indent=2, ensure_ascii=False, default=str) + "\n"


def rewrite_family(family: str, request: dict[str, Any] | None, mapper: Mapper) -> FileResult:
    """One family's result; `rewritten` holds the JSON of the request to register."""
    result = FileResult(family)
    if request is None:
        result.error = "no ACTIVE revision"
        return result
    text = as_text(request)
    result.kinds, result.refs, result.rewritten = rewrite_text(text, mapper, f"{family}.json")
    result.original = text
    return result


def run(
    registry: Registry, mapper: Mapper, families: Sequence[str] = (), *, write: bool = False
) -> Report:
    """Read the families (all ACTIVE ones, or those named), rewrite, register if asked."""
    names = list(dict.fromkeys(families)) if families else registry.families()
    results: list[FileResult] = []
    for family in names:
        result = rewrite_family(family, registry.latest(family), mapper)
        if write and result.changed and result.error is None:
            assert result.rewritten is not None
            try:
                arn = registry.register(json.loads(result.rewritten))
            except PtcError as exc:
                result.error = str(exc)
                result.refs = [not_written(ref, str(exc)) for ref in result.refs]
            else:
                result.written, result.registered = True, arn
        results.append(result)
    return Report(mapper.target, results, write, unit="family")

"""Inline suppression: `# ptc: ignore=PTC416` on a line silences that check on that line.

Like a linter's `# noqa`, the reason to accept a finding lives next to what it is about,
reviewed with it. IDs match as `--ignore` does (an ID, or the start of one: `PTC4`). The
YAML and schema checks (PTC0xx) cannot be silenced: without them the file has no shape.
A directive naming no known check is itself a finding (PTC010), never silently nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ptc.checks.base import Finding

# A YAML comment starts with '#' at the start of a line or after whitespace.
_DIRECTIVE = re.compile(
    r"(?:^|\s)#\s*ptc:\s*ignore\s*=\s*(?P<ids>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)"
)
UNSUPPRESSIBLE = "PTC0"


@dataclass(frozen=True)
class Directive:
    line: int
    column: int  # of the first ID
    ids: tuple[str, ...]


def directives(text: str) -> list[Directive]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _DIRECTIVE.search(line)
        if match:
            ids = tuple(i.strip() for i in match["ids"].split(","))
            found.append(Directive(number, match.start("ids") + 1, ids))
    return found


def suppress(findings: Iterable[Finding], found: list[Directive]) -> list[Finding]:
    """The findings no directive on their line silences."""
    by_line: dict[int, tuple[str, ...]] = {}
    for directive in found:
        by_line[directive.line] = by_line.get(directive.line, ()) + directive.ids
    return [f for f in findings if not _silenced(f, by_line.get(f.line, ()))]


def _silenced(finding: Finding, ids: tuple[str, ...]) -> bool:
    if not ids or finding.check_id.startswith(UNSUPPRESSIBLE):
        return False
    return finding.check_id.startswith(ids)

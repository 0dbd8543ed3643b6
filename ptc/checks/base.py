"""What a check is and what it reports.

A check is a small class with a stable ID, a severity, a summary and a fix. Its `check`
method looks at the loaded file and yields `Problem`s that name a path in the data; the
runner turns each path into a file, line and column in one place. IDs never change
meaning: a user's `--ignore PTC204` must keep working across releases.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from ptc.config.loader import DataPath, Document
from ptc.config.models import Permission, PtcFile, Rule, Secret, Template
from ptc.domain import substitution


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """What a check yields: where in the data, what is wrong, and (optionally) a specific fix."""

    path: DataPath
    message: str
    fix: str | None = None
    at_key: bool = False  # point at the key rather than its value (unknown keys)


@dataclass(frozen=True, order=True)
class Finding:
    """A located problem, ready to print."""

    source: str
    line: int
    column: int
    check_id: str
    severity: Severity
    message: str
    fix: str


@dataclass
class Context:
    """The file as far as it could be understood, for the semantic checks.

    Items that failed schema validation are left out of `rules`, `secrets` and `templates`
    (they were reported already); the others keep their path in the file.
    """

    document: Document
    file: PtcFile
    base_dir: Path
    rules: list[tuple[DataPath, Rule]] = field(default_factory=list)
    secrets: list[tuple[DataPath, Secret]] = field(default_factory=list)
    templates: list[tuple[DataPath, Template]] = field(default_factory=list)
    permissions: list[tuple[DataPath, Permission]] = field(default_factory=list)

    def regions_of(self, item: Rule | Secret | Template | Permission) -> list[str]:
        return self.file.regions_of(item)

    def filled(self, value: str, region: str | None = None) -> str:
        """`value` as a target would see it: `{account}` is the file's account (or any 12
        digits, to check the shape), `{region}` is `region` (or the file's first)."""
        first = self.file.regions[0] if self.file.regions else None
        account = self.file.account or substitution.SAMPLE_ACCOUNT
        return substitution.fill(value, account=account, region=region or first)


class Check:
    """Base class of every check; subclasses set the class attributes and `check`."""

    id: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    summary: ClassVar[str]
    fix: ClassVar[str]

    def check(self, ctx: Context) -> Iterator[Problem]:
        return iter(())


def finding(document: Document, check: type[Check], problem: Problem) -> Finding:
    """The one place a problem's path becomes file:line:col (the runner and --online agree)."""
    mark = document.locate(problem.path, key=problem.at_key)
    return Finding(
        source=document.source,
        line=mark.line,
        column=mark.column,
        check_id=check.id,
        severity=check.severity,
        message=problem.message,
        fix=problem.fix or check.fix,
    )


class LoadCheck(Check):
    """A check the loader and schema stage report; it has no semantic `check` of its own."""

"""Rewrite the image references of many files and report on each one.

`rewrite_text` is pure: text in, the kinds found, a result per reference and the new text
out. Only the spans of rewritten references change; the text between them is copied as
it is. `run` adds the files: reading, per-file errors (collected, never fatal) and the
atomic writes. Nothing here prints; the CLI renders the `Report`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ptc.rewrite.detect import Kind, ManifestError, locate
from ptc.rewrite.documents import Occurrence
from ptc.rewrite.files import Source, SourceError, read, write_atomic
from ptc.rewrite.mapping import Mapper, Resolution, Status, Target


@dataclass(frozen=True)
class RefResult:
    """One reference: where it is and what happens to it."""

    occurrence: Occurrence
    resolution: Resolution

    @property
    def status(self) -> Status:
        return self.resolution.status


@dataclass
class FileResult:
    """One input file; `error` is set when it could not be read, parsed or written."""

    display: str
    kinds: tuple[Kind, ...] = ()
    refs: list[RefResult] = field(default_factory=list)
    original: str | None = None
    rewritten: str | None = None
    error: str | None = None
    written: bool = False

    @property
    def changed(self) -> bool:
        return self.original is not None and self.rewritten != self.original


@dataclass
class Report:
    """Every file of one run, in the order given."""

    target: Target
    files: list[FileResult]
    write: bool = False

    def refs(self) -> Iterator[tuple[FileResult, RefResult]]:
        for file in self.files:
            for ref in file.refs:
                yield file, ref

    def counts(self) -> dict[str, int]:
        """References per status (Status values as keys, every status present)."""
        counter = Counter(ref.status.value for _, ref in self.refs())
        return {status.value: counter.get(status.value, 0) for status in Status}

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error is not None]

    @property
    def changed(self) -> list[FileResult]:
        return [f for f in self.files if f.changed and f.error is None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": {
                "account": self.target.account,
                "region": self.target.region,
                "registry": self.target.host,
            },
            "summary": {
                **self.counts(),
                "files": len(self.files),
                "files_changed": len(self.changed),
                "files_failed": len(self.failed),
                "written": self.write,
            },
            "files": [_file_dict(f) for f in self.files],
            "references": [_ref_dict(f, r) for f, r in self.refs()],
        }


def _file_dict(file: FileResult) -> dict[str, Any]:
    return {
        "path": file.display,
        "kinds": [k.value for k in file.kinds],
        "changed": file.changed,
        "written": file.written,
        "error": file.error,
    }


def _ref_dict(file: FileResult, ref: RefResult) -> dict[str, Any]:
    occurrence, resolution = ref.occurrence, ref.resolution
    return {
        "path": file.display,
        "line": occurrence.line,
        "column": occurrence.column,
        "where": occurrence.where,
        "reference": occurrence.value,
        "status": resolution.status.value,
        "target": resolution.target,
        "rule": resolution.rule,
        "detail": resolution.detail,
    }


def rewrite_text(
    text: str, mapper: Mapper, name: str = ""
) -> tuple[tuple[Kind, ...], list[RefResult], str]:
    """The kinds in `text`, a result per reference, and the rewritten text.

    Raises ManifestError if the text is not valid JSON or YAML.
    """
    located = locate(text, name)
    results = [RefResult(o, _resolve(o, mapper)) for o in located.occurrences]
    edits = [
        (r.occurrence.start, r.occurrence.end, r.resolution.target)
        for r in results
        if r.resolution.target is not None
    ]
    return located.kinds, results, splice(text, edits)


def _resolve(occurrence: Occurrence, mapper: Mapper) -> Resolution:
    resolution = mapper.resolve(occurrence.value)
    if occurrence.problem is not None and resolution.status is Status.REWRITTEN:
        return Resolution(
            Status.INVALID, detail=f"{occurrence.problem} (would be {resolution.target})"
        )
    return resolution


def splice(text: str, edits: Iterable[tuple[int, int, str | None]]) -> str:
    """Replace non-overlapping spans; everything between them is copied unchanged."""
    parts: list[str] = []
    position = 0
    for start, end, new in sorted(edits, key=lambda e: e[0]):
        if new is None or start < position:
            continue
        parts += (text[position:start], new)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def process(source: Source, mapper: Mapper, *, write: bool = False) -> FileResult:
    """Read, rewrite and (if asked and changed) write one file; errors go in the result."""
    result = FileResult(source.display, error=source.error)
    if source.error is not None:
        return result
    try:
        text = read(source)
        result.kinds, result.refs, new = rewrite_text(text, mapper, source.name)
    except (SourceError, ManifestError) as exc:
        result.error = str(exc)
        return result
    except RecursionError:
        result.error = "nested too deeply to read"
        return result
    result.original, result.rewritten = text, new
    if write and result.changed and source.path is not None:
        try:
            write_atomic(source.path, new)
        except SourceError as exc:
            result.error = str(exc)
        else:
            result.written = True
    return result


def run(sources: Sequence[Source], mapper: Mapper, *, write: bool = False) -> Report:
    return Report(mapper.target, [process(s, mapper, write=write) for s in sources], write)

"""Rewrite the image references of many files and report on each one.

`rewrite_text` is pure: text in, the kinds found, a result per reference and the new text
out. Only the spans of rewritten references change; the text between them is copied as
it is. `run` adds the files: reading, per-file errors (collected, never fatal) and the
atomic writes. Nothing here prints; the CLI renders the `Report`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ptc.rewrite.detect import ManifestError, ManifestKind, Options, locate
from ptc.rewrite.documents import Occurrence
from ptc.rewrite.files import Source, SourceError, read, write_atomic
from ptc.rewrite.mapping import Mapper, Resolution, Status, Target

# The version of the JSON report's shape; it changes only when a field changes meaning or
# goes away (new fields may appear without it).
FORMAT_VERSION = 1


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
    kinds: tuple[ManifestKind, ...] = ()
    refs: list[RefResult] = field(default_factory=list)
    original: str | None = None
    rewritten: str | None = None
    error: str | None = None
    written: bool = False
    warnings: list[str] = field(default_factory=list)  # e.g. a hard link the write broke
    registered: str | None = None  # live ECS: the ARN of the revision --write registered
    _was_changed: bool | None = field(default=None, init=False, repr=False)

    @property
    def changed(self) -> bool:
        if self._was_changed is not None:
            return self._was_changed
        return self.original is not None and self.rewritten != self.original

    def release(self) -> None:
        """Forget both texts once reported: a run then holds one file's text, not all."""
        self._was_changed = self.changed
        self.original = self.rewritten = None


@dataclass
class Report:
    """Every file of one run, in the order given."""

    target: Target
    files: list[FileResult]
    write: bool = False
    unit: str = "file"  # what each FileResult is: a file, or a live ECS task-definition family

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

    def to_dict(self, *, lazy: bool = False) -> dict[str, Any]:
        """The report as `--format json` prints it (docs/rewrite-report.schema.json).

        `lazy` makes the two arrays `Streamed`: each entry is made as json's encoder
        reaches it, for a report written piece by piece.
        """
        files: list[Any] = (
            [_file_dict(f) for f in self.files]
            if not lazy
            else Streamed(lambda: (_file_dict(f) for f in self.files), len(self.files))
        )
        refs: list[Any] = (
            [_ref_dict(f, r) for f, r in self.refs()]
            if not lazy
            else Streamed(
                lambda: (_ref_dict(f, r) for f, r in self.refs()),
                sum(len(f.refs) for f in self.files),
            )
        )
        return {
            "format_version": FORMAT_VERSION,
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
            "files": files,
            "references": refs,
        }


class Streamed(list[Any]):
    """A JSON array whose items are made one by one as they are iterated.

    json's encoder with an indent (the pure-Python one) asks an array only whether it is
    empty and then iterates it, so a 47,000-reference report never holds all its entries,
    nor the whole text, at once. Only for writing: it compares as an empty list.
    """

    def __init__(self, make: Callable[[], Iterator[Any]], size: int) -> None:
        super().__init__()
        self._make = make
        self._size = size

    def __iter__(self) -> Iterator[Any]:
        return self._make()

    def __len__(self) -> int:
        return self._size

    def __bool__(self) -> bool:
        return self._size > 0


def _file_dict(file: FileResult) -> dict[str, Any]:
    return {
        "file": file.display,
        "kinds": [k.value for k in file.kinds],
        "changed": file.changed,
        "written": file.written,
        "error": file.error,
        "warnings": file.warnings,
    }


def _ref_dict(file: FileResult, ref: RefResult) -> dict[str, Any]:
    occurrence, resolution = ref.occurrence, ref.resolution
    rewritten = resolution.status is Status.REWRITTEN
    return {
        "file": file.display,
        "line": occurrence.line,
        "column": occurrence.column,
        "where": occurrence.where,
        "before": occurrence.value,
        "after": resolution.target if rewritten else None,
        "status": resolution.status.value,
        "rule": resolution.rule,
        "reason": None if rewritten else resolution.detail,
        "pulls_upstream": resolution.pulls_upstream,
    }


def rewrite_text(
    text: str,
    mapper: Mapper,
    name: str = "",
    options: Options | None = None,
    *,
    helm: bool = False,
) -> tuple[tuple[ManifestKind, ...], list[RefResult], str]:
    """The kinds in `text`, a result per reference, and the rewritten text.

    Raises ManifestError if the text is not valid JSON or YAML.
    """
    located = locate(text, name, options, helm=helm)
    results = [RefResult(o, _resolve(o, mapper)) for o in located.occurrences]
    edits = [
        edit
        for r in results
        if r.resolution.status is Status.REWRITTEN and r.resolution.target is not None
        for edit in r.occurrence.edits(r.resolution.target)
    ]
    return located.kinds, results, splice(text, edits)


# What an `image` field outside the known paths is reported as: it may be an image that
# pulls from upstream. Cached ones, variables and values that are no image are said as such.
_NOT_KNOWN = frozenset({Status.REWRITTEN, Status.NO_RULE, Status.INVALID})


def _resolve(occurrence: Occurrence, mapper: Mapper) -> Resolution:
    resolution = mapper.resolve(occurrence.value)
    if occurrence.skipped is not None and resolution.status in _NOT_KNOWN:
        because = (
            f"would be {resolution.target}"
            if resolution.status is Status.REWRITTEN
            else resolution.detail
        )
        return Resolution(
            Status.SKIPPED,
            target=resolution.target,
            detail=f"{occurrence.skipped}; {because}",
            rule=resolution.rule,
        )
    if occurrence.problem is not None and resolution.status is Status.REWRITTEN:
        return Resolution(
            Status.BLOCKED,
            target=resolution.target,
            detail=f"{occurrence.problem}; would be {resolution.target}",
            rule=resolution.rule,
        )
    if occurrence.problem is not None and resolution.status is Status.INVALID:
        return replace(resolution, detail=f"{occurrence.problem}; {resolution.detail}")
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


def process(
    source: Source, mapper: Mapper, *, write: bool = False, options: Options | None = None
) -> FileResult:
    """Read, rewrite and (if asked and changed) write one file; errors go in the result."""
    result = FileResult(source.display, error=source.error)
    if source.skipped is not None:
        result.warnings.append(source.skipped)
    if source.error is not None or source.skipped is not None:
        return result
    try:
        text = read(source)
        result.kinds, result.refs, new = rewrite_text(
            text, mapper, source.name, options, helm=source.helm
        )
    except (SourceError, ManifestError) as exc:
        result.error = str(exc)
        return result
    except RecursionError:
        result.error = "nested too deeply to read"
        return result
    result.original, result.rewritten = text, new
    if write and result.changed and source.path is not None:
        try:
            result.warnings += write_atomic(source, new)
        except SourceError as exc:
            result.error = str(exc)
            result.refs = [not_written(ref, str(exc)) for ref in result.refs]
        else:
            result.written = True
    return result


def not_written(ref: RefResult, error: str) -> RefResult:
    if ref.status is not Status.REWRITTEN:
        return ref
    resolution = replace(ref.resolution, status=Status.NOT_WRITTEN, detail=error)
    return RefResult(ref.occurrence, resolution)


def run(
    sources: Sequence[Source],
    mapper: Mapper,
    *,
    write: bool = False,
    options: Options | None = None,
    each: Callable[[FileResult], None] | None = None,
) -> Report:
    """Every source in order; `each` sees each file's result as soon as it is done."""
    files = []
    for source in sources:
        result = process(source, mapper, write=write, options=options)
        if each is not None:
            each(result)
        files.append(result)
    return Report(mapper.target, files, write)

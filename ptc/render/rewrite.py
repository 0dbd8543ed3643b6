"""The views of a `rewrite-images` report: diffs, reference lines, the summary, GitHub
annotations and JSON.

The command decides where each goes (standard input as a filter sends the report to
stderr, so the document alone goes to stdout); this module only writes what it is given.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from ptc.render.console import console, out
from ptc.render.github import escape_data, escape_property
from ptc.render.text import printable

if TYPE_CHECKING:
    from ptc.rewrite.engine import FileResult, RefResult, Report

_LABELS = {
    "rewritten": "would rewrite",
    "cached": "already cached",
    "no-rule": "no rule",
    "invalid": "invalid",
    "variable": "variable",
    "not-image": "not an image",
    "blocked": "cannot rewrite",
    "skipped": "skipped",
    "not-written": "not written",
}

_RARE = ("not-image", "blocked", "skipped", "not-written")
_ANNOTATED = {"blocked": "image reference not rewritten", "skipped": "image field not known"}


def write_diff(file: FileResult) -> None:
    """A changed file's unified diff, on standard output."""
    from ptc.rewrite.unidiff import unified_diff

    assert file.original is not None and file.rewritten is not None
    display = file.display
    sys.stdout.write(unified_diff(file.original, file.rewritten, f"a/{display}", f"b/{display}"))


def render_json(report: Report, *, to_stderr: bool) -> None:
    # Written as encoded, entry by entry: the report of a large tree is never whole.
    stream = sys.stderr if to_stderr else sys.stdout
    for chunk in json.JSONEncoder(indent=2).iterencode(report.to_dict(lazy=True)):
        stream.write(chunk)
    stream.write("\n")


def render_github(report: Report, *, check: bool, to_stderr: bool) -> None:
    for line in _github(report, check=check):
        out(line, err=to_stderr)
    out(closing_line(report, check=check), err=to_stderr)


def render_text(report: Report, *, check: bool, to_stderr: bool) -> None:
    for file in report.failed:
        out(f"{file.display}: error: {file.error}", err=True)
    for file in report.files:
        for warning in file.warnings:
            out(f"{file.display}: warning: {warning}", err=True)
    show_diff = not (check or report.write or to_stderr)
    if show_diff:
        for file in report.changed:
            if file.original is not None:  # files from run() printed theirs as they went
                write_diff(file)
    for file, ref in report.refs():
        if not (show_diff and ref.status == "rewritten"):
            out(_ref_line(file, ref, written=report.write), err=to_stderr)
    for file in report.files:
        if file.registered is not None:
            out(f"{file.display}: registered {file.registered}", err=to_stderr)
    render_summary(report, to_stderr=to_stderr)
    out(closing_line(report, check=check), err=to_stderr)


def _ref_line(file: FileResult, ref: RefResult, *, written: bool) -> str:
    occurrence, resolution = ref.occurrence, ref.resolution
    label = "rewrote" if written and ref.status == "rewritten" else _LABELS[ref.status]
    value = printable(occurrence.value)
    text = f"{file.display}:{occurrence.line}:{occurrence.column}: {label}: {value}"
    if ref.status in ("rewritten", "not-written"):
        text += f" -> {resolution.target}"
    if resolution.detail:
        text += f" ({resolution.detail})"
    return text


def render_summary(report: Report, *, to_stderr: bool) -> None:
    """The counts: a table on a terminal, `name count` lines in a log."""
    counts = report.counts()
    rows = [("rewritten" if report.write else "to rewrite", counts["rewritten"])]
    rows += [(_LABELS[s], counts[s]) for s in ("cached", "no-rule", "invalid", "variable")]
    # The kinds of reference most runs never meet get a row only when there is one.
    rows += [(_LABELS[s], counts[s]) for s in _RARE if counts[s]]
    files = f"{len(report.files)} ({len(report.changed)} changed, {len(report.failed)} failed)"
    unit = _plural(report.unit)
    stream = sys.stderr if to_stderr else sys.stdout
    if stream.isatty():
        from rich.table import Table

        table = Table("references", "count", box=None, show_edge=False)
        for name, count in rows:
            table.add_row(name, str(count))
        table.add_row(unit, files)
        console(stderr=to_stderr).print(table)
        return
    for name, count in rows:
        out(f"{name:<15} {count}", err=to_stderr)
    out(f"{unit:<15} {files}", err=to_stderr)


def closing_line(report: Report, *, check: bool) -> str:
    pulling = [(f.display, r) for f, r in report.refs() if r.resolution.pulls_upstream]
    if check:
        files = len({display for display, _ in pulling})
        if not pulling:
            return "nothing to rewrite"
        return f"{_refs(len(pulling), files, report.unit)} pull from cached upstreams directly"
    count = report.counts()["rewritten"]
    refs = _refs(count, len(report.changed), report.unit)
    if not count:
        line = "nothing to rewrite"
    elif report.write:
        line = f"rewrote {refs}"
    else:
        line = f"{refs} would be rewritten; --write applies it"
    left = len(pulling) - count
    if left:
        line += f"; {left} more pull{'s' if left == 1 else ''} from cached upstreams directly"
        line += " and cannot be rewritten (see above)"
    return line


def _refs(count: int, files: int, unit: str = "file") -> str:
    where = unit if files == 1 else _plural(unit)
    return f"{count} reference{'s' if count != 1 else ''} in {files} {where}"


def _plural(unit: str) -> str:
    return "families" if unit == "family" else f"{unit}s"


def _github(report: Report, *, check: bool) -> list[str]:
    lines = [
        f"::error file={escape_property(f.display)}::{escape_data(str(f.error))}"
        for f in report.failed
    ]
    lines += [
        f"::warning file={escape_property(f.display)}::{escape_data(w)}"
        for f in report.files
        for w in f.warnings
    ]
    annotated = (_annotation(file, ref, check=check) for file, ref in report.refs())
    return lines + [line for line in annotated if line is not None]


def _annotation(file: FileResult, ref: RefResult, *, check: bool) -> str | None:
    """A reference worth a reviewer's eye, as an annotation on its line; None otherwise."""
    occurrence, resolution = ref.occurrence, ref.resolution
    if ref.status == "rewritten":
        level = "error" if check else "warning"
        title = "not pulled through the cache"
        message = f"{occurrence.value} pulls from its upstream directly; use {resolution.target}"
    elif ref.status == "invalid":
        level, title = "warning", "invalid image reference"
        message = f"invalid image reference {occurrence.value}: {resolution.detail}"
    elif ref.status in _ANNOTATED:
        level = "error" if check and resolution.pulls_upstream else "warning"
        title = _ANNOTATED[ref.status]
        message = f"{occurrence.value}: {resolution.detail}"
    else:
        return None
    where = f"file={escape_property(file.display)},line={occurrence.line},col={occurrence.column}"
    return f"::{level} {where},title={title}::{escape_data(message)}"

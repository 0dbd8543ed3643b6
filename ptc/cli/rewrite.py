"""`ptc rewrite-images`: point image references at the pull-through cache. No boto3."""

from __future__ import annotations

import difflib
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ptc.cli.output import fail, out
from ptc.errors import EXIT_FAILED, EXIT_OK, PtcError

if TYPE_CHECKING:
    from ptc.rewrite.engine import FileResult, RefResult, Report


class RewriteFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


_LABELS = {
    "rewritten": "would rewrite",
    "cached": "already cached",
    "no-rule": "no rule",
    "invalid": "invalid",
    "variable": "variable",
}


def rewrite_images(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files and folders (walked recursively); - reads standard input.",
            show_default=False,
        ),
    ],
    rules: Annotated[
        Path,
        typer.Option(
            "--rules", "-r", help="The desired-state file with the rules.", show_default=False
        ),
    ],
    account: Annotated[
        str | None, typer.Option(help="Target account; default: the rules file's account.")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Target region; default: the rules file's only region.")
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", "-w", help="Rewrite the files in place.")
    ] = False,
    check: Annotated[
        bool, typer.Option(help="Write nothing; exit 1 if any reference would be rewritten.")
    ] = False,
    output_format: Annotated[
        RewriteFormat, typer.Option("--format", "-f", help="How to print the report.")
    ] = RewriteFormat.text,
    exclude: Annotated[
        list[str] | None,
        typer.Option(help="Skip files and folders matching this glob (repeatable)."),
    ] = None,
) -> None:
    """Rewrite image references whose registry has a rule to pull through the cache."""
    from ptc.checks.runner import load_valid
    from ptc.rewrite import engine, files
    from ptc.rewrite.mapping import Mapper, choose_target

    if write and check:
        raise typer.BadParameter("use either --write or --check", param_hint="'--check'")
    if files.STDIN in paths and len(paths) > 1:
        raise typer.BadParameter("'-' (standard input) must be the only path", param_hint="PATHS")
    try:
        rules_file = load_valid(rules).file
        assert rules_file is not None  # load_valid raises instead
        target = choose_target(rules_file, account, region)
    except PtcError as exc:
        fail(exc)
    sources = files.expand(paths, exclude or ())
    report = engine.run(sources, Mapper.from_file(rules_file, target), write=write)
    # Standard input is a filter: the document goes to stdout, the report to stderr.
    as_filter = paths == [files.STDIN] and not check
    if as_filter and report.files[0].rewritten is not None:
        sys.stdout.write(report.files[0].rewritten)
        sys.stdout.flush()
    _render(report, output_format, check=check, to_stderr=as_filter)
    would_rewrite = any(ref.status == "rewritten" for _, ref in report.refs())
    failed = bool(report.failed) or (check and would_rewrite)
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def _render(report: Report, output_format: RewriteFormat, *, check: bool, to_stderr: bool) -> None:
    if output_format is RewriteFormat.json:
        out(json.dumps(report.to_dict(), indent=2), err=to_stderr)
    elif output_format is RewriteFormat.github:
        for line in _github(report, check=check):
            out(line, err=to_stderr)
        out(_closing_line(report, check=check), err=to_stderr)
    else:
        _render_text(report, check=check, to_stderr=to_stderr)


def _render_text(report: Report, *, check: bool, to_stderr: bool) -> None:
    for file in report.failed:
        out(f"{file.display}: error: {file.error}", err=True)
    show_diff = not (check or report.write or to_stderr)
    if show_diff:
        for file in report.changed:
            sys.stdout.write(_diff(file))
    for file, ref in report.refs():
        if not (show_diff and ref.status == "rewritten"):
            out(_ref_line(file, ref, written=report.write), err=to_stderr)
    _summary(report, to_stderr=to_stderr)
    out(_closing_line(report, check=check), err=to_stderr)


def _diff(file: FileResult) -> str:
    assert file.original is not None and file.rewritten is not None
    lines = difflib.unified_diff(
        file.original.splitlines(keepends=True),
        file.rewritten.splitlines(keepends=True),
        f"a/{file.display}",
        f"b/{file.display}",
    )
    text = ""
    for line in lines:
        text += line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
    return text


def _ref_line(file: FileResult, ref: RefResult, *, written: bool) -> str:
    occurrence, resolution = ref.occurrence, ref.resolution
    label = "rewrote" if written and ref.status == "rewritten" else _LABELS[ref.status]
    text = f"{file.display}:{occurrence.line}:{occurrence.column}: {label}: {occurrence.value}"
    if resolution.target:
        text += f" -> {resolution.target}"
    elif resolution.detail:
        text += f" ({resolution.detail})"
    return text


def _summary(report: Report, *, to_stderr: bool) -> None:
    counts = report.counts()
    rows = [("rewritten" if report.write else "to rewrite", counts["rewritten"])]
    rows += [(_LABELS[s], counts[s]) for s in ("cached", "no-rule", "invalid", "variable")]
    files = f"{len(report.files)} ({len(report.changed)} changed, {len(report.failed)} failed)"
    stream = sys.stderr if to_stderr else sys.stdout
    if stream.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table("references", "count", box=None, show_edge=False)
        for name, count in rows:
            table.add_row(name, str(count))
        table.add_row("files", files)
        Console(file=stream, highlight=False).print(table)
        return
    for name, count in rows:
        out(f"{name:<15} {count}", err=to_stderr)
    out(f"{'files':<15} {files}", err=to_stderr)


def _closing_line(report: Report, *, check: bool) -> str:
    count = report.counts()["rewritten"]
    files = len(report.changed)
    refs = (
        f"{count} reference{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    )
    if report.write:
        return f"rewrote {refs}" if count else "nothing to rewrite"
    if check:
        return f"{refs} pull from cached upstreams directly" if count else "nothing to rewrite"
    return f"{refs} would be rewritten; --write applies it" if count else "nothing to rewrite"


def _github(report: Report, *, check: bool) -> list[str]:
    lines = [f"::error file={_prop(f.display)}::{_data(str(f.error))}" for f in report.failed]
    for file, ref in report.refs():
        occurrence, resolution = ref.occurrence, ref.resolution
        where = f"file={_prop(file.display)},line={occurrence.line},col={occurrence.column}"
        if ref.status == "rewritten":
            level = "error" if check else "warning"
            message = (
                f"{occurrence.value} pulls from its upstream directly; use {resolution.target}"
            )
            lines.append(f"::{level} {where},title=not pulled through the cache::{_data(message)}")
        elif ref.status == "invalid":
            message = f"invalid image reference {occurrence.value}: {resolution.detail}"
            lines.append(f"::warning {where},title=invalid image reference::{_data(message)}")
    return lines


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def register(app: typer.Typer) -> None:
    app.command("rewrite-images")(rewrite_images)

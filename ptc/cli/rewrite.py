"""`ptc rewrite-images`: point image references at the pull-through cache. No boto3."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ptc.cli.aws import (
    DEFAULT_SANDBOX_STATE,
    Profile,
    SandboxFlag,
    SandboxState,
    aws_session,
)
from ptc.cli.output import fail, out
from ptc.errors import EXIT_FAILED, EXIT_OK, PtcError
from ptc.render.text import printable

if TYPE_CHECKING:
    from ptc.rewrite.engine import FileResult, RefResult, Report
    from ptc.rewrite.mapping import Mapper
    from ptc.rewrite.paths import ImagePath


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
    "not-image": "not an image",
    "blocked": "cannot rewrite",
    "skipped": "skipped",
    "not-written": "not written",
}

_RARE = ("not-image", "blocked", "skipped", "not-written")
_ANNOTATED = {"blocked": "image reference not rewritten", "skipped": "image field not known"}


def rewrite_images(
    rules: Annotated[
        Path,
        typer.Option(
            "--rules",
            metavar="FILE",
            help="The desired-state file with the rules.",
            show_default=False,
        ),
    ],
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="Files and folders (walked recursively); - reads standard input.",
            show_default=False,
        ),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(metavar="ACCOUNT", help="Target account; default: the rules file's account."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            "-r",
            metavar="REGION",
            help="Target region; default: the rules file's only region.",
        ),
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", "-w", help="Rewrite the files in place.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 if any reference pulls from a cached upstream directly.",
        ),
    ] = False,
    output_format: Annotated[
        RewriteFormat, typer.Option("--format", "-f", help="How to print the report.")
    ] = RewriteFormat.text,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            metavar="GLOB", help="Skip files and folders matching this glob (repeatable)."
        ),
    ] = None,
    image_path: Annotated[
        list[str] | None,
        typer.Option(
            "--image-path",
            metavar="KIND=PATH",
            help="Where a Kubernetes kind keeps an image, e.g. "
            "'Foo=spec.runner.image' or 'Foo=spec.jobs[*].image' (repeatable).",
            show_default=False,
        ),
    ] = None,
    helm_values: Annotated[
        list[str] | None,
        typer.Option(
            "--helm-values",
            metavar="FILE",
            help="Read this file as Helm values, whatever its name (repeatable).",
            show_default=False,
        ),
    ] = None,
    ecs: Annotated[
        bool,
        typer.Option(
            "--ecs",
            help="Rewrite the live ECS task definitions of the target account and region "
            "instead of files (--write registers new revisions).",
        ),
    ] = False,
    family: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME",
            help="With --ecs: only this task-definition family (repeatable).",
            show_default=False,
        ),
    ] = None,
    sandbox: SandboxFlag = False,
    sandbox_state: SandboxState = DEFAULT_SANDBOX_STATE,
    profile: Profile = None,
) -> None:
    """Rewrite image references whose registry has a rule to pull through the cache."""
    from ptc.checks.runner import load_valid
    from ptc.rewrite import engine, files
    from ptc.rewrite.detect import Options
    from ptc.rewrite.mapping import Mapper, choose_target

    if write and check:
        raise typer.BadParameter("use either --write or --check", param_hint="'--check'")
    paths = paths or []
    _check_sources(paths, ecs=ecs, family=family or [], sandbox=sandbox, profile=profile)
    if files.STDIN in paths and len(paths) > 1:
        raise typer.BadParameter("'-' (standard input) must be the only path", param_hint="PATHS")
    options = Options(_image_paths(image_path or []))
    try:
        rules_file = load_valid(rules).file
        assert rules_file is not None  # load_valid raises instead
        target = choose_target(rules_file, account, region)
    except PtcError as exc:
        fail(exc)
    mapper = Mapper.from_file(rules_file, target)
    if ecs:
        live = _live_ecs(mapper, family or [], write, (sandbox, sandbox_state, profile))
        _render(live, output_format, check=check, to_stderr=False)
        raise typer.Exit(_exit_code(live, check))
    sources = files.expand(paths, exclude or (), helm_values or ())
    # Standard input is a filter: the document goes to stdout, the report to stderr.
    as_filter = paths == [files.STDIN] and not check
    show_diff = output_format is RewriteFormat.text and not (check or write or as_filter)

    def each(file: FileResult) -> None:
        """Print a file's diff as soon as it is rewritten, then let go of its texts."""
        if show_diff and file.changed and file.error is None:
            sys.stdout.write(_diff(file))
        if not as_filter:
            file.release()

    report = engine.run(sources, mapper, write=write, options=options, each=each)
    if as_filter and report.files[0].rewritten is not None:
        sys.stdout.write(report.files[0].rewritten)
        sys.stdout.flush()
    _render(report, output_format, check=check, to_stderr=as_filter)
    raise typer.Exit(_exit_code(report, check))


def _exit_code(report: Report, check: bool) -> int:
    would_rewrite = any(ref.resolution.pulls_upstream for _, ref in report.refs())
    failed = bool(report.failed) or (check and would_rewrite)
    return EXIT_FAILED if failed else EXIT_OK


def _check_sources(
    paths: list[str], *, ecs: bool, family: list[str], sandbox: bool, profile: str | None
) -> None:
    """Files or live ECS task definitions, never both; the AWS options only with --ecs."""
    if ecs and paths:
        raise typer.BadParameter("--ecs reads no files; leave out the paths", param_hint="PATH")
    if not ecs and not paths:
        raise typer.BadParameter("give files or folders, or --ecs", param_hint="PATH")
    for name, given in (("--family", family), ("--sandbox", sandbox), ("--profile", profile)):
        if given and not ecs:
            raise typer.BadParameter("only with --ecs", param_hint=f"'{name}'")


def _live_ecs(
    mapper: Mapper, families: list[str], write: bool, where: tuple[bool, Path, str | None]
) -> Report:
    """Read (and with --write register) the live task definitions; AWS errors end the run."""
    from ptc.aws.ecs import TaskDefinitions
    from ptc.rewrite import taskdefs

    sandbox, state, profile = where
    try:
        with aws_session(sandbox, state, profile) as session:
            registry = TaskDefinitions(session, mapper.target.region)
            return taskdefs.run(registry, mapper, families, write=write)
    except PtcError as exc:
        fail(exc)


def _image_paths(specs: list[str]) -> dict[str, tuple[ImagePath, ...]]:
    """--image-path KIND=PATH options, by kind; a bad one is a usage error."""
    from ptc.rewrite.paths import PathSyntaxError, parse_path

    by_kind: dict[str, tuple[ImagePath, ...]] = {}
    for spec in specs:
        kind, equals, text = spec.partition("=")
        if not equals or not kind.strip() or not text.strip():
            raise typer.BadParameter(
                f"'{spec}': expected KIND=PATH, e.g. Foo=spec.runner.image",
                param_hint="'--image-path'",
            )
        try:
            path = parse_path(text)
        except PathSyntaxError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--image-path'") from None
        by_kind[kind.strip()] = (*by_kind.get(kind.strip(), ()), path)
    return by_kind


def _render(report: Report, output_format: RewriteFormat, *, check: bool, to_stderr: bool) -> None:
    if output_format is RewriteFormat.json:
        # Written as encoded, entry by entry: the report of a large tree is never whole.
        stream = sys.stderr if to_stderr else sys.stdout
        for chunk in json.JSONEncoder(indent=2).iterencode(report.to_dict(lazy=True)):
            stream.write(chunk)
        stream.write("\n")
    elif output_format is RewriteFormat.github:
        for line in _github(report, check=check):
            out(line, err=to_stderr)
        out(_closing_line(report, check=check), err=to_stderr)
    else:
        _render_text(report, check=check, to_stderr=to_stderr)


def _render_text(report: Report, *, check: bool, to_stderr: bool) -> None:
    for file in report.failed:
        out(f"{file.display}: error: {file.error}", err=True)
    for file in report.files:
        for warning in file.warnings:
            out(f"{file.display}: warning: {warning}", err=True)
    show_diff = not (check or report.write or to_stderr)
    if show_diff:
        for file in report.changed:
            if file.original is not None:  # files from run() printed theirs as they went
                sys.stdout.write(_diff(file))
    for file, ref in report.refs():
        if not (show_diff and ref.status == "rewritten"):
            out(_ref_line(file, ref, written=report.write), err=to_stderr)
    for file in report.files:
        if file.registered is not None:
            out(f"{file.display}: registered {file.registered}", err=to_stderr)
    _summary(report, to_stderr=to_stderr)
    out(_closing_line(report, check=check), err=to_stderr)


def _diff(file: FileResult) -> str:
    from ptc.rewrite.unidiff import unified_diff

    assert file.original is not None and file.rewritten is not None
    return unified_diff(file.original, file.rewritten, f"a/{file.display}", f"b/{file.display}")


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


def _summary(report: Report, *, to_stderr: bool) -> None:
    counts = report.counts()
    rows = [("rewritten" if report.write else "to rewrite", counts["rewritten"])]
    rows += [(_LABELS[s], counts[s]) for s in ("cached", "no-rule", "invalid", "variable")]
    # The kinds of reference most runs never meet get a row only when there is one.
    rows += [(_LABELS[s], counts[s]) for s in _RARE if counts[s]]
    files = f"{len(report.files)} ({len(report.changed)} changed, {len(report.failed)} failed)"
    unit = _plural(report.unit)
    stream = sys.stderr if to_stderr else sys.stdout
    if stream.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table("references", "count", box=None, show_edge=False)
        for name, count in rows:
            table.add_row(name, str(count))
        table.add_row(unit, files)
        Console(file=stream, highlight=False).print(table)
        return
    for name, count in rows:
        out(f"{name:<15} {count}", err=to_stderr)
    out(f"{unit:<15} {files}", err=to_stderr)


def _closing_line(report: Report, *, check: bool) -> str:
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
    lines = [f"::error file={_prop(f.display)}::{_data(str(f.error))}" for f in report.failed]
    lines += [
        f"::warning file={_prop(f.display)}::{_data(w)}" for f in report.files for w in f.warnings
    ]
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
        elif ref.status in _ANNOTATED:
            level = "error" if check and resolution.pulls_upstream else "warning"
            message = f"{occurrence.value}: {resolution.detail}"
            title = _ANNOTATED[ref.status]
            lines.append(f"::{level} {where},title={title}::{_data(message)}")
    return lines


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def register(app: typer.Typer) -> None:
    app.command("rewrite-images")(rewrite_images)

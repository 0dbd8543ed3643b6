"""`ptc rewrite-images`: point image references at the pull-through cache. No boto3."""

from __future__ import annotations

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
from ptc.cli.output import fail
from ptc.errors import EXIT_FAILED, EXIT_OK, PtcError

if TYPE_CHECKING:
    from ptc.rewrite.engine import FileResult, Report
    from ptc.rewrite.mapping import Mapper
    from ptc.rewrite.paths import ImagePath


class RewriteFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


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
    from ptc.render.rewrite import write_diff
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
            write_diff(file)
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
    from ptc.render import rewrite as view

    match output_format:
        case RewriteFormat.json:
            view.render_json(report, to_stderr=to_stderr)
        case RewriteFormat.github:
            view.render_github(report, check=check, to_stderr=to_stderr)
        case RewriteFormat.text:
            view.render_text(report, check=check, to_stderr=to_stderr)


def register(app: typer.Typer) -> None:
    app.command("rewrite-images")(rewrite_images)

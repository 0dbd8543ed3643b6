"""`ptc validate`, `ptc schema` and `ptc checks`: offline, no AWS, no boto3."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ptc.cli.output import fail, out
from ptc.errors import EXIT_FAILED, EXIT_OK, PtcError


class FindingFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def validate(
    file: Annotated[Path, typer.Argument(help="The desired-state file.", show_default=False)],
    output_format: Annotated[
        FindingFormat, typer.Option("--format", "-f", help="How to print the findings.")
    ] = FindingFormat.text,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    ignore: Annotated[
        list[str] | None,
        typer.Option(help="Skip checks whose ID starts with this (repeatable), e.g. PTC204."),
    ] = None,
) -> None:
    """Check a desired-state file offline: every finding with file:line:col, ID and fix."""
    from ptc.checks import formats
    from ptc.checks.runner import validate_file

    try:
        result = validate_file(file, ignore=ignore or ())
    except PtcError as exc:
        fail(exc)
    findings = result.findings
    if output_format is FindingFormat.text:
        if findings:
            out(formats.as_text(findings))
        out(f"{file}: {formats.summary(findings)}")
    else:
        render = {"json": formats.as_json, "github": formats.as_github, "sarif": formats.as_sarif}
        text = render[output_format.value](findings)
        if text:
            out(text)
    failing = result.errors or (strict and result.warnings)
    raise typer.Exit(EXIT_FAILED if failing else EXIT_OK)


def schema() -> None:
    """Print the JSON Schema of the file format (for editors: yaml-language-server)."""
    from ptc.config.models import json_schema

    out(json.dumps(json_schema(), indent=2))


def checks(
    markdown: Annotated[bool, typer.Option(help="Print the table as Markdown.")] = False,
) -> None:
    """List every check validate runs, with its ID, severity and fix."""
    from ptc.checks import formats
    from ptc.checks.registry import ALL_CHECKS

    if markdown:
        out(formats.checks_markdown().rstrip("\n"))
        return
    for check in ALL_CHECKS:
        out(f"{check.id}  {check.severity:<7}  {check.summary}")


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(schema)
    app.command()(checks)

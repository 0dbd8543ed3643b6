"""`ptc import-terraform`: a ptc file from Terraform's state, and the blocks that hand it over."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ptc.cli.output import fail, out
from ptc.errors import EXIT_USAGE, PtcError

if TYPE_CHECKING:
    from ptc.terraform.show import ShowJson
    from ptc.terraform.takeover import Takeover

_COUNTED = ("rules", "secrets", "templates", "permissions")


def import_terraform(
    show_json: Annotated[
        Path,
        typer.Argument(
            help="What 'terraform show -json' prints, for the state or for a saved plan.",
            metavar="SHOW_JSON",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="The ptc file to write.", show_default=False
        ),
    ],
    removed_blocks: Annotated[
        Path | None,
        typer.Option(
            "--removed-blocks",
            metavar="TF_FILE",
            help="Also write Terraform 'removed' blocks (destroy = false) for what ptc takes over.",
            show_default=False,
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            "-r",
            metavar="REGION",
            help="The region of resources whose JSON records none (AWS provider 5 records "
            "none for rules, templates and registry policies).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Take over Terraform's pull-through cache resources: write them as a ptc file."""
    from ptc.domain.catalog import check_regions
    from ptc.files import check_writable, write_text
    from ptc.terraform import removed, show, takeover

    if removed_blocks is not None and _same_file(output, removed_blocks):
        out("error: --output and --removed-blocks must be different files", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        check_regions([region] if region else [])
        # Both targets are checked before anything is read or written.
        targets = [output] if removed_blocks is None else [output, removed_blocks]
        for target in targets:
            check_writable(target)
        state = show.read(show_json)
        result = takeover.take_over(state, region)
        text = takeover.file_text(result, output)
        # The ptc file first: if the removed blocks then fail, Terraform still manages all.
        write_text(output, text)
        if removed_blocks is not None:
            write_text(removed_blocks, removed.render(result.removed))
    except PtcError as exc:
        fail(exc)
    _notices(state, result, region)
    _report(result, output, removed_blocks)


def _same_file(first: Path, second: Path) -> bool:
    return os.path.realpath(first) == os.path.realpath(second)


def _notices(state: ShowJson, result: Takeover, region: str | None) -> None:
    if result.assumed_region:
        out(f"note: {region} (--region) for {', '.join(result.assumed_region)}", err=True)
    taken = set(result.removed)
    from ptc.terraform.show import block_address

    pending = [f"{a} ({act})" for a, act in state.pending.items() if block_address(a) in taken]
    if pending:
        out(
            f"warning: the plan would change {', '.join(pending)}; the file holds them as they "
            "are now (the plan's prior state), not as planned",
            err=True,
        )


def _report(result: Takeover, output: Path, removed_blocks: Path | None) -> None:
    document = result.document
    counts = ", ".join(f"{len(document.get(k, []))} {k}" for k in _COUNTED)
    regions = document["regions"]
    out(f"Wrote {output}: {counts} in {len(regions)} region{'s' if len(regions) > 1 else ''}.")
    blocks = len(result.removed)
    if removed_blocks is not None:
        out(f"Wrote {removed_blocks}: {blocks} removed block{'s' if blocks != 1 else ''}.")
    else:
        out(f"Took over {blocks} resource blocks; --removed-blocks FILE writes their blocks.")
    if result.variables:
        out(
            "Set these environment variables to each secret's username and access token "
            "before 'ptc plan' (ptc never copies the values from Terraform's state):"
        )
        for names in result.variables:
            out(f"  {names.secret}: {names.username}, {names.access_token}")
    if result.not_taken or result.others:
        out("Left to Terraform (no removed block):")
        for item in result.not_taken:
            out(f"  {item.address}: {item.reason}")
        if result.others:
            out(f"  and {result.others} resources of other types")
    out(
        f"Next: ptc validate {output}, then ptc plan {output} (it should say 'No changes.'), "
        "then delete the resource blocks the removed blocks name and run 'terraform plan'."
    )


def register(app: typer.Typer) -> None:
    app.command("import-terraform")(import_terraform)

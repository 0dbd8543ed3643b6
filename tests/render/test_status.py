"""The status table (ptc/render/status.py): rich on a small terminal table, plain columns
for a large one or a log, the same columns either way, and nothing a terminal obeys."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from rich.console import Console

from ptc.render import status as view
from ptc.status.models import Drift, RepositoryFacts, RepositoryStatus, StatusReport

REGIONS = ["us-east-1", "eu-west-1"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _report(rows: int, drift: str = "lifecycle_policy differs") -> StatusReport:
    repositories = []
    for i in range(rows):
        facts = RepositoryFacts(
            region=REGIONS[i % 2],
            name=f"quay/{'long-name/' * (i % 3)}app-{i}",
            arn=f"arn:aws:ecr:{REGIONS[i % 2]}:123456789012:repository/quay/app-{i}",
            image_count=7 * i,
            last_pull=datetime(2026, 11, 2, 9, 30, tzinfo=UTC) if i % 2 else None,
        )
        drifts = (Drift("lifecycle_policy", drift, True),) if i % 3 == 0 else ()
        repositories.append(RepositoryStatus("quay", "quay" if i % 2 else None, facts, drifts))
    return StatusReport("123456789012", REGIONS, repositories)


def _render(report: StatusReport, *, terminal: bool, colour: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=terminal,
        color_system="standard" if colour else None,
        width=300 if terminal else 1_000_000,
        highlight=False,
        markup=False,
        emoji=False,
    )
    view.render_status(report, console)
    return buffer.getvalue()


def test_a_log_gets_plain_aligned_columns() -> None:
    assert _render(_report(3), terminal=False) == (
        "region     rule  repository                      images  last pull             "
        "template        drift\n"
        "us-east-1  quay  quay/app-0                           0  never                 "
        "(ECR defaults)  lifecycle_policy differs\n"
        "eu-west-1  quay  quay/long-name/app-1                 7  2026-11-02 09:30 UTC  "
        "quay            none\n"
        "us-east-1  quay  quay/long-name/long-name/app-2      14  never                 "
        "(ECR defaults)  none\n"
        "\n"
        "3 repositories; 1 drifting from the template, 1 fixable with 'ptc status --backfill'.\n"
    )


def test_the_plain_columns_are_the_rich_tables_columns() -> None:
    # Up to RICH_TABLE_MAX_ROWS a terminal gets rich's table; a log gets the same lines,
    # without the spaces rich pads the last column with.
    report = _report(12)
    table = _render(report, terminal=True)
    assert [line.rstrip() for line in table.splitlines()] == (
        _render(report, terminal=False).splitlines()
    )


def test_a_large_table_on_a_terminal_is_laid_out_plain_and_coloured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = _report(view.RICH_TABLE_MAX_ROWS + 1)

    def no_table(*args: object, **kwargs: object) -> None:
        raise AssertionError("a rich Table was built for a large status")

    monkeypatch.setattr("rich.table.Table", no_table)
    shown = _render(report, terminal=True, colour=True)
    assert "\x1b[33mlifecycle_policy differs\x1b[0m" in shown  # drift in yellow
    assert "\x1b[32mnone\x1b[0m" in shown  # no drift in green
    assert ANSI.sub("", shown) == _render(report, terminal=False)


def test_wide_characters_keep_the_columns_aligned() -> None:
    report = _report(2)
    wide = RepositoryFacts(region="us-east-1", name="quay/漢字", arn="arn", image_count=3)
    report.repositories.append(RepositoryStatus("quay", None, wide))
    lines = _render(report, terminal=False).splitlines()
    # Two terminal cells per ideogram: 9 cells, padded to the column's 20, then the gap.
    assert lines[3].startswith(f"us-east-1  quay  quay/漢字{' ' * 18}3  never")
    assert lines[2].startswith("eu-west-1  quay  quay/long-name/app-1       7  2026-11-02")


@pytest.mark.parametrize(
    ("rows", "terminal"), [(3, False), (3, True), (201, True)], ids=["log", "rich", "large"]
)
def test_drift_from_the_live_state_is_shown_escaped(rows: int, terminal: bool) -> None:
    shown = _render(_report(rows, drift="tag team=\x1b[2Jops\u202e missing"), terminal=terminal)
    assert "\x1b[2J" not in shown and "\u202e" not in shown
    assert "tag team=\\x1b[2Jops\\u202e missing" in shown


def test_no_repositories_is_one_sentence() -> None:
    assert _render(_report(0), terminal=False) == (
        "No repositories under the file's rules in us-east-1, eu-west-1.\n"
    )

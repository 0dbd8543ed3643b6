"""One report and one progress display for every run: apply's and backfill's read alike."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from ptc.engine.apply import ApplyReport
from ptc.engine.executor import Finished, Outcome, Result, RunReport
from ptc.render.report import APPLY, BACKFILL, progress_display, render_report
from ptc.status.backfill import BackfillAction

TAGS = BackfillAction("us-east-1", "hub/x", "arn:x", "resource_tags", {"team": "a"})
POLICY = BackfillAction("us-east-1", "hub/y", "arn:y", "lifecycle_policy", "{}")


@dataclass(frozen=True)
class Created:
    """Stands in for a plan's Change: the view reads only its action and address."""

    action: str = "create"
    address: str = "us-east-1/rule/hub"


RULE: Any = Created()


def console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=terminal, width=200, color_system=None), buffer


def test_a_backfill_report_lists_outcomes_then_counts_then_how_to_finish() -> None:
    report = RunReport(
        [
            Result(POLICY, Outcome.NOT_ATTEMPTED),
            Result(TAGS, Outcome.FAILED, "TagResource in us-east-1: access denied\x1b[2J"),
        ],
        interrupted=True,
    )
    out, buffer = console(terminal=False)
    render_report(report, BACKFILL, out)
    assert buffer.getvalue().splitlines() == [
        "  FAILED   TagResource us-east-1/hub/x/resource_tags: "
        "TagResource in us-east-1: access denied\\x1b[2J",
        "  skipped  PutLifecyclePolicy us-east-1/hub/y/lifecycle_policy",
        "Interrupted: the calls in flight finished; nothing more was attempted.",
        "Backfill incomplete: 0 applied, 1 failed, 1 not attempted.",
        "Run 'ptc status --backfill' again to finish: it reads the live state and converges.",
    ]


def test_an_apply_report_adds_what_verification_found() -> None:
    report = ApplyReport([Result(RULE, Outcome.APPLIED)], verified=False, drift=["update x"])
    out, buffer = console(terminal=False)
    render_report(report, APPLY, out)
    assert buffer.getvalue().splitlines() == [
        "  done     create us-east-1/rule/hub",
        "Apply complete: 1 applied, 0 failed, 0 not attempted.",
        "Verification FAILED: after apply, these still differ from the file:",
        "  update x",
    ]


def test_progress_is_one_line_per_finished_call_on_a_terminal_only() -> None:
    out, buffer = console(terminal=True)
    show = progress_display(BACKFILL, out)
    assert show is not None
    show(Finished(("123456789012", "us-east-1"), Result(TAGS, Outcome.APPLIED)))
    show(Finished("us-east-1", Result(POLICY, Outcome.FAILED, "denied")))
    assert buffer.getvalue().splitlines() == [
        "  applied: TagResource us-east-1/hub/x/resource_tags",
        "  failed: PutLifecyclePolicy us-east-1/hub/y/lifecycle_policy",
    ]
    assert progress_display(APPLY, console(terminal=False)[0]) is None

"""How long `ptc status` takes to print its table, by number of repositories.

    python benchmarks/status_render.py [--rows 2000] [--runs 5]

Renders a generated status report (3 regions, one drift in five repositories) the way the
command does, to a log (not a terminal: what CI sees) and to a 120-column terminal, and
prints a Markdown table of the median wall time of N runs. Run it from another checkout
(`PYTHONPATH=../other python benchmarks/status_render.py`) to compare two versions.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import UTC, datetime

from rich.console import Console

from ptc.render.status import render_status
from ptc.status.models import Drift, RepositoryFacts, RepositoryStatus, StatusReport

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def report(rows: int) -> StatusReport:
    """`rows` repositories of one rule; every fifth drifts, every fourth was never pulled."""
    repositories = []
    for i in range(rows):
        facts = RepositoryFacts(
            region=REGIONS[i % 3],
            name=f"docker-hub/library/image-{i:05d}",
            arn=f"arn:aws:ecr:{REGIONS[i % 3]}:123456789012:repository/docker-hub/{i}",
            image_count=i % 50,
            last_pull=datetime(2026, 11, 1, 12, i % 60, tzinfo=UTC) if i % 4 else None,
        )
        drift = (Drift("lifecycle_policy", "lifecycle_policy differs", True),) if i % 5 == 0 else ()
        template = "docker-hub" if i % 2 else None
        repositories.append(RepositoryStatus("docker-hub", template, facts, drift))
    return StatusReport("123456789012", REGIONS, repositories)


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    """The console ptc makes (ptc.render.console), writing to memory."""
    buffer = io.StringIO()
    width = 120 if terminal else 1_000_000
    console = Console(
        file=buffer,
        force_terminal=terminal,
        width=width,
        highlight=False,
        markup=False,
        emoji=False,
    )
    return console, buffer


def _median_ms(the_report: StatusReport, terminal: bool, runs: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        console, buffer = _console(terminal)
        start = time.perf_counter()
        render_status(the_report, console)
        times.append(time.perf_counter() - start)
        size = len(buffer.getvalue())
    return statistics.median(times) * 1000, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}, median of {args.runs} runs\n")
    print("| repositories | to a log | to a terminal (120 columns) |")
    print("|---:|---:|---:|")
    for rows in args.rows:
        the_report = report(rows)
        log, _ = _median_ms(the_report, False, args.runs)
        terminal, _ = _median_ms(the_report, True, args.runs)
        print(f"| {rows:,} | {log:.0f} ms | {terminal:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

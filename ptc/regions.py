"""Making changes region by region: the discipline apply and backfill share.

Within a region, steps run in order and the first failure ends the region: what follows
may depend on it (a rule on its secret), and a re-run converges from the live state
anyway. Regions run in parallel. Setting `stop` (Ctrl-C) lets the calls in flight finish
and attempts nothing more. Every item ends up applied, failed or not attempted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_WORKERS = 8


class Outcome(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"


# Makes the caller's result record: (item, outcome, error message or None).
Record = Callable[[Item, Outcome, str | None], Result]
Progress = Callable[[Item, Outcome], None]


def run_steps(
    steps: Sequence[Sequence[Item]],
    do: Callable[[Sequence[Item]], None],
    failure: type[Exception],
    record: Record[Item, Result],
    stop: threading.Event,
    progress: Progress[Item] | None = None,
) -> list[Result]:
    """One region: each step is one call; `failure` is the error that ends the region."""
    results: list[Result] = []

    def each(step: Sequence[Item], outcome: Outcome, error: str | None = None) -> None:
        for item in step:
            results.append(record(item, outcome, error))
            if progress and outcome is not Outcome.NOT_ATTEMPTED:
                progress(item, outcome)

    for position, step in enumerate(steps):
        if stop.is_set():
            for rest in steps[position:]:
                each(rest, Outcome.NOT_ATTEMPTED)
            break
        try:
            do(step)
        except failure as exc:
            each(step, Outcome.FAILED, str(exc))
            for rest in steps[position + 1 :]:
                each(rest, Outcome.NOT_ATTEMPTED)
            break
        each(step, Outcome.APPLIED)
    return results


def run_regions(
    regions: Sequence[Sequence[Item]],
    work: Callable[[Sequence[Item]], list[Result]],
    record: Record[Item, Result],
    stop: threading.Event,
) -> list[Result]:
    """Every region's items through `work`, in parallel; Ctrl-C sets `stop` and reports."""
    go = threading.Event()
    futures: list[Future[list[Result]]] = []

    def started(items: Sequence[Item]) -> list[Result]:
        go.wait()
        return work(items)

    results: list[Result] = []
    with ThreadPoolExecutor(max_workers=max(1, min(MAX_WORKERS, len(regions)))) as pool:
        try:
            # No region begins before all are submitted: a Ctrl-C while the threads start
            # then finds nothing done, rather than a region at work outside this try.
            for items in regions:
                futures.append(pool.submit(started, items))
            go.set()
            for future in futures:
                future.exception()
        except KeyboardInterrupt:
            stop.set()
            go.set()
        for future in futures:
            results += future.result()
    for items in regions[len(futures) :]:  # never submitted: Ctrl-C came first
        results += [record(item, Outcome.NOT_ATTEMPTED, None) for item in items]
    return results

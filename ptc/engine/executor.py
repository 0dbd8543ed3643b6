"""Making changes region by region: the discipline apply and backfill share.

Within a region, steps run in waves: consecutive steps with the same wave key do not
depend on each other (a secret and another secret, one prefix's rule and another's) and
run concurrently, at most STEP_WORKERS at once; a wave starts only when the one before
has finished, since what follows may depend on it (a rule on its secret). The first
failure ends the region: the calls already in flight finish, nothing more is attempted,
and a re-run converges from the live state anyway. Regions run in parallel. Setting
`stop` (Ctrl-C) likewise lets the calls in flight finish and attempts nothing more.
Every item ends up applied, failed or not attempted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_WORKERS = 8  # regions at once
# A region's steps in flight at once: below botocore's 10 pooled connections per client;
# adaptive retries slow the calls down if ECR throttles them.
STEP_WORKERS = 8


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
    wave: Callable[[Sequence[Item]], Hashable] | None = None,
) -> list[Result]:
    """One region: each step is one call; `failure` is the error that ends the region.

    `wave` gives each step's wave key; without it every step is a wave of its own.
    """
    outcomes: list[list[Result]] = [[] for _ in steps]
    halt = threading.Event()  # a step failed: start nothing more

    def each(index: int, outcome: Outcome, error: str | None = None) -> None:
        for item in steps[index]:
            outcomes[index].append(record(item, outcome, error))
            if progress and outcome is not Outcome.NOT_ATTEMPTED:
                progress(item, outcome)

    def attempt(index: int) -> None:
        if stop.is_set() or halt.is_set():
            each(index, Outcome.NOT_ATTEMPTED)
            return
        try:
            do(steps[index])
        except failure as exc:
            halt.set()
            each(index, Outcome.FAILED, str(exc))
            return
        each(index, Outcome.APPLIED)

    for indices in _waves(steps, wave):
        if len(indices) == 1:
            attempt(indices[0])
            continue
        with ThreadPoolExecutor(max_workers=min(STEP_WORKERS, len(indices))) as pool:
            for future in [pool.submit(attempt, i) for i in indices]:
                future.result()
    return [result for step in outcomes for result in step]


def _waves(
    steps: Sequence[Sequence[Item]], wave: Callable[[Sequence[Item]], Hashable] | None
) -> list[list[int]]:
    """Indices of consecutive steps that share a wave key."""
    waves: list[list[int]] = []
    last: Hashable = object()
    for index, step in enumerate(steps):
        key = wave(step) if wave is not None else object()
        if waves and key == last:
            waves[-1].append(index)
        else:
            waves.append([index])
        last = key
    return waves


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

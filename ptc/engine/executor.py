"""Making changes target by target: the discipline apply, backfill and anything later share.

A target is independent of the others (today a region; next an account and a region), so
targets run in parallel, at most `Limits.targets` at once. A target's steps are calls, each
standing for one or more items that all get its outcome. Within a target, steps run in
waves: consecutive steps with the same wave key do not depend on each other (a secret and
another secret, one prefix's rule and another's) and run concurrently; a wave starts only
when the one before has finished, since what follows may depend on it (a rule on its
secret). Within a wave, steps that share a lane key run one after another, in their order
(a repository's policies before its tags), while the lanes run concurrently, at most
`Limits.calls` at once.

The first failure ends the target: the calls already in flight finish, nothing more is
attempted, and a re-run converges from the live state anyway. Setting `stop`, or Ctrl-C
while `execute` waits, likewise lets the calls in flight finish and attempts nothing more;
so does a KeyboardInterrupt raised by a call itself (its item stays not attempted: nobody
knows whether the call took effect, and a re-run finds out from the live state).
Every item ends up applied, failed or not attempted, and the report lists the items in the
order they were given, however the calls interleaved.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Generic, TypeVar

from ptc.errors import PtcError

__all__ = [
    "INTERRUPTED",
    "Finished",
    "Limits",
    "Outcome",
    "Result",
    "RunReport",
    "Step",
    "execute",
]

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

MAX_WORKERS = 8  # targets at once
# A target's calls in flight at once. Each waits a round trip for its answer, so a wave of
# a region's 50 rules (ECR's quota) and their templates takes two or three round trips
# rather than seven; ptc.aws.clients pools as many connections per client, and adaptive
# retries slow the calls down if the service throttles them.
STEP_WORKERS = 32
# The error of an item whose call raised KeyboardInterrupt: not attempted, as far as anyone knows.
INTERRUPTED: Final = "interrupted"


class Outcome(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"


@dataclass(frozen=True)
class Step(Generic[T]):
    """One call. `wave`: consecutive steps with the same key may run together (None: alone).
    `lane`: within a wave, steps with the same key run in order (None: a lane of its own)."""

    items: tuple[T, ...]
    wave: Hashable = None
    lane: Hashable = None


@dataclass(frozen=True)
class Result(Generic[T]):
    item: T
    outcome: Outcome
    error: str | None = None


@dataclass
class RunReport(Generic[T]):
    results: list[Result[T]] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.outcome is Outcome.APPLIED for r in self.results)

    def of(self, outcome: Outcome) -> list[Result[T]]:
        return [r for r in self.results if r.outcome is outcome]


@dataclass(frozen=True)
class Finished(Generic[K, T]):
    """A progress event: one item's call finished, applied or failed, or was interrupted
    (sent from the target's thread, as it happens)."""

    target: K
    result: Result[T]


@dataclass(frozen=True)
class Limits:
    """How much runs at once (without Limits: MAX_WORKERS and STEP_WORKERS, read per run)."""

    targets: int
    calls: int  # per target


Do = Callable[[Step[T]], None]
Events = Callable[[Finished[K, T]], None]


def execute(
    targets: Mapping[K, Sequence[Step[T]]],
    start: Callable[[K], Do[T]],
    *,
    failure: type[Exception] = PtcError,
    stop: threading.Event | None = None,
    progress: Events[K, T] | None = None,
    limits: Limits | None = None,
) -> RunReport[T]:
    """Run every target's steps; `start(target)` gives the function that makes one call.

    `failure` is the error that ends a target and is reported; any other exception is a
    bug and propagates. Ctrl-C while this waits sets `stop` and returns the report.
    """
    stop = stop or threading.Event()
    limits = limits or Limits(MAX_WORKERS, STEP_WORKERS)
    runs = [
        _Target(key, steps, start, failure, stop, progress, limits.calls)
        for key, steps in targets.items()
    ]
    go = threading.Event()
    futures: list[Future[None]] = []
    with ThreadPoolExecutor(max_workers=max(1, min(limits.targets, len(runs)))) as pool:
        try:
            # No target begins before all are submitted: a Ctrl-C while the threads start
            # then finds nothing done, rather than a target at work outside this try.
            for run in runs:
                futures.append(pool.submit(_when, go, run.run))
            go.set()
            for future in futures:
                future.exception()
        except KeyboardInterrupt:
            stop.set()
            go.set()
        for future in futures:
            future.result()  # a bug in a target surfaces here
    # A target never submitted (Ctrl-C came first) keeps its items not attempted.
    results = [result for run in runs for result in run.results()]
    return RunReport(results, interrupted=stop.is_set())


def _when(go: threading.Event, work: Callable[[], None]) -> None:
    go.wait()
    work()


class _Target(Generic[K, T]):
    """One target's steps, wave by wave; remembers each step's results in step order."""

    def __init__(
        self,
        key: K,
        steps: Sequence[Step[T]],
        start: Callable[[K], Do[T]],
        failure: type[Exception],
        stop: threading.Event,
        progress: Events[K, T] | None,
        width: int,
    ) -> None:
        self.key = key
        self.steps = steps
        self.start = start
        self.failure = failure
        self.stop = stop
        self.progress = progress
        self.width = width
        self.halt = threading.Event()  # a step failed: start nothing more
        self.outcomes: list[list[Result[T]] | None] = [None] * len(steps)

    def results(self) -> list[Result[T]]:
        results: list[Result[T]] = []
        for step, outcome in zip(self.steps, self.outcomes, strict=True):
            results += outcome or [Result(i, Outcome.NOT_ATTEMPTED) for i in step.items]
        return results

    def run(self) -> None:
        do = self.start(self.key)
        for lanes in _waves(self.steps):
            if len(lanes) == 1:
                self._lane(do, lanes[0])
                continue
            with ThreadPoolExecutor(max_workers=min(self.width, len(lanes))) as pool:
                for future in [pool.submit(self._lane, do, lane) for lane in lanes]:
                    future.result()

    def _lane(self, do: Do[T], indices: list[int]) -> None:
        for index in indices:
            if self.stop.is_set() or self.halt.is_set():
                return  # this and the lane's later steps stay not attempted
            self._attempt(do, index)

    def _attempt(self, do: Do[T], index: int) -> None:
        step = self.steps[index]
        try:
            do(step)
        except KeyboardInterrupt:
            self.stop.set()  # Ctrl-C: the other calls in flight finish, nothing more starts
            self._record(index, Outcome.NOT_ATTEMPTED, INTERRUPTED)
            return
        except self.failure as exc:
            self.halt.set()
            self._record(index, Outcome.FAILED, str(exc))
            return
        self._record(index, Outcome.APPLIED, None)

    def _record(self, index: int, outcome: Outcome, error: str | None) -> None:
        results = [Result(item, outcome, error) for item in self.steps[index].items]
        self.outcomes[index] = results
        if self.progress is not None:
            for result in results:
                self.progress(Finished(self.key, result))


def _waves(steps: Sequence[Step[T]]) -> list[list[list[int]]]:
    """Step indices: waves of consecutive steps sharing a wave key, each split into lanes."""
    waves: list[list[int]] = []
    last: Hashable = None
    for index, step in enumerate(steps):
        if waves and step.wave is not None and step.wave == last:
            waves[-1].append(index)
        else:
            waves.append([index])
        last = step.wave
    return [_lanes(steps, wave) for wave in waves]


def _lanes(steps: Sequence[Step[T]], wave: list[int]) -> list[list[int]]:
    lanes: dict[Hashable, list[int]] = {}
    for index in wave:
        lane = steps[index].lane
        lanes.setdefault(object() if lane is None else lane, []).append(index)
    return list(lanes.values())

"""Running one piece of work in every target account: the fleet of a file with `accounts:`.

Each account is a target of the executor (ptc.engine.executor) with a single step, so the
accounts share its discipline: at most `max_concurrency` at once, a PtcError in one account
(a role that cannot be assumed, access denied, throttling beyond the retries) is that
account's failure and never stops the others, and Ctrl-C lets the accounts at work finish
their step and starts no other. The work itself (plan, apply, status, ...) is the
caller's: a function of the target that returns a value or raises.

An account is interrupted when Ctrl-C cut its work short: the work returned a run report
saying so (apply and backfill watch `stop` and report what they did and did not do), or
raised KeyboardInterrupt (it has no value then). The accounts never started stay not
attempted; the others are reported as they finished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Generic, TypeVar, cast

from ptc.engine.executor import INTERRUPTED, Limits, Outcome, Result, RunReport, Step, execute
from ptc.errors import PtcError
from ptc.plan.targets import Target

T = TypeVar("T")

# Accounts at once. Each account reads or writes its regions with threads of its own, so
# the threads in use are about this × regions × the calls a region makes at once.
DEFAULT_MAX_CONCURRENCY: Final = 8


@dataclass(frozen=True)
class AccountRun(Generic[T]):
    """What the work did in one account: its value when it succeeded, else why not.
    `interrupted`: Ctrl-C cut the work short (its value, if any, says how far it got)."""

    target: Target
    outcome: Outcome
    value: T | None = None
    error: str | None = None
    interrupted: bool = False

    @property
    def account(self) -> str | None:
        return self.target.account


@dataclass
class FleetReport(Generic[T]):
    """Every target account's run, in the targets' order."""

    runs: list[AccountRun[T]] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.outcome is Outcome.APPLIED for r in self.runs)

    @property
    def failed(self) -> list[AccountRun[T]]:
        return [r for r in self.runs if r.outcome is Outcome.FAILED]

    @property
    def not_attempted(self) -> list[AccountRun[T]]:
        """The accounts that did nothing: never started, or cut short with nothing to say."""
        return [r for r in self.runs if r.outcome is Outcome.NOT_ATTEMPTED]

    @property
    def cut_short(self) -> list[AccountRun[T]]:
        """The accounts Ctrl-C interrupted at work."""
        return [r for r in self.runs if r.interrupted]

    def values(self) -> list[tuple[Target, T]]:
        """The targets whose work succeeded, with what it returned."""
        return [(r.target, cast(T, r.value)) for r in self.runs if r.outcome is Outcome.APPLIED]


def over_accounts(
    targets: Sequence[Target],
    work: Callable[[Target], T],
    *,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    stop: threading.Event | None = None,
) -> FleetReport[T]:
    """Run `work` for every target, at most `max_concurrency` at once.

    A PtcError ends only its own account's run; a KeyboardInterrupt is Ctrl-C (it sets
    `stop`); any other exception is a bug and propagates (through the executor, once the
    accounts in flight have finished).
    """
    if max_concurrency < 1:
        raise ValueError("max_concurrency must be at least 1")
    values: dict[int, T] = {}

    def start(index: int) -> Callable[[Step[int]], None]:
        def do(step: Step[int]) -> None:
            values[index] = work(targets[index])

        return do

    steps = {index: [Step((index,))] for index in range(len(targets))}
    report = execute(steps, start, failure=PtcError, stop=stop, limits=Limits(max_concurrency, 1))
    return FleetReport(
        [_run(targets[r.item], r, values) for r in report.results], report.interrupted
    )


def _run(target: Target, result: Result[int], values: dict[int, T]) -> AccountRun[T]:
    value = values.get(result.item)
    if result.outcome is Outcome.NOT_ATTEMPTED and result.error == INTERRUPTED:
        # The work raised KeyboardInterrupt: it has no value.
        return AccountRun(target, Outcome.NOT_ATTEMPTED, interrupted=True)
    cut = isinstance(value, RunReport) and value.interrupted
    return AccountRun(target, result.outcome, value, result.error, interrupted=cut)

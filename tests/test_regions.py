"""The per-region discipline apply and backfill share: order, first failure, stop."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from ptc.engine.executor import Outcome, run_regions, run_steps
from ptc.errors import PtcError


def record(item: str, outcome: Outcome, error: str | None) -> tuple[str, Outcome, str | None]:
    return (item, outcome, error)


def test_the_first_failure_ends_the_region_and_the_rest_is_not_attempted() -> None:
    done: list[str] = []
    shown: list[tuple[str, Outcome]] = []

    def do(step: Sequence[str]) -> None:
        if "b" in step:
            raise PtcError("throttled for good")
        done.extend(step)

    results = run_steps(
        [["a"], ["b", "b2"], ["c"]], do, PtcError, record, threading.Event(),
        lambda item, outcome: shown.append((item, outcome)),
    )  # fmt: skip

    assert done == ["a"]
    assert results == [
        ("a", Outcome.APPLIED, None),
        ("b", Outcome.FAILED, "throttled for good"),
        ("b2", Outcome.FAILED, "throttled for good"),
        ("c", Outcome.NOT_ATTEMPTED, None),
    ]
    assert shown == [("a", Outcome.APPLIED), ("b", Outcome.FAILED), ("b2", Outcome.FAILED)]


def test_a_stop_lets_the_current_step_finish_and_attempts_nothing_more() -> None:
    stop = threading.Event()

    def do(step: Sequence[str]) -> None:
        stop.set()  # Ctrl-C arrives while the first call is in flight

    results = run_steps([["a"], ["b"]], do, PtcError, record, stop)

    assert results == [("a", Outcome.APPLIED, None), ("b", Outcome.NOT_ATTEMPTED, None)]


def test_an_unexpected_error_is_not_taken_for_a_failed_change() -> None:
    def do(step: Sequence[str]) -> None:
        raise KeyError("a bug")

    with pytest.raises(KeyError):  # a bug surfaces; it is not reported as a failed change
        run_steps([["a"]], do, PtcError, record, threading.Event())


def test_regions_run_to_the_end_independently() -> None:
    def work(items: Sequence[str]) -> list[tuple[str, Outcome, str | None]]:
        return [record(i, Outcome.APPLIED, None) for i in items]

    results = run_regions([["a1", "a2"], ["b1"]], work, record, threading.Event())

    assert sorted(results) == [
        ("a1", Outcome.APPLIED, None),
        ("a2", Outcome.APPLIED, None),
        ("b1", Outcome.APPLIED, None),
    ]

"""The executor apply and backfill share: order, first failure, stop, Ctrl-C, how much at once.

Concurrency is shown with barriers and events, never with sleeps: a barrier that all of a
wave's calls must reach breaks (after its timeout) when they run one after another.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Hashable

import pytest

from ptc.engine.executor import (
    Finished,
    Limits,
    Outcome,
    Result,
    RunReport,
    Step,
    execute,
)
from ptc.errors import PtcError

Target = tuple[str, str]  # (account, region): a target is any hashable key
A: Target = ("111111111111", "us-east-1")
B: Target = ("222222222222", "us-east-1")
WAIT = 30  # seconds a barrier or event waits before the test fails instead of hanging


def steps(*groups: str, wave: Hashable = None) -> list[Step[str]]:
    """One step per group; a group's characters are its items."""
    return [Step(tuple(group), wave=wave) for group in groups]


def outcomes(report: RunReport[str]) -> list[tuple[str, Outcome, str | None]]:
    return [(r.item, r.outcome, r.error) for r in report.results]


def calls(done: list[str], fail: str = "") -> Callable[[Target], Callable[[Step[str]], None]]:
    lock = threading.Lock()

    def start(target: Target) -> Callable[[Step[str]], None]:
        def do(step: Step[str]) -> None:
            if fail and fail in step.items:
                raise PtcError(f"{fail}: throttled for good")
            with lock:
                done.extend(step.items)

        return do

    return start


def test_the_first_failure_ends_the_target_and_the_rest_is_not_attempted() -> None:
    done: list[str] = []
    shown: list[Finished[Target, str]] = []

    report = execute({A: steps("a", "bB", "c")}, calls(done, fail="b"), progress=shown.append)

    assert done == ["a"]
    assert outcomes(report) == [
        ("a", Outcome.APPLIED, None),
        ("b", Outcome.FAILED, "b: throttled for good"),
        ("B", Outcome.FAILED, "b: throttled for good"),
        ("c", Outcome.NOT_ATTEMPTED, None),
    ]
    # Every item of a call gets an event, with its target; nothing for what was not tried.
    assert shown == [
        Finished(A, Result("a", Outcome.APPLIED)),
        Finished(A, Result("b", Outcome.FAILED, "b: throttled for good")),
        Finished(A, Result("B", Outcome.FAILED, "b: throttled for good")),
    ]
    assert not report.ok and not report.interrupted
    assert report.of(Outcome.NOT_ATTEMPTED) == [Result("c", Outcome.NOT_ATTEMPTED)]


def test_a_failure_stops_its_target_only_and_the_report_keeps_the_given_order() -> None:
    done: list[str] = []
    report = execute({A: steps("x", "y"), B: steps("p", "q")}, calls(done, fail="x"))

    assert sorted(done) == ["p", "q"]
    assert outcomes(report) == [
        ("x", Outcome.FAILED, "x: throttled for good"),
        ("y", Outcome.NOT_ATTEMPTED, None),
        ("p", Outcome.APPLIED, None),
        ("q", Outcome.APPLIED, None),
    ]


def test_targets_run_at_the_same_time() -> None:
    meet = threading.Barrier(2, timeout=WAIT)

    def start(target: Target) -> Callable[[Step[str]], None]:
        def do(step: Step[str]) -> None:
            meet.wait()  # one target after the other would never meet

        return do

    report = execute({A: steps("a"), B: steps("b")}, start)

    assert report.ok and not meet.broken


def test_a_stop_lets_the_current_call_finish_and_attempts_nothing_more() -> None:
    stop = threading.Event()

    def start(target: Target) -> Callable[[Step[str]], None]:
        return lambda step: stop.set()  # Ctrl-C arrives while the first call is in flight

    report = execute({A: steps("a", "b")}, start, stop=stop)

    assert outcomes(report) == [("a", Outcome.APPLIED, None), ("b", Outcome.NOT_ATTEMPTED, None)]
    assert report.interrupted and not report.ok


def test_a_stop_before_the_start_attempts_nothing() -> None:
    stop = threading.Event()
    stop.set()
    done: list[str] = []

    report = execute({A: steps("a"), B: steps("b")}, calls(done), stop=stop)

    assert done == []
    assert outcomes(report) == [
        ("a", Outcome.NOT_ATTEMPTED, None),
        ("b", Outcome.NOT_ATTEMPTED, None),
    ]
    assert report.interrupted


def test_ctrl_c_finishes_the_calls_in_flight_and_reports() -> None:
    main = threading.main_thread().ident
    assert main is not None and threading.current_thread().ident == main
    stop = threading.Event()

    def start(target: Target) -> Callable[[Step[str]], None]:
        def do(step: Step[str]) -> None:
            if not stop.is_set():
                # A real SIGINT to the main thread, which waits for the targets.
                signal.pthread_kill(main, signal.SIGINT)
                assert stop.wait(timeout=WAIT), "execute did not react to SIGINT"

        return do

    try:
        report = execute({A: steps("a", "b", "c")}, start, stop=stop)
    except KeyboardInterrupt:  # not caught: fail this test, not the whole session
        pytest.fail("Ctrl-C escaped execute instead of stopping it")

    assert report.interrupted
    assert outcomes(report) == [
        ("a", Outcome.APPLIED, None),
        ("b", Outcome.NOT_ATTEMPTED, None),
        ("c", Outcome.NOT_ATTEMPTED, None),
    ]


def test_a_call_raising_keyboardinterrupt_stops_the_run_like_ctrl_c() -> None:
    # What Ctrl-C does to the main thread, raised by a call instead: the run stops and
    # reports rather than losing what was done to a bare "interrupted".
    stop = threading.Event()

    def start(target: Target) -> Callable[[Step[str]], None]:
        def do(step: Step[str]) -> None:
            if step.items == ("b",):
                raise KeyboardInterrupt

        return do

    report = execute({A: steps("a", "b", "c")}, start, stop=stop)

    assert report.interrupted and stop.is_set() and not report.ok
    assert outcomes(report) == [
        ("a", Outcome.APPLIED, None),
        ("b", Outcome.NOT_ATTEMPTED, "interrupted"),
        ("c", Outcome.NOT_ATTEMPTED, None),
    ]


def test_an_unexpected_error_is_not_taken_for_a_failed_change() -> None:
    def start(target: Target) -> Callable[[Step[str]], None]:
        def do(step: Step[str]) -> None:
            raise KeyError("a bug")

        return do

    with pytest.raises(KeyError):  # a bug surfaces; it is not reported as a failed change
        execute({A: steps("a")}, start)


def test_an_empty_run_reports_nothing() -> None:
    report = execute({}, calls([]))
    assert report == RunReport([], interrupted=False) and report.ok


def test_a_wave_runs_together_at_most_the_limit_at_once() -> None:
    limit = 3
    meet = threading.Barrier(limit, timeout=WAIT)  # each round of `limit` calls meets
    lock = threading.Lock()
    in_flight: list[int] = [0, 0]  # now, most

    def start(target: Target) -> Callable[[Step[str]], None]:
        def do(step: Step[str]) -> None:
            with lock:
                in_flight[0] += 1
                in_flight[1] = max(in_flight)
            meet.wait()
            with lock:
                in_flight[0] -= 1

        return do

    report = execute({A: steps(*"abcdef", wave=1)}, start, limits=Limits(targets=1, calls=limit))

    assert report.ok and not meet.broken
    assert in_flight[1] == limit
    assert [r.item for r in report.results] == list("abcdef")


def test_a_wave_starts_when_the_one_before_has_finished() -> None:
    finished: list[str] = []
    lock = threading.Lock()

    def start(target: Target) -> Callable[[Step[str]], None]:
        def do(step: Step[str]) -> None:
            (item,) = step.items
            if item.isupper():  # the second wave depends on the whole first
                assert sorted(i for i in finished if i.islower()) == ["a", "b", "c"]
            with lock:
                finished.append(item)

        return do

    plan = steps("a", "b", "c", wave="first") + steps("D", "E", wave="second")
    report = execute({A: plan}, start)

    assert report.ok
    assert finished[3:] in (["D", "E"], ["E", "D"])


def test_a_lanes_steps_run_in_order_while_lanes_run_together() -> None:
    meet = threading.Barrier(2, timeout=WAIT)  # the lanes' first calls meet
    order: list[str] = []
    lock = threading.Lock()

    def start(target: Target) -> Callable[[Step[str]], None]:
        def do(step: Step[str]) -> None:
            (item,) = step.items
            if item.endswith("1"):
                meet.wait()
            with lock:
                order.append(item)

        return do

    plan = [Step((i,), wave="repositories", lane=i[0]) for i in ("x1", "x2", "x3", "y1", "y2")]
    report = execute({A: plan}, start)

    assert report.ok and not meet.broken
    assert [i for i in order if i[0] == "x"] == ["x1", "x2", "x3"]
    assert [i for i in order if i[0] == "y"] == ["y1", "y2"]
    assert [r.item for r in report.results] == ["x1", "x2", "x3", "y1", "y2"]


def test_a_failure_in_one_lane_lets_the_others_calls_in_flight_finish_and_starts_nothing() -> None:
    y1_started = threading.Event()
    x1_failed = threading.Event()
    done: list[str] = []

    def start(target: Target) -> Callable[[Step[str]], None]:
        def do(step: Step[str]) -> None:
            (item,) = step.items
            if item == "x1":
                assert y1_started.wait(WAIT)
                raise PtcError("x1: denied")
            if item == "y1":
                y1_started.set()
                assert x1_failed.wait(WAIT)  # still in flight when x1 fails
            done.append(item)

        return do

    def progress(event: Finished[Target, str]) -> None:
        if event.result.outcome is Outcome.FAILED:
            x1_failed.set()

    plan = [Step((i,), wave="repositories", lane=i[0]) for i in ("x1", "x2", "y1", "y2")]
    report = execute({A: plan}, start, progress=progress)

    assert done == ["y1"]
    assert outcomes(report) == [
        ("x1", Outcome.FAILED, "x1: denied"),
        ("x2", Outcome.NOT_ATTEMPTED, None),
        ("y1", Outcome.APPLIED, None),
        ("y2", Outcome.NOT_ATTEMPTED, None),
    ]


def test_each_target_gets_its_own_call_function() -> None:
    started: list[Target] = []
    lock = threading.Lock()

    def start(target: Target) -> Callable[[Step[str]], None]:
        with lock:
            started.append(target)
        return lambda step: None

    execute({A: steps("a"), B: steps("b")}, start)

    assert sorted(started) == [A, B]

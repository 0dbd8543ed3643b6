"""over_accounts: every account's work, bounded, one account's failure its own."""

from __future__ import annotations

import threading

import pytest

from ptc.engine.executor import Outcome, RunReport
from ptc.engine.fleet import FleetReport, over_accounts
from ptc.errors import PtcError
from ptc.plan.targets import Target

REGIONS = ("us-east-1",)


def _targets(*accounts: str) -> list[Target]:
    return [Target(a, f"arn:aws:iam::{a}:role/ptc", REGIONS) for a in accounts]


def test_every_account_runs_and_the_values_keep_the_targets_order() -> None:
    targets = _targets("111111111111", "222222222222", "333333333333")
    report = over_accounts(targets, lambda t: f"planned {t.account}")
    assert report.ok
    assert [(t.account, v) for t, v in report.values()] == [
        ("111111111111", "planned 111111111111"),
        ("222222222222", "planned 222222222222"),
        ("333333333333", "planned 333333333333"),
    ]


def test_one_account_failing_never_stops_the_others() -> None:
    def work(target: Target) -> str:
        if target.account == "222222222222":
            raise PtcError("account 222222222222: cannot assume the role: AccessDenied")
        return "ok"

    report = over_accounts(_targets("111111111111", "222222222222", "333333333333"), work)
    assert not report.ok
    assert [r.outcome for r in report.runs] == [Outcome.APPLIED, Outcome.FAILED, Outcome.APPLIED]
    assert [r.account for r in report.failed] == ["222222222222"]
    assert report.failed[0].error == "account 222222222222: cannot assume the role: AccessDenied"
    assert [t.account for t, _ in report.values()] == ["111111111111", "333333333333"]


def test_a_bug_is_not_an_account_failure_it_propagates() -> None:
    def work(target: Target) -> str:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        over_accounts(_targets("111111111111"), work)


def test_no_more_than_max_concurrency_accounts_at_once() -> None:
    # Two accounts may run together; a third may start only when one has finished. A
    # barrier of two proves two ran at once; the counter proves never three.
    lock = threading.Lock()
    running, most = 0, 0
    pair = threading.Barrier(2, timeout=10)

    def work(target: Target) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            pair.wait()
        except threading.BrokenBarrierError:
            pass  # the odd one out waits alone; the count is what matters
        with lock:
            running -= 1

    report = over_accounts(_targets(*(f"{n:012d}" for n in range(1, 5))), work, max_concurrency=2)
    assert report.ok
    assert most == 2


def test_a_stop_leaves_the_accounts_not_started_not_attempted() -> None:
    stop = threading.Event()

    def work(target: Target) -> str:
        stop.set()  # the first account asks to stop: it finishes, nothing else starts
        return "done"

    report = over_accounts(
        _targets("111111111111", "222222222222", "333333333333"),
        work,
        max_concurrency=1,
        stop=stop,
    )
    assert report.interrupted and not report.ok
    assert [r.outcome for r in report.runs] == [
        Outcome.APPLIED,
        Outcome.NOT_ATTEMPTED,
        Outcome.NOT_ATTEMPTED,
    ]
    assert [r.account for r in report.not_attempted] == ["222222222222", "333333333333"]


def test_an_account_whose_work_ctrl_c_cut_short_is_interrupted_not_failed() -> None:
    # Ctrl-C while account B applies: B's run reports what it did and did not do (apply
    # watches `stop`); C, never started, is not attempted; A finished before.
    stop = threading.Event()
    cut = RunReport[str](interrupted=True)

    def work(target: Target) -> RunReport[str]:
        if target.account == "222222222222":
            stop.set()
            return cut
        return RunReport[str]()

    report = over_accounts(
        _targets("111111111111", "222222222222", "333333333333"),
        work,
        max_concurrency=1,
        stop=stop,
    )

    assert report.interrupted and not report.ok
    assert [(r.outcome, r.interrupted) for r in report.runs] == [
        (Outcome.APPLIED, False),
        (Outcome.APPLIED, True),
        (Outcome.NOT_ATTEMPTED, False),
    ]
    assert report.failed == []
    assert [r.account for r in report.cut_short] == ["222222222222"]
    assert report.runs[1].value is cut
    assert [r.account for r in report.not_attempted] == ["333333333333"]


def test_a_keyboardinterrupt_in_one_account_stops_the_fleet_and_reports() -> None:
    def work(target: Target) -> str:
        if target.account == "222222222222":
            raise KeyboardInterrupt
        return "done"

    report = over_accounts(
        _targets("111111111111", "222222222222", "333333333333"), work, max_concurrency=1
    )

    assert report.interrupted
    assert [(r.outcome, r.value, r.error, r.interrupted) for r in report.runs] == [
        (Outcome.APPLIED, "done", None, False),
        (Outcome.NOT_ATTEMPTED, None, None, True),
        (Outcome.NOT_ATTEMPTED, None, None, False),
    ]
    assert [r.account for r in report.not_attempted] == ["222222222222", "333333333333"]
    assert [r.account for r in report.cut_short] == ["222222222222"]


def test_no_accounts_is_an_empty_success() -> None:
    assert over_accounts([], lambda t: None) == FleetReport([], interrupted=False)


def test_max_concurrency_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        over_accounts(_targets("111111111111"), lambda t: None, max_concurrency=0)

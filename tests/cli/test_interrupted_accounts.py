"""Ctrl-C during plan and apply over several accounts (issue #13): the report says, account
by account, what was done, what Ctrl-C cut short and what was never started; exit 130;
a run again converges.

Ctrl-C is what ptc.engine.executor does with SIGINT: it sets the run's stop event, the
calls in flight finish and nothing more starts. Here one account's work sets that event
(or raises KeyboardInterrupt) itself, in-process, so no timing is involved. With
--max-concurrency 1 the accounts run one after another in the file's order.
"""

from __future__ import annotations

import json
import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ptc.engine import workflow
from tests.support import CtrlCAfterFirstCall, run

A, B, C = "111111111111", "222222222222", "333333333333"
FILE = f"""\
version: 1
accounts:
  role: arn:aws:iam::{{account}}:role/ptc-deployer
  ids: ["{C}", "{A}", "{B}"]
regions: [us-east-1, eu-west-1]
rules:
  - prefix: quay
    upstream: quay.io
templates:
  - prefix: quay
    applied_for: [PULL_THROUGH_CACHE]
    description: Quay cache
    role: arn:aws:iam::{{account}}:role/ecr-template
"""
ONE_AT_A_TIME = ("--max-concurrency", "1")
REAL_APPLY, REAL_PLAN = workflow.apply, workflow.plan_desired


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def _ctrl_c_in(monkeypatch: pytest.MonkeyPatch, account: str, *, raising: bool = False) -> None:
    """Ctrl-C while `account` applies, after (or instead of) its first call."""
    real: Callable[..., Any] = REAL_APPLY

    def apply(plan: Any, store: Any, *args: Any, stop: threading.Event, **kwargs: Any) -> Any:
        if plan.account == account:
            store = CtrlCAfterFirstCall(store, stop, raising=raising)
        return real(plan, store, *args, stop=stop, **kwargs)

    monkeypatch.setattr(workflow, "apply", apply)


def _interrupted_line(stdout: str, account: str) -> tuple[int, int]:
    """The changes an interrupted account's status line says were applied / not attempted."""
    found = re.search(
        rf"^  interrupted   {account}: (\d+) change\(s\) applied, (\d+) not attempted$",
        stdout,
        re.M,
    )
    assert found, stdout
    return int(found[1]), int(found[2])


@pytest.mark.parametrize("raising", [False, True], ids=["stop set", "KeyboardInterrupt"])
def test_an_apply_cut_short_in_one_account_is_reported_interrupted_and_converges(
    rules: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch, raising: bool
) -> None:
    _ctrl_c_in(monkeypatch, B, raising=raising)

    applied = run("apply", *sandbox, "--auto-approve", *ONE_AT_A_TIME, rules)

    assert applied.exit_code == 130, applied.output
    assert applied.stderr.endswith("error: interrupted\n")
    stdout = applied.stdout
    assert f"  applied       {A}\n" in stdout
    done, skipped = _interrupted_line(stdout, B)
    # B's template and rule in two regions: each rule waits for its template.
    assert done + skipped == 4 and skipped >= 2 and done >= (0 if raising else 1)
    assert f"  not attempted {C}\n" in stdout
    assert f"  FAILED        {B}" not in stdout
    # B's own report: what it applied, what it did not, and how to finish.
    b_report = stdout[stdout.index(f"Account {B}:") :]
    assert b_report.count(f"done     create {B}/") == done
    assert b_report.count(f"skipped  create {B}/") == skipped
    assert "Interrupted: the calls in flight finished; nothing more was attempted." in b_report
    assert f"{B}: Run apply again to finish" in b_report
    assert f"Account {C}:" not in stdout
    assert "Interrupted: the accounts at work finished; no other was started." in stdout
    assert stdout.rstrip().endswith(
        "Apply over 3 accounts incomplete: 1 applied, 0 without changes, 0 failed, "
        "1 interrupted, 1 not attempted."
    )

    monkeypatch.setattr(workflow, "apply", REAL_APPLY)
    again = run("apply", *sandbox, "--auto-approve", rules)
    planned = run("plan", *sandbox, "--detailed-exitcode", rules)

    assert again.exit_code == 0, again.output
    assert f"{A}: No changes." in again.stdout
    assert f"{B}: Plan: {skipped} to add" in again.stdout
    assert again.stdout.rstrip().endswith(
        "Apply over 3 accounts complete: 2 applied, 1 without changes, 0 failed, 0 not attempted."
    )
    assert (planned.exit_code, planned.stdout.splitlines()[-1]) == (
        0,
        "No changes in 3 accounts. The live state matches the file.",
    )


class _SigintAfterFirstCall:
    """B's store whose first call, once made, sends the main thread a real SIGINT (what
    Ctrl-C does) and waits until the run has stopped (the stop event the executor sets)."""

    def __init__(self, store: Any, stop: threading.Event) -> None:
        self._store, self._stop, self._sent = store, stop, threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            answer = attribute(*args, **kwargs)
            if self._sent.acquire(blocking=False):
                main = threading.main_thread().ident
                assert main is not None
                signal.pthread_kill(main, signal.SIGINT)
                assert self._stop.wait(timeout=30), "apply did not react to SIGINT"
            return answer

        return call


def test_a_real_sigint_during_one_accounts_apply(
    rules: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert threading.current_thread() is threading.main_thread()

    def apply(plan: Any, store: Any, *args: Any, stop: threading.Event, **kwargs: Any) -> Any:
        if plan.account == B:
            store = _SigintAfterFirstCall(store, stop)
        return REAL_APPLY(plan, store, *args, stop=stop, **kwargs)

    monkeypatch.setattr(workflow, "apply", apply)

    try:
        applied = run("apply", *sandbox, "--auto-approve", *ONE_AT_A_TIME, rules)
    except KeyboardInterrupt:  # not caught: fail this test, not the whole session
        pytest.fail("Ctrl-C escaped the apply instead of stopping it")

    assert applied.exit_code == 130, applied.output
    assert applied.stderr.endswith("error: interrupted\n")
    done, skipped = _interrupted_line(applied.stdout, B)
    # The region that sent it waits for the stop: its rule is never attempted. The other
    # region's calls may have been made before the main thread took the signal.
    assert done >= 1 and skipped >= 1 and done + skipped == 4
    assert f"  applied       {A}\n" in applied.stdout
    assert f"  not attempted {C}\n" in applied.stdout


def test_an_apply_that_is_not_interrupted_says_what_it_said(
    rules: Path, sandbox: list[str]
) -> None:
    applied = run("apply", *sandbox, "--auto-approve", *ONE_AT_A_TIME, rules)

    assert applied.exit_code == 0, applied.output
    assert "interrupted" not in applied.output.lower()
    assert applied.stdout.rstrip().endswith(
        "Apply over 3 accounts complete: 3 applied, 0 without changes, 0 failed, 0 not attempted."
    )


def _ctrl_c_planning(monkeypatch: pytest.MonkeyPatch, account: str) -> None:
    """Ctrl-C while `account` is being planned."""
    real: Callable[..., Any] = REAL_PLAN

    def plan_desired(desired: Any, *args: Any, **kwargs: Any) -> Any:
        if desired.account == account:
            raise KeyboardInterrupt
        return real(desired, *args, **kwargs)

    monkeypatch.setattr(workflow, "plan_desired", plan_desired)


def test_a_plan_interrupted_says_which_accounts_were_not_planned(
    rules: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _ctrl_c_planning(monkeypatch, B)
    saved = tmp_path / "plan.json"

    planned = run("plan", *sandbox, *ONE_AT_A_TIME, rules, "--out", saved)

    assert planned.exit_code == 130, planned.output
    assert planned.stderr.endswith(f"error: interrupted; {saved} was not written\n")
    assert not saved.exists()  # a plan of some accounts must not be applied as the plan
    assert f"{A}: Plan: 4 to add" in planned.stdout
    assert f"{B}: not attempted (interrupted)\n" in planned.stdout
    assert f"{C}: not attempted (interrupted)\n" in planned.stdout
    assert "FAILED" not in planned.stdout
    assert planned.stdout.endswith(
        "Plan over 1 account (1 with changes): 4 to add, 0 to change, 0 to replace, "
        f"0 to destroy. Interrupted: 2 accounts not planned: {B}, {C}.\n"
    )


def test_the_json_of_an_interrupted_plan_says_so(
    rules: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ctrl_c_planning(monkeypatch, B)

    planned = run("plan", *sandbox, *ONE_AT_A_TIME, "--format", "json", rules)

    assert planned.exit_code == 130, planned.output
    assert planned.stderr.endswith("error: interrupted\n")
    assert f"error: account {B}" not in planned.stderr
    document = json.loads(planned.stdout)
    assert document["interrupted"] is True
    assert document["not_attempted"] == [B, C]
    assert document["failed"] == []
    assert [p["account"] for p in document["plans"]] == [A]
    assert document["summary"] == {
        "add": 4,
        "change": 0,
        "replace": 0,
        "destroy": 0,
        "unmanaged": 0,
        "failed": 0,
        "not_attempted": 2,
    }


def test_the_json_of_a_plan_not_interrupted_has_no_interruption_keys(
    rules: Path, sandbox: list[str]
) -> None:
    planned = run("plan", *sandbox, "--format", "json", rules)

    document = json.loads(planned.stdout)
    assert "interrupted" not in document and "not_attempted" not in document
    assert "not_attempted" not in document["summary"]


def test_markdown_lists_the_accounts_not_planned(
    rules: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ctrl_c_planning(monkeypatch, B)

    planned = run("plan", *sandbox, *ONE_AT_A_TIME, "--format", "markdown", rules)

    assert planned.exit_code == 130
    assert f"#### Accounts not attempted (interrupted)\n\n- `{B}`\n- `{C}`\n" in planned.stdout
    assert "#### Accounts not planned" not in planned.stdout


def test_apply_interrupted_while_planning_applies_nothing_and_says_so(
    rules: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ctrl_c_planning(monkeypatch, B)

    applied = run("apply", *sandbox, "--auto-approve", *ONE_AT_A_TIME, rules)
    monkeypatch.setattr(workflow, "plan_desired", REAL_PLAN)
    planned = run("plan", *sandbox, "--detailed-exitcode", rules)

    assert applied.exit_code == 130, applied.output
    assert applied.stderr.endswith("error: interrupted; nothing was applied\n")
    assert f"{B}: not attempted (interrupted)" in applied.stdout
    assert "Apply over" not in applied.stdout
    assert planned.exit_code == 2  # nothing was applied: every account still has changes
    assert "Plan over 3 accounts (3 with changes)" in planned.stdout

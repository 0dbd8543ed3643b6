"""Status under faults at every call it makes (issue 10, the fault-injection layer).

Each call of a status read is faulted in turn, with the kinds of tests/plan/conftest.py
(throttling, 5xx, timeouts, resets, web pages, empty and truncated answers) taken in
rotation: the read ends in one AwsError line, and a clean re-run reports exactly what a
read without faults reports.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ptc.aws.errors import AwsError
from ptc.aws.repositories import RepositoryGateway
from ptc.engine import workflow
from ptc.sandbox.embedded import SandboxInfo
from ptc.status.compute import read_status
from tests.plan.conftest import BODY_FAULTS, FAST_RETRIES, FAULT_KINDS, CallLog, Faults, inject
from tests.status.conftest import CHANGED, write

KINDS = FAULT_KINDS + BODY_FAULTS
__all__ = ["inject"]  # the fixture, shared with the plan tests


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)


def test_a_fault_at_any_status_call_is_one_line_and_a_rerun_is_whole(
    pulled: SandboxInfo, tmp_path: Path, inject: Callable[..., Faults]
) -> None:
    session = pulled.session()
    desired = workflow.load_desired(write(tmp_path, CHANGED))

    def gateway() -> RepositoryGateway:
        return RepositoryGateway(session, desired.regions, FAST_RETRIES)

    clean = gateway()
    log = CallLog().hook(clean)  # type: ignore[arg-type]
    expected = read_status(desired, clean).to_dict()
    # STS, 2 listings in each of 2 regions, 13 reads of 4 repositories (4 + 4 + 3 + 2: what
    # their templates set, plus their images): every one of them is faulted in turn.
    assert len(log.calls) == 18
    seen = set()
    for index in range(len(log.calls)):
        for kind in (KINDS[index % len(KINDS)], KINDS[(index + 3) % len(KINDS)]):
            faulted = gateway()
            faults = inject(kind, index, faulted)
            with pytest.raises(AwsError) as caught:
                read_status(desired, faulted)
            assert "\n" not in str(caught.value) and str(caught.value)
            assert faults.failed_attempts >= 1
            seen.add(kind)
            assert read_status(desired, gateway()).to_dict() == expected
    assert seen == set(KINDS)

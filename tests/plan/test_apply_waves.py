"""A region's independent changes in flight together; a failure still stops the region."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from ptc.engine import workflow
from ptc.engine.apply import Outcome

from .conftest import Faults, gateway, write_file

RULES = 6
FILE = "version: 1\nregions: [us-east-1]\nrules:\n" + "".join(
    f"  - prefix: quay-{n}\n    upstream: quay.io\n" for n in range(RULES)
)


@pytest.mark.usefixtures("credentials_env")
def test_a_regions_independent_changes_are_in_flight_together(
    session: boto3.Session, tmp_path: Path
) -> None:
    # Each create waits until all of them have started: one after another, they never
    # would, and the barrier breaks.
    path = write_file(tmp_path, FILE)
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    barrier = threading.Barrier(RULES, timeout=30)

    def together(model: Any, **_: Any) -> None:
        if model.name == "CreatePullThroughCacheRule":
            barrier.wait()

    for client in gw.clients():
        client.meta.events.register("before-call", together)
    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)
    assert [r.outcome for r in report.results] == [Outcome.APPLIED] * RULES
    assert [r.item.key for r in report.results] == [f"quay-{n}" for n in range(RULES)]
    assert report.verified is True and not barrier.broken


MIXED = """\
version: 1
regions: [us-east-1]
rules:
  - prefix: hub
    upstream: registry-1.docker.io
    credentials: ecr-pullthroughcache/hub
  - prefix: quay
    upstream: quay.io
secrets:
  - name: ecr-pullthroughcache/hub
    username: {env: HUB_USER}
    access_token: {env: HUB_TOKEN}
templates:
  - prefix: hub
    applied_for: [PULL_THROUGH_CACHE]
  - prefix: quay
    applied_for: [PULL_THROUGH_CACHE]
"""


@pytest.mark.usefixtures("credentials_env")
def test_a_failure_lets_its_wave_finish_and_starts_no_later_wave(
    session: boto3.Session,
    tmp_path: Path,
    inject: Callable[..., Faults],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUB_USER", "u")
    monkeypatch.setenv("HUB_TOKEN", "t")
    path = write_file(tmp_path, MIXED)
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    faults = inject("server-error", ("CreateRepositoryCreationTemplate", 0), gw)

    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)

    outcomes = {f"{r.item.kind}/{r.item.key}": r.outcome for r in report.results}
    assert list(outcomes) == [
        "secret/ecr-pullthroughcache/hub",
        "template/hub",
        "template/quay",
        "rule/hub",
        "rule/quay",
    ]
    assert outcomes["secret/ecr-pullthroughcache/hub"] is Outcome.APPLIED
    # The other template of the wave was in flight or not yet started; no rule was tried.
    failed = [key for key, outcome in outcomes.items() if outcome is Outcome.FAILED]
    assert len(failed) == 1 and failed[0].startswith("template/")
    assert outcomes["rule/hub"] is outcomes["rule/quay"] is Outcome.NOT_ATTEMPTED
    assert "CreatePullThroughCacheRule" not in faults.log.operations()
    assert not report.ok and report.verified is None

    again = workflow.plan_desired(desired, gateway(session, desired.regions))
    rerun = workflow.apply(again.plan, gateway(session, desired.regions), desired, path.parent)
    assert rerun.ok and rerun.verified is True

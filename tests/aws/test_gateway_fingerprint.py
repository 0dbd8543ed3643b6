"""A live state's fingerprint names the live state, not the machine that read it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from ptc.aws.gateway import Gateway
from ptc.sandbox.embedded import SandboxInfo

SECRET = "ecr-pullthroughcache/docker-hub"


@pytest.fixture
def restore_timezone(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.undo()
    time.tzset()


def test_the_fingerprint_is_the_same_in_every_time_zone(
    aws: SandboxInfo, restore_timezone: pytest.MonkeyPatch
) -> None:
    # A plan saved on a laptop in Berlin and applied by a CI runner in UTC reads the same
    # live state: the secret's last change is one instant, whatever the local time zone.
    session = aws.session()
    session.client("secretsmanager").create_secret(Name=SECRET, SecretString="{}")

    def fingerprint(zone: str) -> str:
        restore_timezone.setenv("TZ", zone)
        time.tzset()
        gateway = Gateway(session, ["us-east-1"])
        return gateway.read(aws.account_id, {"us-east-1": {SECRET}}).fingerprint()

    assert fingerprint("UTC") == fingerprint("Europe/Berlin") == fingerprint("America/Denver")

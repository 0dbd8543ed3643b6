"""Fixtures shared by every test: the in-process AWS sandbox and the sandbox server.

moto is imported inside the fixtures, so tests that need neither do not pay for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ptc.sandbox.embedded import SandboxInfo
    from ptc.sandbox.server import RunningServer


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxInfo]:
    """moto's mock_aws with the ECR emulator, dummy credentials and us-east-1.

    Yields a SandboxInfo: `.account_id` (moto's 123456789012), `.region` and `.session()`
    (a boto3.Session). Every test starts from an empty AWS.
    """
    from moto import mock_aws

    from ptc.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, emulator
    from ptc.sandbox.embedded import SandboxInfo, dummy_environment

    for name, value in dummy_environment(DEFAULT_REGION).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    emulator.install()
    with mock_aws():
        yield SandboxInfo(account_id=DEFAULT_ACCOUNT_ID, region=DEFAULT_REGION)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[RunningServer]:
    """The sandbox served on a free loopback port for the whole session (`.url`, `.stop()`).

    It shares moto's in-process state, which the `aws` fixture resets: tests that use the
    server create what they need themselves rather than rely on earlier tests.
    """
    from ptc.sandbox.server import start_background

    server = start_background()
    yield server
    server.stop()

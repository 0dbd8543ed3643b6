"""Fixtures shared by every test: the in-process AWS sandbox and the sandbox server.

moto is imported inside the fixtures, so tests that need neither do not pay for it.
"""

from __future__ import annotations

import errno
import gc
import io
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from ptc.sandbox.embedded import SandboxInfo
    from ptc.sandbox.server import RunningServer

# The same examples on every run, so that CI's answer depends on the code alone; set
# PTC_HYPOTHESIS_EXPLORE=1 to let Hypothesis look for new ones.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile("explore" if os.environ.get("PTC_HYPOTHESIS_EXPLORE") else "ci")


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    """ptc turns the cyclic collector off for start-up and freezes the heap (at its first
    AWS session, and as main's last act), for its own process: a test running ptc in this
    one must not leave the suite without collection, nor its objects frozen forever."""
    yield
    gc.unfreeze()
    gc.enable()


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


class _HalfWrite:
    """A writable stream that writes half of what it is given, then fails as a full disk does."""

    def __init__(self, stream: Any, error: int) -> None:
        self._stream = stream
        self._error = error

    def write(self, data: Any) -> int:
        self._stream.write(data[: len(data) // 2])
        self._stream.flush()
        raise OSError(self._error, os.strerror(self._error))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def __enter__(self) -> _HalfWrite:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()


DiskFull = Callable[..., None]


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> DiskFull:
    """`disk_full(folder, errno)`: streams written under `folder` fail half way (ENOSPC...).

    Both `Path.write_text` and `os.fdopen` open their streams with io.open, so one patch
    covers every way ptc writes a file; files elsewhere (the sandbox state) are unaffected.
    """

    def install(folder: Path, error: int = errno.ENOSPC) -> None:
        real_open = io.open
        inside = os.path.realpath(folder) + os.sep

        def failing_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            stream = real_open(file, mode, *args, **kwargs)
            name = f"/proc/self/fd/{file}" if isinstance(file, int) else file
            target = os.path.realpath(name)
            if "w" in mode and target.startswith(inside):
                return _HalfWrite(stream, error)
            return stream

        monkeypatch.setattr(io, "open", failing_open)

    return install


@pytest.fixture
def device(tmp_path: Path) -> Path:
    """A private copy of /dev/full (a character device), so a failing test cannot harm /dev."""
    import stat

    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except (PermissionError, AttributeError):
        pytest.skip("creating a device node needs root (CAP_MKNOD)")
    return node


@pytest.fixture
def sandbox(tmp_path: Path) -> list[str]:
    """The CLI options of an embedded sandbox whose state is this test's own."""
    return ["--sandbox", "--sandbox-state", str(tmp_path / "s.json")]


@pytest.fixture
def by_hand(tmp_path: Path) -> Callable[[], AbstractContextManager[SandboxInfo]]:
    """`with by_hand() as aws:` the `sandbox` fixture's sandbox, to change with boto3."""
    from ptc.sandbox.embedded import running

    return lambda: running(tmp_path / "s.json")

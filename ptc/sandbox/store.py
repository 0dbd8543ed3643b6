"""Where the sandbox keeps its state: one regular file, used by one ptc at a time, no secrets.

Beside the state file STATE (default .ptc/sandbox.json) live:
  STATE.lock  locked (flock) by the ptc that uses the sandbox, for its whole
              load-change-save; a second ptc is refused instead of losing the first's work;
  STATE.key   the random key of the secret values' fingerprints (ptc.sandbox.standin), mode 0600.
ptc's own folder `.ptc` also gets a .gitignore that ignores everything in it.

opened() checks all of this before the sandbox starts, so that a state that could not be
saved is found before anything is applied, not after.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from ptc.errors import InputError, PtcError
from ptc.files import WriteError, check_writable, os_message, write_text
from ptc.sandbox.standin import StandIn

PTC_FOLDER: Final = ".ptc"
GITIGNORE: Final = "# ptc's sandbox state, its key and its lock: never commit them\n*\n"
_KEY_BYTES: Final = 32


class StateFileError(InputError):
    """The state file cannot be used: unreadable, not a regular file, too large, not JSON,
    of another format, or in a place where it cannot be written."""


class StateInUse(PtcError):
    """Another ptc is using the same sandbox state."""


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def key_path(path: Path) -> Path:
    return path.with_name(path.name + ".key")


@contextmanager
def opened(path: Path) -> Iterator[StandIn]:
    """Hold the state for one run: its folder exists, it is ours alone, it can be saved.

    Yields the stand-in for secret values. Raises StateFileError or StateInUse first.
    """
    _make_folder(path)
    with _locked(path):
        check_file(path)
        yield StandIn(_key(path))


def check_file(path: Path) -> None:
    """The state is a regular, writable file (or a link to one) or missing, in a folder."""
    try:
        check_writable(path, through_symlink=True)
    except WriteError as exc:
        raise StateFileError(f"{path}: the sandbox state cannot be written: {exc.reason}") from None


def _make_folder(path: Path) -> None:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateFileError(
            f"{path}: the sandbox state cannot be written: cannot create {folder} ({exc.strerror})"
        ) from None
    if folder.name == PTC_FOLDER:
        _write_new(folder / ".gitignore", GITIGNORE, mode=0o644)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    lock = lock_path(path)
    try:
        handle = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise StateFileError(
            f"{path}: the sandbox state cannot be written: {os_message(exc)} ({lock})"
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise StateInUse(
                f"{path}: the sandbox state is in use by another ptc (it holds {lock}); "
                "try again when that one has finished"
            ) from None
        yield  # the lock goes with the descriptor, also when the process dies
    finally:
        os.close(handle)


def _key(path: Path) -> bytes:
    where = key_path(path)
    _write_new(where, secrets.token_hex(_KEY_BYTES), mode=0o600)
    try:
        with where.open("rb") as stream:
            text = stream.read(4 * _KEY_BYTES).decode("ascii", "replace").strip()
        return bytes.fromhex(text)
    except (OSError, ValueError) as exc:
        reason = os_message(exc) if isinstance(exc, OSError) else "damaged"
        raise StateFileError(
            f"{where}: the sandbox's fingerprint key is unusable ({reason}); move it away "
            "to start afresh"
        ) from None


def _write_new(path: Path, content: str, *, mode: int) -> None:
    """Create `path` whole unless it exists; what is there already is kept."""
    if os.path.lexists(path):
        return
    try:
        write_text(path, content, mode=mode)
    except WriteError as exc:
        raise StateFileError(f"{path}: the sandbox state cannot be written: {exc.reason}") from None

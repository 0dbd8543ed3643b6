"""Writing files the one way ptc promises: atomically, and only over a regular file.

Every file ptc writes (a saved plan, an export, a rewritten manifest, the sandbox state) goes
through `write_text`: the text goes to a temporary file in the target's own folder, which is
then renamed over the target. A reader, or a run interrupted half way, sees the old file or
the new one, never half of one; a failed write (disk full, a file-size limit) leaves the old
file as it was and no temporary file behind.

What is refused, before anything is written:
- anything that exists and is not a regular file: a directory, a device such as /dev/full,
  a FIFO, a socket. Renaming over them would replace the node itself.
- a symbolic link, unless the caller writes through links on purpose (rewrite-images edits
  the files the user named, wherever their links lead). Outputs (`plan --out`,
  `export -o`) refuse links: replacing the link with a file would silently break it, and
  following it would write wherever the link points.
- a missing folder, or a path under something that is not a folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from ptc.errors import EXIT_UNREADABLE, PtcError

_MESSAGES = {
    errno.ELOOP: "symlink loop",
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a directory",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large",
    errno.ENAMETOOLONG: "file name too long",
}
# A new file gets what `touch` would give it; an existing one keeps its own mode.
_NEW_FILE_MODE = 0o666


class WriteError(PtcError):
    """A file could not be written, or was refused; nothing was changed.

    `reason` is the message without the path, for callers that name the file themselves.
    """

    exit_code = EXIT_UNREADABLE  # a file-system problem, like an unreadable input

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = str(path)
        self.reason = reason


def os_message(exc: OSError) -> str:
    """One short phrase for an OSError, without Python's '[Errno N]' decoration."""
    return _MESSAGES.get(exc.errno or 0) or exc.strerror or str(exc)


def check_writable(path: Path, *, through_symlink: bool = False) -> Path:
    """Refuse a target ptc must not replace; return the path to write (a link's target).

    Cheap and side-effect free, so commands call it before they do any work (`plan --out`
    checks before it asks AWS anything).
    """
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        _check_folder(path)
        return path
    except ValueError:  # a NUL byte in the name
        raise WriteError(repr(str(path)), "not a usable file name") from None
    except OSError as exc:
        raise WriteError(path, os_message(exc)) from None
    if stat.S_ISLNK(info.st_mode):
        if not through_symlink:
            raise WriteError(
                path, "it is a symbolic link; ptc does not replace or follow links here"
            )
        return check_writable(Path(os.path.realpath(path)))
    if not stat.S_ISREG(info.st_mode):
        raise WriteError(path, f"it is {_kind(info.st_mode)}, not a regular file")
    if not os.access(path, os.W_OK):
        # The folder may allow the rename, but the user said this file is not to be changed.
        raise WriteError(path, "permission denied")
    return path


def write_text(
    path: Path,
    text: str,
    *,
    through_symlink: bool = False,
    mode: int | None = None,
    durable: bool = False,
) -> None:
    """Replace `path` with `text` (UTF-8) atomically, or raise WriteError and change nothing.

    An existing file keeps its mode (and its owner where the process may set it); `mode`
    forces one, e.g. 0o600 for a file holding secrets. `durable` also syncs the data to
    disk before the rename (a few milliseconds), for state that must survive a power loss.
    """
    target = check_writable(path, through_symlink=through_symlink)
    existing = _existing(target)
    try:
        fd, temporary = _temporary(target, mode)
    except OSError as exc:
        raise WriteError(path, os_message(exc)) from None
    try:
        _fill(fd, text.encode("utf-8"), existing, mode, durable)
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise WriteError(path, os_message(exc)) from None
        raise


def _temporary(target: Path, mode: int | None) -> tuple[int, str]:
    """A new, exclusive file beside `target`; created with `mode` (or 0666 less the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        name = str(target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(name, flags, _NEW_FILE_MODE if mode is None else mode), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name")


def _fill(
    fd: int, data: bytes, existing: os.stat_result | None, mode: int | None, durable: bool
) -> None:
    with os.fdopen(fd, "wb") as stream:
        if mode is not None:
            os.fchmod(fd, mode)  # exactly this mode, whatever the umask
        elif existing is not None:
            os.fchmod(fd, stat.S_IMODE(existing.st_mode))
            _keep_owner(fd, existing)
        stream.write(data)
        stream.flush()
        if durable:
            os.fsync(fd)


def _keep_owner(fd: int, existing: os.stat_result) -> None:
    """Give the new file the old one's owner; only root (or the owner, for the group) may."""
    info = os.fstat(fd)
    if (info.st_uid, info.st_gid) != (existing.st_uid, existing.st_gid):
        with contextlib.suppress(PermissionError):
            os.fchown(fd, existing.st_uid, existing.st_gid)


def _existing(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteError(path, os_message(exc)) from None


def _check_folder(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        info = os.stat(folder)
    except (FileNotFoundError, NotADirectoryError):
        raise WriteError(path, f"the folder {folder} does not exist") from None
    except OSError as exc:
        raise WriteError(path, os_message(exc)) from None
    if not stat.S_ISDIR(info.st_mode):
        raise WriteError(path, f"{folder} is not a folder")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"

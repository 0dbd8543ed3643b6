"""Finding, reading and atomically writing the files `rewrite-images` works on."""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ptc.files import WriteError, os_message, write_text
from ptc.rewrite.dockerfile import is_dockerfile_name

MAX_BYTES = 10 * 1024 * 1024
STDIN = "-"
_SUFFIXES = (".json", ".yaml", ".yml")


class SourceError(Exception):
    """A file could not be read or written; the message is for the user."""


@dataclass(frozen=True)
class Source:
    """One input: a file (`path`), or standard input (`path` None)."""

    display: str  # the name in messages: as given, or joined to the folder given
    path: Path | None
    error: str | None = None  # found while walking, e.g. a symlink loop
    helm: bool = False  # a Helm values file, whatever its name (--helm-values)
    skipped: str | None = None  # why it is not read at all, e.g. a symlink out of `roots`
    # The real paths of the paths given: a write never leaves them (empty: no limit).
    roots: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else ""


def is_candidate(name: str) -> bool:
    """In a folder, only these are read; a file named on the command line always is."""
    return name.lower().endswith(_SUFFIXES) or is_dockerfile_name(name)


def expand(
    paths: Sequence[str], exclude: Sequence[str] = (), helm_values: Sequence[str] = ()
) -> list[Source]:
    """Files and folders (walked recursively, hidden entries skipped) as sources, once each.

    The `helm_values` files are marked as such, and added if the paths do not include them.
    """
    sources: list[Source] = []
    seen: set[str] = set()
    roots = tuple(os.path.realpath(a) for a in (*paths, *helm_values) if a != STDIN)
    for arg in paths:
        path = Path(arg)
        if arg == STDIN:
            sources.append(Source(STDIN, None))
        elif path.is_dir():
            sources += _walk(path, exclude, seen, roots)
        elif _first_time(path, seen):
            sources.append(Source(arg, path, roots=roots))
    return _mark_helm_values(sources, helm_values, seen) if helm_values else sources


def _mark_helm_values(
    sources: list[Source], helm_values: Sequence[str], seen: set[str]
) -> list[Source]:
    wanted = {STDIN if arg == STDIN else os.path.realpath(arg) for arg in helm_values}
    marked = [
        replace(s, helm=True) if _real(s) in wanted and s.error is None else s for s in sources
    ]
    roots = tuple(os.path.realpath(a) for a in helm_values if a != STDIN)
    for arg in helm_values:
        if arg != STDIN and _first_time(Path(arg), seen):
            marked.append(Source(arg, Path(arg), helm=True, roots=roots))
    return marked


def _real(source: Source) -> str:
    return STDIN if source.path is None else os.path.realpath(source.path)


def _first_time(path: Path, seen: set[str]) -> bool:
    real = os.path.realpath(path)
    if real in seen:
        return False
    seen.add(real)
    return True


def _excluded(relative: str, name: str, exclude: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) for p in exclude)


def inside(real: str, roots: Sequence[str]) -> bool:
    """`real` is one of `roots` or under one (all real paths)."""
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _walk(
    root: Path, exclude: Sequence[str], seen: set[str], roots: tuple[str, ...]
) -> Iterator[Source]:
    # Symlinks are followed inside the paths given, never out of them; a symlinked folder
    # that leads back to a folder above it is a loop.
    stack = [(root, frozenset({os.path.realpath(root)}))]
    while stack:
        folder, ancestors = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield Source(str(folder), folder, error=f"cannot list: {os_message(exc)}")
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            relative = path.relative_to(root).as_posix()
            if entry.name.startswith(".") or _excluded(relative, entry.name, exclude):
                continue
            outside = _outside(entry, roots)
            if outside is not None:
                if _is_dir(entry) or is_candidate(entry.name):
                    yield Source(str(path), path, skipped=outside)
            elif _is_dir(entry):
                real = os.path.realpath(path)
                if real in ancestors:
                    yield Source(str(path), path, error=f"symlink loop: leads back to {real}")
                elif _first_time(path, seen):
                    subfolders.append((path, ancestors | {real}))
            elif entry.is_symlink() and _loops(path):
                yield Source(str(path), path, error="symlink loop")
            elif is_candidate(entry.name) and _first_time(path, seen):
                yield Source(str(path), path, roots=roots)
        stack.extend(reversed(subfolders))


def _outside(entry: os.DirEntry[str], roots: tuple[str, ...]) -> str | None:
    """Why a symlink is not followed: it leads out of the paths given; or None."""
    if not entry.is_symlink():
        return None
    real = os.path.realpath(entry.path)
    if inside(real, roots) or _loops(Path(entry.path)):
        return None
    return f"a symlink to {real}, outside the paths given; not followed"


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop raises here rather than answering False
        return False


def _loops(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def read(source: Source) -> str:
    """The text of a source; raise SourceError for what is not readable UTF-8 text."""
    if source.path is None:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        try:
            with open(source.path, "rb") as stream:
                data = stream.read(MAX_BYTES + 1)
        except OSError as exc:
            raise SourceError(os_message(exc)) from None
    if len(data) > MAX_BYTES:
        raise SourceError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB; not read")
    return decode(data)


def decode(data: bytes) -> str:
    if b"\0" in data[:8192]:
        raise SourceError("a binary file, not text")
    try:
        # Bytes are decoded as they are: '\r\n' and a byte order mark survive the round trip.
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text (byte {exc.start + 1})") from None


def write_atomic(source: Source, text: str) -> list[str]:
    """Replace a file's content atomically (see ptc.files), through a symlink.

    What a replacement cannot keep is refused first: a read-only file, and (unless root,
    who can give the new file back) a file of another user or group, which would become
    the writer's. Returns warnings: a hard link, which a replacement cannot keep.
    """
    assert source.path is not None
    real = os.path.realpath(source.path)
    if source.roots and not inside(real, source.roots):
        raise SourceError("cannot write: it now leads outside the paths given (a symlink)")
    try:
        info = os.stat(real)
    except OSError as exc:
        raise SourceError(f"cannot write: {os_message(exc)}") from None
    _refuse_what_a_replacement_loses(info)
    try:
        write_text(source.path, text, through_symlink=True)
    except WriteError as exc:
        raise SourceError(f"cannot write: {exc.reason}") from None
    if info.st_nlink > 1:
        others = info.st_nlink - 1
        return [
            f"it had {others} other hard link{'s' if others > 1 else ''}, which "
            f"keep{'s' if others == 1 else ''} the old content: the rewritten file is a new one"
        ]
    return []


def _refuse_what_a_replacement_loses(info: os.stat_result) -> None:
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o222:
        # Root may write it, but the mode says it is not to be changed.
        raise SourceError(f"cannot write: the file is read-only (mode {mode:04o})")
    if os.geteuid() == 0:
        return
    if info.st_uid != os.geteuid():
        raise SourceError(
            f"cannot write: it belongs to user {info.st_uid}; "
            "the rewritten file would belong to you"
        )
    if info.st_gid not in {os.getegid(), *os.getgroups()}:
        raise SourceError(
            f"cannot write: its group is {info.st_gid}, not one of yours; "
            "the rewritten file would change group"
        )

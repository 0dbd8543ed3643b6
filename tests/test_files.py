"""ptc.files.write_text: the one writer behind every file ptc writes.

Real files, links, FIFOs and devices where the machine has them; a full disk is simulated
by a stream that fails half way (as ENOSPC does), a size limit by a real RLIMIT_FSIZE.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ptc.files import WriteError, check_writable, write_text

OLD = "old content\n"


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_a_new_file_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert _names(tmp_path) == ["plan.json"]


def test_replaces_a_regular_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text(OLD)
    target.chmod(0o640)
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_forced_mode_ignores_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    write_text(target, "{}", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EFBIG, errno.EDQUOT])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, disk_full: Any, error: int
) -> None:
    target = tmp_path / "out.yaml"
    target.write_text(OLD)
    disk_full(tmp_path, error)
    with pytest.raises(WriteError) as caught:
        write_text(target, "x" * 10_000)
    assert caught.value.exit_code == 3
    assert str(caught.value) == f"cannot write {target}: {_reason(error)}"
    assert target.read_text() == OLD
    assert _names(tmp_path) == ["out.yaml"]


def _reason(error: int) -> str:
    return {
        errno.ENOSPC: "no space left on device",
        errno.EFBIG: "file too large",
        errno.EDQUOT: "disk quota exceeded",
    }[error]


def test_a_real_file_size_limit_keeps_the_old_file(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes write(2) fail with EFBIG (Python ignores SIGXFSZ)."""
    target = tmp_path / "out.yaml"
    target.write_text(OLD)
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from ptc.files import WriteError, write_text\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "try:\n"
        "    write_text(Path(sys.argv[1]), 'x' * 100_000)\n"
        "except WriteError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout == f"cannot write {target}: file too large\n", done.stderr
    assert target.read_text() == OLD
    assert _names(tmp_path) == ["out.yaml"]


def test_an_interrupted_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.yaml"
    target.write_text(OLD)

    def interrupt(source: str, destination: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_text(target, "new")
    assert target.read_text() == OLD
    assert _names(tmp_path) == ["out.yaml"]


def test_a_symlink_is_refused_and_left_alone(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text(OLD)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with pytest.raises(WriteError) as caught:
        write_text(link, "new")
    assert str(caught.value) == (
        f"cannot write {link}: it is a symbolic link; ptc does not replace or follow links here"
    )
    assert link.is_symlink() and real.read_text() == OLD


def test_a_dangling_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(WriteError, match="symbolic link"):
        write_text(link, "new")
    assert link.is_symlink() and not (tmp_path / "elsewhere.json").exists()


def test_writing_through_a_symlink_when_asked_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text(OLD)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_text(link, "new", through_symlink=True)
    assert link.is_symlink() and real.read_text() == "new"


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(WriteError) as caught:
        write_text(fifo, "new")  # opening a FIFO for writing would block: it is never opened
    assert str(caught.value) == (
        f"cannot write {fifo}: it is a FIFO (named pipe), not a regular file"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert _names(tmp_path) == ["pipe"]


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    with pytest.raises(WriteError) as caught:
        write_text(folder, "new")
    assert str(caught.value) == f"cannot write {folder}: it is a directory, not a regular file"
    assert _names(tmp_path) == ["plans"] and _names(folder) == []


def test_a_device_is_refused_and_stays_a_device(device: Path) -> None:
    with pytest.raises(WriteError) as caught:
        write_text(device, "new")
    assert str(caught.value) == f"cannot write {device}: it is a device, not a regular file"
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "plan.json"
    with pytest.raises(WriteError) as caught:
        write_text(target, "new")
    assert str(caught.value) == (
        f"cannot write {target}: the folder {target.parent} does not exist"
    )
    assert _names(tmp_path) == []


def test_a_path_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text(OLD)
    target = tmp_path / "file" / "plan.json"
    with pytest.raises(WriteError) as caught:
        write_text(target, "new")
    assert str(caught.value) == f"cannot write {target}: {tmp_path / 'file'} is not a folder"


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="no sysfs here")
def test_a_location_nobody_may_create_files_in() -> None:
    """sysfs refuses new files even to root: a real read-only location."""
    with pytest.raises(WriteError) as caught:
        write_text(Path("/sys/ptc-plan.json"), "new")
    assert str(caught.value) == "cannot write /sys/ptc-plan.json: permission denied"


def test_a_file_the_user_may_not_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.json"
    target.write_text(OLD)
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    with pytest.raises(WriteError, match="permission denied"):
        write_text(target, "new")
    assert target.read_text() == OLD


def test_a_nul_byte_in_the_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="not a usable file name"):
        check_writable(tmp_path / "a\0b")


def test_check_writable_changes_nothing(tmp_path: Path) -> None:
    assert check_writable(tmp_path / "new.json") == tmp_path / "new.json"
    assert _names(tmp_path) == []

"""`plan --out` and `export -o`: what they refuse, and what a failed write leaves behind.

Both go through ptc.files.write_text; these tests check the commands' side: one `error:` line,
exit 3, the old file intact, no temporary file, and (for `plan --out`) nothing asked of AWS
before the target is known to be writable.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from tests.cli.test_plan import FILE
from tests.conftest import DiskFull
from tests.support import run

OLD = "old content\n"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "s.json"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _plan(rules: Path, state: Path, target: Path | str) -> tuple[int, str, str]:
    result = run("plan", "--sandbox", "--sandbox-state", state, rules, "--out", target)
    return result.exit_code, result.stdout, result.stderr


def _export(state: Path, target: Path | str) -> tuple[int, str, str]:
    result = run("export", "--sandbox", "--sandbox-state", state, "-r", "us-east-1", "-o", target)
    return result.exit_code, result.stdout, result.stderr


def _refused(target: Path | str, reason: str) -> tuple[int, str, str]:
    return 3, "", f"error: cannot write {target}: {reason}\n"


def test_plan_out_refuses_a_symlink_and_leaves_it(rules: Path, state: Path, out: Path) -> None:
    real = out / "real.json"
    real.write_text(OLD)
    link = out / "plan.json"
    link.symlink_to(real)
    assert _plan(rules, state, link) == _refused(
        link, "it is a symbolic link; ptc does not replace or follow links here"
    )
    assert link.is_symlink() and real.read_text() == OLD
    assert not state.exists()  # refused before the sandbox (or AWS) was asked anything


def test_plan_out_refuses_a_device(rules: Path, state: Path, device: Path) -> None:
    # As root, ptc once replaced /dev/full itself with the plan; the test uses its own node.
    assert _plan(rules, state, device) == _refused(device, "it is a device, not a regular file")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_plan_out_refuses_a_fifo(rules: Path, state: Path, out: Path) -> None:
    fifo = out / "pipe"
    os.mkfifo(fifo)
    assert _plan(rules, state, fifo) == _refused(
        fifo, "it is a FIFO (named pipe), not a regular file"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_plan_out_refuses_a_directory_and_creates_nothing(
    rules: Path, state: Path, out: Path
) -> None:
    assert _plan(rules, state, out) == _refused(out, "it is a directory, not a regular file")
    assert sorted(p.name for p in out.parent.iterdir()) == ["out", "rules.yaml"]
    assert list(out.iterdir()) == []


def test_plan_out_into_a_missing_folder(rules: Path, state: Path, out: Path) -> None:
    target = out / "missing" / "plan.json"
    assert _plan(rules, state, target) == _refused(
        target, f"the folder {target.parent} does not exist"
    )


def test_plan_out_under_a_file(rules: Path, state: Path) -> None:
    target = rules / "plan.json"
    assert _plan(rules, state, target) == _refused(target, f"{rules} is not a folder")


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="no sysfs here")
def test_plan_out_to_a_read_only_location(rules: Path, state: Path) -> None:
    assert _plan(rules, state, "/sys/plan.json") == _refused("/sys/plan.json", "permission denied")


def test_plan_out_on_a_full_disk_keeps_the_old_plan(
    rules: Path, state: Path, out: Path, disk_full: DiskFull
) -> None:
    target = out / "plan.json"
    target.write_text(OLD)
    disk_full(out)
    code, stdout, stderr = _plan(rules, state, target)
    assert (code, stderr) == (3, f"error: cannot write {target}: no space left on device\n")
    assert target.read_text() == OLD
    assert sorted(p.name for p in out.iterdir()) == ["plan.json"]


@pytest.mark.parametrize(
    ("error", "reason"),
    [(errno.ENOSPC, "no space left on device"), (errno.EFBIG, "file too large")],
)
def test_export_on_a_failed_write_keeps_the_old_file(
    state: Path, out: Path, disk_full: DiskFull, error: int, reason: str
) -> None:
    target = out / "exported.yaml"
    target.write_text(OLD)
    disk_full(out, error)
    assert _export(state, target) == _refused(target, reason)
    assert target.read_text() == OLD
    assert sorted(p.name for p in out.iterdir()) == ["exported.yaml"]


def test_export_refuses_a_symlink(state: Path, out: Path) -> None:
    real = out / "real.yaml"
    real.write_text(OLD)
    link = out / "exported.yaml"
    link.symlink_to(real)
    assert _export(state, link) == _refused(
        link, "it is a symbolic link; ptc does not replace or follow links here"
    )
    assert link.is_symlink() and real.read_text() == OLD


def test_export_refuses_a_directory(state: Path, out: Path) -> None:
    assert _export(state, out) == _refused(out, "it is a directory, not a regular file")


def test_plan_out_replaces_a_regular_file(rules: Path, state: Path, out: Path) -> None:
    target = out / "plan.json"
    target.write_text(OLD)
    code, stdout, _ = _plan(rules, state, target)
    assert code == 0 and stdout.endswith(
        f"Saved the plan to {target}; apply it with: ptc apply --plan {target}\n"
    )
    assert '"kind": "ptc-saved-plan"' in target.read_text()
    assert sorted(p.name for p in out.iterdir()) == ["plan.json"]

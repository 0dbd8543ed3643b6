"""The engine over real files: walking, reading, bad input and atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ptc.rewrite import files
from ptc.rewrite.engine import process, run, splice
from ptc.rewrite.files import Source, SourceError, expand, write_atomic
from ptc.rewrite.mapping import Mapper, Status
from tests.rewrite.conftest import HOST

NGINX = f"{HOST}/docker-hub/library/nginx"
POD = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx  # web\n"


def test_splice_copies_everything_between_edits() -> None:
    assert splice("a-bb-c", [(5, 6, "Z"), (0, 1, "X"), (2, 4, None)]) == "X-bb-Z"
    assert splice("abc", []) == "abc"
    assert splice("abcdef", [(0, 3, "X"), (2, 4, "Y")]) == "Xdef"  # overlaps are dropped


def _tree(root: Path) -> None:
    (root / "k8s" / "deep").mkdir(parents=True)
    (root / "k8s" / "pod.yaml").write_text(POD)
    (root / "k8s" / "deep" / "pod.yml").write_text(POD)
    (root / "Dockerfile").write_text("FROM nginx\n")
    (root / "notes.txt").write_text("FROM nginx\n")
    (root / "logo.png").write_bytes(b"\x89PNG\0\0")
    (root / ".git").mkdir()
    (root / ".git" / "x.yaml").write_text("a: [")


def test_folders_are_walked_for_candidate_names(tmp_path: Path) -> None:
    _tree(tmp_path)
    shown = [s.display for s in expand([str(tmp_path)])]
    relative = [Path(p).relative_to(tmp_path).as_posix() for p in shown]
    assert relative == ["Dockerfile", "k8s/pod.yaml", "k8s/deep/pod.yml"]


def test_named_files_are_always_read_and_listed_once(tmp_path: Path) -> None:
    _tree(tmp_path)
    notes = str(tmp_path / "notes.txt")
    sources = expand([notes, notes, str(tmp_path / "k8s")])
    assert [s.display for s in sources] == [
        notes,
        str(tmp_path / "k8s" / "pod.yaml"),
        str(tmp_path / "k8s" / "deep" / "pod.yml"),
    ]


def test_exclude_globs(tmp_path: Path) -> None:
    _tree(tmp_path)
    sources = expand([str(tmp_path)], exclude=["deep", "Dockerfile"])
    assert [Path(s.display).name for s in sources] == ["pod.yaml"]


def test_symlink_loop_in_a_folder_is_one_error(tmp_path: Path, mapper: Mapper) -> None:
    _tree(tmp_path)
    (tmp_path / "k8s" / "back").symlink_to(tmp_path)
    (tmp_path / "self.yaml").symlink_to(tmp_path / "self.yaml")
    report = run(expand([str(tmp_path)]), mapper)
    errors = {Path(f.display).name: f.error for f in report.failed}
    assert errors == {
        "back": f"symlink loop: leads back to {tmp_path}",
        "self.yaml": "symlink loop",
    }
    assert sum(1 for f in report.files if f.changed) == 3  # the others are still processed


def test_symlinked_folder_is_followed_once(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "again").symlink_to(tmp_path / "k8s")
    names = [Path(s.display).relative_to(tmp_path).as_posix() for s in expand([str(tmp_path)])]
    assert names == ["Dockerfile", "again/pod.yaml", "again/deep/pod.yml"]


def test_named_symlink_loop(tmp_path: Path, mapper: Mapper) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(tmp_path / "loop.yaml")
    [result] = run(expand([str(loop)]), mapper).files
    assert result.error == "symlink loop"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0", "a binary file, not text"),
        (b"image: caf\xe9\n", "not UTF-8 text (byte 11)"),
        (b"a: [\n", "not valid YAML: did not find expected node content (line 2, column 1)"),
    ],
)
def test_bad_input(tmp_path: Path, content: bytes, message: str, mapper: Mapper) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    result = process(Source("x.yaml", path), mapper, write=True)
    assert result.error == message
    assert path.read_bytes() == content


def test_missing_file(tmp_path: Path, mapper: Mapper) -> None:
    result = process(Source("gone.yaml", tmp_path / "gone.yaml"), mapper)
    assert result.error == "no such file or directory"


def test_too_large(tmp_path: Path, mapper: Mapper, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_BYTES", 10)
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    assert process(Source("pod.yaml", path), mapper).error == "larger than 0 MiB; not read"


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path, mapper: Mapper) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = process(Source("deep.json", path), mapper)
    assert result.error is not None


def test_write_changes_only_the_references(tmp_path: Path, mapper: Mapper) -> None:
    path = tmp_path / "pod.yaml"
    original = POD.replace("\n", "\r\n").encode()
    path.write_bytes(original)
    path.chmod(0o640)
    result = process(Source("pod.yaml", path), mapper, write=True)
    assert (result.error, result.written) == (None, True)
    assert path.read_bytes() == original.replace(b"nginx", NGINX.encode())
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pod.yaml"]  # no temporary left


def test_unchanged_files_are_not_written(tmp_path: Path, mapper: Mapper) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD.replace("nginx", NGINX))
    before = path.stat().st_mtime_ns
    result = process(Source("pod.yaml", path), mapper, write=True)
    assert not result.written and path.stat().st_mtime_ns == before


def test_write_through_a_symlink_keeps_the_link(tmp_path: Path, mapper: Mapper) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(POD)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    process(Source("link.yaml", link), mapper, write=True)
    assert link.is_symlink()
    assert NGINX in real.read_text()


def test_a_failed_write_leaves_the_file_and_no_temporary(
    tmp_path: Path, mapper: Mapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = process(Source("pod.yaml", path), mapper, write=True)
    assert (result.error, result.written) == ("cannot write: permission denied", False)
    assert path.read_text() == POD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pod.yaml"]


def test_an_interrupted_write_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)

    def interrupt(source: str, target: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(Source("pod.yaml", path), "new")
    assert path.read_text() == POD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pod.yaml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write read-only files and folders")
def test_read_only_file_and_folder(tmp_path: Path, mapper: Mapper) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    path.chmod(0o444)
    assert process(Source("p", path), mapper, write=True).error == (
        "cannot write: the file is read-only (mode 0444)"
    )
    path.chmod(0o644)
    tmp_path.chmod(0o555)
    try:
        assert process(Source("p", path), mapper, write=True).error == (
            "cannot write: permission denied"
        )
    finally:
        tmp_path.chmod(0o755)
    assert path.read_text() == POD


def test_a_file_the_user_may_not_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    with pytest.raises(SourceError, match="cannot write: permission denied"):
        write_atomic(Source("pod.yaml", path), "new")
    assert path.read_text() == POD


def test_report_counts(tmp_path: Path, mapper: Mapper) -> None:
    _tree(tmp_path)
    (tmp_path / "bad.json").write_text("{")
    report = run(expand([str(tmp_path)]), mapper)
    assert report.counts()[Status.REWRITTEN] == 3
    summary = report.to_dict()["summary"]
    assert summary == {
        "rewritten": 3,
        "cached": 0,
        "no-rule": 0,
        "invalid": 0,
        "variable": 0,
        "not-image": 0,
        "blocked": 0,
        "skipped": 0,
        "not-written": 0,
        "files": 4,
        "files_changed": 3,
        "files_failed": 1,
        "written": False,
    }


# -- what --write keeps: mode, owner, links; what it refuses (issue 10, items 20 and 23) ----


def test_read_only_file_is_refused_even_for_root(tmp_path: Path, mapper: Mapper) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    path.chmod(0o444)
    result = process(Source("pod.yaml", path), mapper, write=True)
    assert result.error == "cannot write: the file is read-only (mode 0444)"
    assert [r.status for r in result.refs] == [Status.NOT_WRITTEN]
    assert path.read_text() == POD and path.stat().st_mode & 0o777 == 0o444


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_owner_and_mode_are_kept(tmp_path: Path, mapper: Mapper) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    path.chmod(0o640)
    os.chown(path, 1234, 5678)
    result = process(Source("pod.yaml", path), mapper, write=True)
    assert (result.error, result.written) == (None, True)
    info = path.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (1234, 5678, 0o640)


def test_a_file_of_another_user_is_refused(
    tmp_path: Path, mapper: Mapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    owner = path.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)  # as a user who may write it
    result = process(Source("pod.yaml", path), mapper, write=True)
    assert result.error == (
        f"cannot write: it belongs to user {owner}; the rewritten file would belong to you"
    )
    assert path.read_text() == POD


def test_a_file_of_another_group_is_refused(
    tmp_path: Path, mapper: Mapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    if os.geteuid() == 0:
        os.chown(path, 1000, 5678)
    info = path.stat()
    monkeypatch.setattr(os, "geteuid", lambda: info.st_uid)  # the owner, not root
    monkeypatch.setattr(os, "getegid", lambda: info.st_gid + 1)
    monkeypatch.setattr(os, "getgroups", lambda: [])
    result = process(Source("pod.yaml", path), mapper, write=True)
    assert result.error == (
        f"cannot write: its group is {info.st_gid}, not one of yours; "
        "the rewritten file would change group"
    )
    assert path.read_text() == POD


def test_a_hard_link_is_reported_broken(tmp_path: Path, mapper: Mapper) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    other = tmp_path / "same.yaml"
    os.link(path, other)
    result = process(Source("pod.yaml", path), mapper, write=True)
    assert (result.error, result.written) == (None, True)
    assert result.warnings == [
        "it had 1 other hard link, which keeps the old content: the rewritten file is a new one"
    ]
    assert NGINX in path.read_text() and other.read_text() == POD


def test_a_symlink_out_of_the_paths_given_is_not_followed(tmp_path: Path, mapper: Mapper) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "pod.yaml").write_text(POD)
    (outside / "k8s").mkdir()
    (outside / "k8s" / "deep.yaml").write_text(POD)
    given = tmp_path / "repo"
    given.mkdir()
    (given / "link.yaml").symlink_to(outside / "pod.yaml")
    (given / "linked").symlink_to(outside / "k8s")
    (given / "inside.yaml").symlink_to(given / "real.yaml")
    (given / "real.yaml").write_text(POD)
    report = run(expand([str(given)]), mapper, write=True)
    assert {Path(f.display).name: (f.warnings, f.written) for f in report.files} == {
        "inside.yaml": ([], True),
        "link.yaml": (
            [f"a symlink to {outside / 'pod.yaml'}, outside the paths given; not followed"],
            False,
        ),
        "linked": (
            [f"a symlink to {outside / 'k8s'}, outside the paths given; not followed"],
            False,
        ),
    }
    assert (outside / "pod.yaml").read_text() == POD
    assert (outside / "k8s" / "deep.yaml").read_text() == POD
    # Named on the command line, the same folder is a path given: its links are followed.
    again = run(expand([str(given), str(outside)]), mapper, write=True)
    assert [(Path(f.display).relative_to(given).as_posix(), f.written) for f in again.files] == [
        ("inside.yaml", False),  # written by the first run
        ("link.yaml", True),
        ("linked/deep.yaml", True),
    ]
    assert NGINX in (outside / "pod.yaml").read_text()


def test_a_symlink_changed_after_the_walk_is_not_written_through(
    tmp_path: Path, mapper: Mapper
) -> None:
    given = tmp_path / "repo"
    given.mkdir()
    (given / "pod.yaml").write_text(POD)
    [source] = expand([str(given)])
    (tmp_path / "elsewhere.yaml").write_text(POD)
    (given / "pod.yaml").unlink()
    (given / "pod.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    result = process(source, mapper, write=True)
    assert result.error == "cannot write: it now leads outside the paths given (a symlink)"
    assert (tmp_path / "elsewhere.yaml").read_text() == POD

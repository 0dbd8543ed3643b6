"""The diff of a rewrite: difflib's output, byte for byte, without difflib's quadratic search."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from ptc.rewrite.unidiff import unified_diff
from tests.rewrite.conftest import HOST, RULES

POD = "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n"


def _difflib(before: str, after: str) -> str:
    """What `rewrite-images` printed before: difflib over whole files."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), "a/f", "b/f"
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _lines(count: int, changed: set[int], end: str = "\n", crlf: bool = False) -> tuple[str, str]:
    eol = "\r\n" if crlf else "\n"
    before = [f"    - image: nginx:{i}" for i in range(count)]
    after = [f"    - image: cache/nginx:{i}" if i in changed else b for i, b in enumerate(before)]
    return eol.join(before) + end, eol.join(after) + end


CASES = {
    "one line": _lines(1, {0}),
    "one line, no final newline": _lines(1, {0}, end=""),
    "first line": _lines(20, {0}),
    "last line": _lines(20, {19}),
    "last line, no final newline": _lines(20, {19}, end=""),
    "unchanged last line in context, no final newline": _lines(20, {17}, end=""),
    "adjacent lines": _lines(20, {5, 6, 7}),
    "two hunks merged: six lines apart": _lines(30, {5, 12}),
    "two hunks: seven lines apart": _lines(30, {5, 13}),
    "many hunks": _lines(200, {3, 40, 41, 47, 90, 97, 150, 199}),
    "CRLF lines": _lines(30, {2, 20}, crlf=True),
    "a lone carriage return splits a line": (
        "a\rimage: nginx\nb\n",
        "a\rimage: cache/nginx\nb\n",
    ),
    "a manifest": (
        POD + "    - image: nginx:1.25\n    - image: quay.io/a/b:1\n",
        POD + "    - image: c/docker-hub/library/nginx:1.25\n    - image: c/quay/a/b:1\n",
    ),
}


@pytest.mark.parametrize(("before", "after"), CASES.values(), ids=CASES.keys())
def test_the_diff_is_difflibs_byte_for_byte(before: str, after: str) -> None:
    assert before != after
    assert unified_diff(before, after, "a/f", "b/f") == _difflib(before, after)


def test_equal_texts_have_no_diff() -> None:
    assert unified_diff("a\nb\n", "a\nb\n", "a/f", "b/f") == ""


def test_a_repetitive_manifest_shows_each_change_in_its_own_hunk() -> None:
    # difflib treats lines that make up over 1% of a long file as junk and ends up
    # printing this whole file as one hunk; only the changed lines belong in the diff.
    before = after = ""
    for i in range(100):
        image, new = ("quay.io/x/y:1", "c/quay/x/y:1") if i % 10 == 0 else ("nginx", "nginx")
        before += f"{POD}    - image: {image}\n"
        after += f"{POD}    - image: {new}\n"
    diff = unified_diff(before, after, "a/f", "b/f")
    hunks = diff.split("@@ -")[1:]
    assert len(hunks) == 10
    assert hunks[1] == (
        "85,7 +85,7 @@\n"
        "   name: app\n spec:\n   containers:\n"
        "-    - image: quay.io/x/y:1\n+    - image: c/quay/x/y:1\n"
        " ---\n apiVersion: v1\n kind: Pod\n"
    )


def test_line_counts_that_differ_still_give_a_correct_diff() -> None:
    # Never made by a rewrite (a reference has no line break), but never wrong either.
    diff = unified_diff("a\nb\nc\nd\n", "a\nx\ny\nz\nd\n", "a/f", "b/f")
    assert diff == "--- a/f\n+++ b/f\n@@ -1,4 +1,5 @@\n a\n-b\n-c\n+x\n+y\n+z\n d\n"


def test_rewrite_images_prints_each_change_of_a_long_manifest_in_its_own_hunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.rewrite.test_cli import RULES_ARGS, _run

    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.yaml").write_text(RULES)
    text = "".join(
        f"{POD}    - image: {'quay.io/x/y:1' if i % 10 == 0 else 'example.com/nginx'}\n"
        for i in range(100)
    )
    (tmp_path / "all.yaml").write_text(text)
    result = _run(*RULES_ARGS, "all.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n@@ -") == 10
    assert f"\n-    - image: quay.io/x/y:1\n+    - image: {HOST}/quay/x/y:1\n" in result.stdout


def test_pieces_are_cut_where_lines_end(monkeypatch: pytest.MonkeyPatch) -> None:
    # The texts are split into lines a piece at a time (only the hunks' lines are kept);
    # a cut inside "\r\n" or before a lone "\r" would make lines splitlines() does not.
    from ptc.rewrite import unidiff

    monkeypatch.setattr(unidiff, "_PIECE", 3)
    before = "a\r\nimage: x\rb\x85c\nimage: y\n" * 5
    after = before.replace("image: y", "image: c/y")
    assert unified_diff(before, after, "a/f", "b/f") == _difflib(before, after)


def test_the_diff_of_a_large_file_holds_no_list_of_all_its_lines() -> None:
    # Lists of every line of both texts took ~10x a file's size: the diff mode of
    # rewrite-images then peaked above its memory budget on a 5 MB manifest.
    import tracemalloc

    before = "".join(f"  - image: nginx:{i % 50}\n  - name: n\n" for i in range(60_000))
    after = before.replace("nginx:7\n", "c/nginx:7\n")
    tracemalloc.start()
    try:
        diff = unified_diff(before, after, "a/f", "b/f")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert diff.count("\n@@ -") == 1_200 and diff.startswith("--- a/f\n+++ b/f\n@@ -")
    assert peak < len(before)  # the hunks and one piece of each text, not every line

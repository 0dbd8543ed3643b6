"""The unified diff of a rewrite, in time linear in the file's size.

A rewrite replaces spans inside lines and never adds or removes a line break, so the
rewritten file has the same lines as the original, some of them changed: the changed lines
are found by comparing line i with line i, and each run of them becomes one block of `-`
and `+` lines, with three lines of context, hunks closer than six lines merged. That is
what difflib.unified_diff prints for such a change, without its search for the longest
common subsequence, which is quadratic on files of many repeated lines (manifests are).
Should the line counts ever differ, the lines between the common head and tail are one
block: still a correct diff, still linear.
"""

from __future__ import annotations

from collections.abc import Iterator

CONTEXT = 3

# (first, last) line of a changed block, 0-based and exclusive, in the old and new text.
Block = tuple[int, int, int, int]


def unified_diff(before: str, after: str, from_name: str, to_name: str) -> str:
    """`before` -> `after` as a unified diff, "" when they are equal."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    blocks = _blocks(old, new)
    if not blocks:
        return ""
    parts = [f"--- {from_name}\n", f"+++ {to_name}\n"]
    for hunk in _hunks(blocks, len(old), len(new)):
        parts += _hunk_lines(hunk, old, new)
    return "".join(_terminated(line) for line in parts)


def _blocks(old: list[str], new: list[str]) -> list[Block]:
    if len(old) != len(new):
        head = 0
        while head < min(len(old), len(new)) and old[head] == new[head]:
            head += 1
        tail = 0
        while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        return [(head, len(old) - tail, head, len(new) - tail)]
    blocks: list[Block] = []
    start = None
    for index, (a, b) in enumerate(zip(old, new, strict=True)):
        if a != b and start is None:
            start = index
        elif a == b and start is not None:
            blocks.append((start, index, start, index))
            start = None
    if start is not None:
        blocks.append((start, len(old), start, len(new)))
    return blocks


def _hunks(blocks: list[Block], old_size: int, new_size: int) -> Iterator[list[Block]]:
    """Blocks grouped into hunks: a gap of more than twice the context starts a new one."""
    hunk = [blocks[0]]
    for block in blocks[1:]:
        if block[0] - hunk[-1][1] > 2 * CONTEXT:
            yield hunk
            hunk = []
        hunk.append(block)
    yield hunk


def _hunk_lines(hunk: list[Block], old: list[str], new: list[str]) -> list[str]:
    first, last = hunk[0], hunk[-1]
    lead = min(CONTEXT, first[0], first[2])
    trail = min(CONTEXT, len(old) - last[1], len(new) - last[3])
    old_start, new_start = first[0] - lead, first[2] - lead
    old_end, new_end = last[1] + trail, last[3] + trail
    lines = [f"@@ -{_range(old_start, old_end)} +{_range(new_start, new_end)} @@\n"]
    position = old_start
    for i1, i2, j1, j2 in hunk:
        lines += [" " + line for line in old[position:i1]]
        lines += ["-" + line for line in old[i1:i2]]
        lines += ["+" + line for line in new[j1:j2]]
        position = i2
    lines += [" " + line for line in old[position:old_end]]
    return lines


def _range(start: int, stop: int) -> str:
    """difflib's notation: 'first,length', or just 'first' for a single line."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


def _terminated(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"

"""The unified diff of a rewrite, in time linear in the file's size and little memory.

A rewrite replaces spans inside lines and never adds or removes a line break, so the
rewritten file has the same lines as the original, some of them changed: the two texts are
walked line by line together, and each run of changed lines becomes one block of `-` and
`+` lines, with three lines of context, hunks closer than six lines merged. That is what
difflib.unified_diff prints for such a change, without its search for the longest common
subsequence, which is quadratic on files of many repeated lines (manifests are), and
without a list of every line: only the lines of the hunks are kept. Should the line counts
ever differ, the lines between the common head and tail are one block: still a correct
diff, still linear.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from itertools import zip_longest

CONTEXT = 3

_PIECE = 1 << 16  # characters split into lines at a time: a few hundred KB of lines


def _lines(text: str) -> Iterator[str]:
    """The lines of str.splitlines(keepends=True), one piece of the text at a time: right
    after a "\n" is always a line boundary, so pieces cut there split the same way."""
    start = 0
    while start < len(text):
        cut = text.find("\n", start + _PIECE)
        end = len(text) if cut < 0 else cut + 1
        yield from text[start:end].splitlines(keepends=True)
        start = end


class _Hunk:
    """One hunk being built: where it starts, and its lines with their prefixes."""

    def __init__(self, start: int, lead: list[str]) -> None:
        self.start = start - len(lead)  # 0-based, the same on both sides
        self.lines = [" " + line for line in lead]
        self.old = self.new = len(lead)
        self.removed: list[str] = []
        self.added: list[str] = []
        self.trail: list[str] = []  # equal lines since the last change

    def change(self, old: str, new: str) -> None:
        self._flush_equal()
        self.removed.append("-" + old)
        self.added.append("+" + new)

    def equal(self, line: str) -> None:
        self._flush_changes()
        self.trail.append(line)

    def _flush_changes(self) -> None:
        self.lines += self.removed + self.added
        self.old += len(self.removed)
        self.new += len(self.added)
        self.removed, self.added = [], []

    def _flush_equal(self) -> None:
        self.lines += [" " + line for line in self.trail]
        self.old += len(self.trail)
        self.new += len(self.trail)
        self.trail = []

    def close(self) -> str:
        self._flush_changes()
        self.trail = self.trail[:CONTEXT]
        self._flush_equal()
        header = f"@@ -{_range(self.start, self.old)} +{_range(self.start, self.new)} @@\n"
        return header + "".join(_terminated(line) for line in self.lines)


def unified_diff(before: str, after: str, from_name: str, to_name: str) -> str:
    """`before` -> `after` as a unified diff, "" when they are equal."""
    hunks: list[str] = []
    hunk: _Hunk | None = None
    recent: deque[str] = deque(maxlen=CONTEXT)  # equal lines before a hunk opens
    for index, (old, new) in enumerate(zip_longest(_lines(before), _lines(after))):
        if old is None or new is None:
            return _uneven(before, after, from_name, to_name)
        if old != new:
            if hunk is None:
                hunk = _Hunk(index, list(recent))
            hunk.change(old, new)
        elif hunk is not None:
            hunk.equal(old)
            if len(hunk.trail) > 2 * CONTEXT:  # too far from the next change: close it
                recent.extend(hunk.trail)  # the next hunk's lead is the last of these
                hunks.append(hunk.close())
                hunk = None
        else:
            recent.append(old)
    if hunk is not None:
        hunks.append(hunk.close())
    if not hunks:
        return ""
    return f"--- {from_name}\n+++ {to_name}\n" + "".join(hunks)


def _uneven(before: str, after: str, from_name: str, to_name: str) -> str:
    """The lines between the common head and tail, as one block."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    lead, trail = min(CONTEXT, head), min(CONTEXT, tail)
    start = head - lead
    old_end, new_end = len(old) - tail + trail, len(new) - tail + trail
    lines = [" " + line for line in old[start:head]]
    lines += ["-" + line for line in old[head : len(old) - tail]]
    lines += ["+" + line for line in new[head : len(new) - tail]]
    lines += [" " + line for line in old[len(old) - tail : old_end]]
    header = f"@@ -{_range(start, old_end - start)} +{_range(start, new_end - start)} @@\n"
    body = header + "".join(_terminated(line) for line in lines)
    return f"--- {from_name}\n+++ {to_name}\n" + body


def _range(start: int, length: int) -> str:
    """difflib's notation: 'first,length', or just 'first' for a single line."""
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


def _terminated(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"

"""Text for people's terminals: what a file or an answer says, never what it would do there.

A rules file, a live description or an error from the wire can hold ESC sequences (which
clear the screen or rewrite earlier lines), U+202E and the other bidirectional controls
(which reverse what follows) or NUL. Every human-readable output shows such characters
escaped, the way Python spells them (`\\x1b`, `\\u202e`, `\\x00`), through this one
function. Machine formats (JSON, SARIF) escape by their own rules.
"""

from __future__ import annotations

_KEPT_IN_MULTILINE = frozenset("\n\t")


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` with every non-printable character escaped (line breaks too, unless
    `multiline`: a one-line message stays one line)."""
    if text.isprintable():
        return text
    keep = _KEPT_IN_MULTILINE if multiline else frozenset()
    return "".join(c if c.isprintable() or c in keep else _escaped(c) for c in text)


def _escaped(char: str) -> str:
    # repr's spelling without the quotes: '\x1b', '\u202e', '\n'; a space stays a space.
    return repr(char)[1:-1] if char != " " else char

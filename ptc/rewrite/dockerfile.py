"""Dockerfiles: the images of `FROM` and `COPY --from`.

A `FROM` that names an earlier stage (`FROM build`), `scratch`, and a `COPY --from` that names
a stage or a stage number are not images. References that use `ARG` values are reported
as they are written (the mapping refuses anything with `$`). Line continuations, comments
inside them, heredoc bodies and the `# escape=` parser directive are understood, so text in
a `RUN` heredoc that happens to start with FROM is not taken for an instruction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from ptc.rewrite.documents import LineIndex, Occurrence

_WORD: Final = re.compile(r"\S+")
_DIRECTIVE: Final = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(\S+)\s*$")
_HEREDOC: Final = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_INSTRUCTION: Final = re.compile(r"\s*([A-Za-z]+)(\s|$)")
_NAME_PATTERNS: Final = re.compile(
    r"((Docker|Container)file([.-].*)?|.*\.(docker|container)file)", re.IGNORECASE
)


@dataclass(frozen=True)
class _Word:
    text: str
    start: int


@dataclass(frozen=True)
class _Line:
    content: str  # without the line break
    start: int


def is_dockerfile_name(name: str) -> bool:
    return _NAME_PATTERNS.fullmatch(name) is not None


def looks_like_dockerfile(text: str) -> bool:
    """The first instruction is FROM or ARG (the only ones allowed before FROM)."""
    for line in _lines(text):
        stripped = line.content.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _INSTRUCTION.match(line.content)
        return match is not None and match[1].upper() in ("FROM", "ARG")
    return False


def find(text: str) -> list[Occurrence]:
    lines = LineIndex(text)
    stages: set[str] = set()
    found: list[Occurrence] = []
    for keyword, words in _instructions(text):
        if keyword == "FROM":
            found += _from(words, stages, lines)
        elif keyword == "COPY":
            found += _copy_from(words, stages, lines)
    return found


def _from(words: list[_Word], stages: set[str], lines: LineIndex) -> list[Occurrence]:
    args = [w for w in words[1:] if not w.text.startswith("--")]
    if not args:
        return []
    image = args[0]
    earlier_stage = image.text.lower() in stages  # stage names are case-insensitive
    if len(args) >= 3 and args[1].text.upper() == "AS":
        stages.add(args[2].text.lower())
    if earlier_stage or image.text == "scratch":
        return []
    return [_occurrence(image.text, image.start, "FROM", lines)]


def _copy_from(words: list[_Word], stages: set[str], lines: LineIndex) -> list[Occurrence]:
    found = []
    for word in words[1:]:
        if not word.text.startswith("--"):
            break
        if word.text.lower().startswith("--from="):
            value = word.text[len("--from=") :]
            if value and not value.isdigit() and value.lower() not in stages:
                found.append(_occurrence(value, word.start + 7, "COPY --from", lines))
    return found


def _occurrence(value: str, start: int, where: str, lines: LineIndex) -> Occurrence:
    line, column = lines.position(start)
    return Occurrence(start, start + len(value), line, column, value, where)


# -- instructions --------------------------------------------------------------------------


def _lines(text: str) -> Iterator[_Line]:
    start = 0
    if text.startswith("\ufeff"):  # a byte order mark is not part of the first line
        text, start = text[1:], 1
    for raw in text.split("\n"):
        yield _Line(raw[:-1] if raw.endswith("\r") else raw, start)
        start += len(raw) + 1


def _escape_char(lines: list[_Line]) -> str:
    """The `# escape=` parser directive, read only from the leading directive lines."""
    escape = "\\"
    for line in lines:
        match = _DIRECTIVE.match(line.content.strip())
        if match is None:
            break
        if match[1].lower() == "escape" and match[2] in ("\\", "`"):
            escape = match[2]
    return escape


def _instructions(text: str) -> Iterator[tuple[str, list[_Word]]]:
    """Each instruction's keyword (upper case) and its words with their offsets."""
    lines = list(_lines(text))
    escape = _escape_char(lines)
    index = 0
    while index < len(lines):
        stripped = lines[index].content.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        words, index = _logical_line(lines, index, escape)
        keyword = words[0].text.upper()
        yield keyword, words
        if keyword in ("RUN", "COPY", "ADD"):
            index = _skip_heredocs(lines, index, words)


def _logical_line(lines: list[_Line], index: int, escape: str) -> tuple[list[_Word], int]:
    """The words of one instruction over its continuation lines; the next line's index."""
    words: list[_Word] = []
    while index < len(lines):
        line = lines[index]
        content = line.content
        index += 1
        continued = content.rstrip().endswith(escape)
        if continued:
            content = content.rstrip()[:-1]
        words += [_Word(m.group(), line.start + m.start()) for m in _WORD.finditer(content)]
        if not continued:
            break
        # Comment and empty lines inside a continued instruction are dropped.
        while index < len(lines) and (
            not lines[index].content.strip() or lines[index].content.lstrip().startswith("#")
        ):
            index += 1
    return words, index


def _skip_heredocs(lines: list[_Line], index: int, words: list[_Word]) -> int:
    for word in words:
        for match in _HEREDOC.finditer(word.text):
            strip_tabs, terminator = match[1] == "-", match[3]
            while index < len(lines):
                content = lines[index].content
                index += 1
                if (content.lstrip("\t") if strip_tabs else content) == terminator:
                    break
    return index

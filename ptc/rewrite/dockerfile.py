"""Dockerfiles: the images of `FROM`, `COPY --from` and `RUN --mount=...,from=`.

A `FROM` that names an earlier stage (`FROM build`), `scratch`, and a `--from` that names
a stage or a stage number are not images. `FROM $NAME` (or `${NAME}`) with a global `ARG
NAME=<image>` (one before the first `FROM`, the only kind `FROM` can use) is the default of
that ARG: the default is rewritten where the ARG declares it, and the variable stays, so
`--build-arg` still wins. Other references built from variables are reported as they are
written (the mapping refuses anything with `$`). Line continuations, comments inside them,
heredoc bodies and the `# escape=` parser directive are understood, so text in a `RUN`
heredoc that happens to start with FROM is not taken for an instruction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from ptc.rewrite.documents import LineIndex, Occurrence
from ptc.rewrite.variables import default_of, plain_variable

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
    args: dict[str, _Word] = {}  # the global ARGs' defaults
    in_stage = False
    found: dict[int, Occurrence] = {}  # by start: an ARG used by several FROMs is one edit
    for keyword, words in _instructions(text):
        if keyword == "ARG" and not in_stage:
            args.update(_arg_defaults(words))
            continue
        if keyword == "FROM":
            in_stage = True
            occurrences = _from(words, stages, args, lines)
        elif keyword in ("COPY", "RUN"):
            occurrences = _flag_images(words, stages, lines, keyword)
        else:
            continue
        for occurrence in occurrences:
            found.setdefault(occurrence.start, occurrence)
    return sorted(found.values(), key=lambda o: o.start)


def _arg_defaults(words: list[_Word]) -> dict[str, _Word]:
    """NAME -> the default's text and offset, quotes excluded, for each `NAME=default`."""
    defaults = {}
    for word in words[1:]:
        name, equals, value = word.text.partition("=")
        if not equals:
            continue
        start = word.start + len(name) + 1
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value, start = value[1:-1], start + 1
        defaults[name] = _Word(value, start)
    return defaults


def _from(
    words: list[_Word], stages: set[str], args: dict[str, _Word], lines: LineIndex
) -> list[Occurrence]:
    args_of_from = [w for w in words[1:] if not w.text.startswith("--")]
    if not args_of_from:
        return []
    image = args_of_from[0]
    earlier_stage = image.text.lower() in stages  # stage names are case-insensitive
    if len(args_of_from) >= 3 and args_of_from[1].text.upper() == "AS":
        stages.add(args_of_from[2].text.lower())
    if earlier_stage or image.text == "scratch":
        return []
    variable = plain_variable(image.text)
    name = variable or _default_name(image.text)
    default = args.get(name) if name is not None else None
    found = []
    if variable is None:  # an image, or `${NAME:-<image>}` whose default is rewritten
        found.append(_occurrence(image.text, image.start, "FROM", lines))
    if default is not None:
        if default.text.lower() not in stages | {"scratch"}:
            where = f"ARG {name} (used in FROM)"
            found.append(_occurrence(default.text, default.start, where, lines))
    elif variable is not None:  # an ARG without a default: reported as a variable
        found.append(_occurrence(image.text, image.start, "FROM", lines))
    return found


def _default_name(text: str) -> str | None:
    default = default_of(text)
    return default.name if default is not None else None


def _flag_images(
    words: list[_Word], stages: set[str], lines: LineIndex, keyword: str
) -> list[Occurrence]:
    """`COPY --from=<image>` and `RUN --mount=type=...,from=<image>`; flags come first."""
    found = []
    for word in words[1:]:
        if not word.text.startswith("--"):
            break
        flag, _, value = word.text.partition("=")
        start = word.start + len(flag) + 1
        if keyword == "COPY" and flag.lower() == "--from":
            where = "COPY --from"
        elif keyword == "RUN" and flag.lower() == "--mount":
            value, start = _mount_from(value, start)
            where = "RUN --mount from"
        else:
            continue
        if value and not value.isdigit() and value.lower() not in stages:
            found.append(_occurrence(value, start, where, lines))
    return found


def _mount_from(options: str, start: int) -> tuple[str, int]:
    """The `from=` field of a mount's comma-separated options, and its offset ("" if none)."""
    for field in options.split(","):
        key, equals, value = field.partition("=")
        if equals and key.strip().lower() == "from":
            return value, start + len(key) + 1
        start += len(field) + 1
    return "", start


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

"""Where image references are in a text: exact character spans, found through a parser.

Structured inputs (JSON, YAML) are parsed only to find values; the rewrite then splices the
original text at those spans, so every other byte stays as it was. The input kinds walk
their documents through `Tree`, which reads PyYAML nodes and plain JSON data alike.

JSON is located with its own small scanner rather than PyYAML, because valid JSON is not
always YAML that libyaml accepts (tab indentation, the `\\/` escape). `json.loads` checks
the text first, so the scanner only ever sees valid JSON.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import yaml

try:  # the C composer is several times faster; marks and nodes are the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is missing on some platforms
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]
BOM = "\ufeff"


@dataclass(frozen=True)
class Occurrence:
    """One image reference in a text: `text[start:end]` is its source, quotes excluded.

    `value` is the reference itself; it differs from the source only when the source
    spells it with escapes. `problem` says why the span cannot be replaced in place.
    """

    start: int
    end: int
    line: int  # 1-based
    column: int  # 1-based, in characters
    value: str
    where: str  # the field or instruction, e.g. "spec.containers[0].image" or "FROM"
    problem: str | None = None
    skipped: str | None = None  # why a value in an `image` field is not taken as one
    # How the new reference is written when not simply over start:end: (start, end,
    # template) edits, the template using {ref}, or {host} and {path} (the parts of the
    # new reference before and after its first '/'). E.g. a Helm registry and repository.
    layout: tuple[tuple[int, int, str], ...] = ()

    def edits(self, new: str) -> list[tuple[int, int, str]]:
        host, _, path = new.partition("/")
        layout = self.layout or ((self.start, self.end, "{ref}"),)
        return [(s, e, t.format(ref=new, host=host, path=path)) for s, e, t in layout]


class LineIndex:
    """A text, and its offsets as 1-based line and column numbers."""

    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def _starts(self) -> list[int]:
        # Built on first use: many files (Services, ConfigMaps) have no reference to place.
        return [0, *(m.end() for m in re.finditer("\n", self.text))]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


def dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# -- one walk over JSON data and YAML nodes ------------------------------------------------


class Tree(Protocol):
    """Read access to a parsed document; every method accepts None and wrong types."""

    def get(self, node: Any, key: str) -> Any: ...
    def items(self, node: Any) -> list[Any]: ...
    def entries(self, node: Any) -> list[tuple[str, Any]]: ...
    def text(self, node: Any) -> str | None: ...
    def is_mapping(self, node: Any) -> bool: ...


class PlainTree:
    """Data from json.loads."""

    def get(self, node: Any, key: str) -> Any:
        return node.get(key) if isinstance(node, dict) else None

    def items(self, node: Any) -> list[Any]:
        return node if isinstance(node, list) else []

    def entries(self, node: Any) -> list[tuple[str, Any]]:
        return list(node.items()) if isinstance(node, dict) else []

    def text(self, node: Any) -> str | None:
        return node if isinstance(node, str) else None

    def is_mapping(self, node: Any) -> bool:
        return isinstance(node, dict)


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Plain scalars are resolved (str, int, null, ...) only when a walker reads one: resolving
# every scalar of a file up front is a third of the time PyYAML takes to compose it.
_UNRESOLVED = "tag:ptc,2025:unresolved-plain"
_RESOLVER = yaml.resolver.Resolver()


class _LazyLoader(_Loader):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _UNRESOLVED if implicit[0] else _STR_TAG
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"

    # No path resolvers are registered, so the bookkeeping for them can be skipped.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def _tag(node: yaml.Node) -> str:
    if node.tag == _UNRESOLVED:
        node.tag = _RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
    return str(node.tag)


class NodeTree:
    """Composed PyYAML nodes; follows merge keys (`<<: *defaults`) as YAML 1.1 does."""

    def get(self, node: Any, key: str) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return None
        found, merges = None, False
        for k, v in node.value:
            if k.value == key and isinstance(k, yaml.ScalarNode):
                found = v  # the last duplicate wins, as in PyYAML's constructor
            elif k.value == "<<":
                merges = True
        if found is None and merges:
            for k, v in self._pairs(node):
                if k == key:
                    found = v
        return found

    def items(self, node: Any) -> list[Any]:
        return node.value if isinstance(node, yaml.SequenceNode) else []

    def entries(self, node: Any) -> list[tuple[str, Any]]:
        return list(self._pairs(node))

    def text(self, node: Any) -> str | None:
        if isinstance(node, yaml.ScalarNode) and _tag(node) == _STR_TAG:
            return str(node.value)
        return None

    def is_mapping(self, node: Any) -> bool:
        return isinstance(node, yaml.MappingNode)

    def _pairs(self, node: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
        if not isinstance(node, yaml.MappingNode) or depth > 20:
            return
        own: list[tuple[str, Any]] = []
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and _tag(key) == _MERGE_TAG:
                merged = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for source in merged:
                    yield from self._pairs(source, depth + 1)
            elif isinstance(key, yaml.ScalarNode):
                own.append((str(key.value), value))
        yield from own  # explicit keys override merged ones


PLAIN = PlainTree()
NODES = NodeTree()


# -- parsing ---------------------------------------------------------------------------------

Walker = Callable[[Any, Tree], Iterable[tuple[Path, Any]]]


@dataclass
class Structured:
    """A parsed JSON or YAML text: its documents, and how to find spans in it."""

    text: str
    # A list for JSON; for YAML an iterator that composes one document at a time, so that
    # only one document's nodes are in memory (they take ~40x the text); read it once.
    documents: Iterable[Any]
    tree: Tree
    is_json: bool
    offset: int  # 1 when a byte order mark precedes what the parser saw

    def __post_init__(self) -> None:
        self.lines = LineIndex(self.text)

    def locate(
        self, found: Iterable[tuple[Path, Any]], *, aliases: bool = False
    ) -> list[Occurrence]:
        """The occurrences at the paths found; `aliases` keeps every path to a shared span."""
        if self.is_json:
            wanted = [path for path, _ in found]
            [data] = self.documents
            fast = json_occurrences_fast(self.text, data, wanted, self.lines)
            return fast if fast is not None else json_occurrences(self.text, wanted, self.lines)
        if aliases:
            return [yaml_occurrence(node, path, self.lines, self.offset) for path, node in found]
        spans: dict[tuple[int, int], Occurrence] = {}
        for path, node in found:
            occurrence = yaml_occurrence(node, path, self.lines, self.offset)
            # An alias shares its anchor's node: one span, one edit.
            spans.setdefault((occurrence.start, occurrence.end), occurrence)
        return list(spans.values())


def looks_like_json(text: str) -> bool:
    return text.lstrip(" \t\r\n").startswith(("{", "["))


def parse_structured(text: str, *, strict_json: bool = False) -> Structured:
    """Parse JSON, or YAML; raise ValueError (JSON, if `strict_json`) or yaml.YAMLError.

    Text that starts like JSON is read as JSON first; with `strict_json` every text is, and
    only JSON is accepted.
    """
    offset = 1 if text.startswith(BOM) else 0
    body = text[offset:]
    if strict_json or looks_like_json(body):
        try:
            data = json.loads(body)
        except ValueError:
            if strict_json:
                raise
        else:
            return Structured(text, [data], PLAIN, True, offset)
    if looks_like_json(body):  # YAML after all: its errors must show now, not later
        return Structured(text, compose_yaml(body), NODES, False, offset)
    return Structured(text, iter_yaml(body), NODES, False, offset)


def find_structured(text: str, walker: Walker) -> list[Occurrence]:
    """The occurrences a kind's walker finds in every document of a JSON or YAML text."""
    parsed = parse_structured(text)
    return parsed.locate(found for doc in parsed.documents for found in walker(doc, parsed.tree))


# -- YAML ------------------------------------------------------------------------------------


def compose_yaml(text: str) -> list[yaml.Node]:
    """Every document of a YAML stream as nodes; raises yaml.YAMLError."""
    return list(iter_yaml(text))


def iter_yaml(text: str) -> Iterator[yaml.Node]:
    """Each document of a YAML stream as nodes, composed as it is reached; raises
    yaml.YAMLError when the document at fault is reached."""
    return (node for node in yaml.compose_all(text, Loader=_LazyLoader) if node is not None)


def yaml_occurrence(
    node: yaml.ScalarNode, path: Path, lines: LineIndex, offset: int = 0
) -> Occurrence:
    """The span of a scalar's value inside its quotes; `offset` is where the stream began."""
    start, end = node.start_mark.index + offset, node.end_mark.index + offset
    value = str(node.value)
    raw = lines.text[start:end]
    problem = None
    style = node.style or ""
    if style in ("'", '"'):
        # A tag or anchor may precede the scalar; the value is between the quotes.
        start = raw.index(style) + start + 1
        end -= 1
    elif style:
        span = _block_scalar_line(raw, value)
        if span is None:
            problem = "a block scalar that is not one plain line of text"
        else:
            # The line break a clipped or kept block scalar ends with is YAML's, not the
            # image's: the line is the reference, and the style stays.
            start, end, value = start + span[0], start + span[1], value.rstrip("\n")
    else:
        if raw.endswith(value):
            start = end - len(value)
        else:
            problem = "a plain scalar over several lines"
    line, column = lines.position(start)
    return Occurrence(start, end, line, column, value, dotted(path), problem)


def _block_scalar_line(raw: str, value: str) -> tuple[int, int] | None:
    """Where the one line of a block scalar (`|`, `>-`, ...) is in its source, or None.

    Only a value of one line can be replaced in place: then the new text goes on that line
    and the indicator, indentation and line breaks stay as they were.
    """
    content = value.rstrip("\n")
    header_end = raw.find("\n")
    if not content or content != content.strip() or "\n" in content or header_end < 0:
        return None
    position, found = header_end + 1, None
    for line in raw[header_end + 1 :].split("\n"):
        stripped = line.strip()
        if stripped:
            if found is not None or stripped != content:
                return None
            found = position + len(line) - len(line.lstrip())
        position += len(line) + 1
    return None if found is None else (found, found + len(content))


# -- JSON ------------------------------------------------------------------------------------

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_TOKEN = re.compile(rf"{_JSON_STRING.pattern}|[{{}}\[\],:]")


def json_occurrences_fast(
    text: str, data: Any, wanted: list[Path], lines: LineIndex
) -> list[Occurrence] | None:
    """The same as json_occurrences when every wanted value is under one key name.

    Finds every `"<key>": "..."` with a regular expression and pairs them, in document
    order, with the same keys of the loaded data. Gives up (None) when the two disagree in
    number or value, e.g. for duplicate keys or a key spelled with escapes; the scanner
    then decides. About ten times faster than scanning every token.
    """
    leaf_keys = {p[-1] for p in wanted}
    if len(leaf_keys) != 1:
        return None if wanted else []
    key = leaf_keys.pop()
    if not isinstance(key, str):
        return None
    matches = list(re.finditer(rf'"{re.escape(key)}"\s*:\s*', text))
    located = list(keyed_values(data, key, ()))
    if len(matches) != len(located):
        return None
    wanted_set = set(wanted)
    found = []
    for match, (path, value) in zip(matches, located, strict=True):
        if text[match.start() - 1] == "\\":
            return None  # inside a string: only the scanner can tell
        if path not in wanted_set:
            continue
        string = _JSON_STRING.match(text, match.end())
        if string is None:
            return None
        token = string.group()
        if (token[1:-1] if "\\" not in token else json.loads(token)) != value:
            return None
        line, column = lines.position(string.start() + 1)
        found.append(
            Occurrence(string.start() + 1, string.end() - 1, line, column, value, dotted(path))
        )
    return found


def keyed_values(data: Any, key: str, path: Path) -> Iterator[tuple[Path, Any]]:
    """Every value under `key` anywhere in `data`, in document order (keys before values)."""
    if isinstance(data, dict):
        for k, v in data.items():
            if k == key:
                yield (*path, k), v
            if isinstance(v, dict | list):
                yield from keyed_values(v, key, (*path, k))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, dict | list):
                yield from keyed_values(item, key, (*path, index))


def json_occurrences(text: str, wanted: Iterable[Path], lines: LineIndex) -> list[Occurrence]:
    """Occurrences of the string values at `wanted` paths of a valid JSON text."""
    wanted = set(wanted)
    if not wanted:
        return []
    leaf_keys = {p[-1] for p in wanted}
    found: list[Occurrence] = []
    # One frame per open container: [key or index, expecting a key (objects only)].
    path: list[str | int] = []
    is_object: list[bool] = []
    expecting_key = False
    for match in _JSON_TOKEN.finditer(text):
        start = match.start()
        char = text[start]
        if char == '"':
            if expecting_key:
                token = match.group()
                path[-1] = token[1:-1] if "\\" not in token else json.loads(token)
                continue
            if path and path[-1] in leaf_keys and tuple(path) in wanted:
                token = match.group()
                value = token[1:-1] if "\\" not in token else json.loads(token)
                line, column = lines.position(start + 1)
                key = tuple(path)
                found.append(
                    Occurrence(start + 1, match.end() - 1, line, column, value, dotted(key))
                )
        elif char == "{":
            path.append("")
            is_object.append(True)
            expecting_key = True
        elif char == "[":
            path.append(0)
            is_object.append(False)
        elif char in "}]":
            path.pop()
            is_object.pop()
            expecting_key = False
        elif char == ",":
            if is_object[-1]:
                expecting_key = True
            else:
                path[-1] = int(path[-1]) + 1
        else:  # ':'
            expecting_key = False
    return found

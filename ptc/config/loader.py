"""Read a YAML file into plain data, keeping where every key and value starts.

PyYAML's own constructors lose positions and silently accept duplicate keys, so this
loader composes the node graph and builds the data itself. On the way it records a mark
for each mapping key and each value (so that any finding can name a line and column),
reports duplicate keys, and bounds alias expansion (a "billion laughs" document expands
exponentially while it is being built, not while it is parsed).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ptc.errors import InputError

try:  # libyaml's parser is several times faster; its events and marks are the same
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - libyaml is missing on some platforms

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)


MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NODES = 200_000  # far above any real file, far below what an alias bomb expands to
# Far deeper than any real file, and shallower than every limit below ptc: Python's
# recursion limit and the nesting limits PyYAML and libyaml added in later releases (whose
# errors and wording differ by version). ptc's own limit makes the verdict not depend on them.
MAX_DEPTH = 100
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})

DataPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in a file."""

    line: int
    column: int


@dataclass(frozen=True)
class LoadProblem:
    """Something the loader noticed that is not fatal (a duplicate key)."""

    code: str
    message: str
    path: DataPath
    mark: Mark


class YamlError(Exception):
    """The text is not a YAML document ptc can use; carries a location when known."""

    def __init__(self, code: str, message: str, mark: Mark | None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.mark = mark


@dataclass
class Document:
    """Loaded data with the positions of its parts."""

    source: str  # the file name as the user gave it, for messages
    data: Any
    value_marks: dict[DataPath, Mark] = field(default_factory=dict)
    key_marks: dict[DataPath, Mark] = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)
    text: str = field(default="", repr=False)  # for what lives in comments (suppressions)

    def locate(self, path: DataPath, *, key: bool = False) -> Mark:
        """The mark of `path`, or of its nearest ancestor that has one."""
        if key and path in self.key_marks:
            return self.key_marks[path]
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in self.value_marks:
                return self.value_marks[prefix]
        return Mark(1, 1)


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 text file, or raise InputError with one clear sentence."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror}") from None
    except ValueError:  # os.stat refuses a path with a NUL byte
        raise InputError(f"{str(p)!r}: not a usable file name") from None
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a file")
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"{p}: {size / 1_000_000:.1f} MB is too large; ptc reads files up to "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MiB"
        )
    try:
        with p.open("rb") as handle:  # bounded: a device or a pipe has no size to check first
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(
            f"{p}: is too large; ptc reads files up to {MAX_FILE_BYTES // 1024**2} MiB"
        )
    return decode_text(raw, str(p))


def decode_text(raw: bytes, source: str) -> str:
    if b"\x00" in raw[:8192]:
        raise InputError(f"{source}: is a binary file, not YAML or JSON text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: is not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__("too deep")
        self.mark = mark


class _Loader(yaml.composer.Composer, _Parser, yaml.resolver.Resolver):
    """libyaml parses; PyYAML's composer builds nodes, counting how deep they nest."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        if self.depth >= MAX_DEPTH:
            raise _TooDeep(self.peek_event().start_mark)  # type: ignore[union-attr]
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _compose(text: str) -> yaml.Node | None:
    composer = _Loader(text)
    try:
        return composer.get_single_node()
    finally:
        composer.dispose()


def _too_deep(mark: Mark) -> YamlError:
    return YamlError("PTC009", f"the document is nested more than {MAX_DEPTH} levels deep", mark)


def _flow_too_deep(text: str) -> Mark | None:
    """Where flow brackets first nest past MAX_DEPTH, skipping quoted text and comments."""
    depth, line, line_start, i = 0, 1, 0, 0
    while i < len(text):
        char = text[i]
        if char == "\n":
            line, line_start = line + 1, i + 1
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return Mark(line, i - line_start + 1)
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char in "'\"":
            end = text.find(char, i + 1)
            if end < 0:
                return None
            line += text.count("\n", i, end)  # a quoted scalar may span lines
            i = end
        elif char == "#":
            i = text.find("\n", i) - 1 if "\n" in text[i:] else len(text)
        i += 1
    return None


def _mark(node_mark: Any) -> Mark:
    return Mark(node_mark.line + 1, node_mark.column + 1)


class _Builder:
    """Turns a composed node graph into dicts, lists and scalars, recording marks."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.active: set[int] = set()
        self.scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: DataPath) -> Any:
        self._count(node)
        self.doc.value_marks.setdefault(path, _mark(node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if id(node) in self.active:
            raise YamlError("PTC009", "an alias refers to itself", _mark(node.start_mark))
        if node.tag not in _COLLECTION_TAGS:  # e.g. CloudFormation's "!Ref [...]"
            raise YamlError("PTC001", f"unsupported tag '{node.tag}'", _mark(node.start_mark))
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _count(self, node: yaml.Node) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(
                "PTC009",
                f"the document expands to more than {MAX_NODES:,} values "
                "(aliases that repeat each other, a 'billion laughs' document?)",
                _mark(node.start_mark),
            )

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.scalars.construct_object(node)
        except yaml.MarkedYAMLError as exc:  # str(exc) would add a multi-line position
            problem = exc.problem or "unreadable value"
            raise YamlError(
                "PTC001", f"cannot read value: {problem}", _mark(node.start_mark)
            ) from None
        except (yaml.YAMLError, ValueError):
            # The exception text quotes the value, which may be a secret written by mistake.
            message = f"cannot read the value as {node.tag.rsplit(':', 1)[-1]}"
            raise YamlError("PTC001", message, _mark(node.start_mark)) from None

    def _mapping(self, node: yaml.MappingNode, path: DataPath) -> dict[str, Any]:
        # Only the winning node of each key is built, so that marks and node counts are
        # those of the value the data holds.
        pairs: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        explicit: set[str] = set()
        for key_node, value_node, merged in self._pairs(node):
            self._count(key_node)  # merge keys can repeat pairs exponentially, too
            key = self._key(key_node)
            if not merged and key in explicit:
                self.doc.problems.append(
                    LoadProblem(
                        "PTC003",
                        f"duplicate key '{key}': YAML keeps only the last one",
                        (*path, key),
                        _mark(key_node.start_mark),
                    )
                )
            if not merged:
                explicit.add(key)
            pairs[key] = (key_node, value_node)
        result: dict[str, Any] = {}
        for key, (key_node, value_node) in pairs.items():
            child = (*path, key)
            self.doc.key_marks[child] = _mark(key_node.start_mark)
            result[key] = self.build(value_node, child)
        return result

    def _pairs(self, node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node, bool]]:
        """(key, value, merged?) in rising precedence, as PyYAML's flatten_mapping orders them.

        YAML merge keys ("<<: *base") splice anchored mappings in; the mapping's own keys
        win over merged ones, and of several merged mappings the first listed wins.
        """
        explicit: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                yield from self._merged(value_node)
            else:
                explicit.append((key_node, value_node))
        for key_node, value_node in explicit:
            yield key_node, value_node, False

    def _merged(self, node: yaml.Node) -> Iterator[tuple[yaml.Node, yaml.Node, bool]]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in reversed(sources):
            if not isinstance(source, yaml.MappingNode):
                raise YamlError(
                    "PTC001", "a merge key ('<<') needs a mapping", _mark(source.start_mark)
                )
            for key_node, value_node, _ in self._pairs(source):
                yield key_node, value_node, True

    def _key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise YamlError("PTC001", "mapping keys must be plain values", _mark(node.start_mark))
        value = self._scalar(node)
        return value if isinstance(value, str) else str(value)


def _mark_after(before: str) -> Mark:
    """The mark of the character that follows the text `before`."""
    return Mark(before.count("\n") + 1, len(before) - before.rfind("\n"))


def parse(text: str, source: str) -> Document:
    """Parse one YAML (or JSON) document. Raises YamlError on syntax errors."""
    try:
        node = _compose(text)
    except _TooDeep as exc:
        raise _too_deep(_mark(exc.mark)) from None
    except yaml.MarkedYAMLError as exc:
        # libyaml reads ahead through flow collections ("[[[…") before ptc's composer sees
        # them, and newer releases stop at a nesting limit of their own, worded their own way.
        too_deep = _flow_too_deep(text[: exc.problem_mark.index] if exc.problem_mark else text)
        if too_deep:
            raise _too_deep(too_deep) from None
        mark = _mark(exc.problem_mark) if exc.problem_mark else None
        problem = exc.problem or str(exc)
        raise YamlError("PTC001", f"invalid YAML: {problem}", mark) from None
    except yaml.reader.ReaderError as exc:  # a control character; str(exc) spans two lines
        # libyaml counts UTF-8 bytes, not characters
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")
        message = f"invalid YAML: {str(exc).splitlines()[0]}"
        raise YamlError("PTC001", message, _mark_after(before)) from None
    except yaml.YAMLError as exc:
        raise YamlError("PTC001", f"invalid YAML: {exc}", None) from None
    except UnicodeEncodeError as exc:  # a lone surrogate; only a caller's str can hold one
        message = "invalid YAML: the text holds a lone surrogate, not a character"
        raise YamlError("PTC001", message, _mark_after(text[: exc.start])) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps composition shallow
        raise YamlError("PTC009", "the document is nested too deeply", None) from None
    doc = Document(source, None, text=text)
    if node is None:
        return doc
    try:
        doc.data = _Builder(doc).build(node, ())
    except RecursionError:
        raise YamlError("PTC009", "the document is nested too deeply", None) from None
    return doc


def load(path: str | os.PathLike[str]) -> Document:
    """Read and parse a file. Raises InputError (unreadable) or YamlError (not YAML)."""
    return parse(read_text(path), str(path))

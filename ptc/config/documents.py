"""Policy documents in the file: inline mappings, or {file: path} to a JSON or YAML file.

Both validate and plan resolve them through here, so that both read the same bytes and
the planner can compare the document ECR holds with the one the file means.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ptc.config.loader import DataPath, Document, YamlError, parse, read_text
from ptc.errors import InputError, PtcError


class DocumentFileError(PtcError):
    """A {file: path} policy reference that cannot be read or is not a JSON object.

    The message names the file and the line, never the file's content: `file:` may point
    at any readable file, and findings end up in CI logs and pull-request comments.
    """


@dataclass(frozen=True)
class Resolved:
    """A policy document and, when it came from {file: path}, that file and its marks."""

    data: dict[str, Any]
    source: Path | None = None
    marks: Document | None = None

    def line_of(self, key_path: DataPath) -> str:
        """Where a key is in the referenced file (to name it without quoting it)."""
        assert self.source is not None and self.marks is not None
        return f"(in {self.source}, line {self.marks.locate(key_path, key=True).line})"


def is_file_reference(value: dict[str, Any]) -> bool:
    return set(value) == {"file"} and isinstance(value["file"], str)


def resolve(value: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """The policy document a file value stands for."""
    return resolve_document(value, base_dir).data


def resolve_document(value: dict[str, Any], base_dir: Path) -> Resolved:
    """Like resolve, keeping where the document came from."""
    if not is_file_reference(value):
        return Resolved(value)
    path = base_dir / value["file"]
    try:
        parsed = parse(read_text(path), str(path))
    except InputError as exc:  # names the path, its size or encoding: never its content
        raise DocumentFileError(str(exc)) from None
    except YamlError as exc:
        raise DocumentFileError(_not_a_document(path, exc)) from None
    if not isinstance(parsed.data, dict):
        raise DocumentFileError(f"{path}: the document must be a JSON object")
    return Resolved(parsed.data, path, parsed)


def _not_a_document(path: Path, exc: YamlError) -> str:
    where = f"{path}:{exc.mark.line}:{exc.mark.column}" if exc.mark else str(path)
    # PyYAML's messages may quote the text (a tag, a character, a value); ptc's own
    # nesting and size limits (PTC009) do not.
    reason = exc.message if exc.code == "PTC009" else "not valid JSON or YAML"
    return f"{where}: {reason}"

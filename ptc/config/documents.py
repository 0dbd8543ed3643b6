"""Policy documents in the file: inline mappings, or {file: path} to a JSON or YAML file.

Both validate and plan resolve them through here, so that both read the same bytes and
the planner can compare the document ECR holds with the one the file means.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ptc.config.loader import YamlError, parse, read_text
from ptc.errors import InputError, PtcError


class DocumentFileError(PtcError):
    """A {file: path} policy reference that cannot be read or is not a JSON object."""


def is_file_reference(value: dict[str, Any]) -> bool:
    return set(value) == {"file"} and isinstance(value["file"], str)


def resolve(value: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """The policy document a file value stands for."""
    if not is_file_reference(value):
        return value
    path = base_dir / value["file"]
    try:
        data = parse(read_text(path), str(path)).data
    except InputError as exc:
        raise DocumentFileError(str(exc)) from None
    except YamlError as exc:
        raise DocumentFileError(f"{path}: {exc.message}") from None
    if not isinstance(data, dict):
        raise DocumentFileError(f"{path}: the document must be a JSON object")
    return data


def canonical_json(document: Any) -> str:
    """The compact, key-sorted text ptc sends to ECR and compares with what ECR returns."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

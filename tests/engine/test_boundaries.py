"""The core loop knows neither botocore nor the sandbox: it is handed ports and a strategy."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ptc

CORE = sorted(
    path
    for package in ("engine", "plan")
    for path in (Path(ptc.__file__).parent / package).glob("*.py")
)
# botocore's side is ptc.aws's; the sandbox's stand-ins reach the core as a SecretValues.
FORBIDDEN = ("boto3", "botocore", "moto", "ptc.aws", "ptc.sandbox", "ptc.standin")


def _imports(path: Path) -> list[str]:
    """Every module `path` imports, at the top, inside functions or under TYPE_CHECKING."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_core_imports_no_adapter(path: Path) -> None:
    reached = [n for n in _imports(path) if n.startswith(FORBIDDEN)]
    assert reached == []


def test_the_core_has_no_sandbox_knowledge() -> None:
    """No flag, type or parameter of the sandbox's: it brings its own SecretValues."""
    mentions = [
        f"{path.parent.name}/{path.name}"
        for path in CORE
        if any(word in path.read_text(encoding="utf-8") for word in ("StandIn", "placeholders"))
    ]
    assert mentions == []

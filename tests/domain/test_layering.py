"""The domain package is the bottom layer: it imports nothing of ptc but the shared kernel."""

from __future__ import annotations

import ast
from pathlib import Path

import ptc.domain

DOMAIN = Path(ptc.domain.__file__).parent
ALLOWED = ("ptc.domain", "ptc.errors")


def _ptc_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n == "ptc" or n.startswith("ptc.")}


def test_the_domain_imports_only_itself_and_the_errors() -> None:
    found = {
        f"{path.name}: {name}"
        for path in sorted(DOMAIN.glob("*.py"))
        for name in _ptc_imports(path)
        if not name.startswith(ALLOWED)
    }

    assert found == set()

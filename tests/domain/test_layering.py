"""The domain package is the bottom layer: it imports nothing of ptc but the shared kernel."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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


def _package_imports(package: str) -> set[str]:
    """Every ptc module a package (or a single module) imports, by dotted name."""
    root = DOMAIN.parent
    target = root / package.replace(".", "/")
    files = sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")]
    return {name for path in files for name in _ptc_imports(path)}


# What each module around the domain must not reach into: checks, plan and rewrite are
# independent of each other (DESIGN.md); the sandbox and export, though above them, take
# what they share with them (the image grammar, the statement grammar) from the domain.
FORBIDDEN = {
    "ptc.checks": ("ptc.plan", "ptc.rewrite"),
    "ptc.plan": ("ptc.checks", "ptc.rewrite"),
    "ptc.rewrite": ("ptc.checks", "ptc.plan"),
    "ptc.sandbox": ("ptc.rewrite", "ptc.checks"),
    "ptc.export": ("ptc.checks", "ptc.rewrite"),
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_siblings_share_the_domain_not_each_others_internals(package: str) -> None:
    imported = _package_imports(package.removeprefix("ptc."))

    assert {n for n in imported if n.startswith(FORBIDDEN[package])} == set()


def test_no_module_imports_another_modules_private_names() -> None:
    private = set()
    for path in sorted(DOMAIN.parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ptc"):
                private |= {
                    f"{path.name}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                }

    assert private == set()

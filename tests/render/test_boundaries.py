"""ptc.render is where output is made: the core never prints, and rich loads only when used.

The core packages return data; a `print` or a write to sys.stdout there would bypass
`printable()`, mix with JSON on stdout and escape every test of the views. rich costs start-up
time, so the commands that print plain text (validate, rewrite-images in a pipe) never load it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_validate import EXAMPLE, _imported_modules

ROOT = Path(__file__).parents[2]
CORE = (
    "config",
    "checks",
    "plan",
    "status",
    "rewrite",
    "export.py",
    "iam_policy.py",
    "terraform",
    "domain",
    "engine",
)


def _core_files() -> list[Path]:
    files: list[Path] = []
    for name in CORE:
        path = ROOT / "ptc" / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [f for f in files if f.exists()]


def _output_in(source: str, name: str) -> list[str]:
    """Each print(), sys.stdout/sys.stderr use and rich/typer import, as `name:line: what`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        what = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            what = "print()" if node.func.id == "print" else None
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            stream = f"{node.value.id}.{node.attr}"
            what = stream if stream in ("sys.stdout", "sys.stderr") else None
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.split(".")[0] in ("rich", "typer")]
            what = f"import {names[0]}" if names else None
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            what = f"from {node.module} import" if top in ("rich", "typer") else None
        if what:
            found.append(f"{name}:{getattr(node, 'lineno', 0)}: {what}")
    return found


def test_the_core_packages_exist() -> None:
    # A renamed package must not silently leave this test checking nothing.
    assert len(_core_files()) > 40


def test_the_core_never_prints() -> None:
    found = [
        line
        for path in _core_files()
        for line in _output_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == [], "return data; ptc.render shows it"


def test_the_check_sees_what_it_looks_for() -> None:
    source = "import sys\nfrom rich.text import Text\nprint(Text('x'))\nsys.stderr.write('x')\n"
    found = sorted(_output_in(source, "probe.py"))
    assert found == [
        "probe.py:2: from rich.text import",
        "probe.py:3: print()",
        "probe.py:4: sys.stderr",
    ]


def test_importing_the_rendering_package_loads_no_rich() -> None:
    script = (
        "import sys, ptc.render, ptc.render.console, ptc.render.text, ptc.render.rewrite;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))"
    )
    process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert process.stdout == "[]\n"


@pytest.mark.parametrize(
    "args",
    [("validate", EXAMPLE), ("validate", "--format", "json", EXAMPLE)],
    ids=["text", "json"],
)
def test_validate_loads_no_rich_console_or_table(args: tuple[str, ...]) -> None:
    exit_code, modules = _imported_modules(*args)
    assert exit_code == 0
    assert "ptc.cli" in modules  # the import log of ptc itself
    assert sorted(m for m in modules if m in ("rich.console", "rich.table")) == []

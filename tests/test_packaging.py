"""The lock pins everything CI installs, and only from the package index."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==[0-9][^\s;]*$")


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "dev.lock").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = PIN.match(line.strip())
        assert match, f"not an exact pin from the index: {line!r}"
        pins[match.group(1).lower().replace("_", "-")] = line
    return pins


def test_every_locked_line_is_an_exact_pin_from_the_index() -> None:
    # A path or URL requirement (such as the project referring to itself) would make CI
    # install whatever that path holds on the machine that generated the lock.
    assert _lock()


def test_every_declared_dependency_and_the_build_backend_are_locked() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = [
        *project["project"]["dependencies"],
        *(r for extra in project["project"]["optional-dependencies"].values() for r in extra),
        *project["build-system"]["requires"],
    ]
    missing = {_name(r) for r in declared} - set(_lock())
    assert not missing

"""Names and facts that mean one thing are defined once, where they belong."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ptc
from ptc.domain import catalog
from ptc.errors import UsageError

ROOT = Path(ptc.__file__).parent


def _trees() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(ROOT.rglob("*.py"))
    ]


def _definitions(name: str) -> list[str]:
    """Where a class, or a module-level name, called `name` is defined."""
    found = []
    for module, tree in _trees():
        for node in tree.body:
            targets = [t for t in getattr(node, "targets", [getattr(node, "target", None)]) if t]
            defined = getattr(node, "name", None) == name or any(
                isinstance(t, ast.Name) and t.id == name for t in targets
            )
            if defined:
                found.append(module)
    return found


def _literals(value: str) -> list[str]:
    return [
        f"{module}:{node.lineno}"
        for module, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == value
    ]


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("Kind", ["domain/resources.py"]),  # what a resource is; rewrite's is ManifestKind
        ("UnknownRegion", ["checks/regions.py"]),  # the check PTC102; the error is another name
    ],
)
def test_a_name_is_defined_once(name: str, where: list[str]) -> None:
    assert _definitions(name) == where


def test_the_fallback_region_is_one_constant() -> None:
    # The catalog's region table names us-east-1 too; everything else uses DEFAULT_REGION.
    assert [w.split(":")[0] for w in _literals("us-east-1")] == ["domain/catalog.py"] * 2
    assert catalog.DEFAULT_REGION == "us-east-1"


def test_the_sandbox_state_default_is_one_constant() -> None:
    assert _literals(".ptc/sandbox.json") == [_literals(".ptc/sandbox.json")[0]]
    assert _literals(".ptc/sandbox.json")[0].startswith("sandbox/__init__.py:")


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        (["mars-1"], "--region mars-1: not an AWS region"),
        (["cn-north-1"], "--region cn-north-1: ECR pull-through cache is not offered there"),
    ],
)
def test_a_region_option_error_is_a_usage_error(regions: list[str], message: str) -> None:
    with pytest.raises(catalog.RegionOptionError) as caught:
        catalog.check_regions(regions)

    assert isinstance(caught.value, UsageError)
    assert caught.value.exit_code == 64
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("wanted", "selected"),
    [(None, ["us-east-1", "eu-west-1"]), (["eu-west-1"], ["eu-west-1"]), ([], [])],
)
def test_select_regions_keeps_the_files_order(
    wanted: list[str] | None, selected: list[str]
) -> None:
    assert catalog.select_regions(wanted, ["us-east-1", "eu-west-1"], "f.yaml") == selected


def test_select_regions_refuses_a_region_the_file_does_not_have() -> None:
    with pytest.raises(catalog.RegionOptionError) as caught:
        catalog.select_regions(["eu-west-1", "ap-south-1"], ["us-east-1"], Path("f.yaml"))

    assert str(caught.value) == "--region eu-west-1, ap-south-1: not a region of f.yaml (us-east-1)"

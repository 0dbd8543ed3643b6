"""`ptc --version`: one version, from one source, the same in the package metadata."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from typer.testing import CliRunner

import ptc
from ptc.cli import app


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_prints_the_package_version_and_exits_0(flag: str) -> None:
    result = CliRunner().invoke(app, [flag])
    assert result.exit_code == 0
    assert result.output == f"ptc {ptc.__version__}\n"


def test_the_installed_distribution_carries_the_same_version() -> None:
    # pyproject.toml takes the version from ptc.__version__; an install that disagrees
    # would mean two sources.
    assert version("ecr-ptc") == ptc.__version__

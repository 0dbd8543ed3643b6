"""Start-up: each command imports and builds only what it needs (import sets, never timings)."""

from __future__ import annotations

import gc
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.main import get_group
from typer.testing import CliRunner

import ptc.cli
from ptc.cli import COMMAND_MODULES, app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/rules.yaml"

# What typer's help renderer would import for Markdown help and pretty tracebacks.
HELP_EXTRAS = {"rich.markdown", "rich.traceback", "rich.syntax", "markdown_it", "pygments", "attr"}
AWS = {"boto3", "botocore", "s3transfer"}

_RUN = """
import json, runpy, sys
sys.argv = ["ptc", *json.loads(sys.argv[1])]
try:
    runpy.run_module("ptc", run_name="__main__")
except SystemExit as exit:
    code = exit.code
sys.stderr.write("\\nMODULES " + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules(*args: str, exit_code: int = 0) -> set[str]:
    """The modules `ptc ARGS` imported, in a fresh interpreter, after it ended as expected."""
    process = subprocess.run(
        [sys.executable, "-c", _RUN, json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"COLUMNS": "120", "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        timeout=120,
        check=False,
    )
    report = json.loads(process.stderr.rsplit("\nMODULES ", 1)[1])
    assert (report["code"] or 0) == exit_code, process.stderr
    return set(report["modules"])


def _packages(modules: set[str], names: set[str]) -> list[str]:
    return sorted(m for m in modules if m in names or m.split(".")[0] in names)


@pytest.mark.parametrize(
    "args", [("--help",), ("validate", "--help"), ("plan", "--help")], ids=" ".join
)
def test_help_loads_neither_markdown_nor_tracebacks(args: tuple[str, ...]) -> None:
    modules = _modules(*args)

    assert "typer.rich_utils" in modules  # the help was rendered by typer
    assert _packages(modules, HELP_EXTRAS) == []
    assert _packages(modules, AWS) == []


def test_root_help_builds_no_command_and_imports_neither_core_nor_pydantic() -> None:
    modules = _modules("--help")

    # (ptc's stand-in for pydantic's plugin loader is in sys.modules; pydantic is not)
    assert _packages(modules - {"pydantic.plugin._loader"}, {"pydantic", "yaml", "deepdiff"}) == []
    assert not [m for m in modules if m.startswith(("ptc.checks", "ptc.config", "ptc.plan"))]


def test_validate_imports_its_command_only_and_no_rich() -> None:
    modules = _modules("validate", EXAMPLE)

    assert "ptc.cli.validate" in modules and "ptc.checks.runner" in modules
    others = {f"ptc.cli.{m}" for m in COMMAND_MODULES.values()} - {"ptc.cli.validate"}
    assert sorted(modules & others) == []
    assert _packages(modules, {"rich", "deepdiff", "typer.rich_utils"} | AWS) == []


def test_rewrite_images_imports_neither_rich_nor_deepdiff(tmp_path: Path) -> None:
    manifest = tmp_path / "pod.yaml"
    manifest.write_text("image: nginx:1.27\n")
    args = ("rewrite-images", "--rules", EXAMPLE, "-r", "us-east-1", "--check", str(manifest))
    modules = _modules(*args)

    assert "ptc.cli.rewrite" in modules
    assert _packages(modules, {"rich", "deepdiff", "typer.rich_utils"} | AWS) == []


def test_a_plan_without_changes_imports_neither_rich_nor_saved_plans(tmp_path: Path) -> None:
    # "No changes" is the usual answer of a scheduled check: one plain line, no console.
    ptc_file = tmp_path / "rules.yaml"
    ptc_file.write_text("version: 1\nregions: [us-east-1]\nrules: []\n")
    state = tmp_path / "sandbox.json"
    modules = _modules("plan", "--sandbox", "--sandbox-state", str(state), str(ptc_file))

    assert "ptc.cli.plan" in modules
    assert _packages(modules, {"rich", "deepdiff", "typer.rich_utils"}) == []
    assert sorted(modules & {"ptc.plan.saved", "ptc.cli.plan_fleet"}) == []


def test_every_command_is_listed_with_the_module_that_registers_it() -> None:
    built: dict[str, str] = {}
    for module in dict.fromkeys(COMMAND_MODULES.values()):
        registry = typer.Typer()
        importlib.import_module(f"ptc.cli.{module}").register(registry)
        built.update(dict.fromkeys(get_group(registry).commands, module))

    assert built == COMMAND_MODULES


def test_the_help_lists_each_command_once_as_when_built() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})

    listed = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("│ ")]
    assert listed[-len(COMMAND_MODULES) :] == list(COMMAND_MODULES)


@pytest.mark.parametrize("args", [(), ("sandbox",)], ids=["ptc", "ptc sandbox"])
def test_no_arguments_prints_the_help_once(args: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})

    assert result.exit_code == 64
    assert result.stdout.count("Usage:") == 1
    assert "Commands" in result.stdout


def test_the_deferred_renderer_parts_are_the_real_ones_when_used() -> None:
    script = (
        "import sys\n"
        "from ptc.cli.help import load_renderer\n"
        "load_renderer()\n"
        "import typer.rich_utils as r\n"
        "assert 'rich.markdown' not in sys.modules\n"
        "text = r.Markdown('# title')\n"
        "import rich.markdown\n"
        "assert type(text) is rich.markdown.Markdown\n"
        "from rich.traceback import Traceback\n"
        "assert r.Traceback.from_exception.__self__ is Traceback\n"
        "print('ok')\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert process.stdout == "ok\n", process.stderr


def test_ptc_turns_pydantic_plugin_discovery_off_unless_the_user_chose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ptc.cli, "app", lambda: None)
    monkeypatch.setattr(gc, "freeze", lambda: None)  # main's last act, not for this process
    monkeypatch.setattr(os, "environ", {})
    monkeypatch.setitem(sys.modules, "pydantic.plugin._loader", sys.modules["ptc"])
    ptc.cli.main()
    assert os.environ == {"PYDANTIC_DISABLE_PLUGINS": "__all__"}

    monkeypatch.setattr(os, "environ", {"PYDANTIC_DISABLE_PLUGINS": "logfire"})
    ptc.cli.main()
    assert os.environ == {"PYDANTIC_DISABLE_PLUGINS": "logfire"}


def test_validate_does_not_import_importlib_metadata() -> None:
    # pydantic's plugin loader imported it (and the email package) to find no plugins.
    modules = _modules("validate", EXAMPLE)

    assert "pydantic_core" in modules  # the file was validated by pydantic
    assert _packages(modules, {"importlib.metadata", "email"}) == []


_PLUGINS = """
import os, sys
from pydantic import BaseModel
from ptc.cli.plugins import disable_plugins
os.environ.pop("PYDANTIC_DISABLE_PLUGINS", None)
if sys.argv[1] != "unset":
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = sys.argv[1]
disable_plugins()
class First(BaseModel):
    x: int
stood_in = "importlib.metadata" not in sys.modules
os.environ["PYDANTIC_DISABLE_PLUGINS"] = sys.argv[2]
class Second(BaseModel):
    y: int
print(os.environ["PYDANTIC_DISABLE_PLUGINS"] if sys.argv[2] else "", stood_in,
      "importlib.metadata" in sys.modules, Second(y=1).y)
"""


@pytest.mark.parametrize(
    ("chosen", "later", "printed"),
    [
        ("unset", "__all__", "__all__ True False 1"),  # ptc's choice: nothing imported
        ("1", "1", "1 True False 1"),  # the user's equivalent choice
        ("unset", "", " True True 1"),  # switched back on: pydantic's own loader looks
        ("logfire", "logfire", "logfire False True 1"),  # one plugin off: pydantic's loader
    ],
)
def test_the_plugin_loader_stand_in_answers_as_pydantic_would(
    chosen: str, later: str, printed: str
) -> None:
    process = subprocess.run(
        [sys.executable, "-c", _PLUGINS, chosen, later],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert process.stdout == printed + "\n", process.stderr


def test_the_stand_ins_hand_any_other_name_to_the_real_module() -> None:
    # A later typer or pydantic (within the ranges users may install) may import more from
    # the modules ptc stands in for; such a name must come from the real module, never fail.
    script = (
        "import sys\n"
        "from ptc.cli.help import _StandInModule\n"
        "from ptc.cli.plugins import _LOADER, _Loader\n"
        "sys.modules['rich.traceback'] = _StandInModule('rich.traceback')\n"
        "from rich.traceback import install\n"
        "import rich.traceback\n"
        "assert install is rich.traceback.install\n"
        "sys.modules[_LOADER] = _Loader(_LOADER)\n"
        "from pydantic.plugin._loader import _plugins\n"
        "import pydantic.plugin._loader as real\n"
        "assert type(real) is not _Loader\n"
        "print('ok')\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert process.stdout == "ok\n", process.stderr

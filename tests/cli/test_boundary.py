"""The CLI boundary: every way a command ends is one documented exit code and at most one
`error:` line. The codes are README's "Exit codes" table; each is produced here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import ptc.cli
from ptc import errors
from ptc.cli import app
from ptc.engine.apply import ApplyReport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "rules.yaml")
ENV = {"COLUMNS": "120", "TERMINAL_WIDTH": "120", "PTC_DEBUG": None}
BOX = re.compile("[\u2500-\u257f]")  # rich's panel borders
BUG = (
    "error: unexpected RuntimeError: boom. This is a bug in ptc: please report it with the "
    "command you ran; run it again with --debug (or PTC_DEBUG=1) for the traceback\n"
)


def run(*args: str | Path, env: dict[str, str | None] | None = None, **kw: Any) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env={**ENV, **(env or {})}, **kw)
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result


def _one_error_line(result: Result) -> str:
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: ")
    assert not BOX.search(result.stderr), "a usage error is a line, not a boxed panel"
    return result.stderr


# -- usage errors: 64, never 0 or 2 ------------------------------------------------------------


@pytest.mark.parametrize("command", ["plan", "status"])
def test_a_misspelt_flag_with_detailed_exitcode_is_neither_0_nor_2(
    command: str, sandbox: list[str]
) -> None:
    # The typo of issue 9: a drift job must not read it as "changes present" (2).
    result = run(command, *sandbox, "--detailed-exitcode", "--detailed-exit-code", EXAMPLE)

    assert result.exit_code == errors.EXIT_USAGE == 64
    assert result.stdout == ""
    assert _one_error_line(result) == (
        "error: no such option: --detailed-exit-code (did you mean --detailed-exitcode?); "
        f"see 'ptc {command} --help'\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["plan"], "error: missing argument 'FILE'; see 'ptc plan --help'\n", id="missing"
        ),
        pytest.param(
            ["plan", "--format", "yaml", EXAMPLE],
            "error: invalid value for '--format' / '-f': 'yaml' is not one of 'text', 'json', "
            "'markdown'; "
            "see 'ptc plan --help'\n",
            id="bad value",
        ),
        pytest.param(
            ["sandbox", "serve", "--port", "0"],
            "error: invalid value for '--port': Input should be greater than or equal to 1; "
            "see 'ptc sandbox serve --help'\n",
            id="out of range",
        ),
        pytest.param(
            ["plam", EXAMPLE],
            "error: no such command 'plam' (did you mean 'plan'?); see 'ptc --help'\n",
            id="unknown command",
        ),
        pytest.param(
            ["validate", "--strict=yes", EXAMPLE],
            "error: option '--strict' does not take a value\n",
            id="flag with a value",
        ),
        pytest.param(
            ["rewrite-images", "--rules", EXAMPLE, "--write", "--check", "."],
            "error: invalid value for '--check': use either --write or --check; "
            "see 'ptc rewrite-images --help'\n",
            id="raised by a command",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_64(args: list[str], message: str) -> None:
    result = run(*args)

    assert (result.exit_code, result.stdout) == (64, "")
    assert _one_error_line(result) == message


@pytest.mark.parametrize("args", [[], ["sandbox"]], ids=["ptc", "ptc sandbox"])
def test_no_command_shows_the_help_and_is_a_usage_error(args: list[str]) -> None:
    result = run(*args)

    assert result.exit_code == 64
    assert "Usage: ptc" in result.stdout


def test_help_and_version_exit_0() -> None:
    assert run("--help").exit_code == 0
    assert run("plan", "--help").exit_code == 0
    assert run("--version").exit_code == 0


# -- unreadable inputs: 3, whichever layer notices ---------------------------------------------


def test_a_path_option_that_is_a_directory_exits_3(tmp_path: Path) -> None:
    # typer's own path check (dir_okay=False) used to be a usage box with exit 2.
    result = run("sandbox", "serve", "--state", tmp_path)

    assert (result.exit_code, result.stdout) == (3, "")
    assert _one_error_line(result) == (
        f"error: invalid value for '--state': file '{tmp_path}' is a directory\n"
    )


def test_a_path_option_that_cannot_be_read_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.json"
    state.write_text("{}", encoding="utf-8")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: str(path) != str(state) and real_access(path, mode)
    )

    result = run("sandbox", "serve", "--state", state)

    assert result.exit_code == 3
    assert _one_error_line(result) == (
        f"error: invalid value for '--state': file '{state}' is not readable\n"
    )


def _deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """Reading `denied` fails as it does for a file of another user (the tests run as root)."""
    real_open = Path.open

    def open_(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.resolve() == denied.resolve():
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["plan", "--sandbox", "--sandbox-state", "{tmp}/s.json"],
        ["apply", "--sandbox", "--sandbox-state", "{tmp}/s.json", "--auto-approve"],
        ["status", "--sandbox", "--sandbox-state", "{tmp}/s.json"],
        ["iam-policy"],
        ["rewrite-images", "--region", "us-east-1", ".", "--rules"],
    ],
    ids=lambda c: c[0],
)
def test_a_permission_denied_file_exits_3_with_one_line(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(Path(EXAMPLE).read_text(encoding="utf-8"), encoding="utf-8")
    _deny(monkeypatch, rules)
    monkeypatch.chdir(tmp_path)

    result = run(*[part.format(tmp=tmp_path) for part in command], rules)

    assert result.exit_code == 3
    assert _one_error_line(result) == f"error: {rules}: cannot read: Permission denied\n"


# -- the boundary: a bug is one line, exit 1; Ctrl-C is 130 -------------------------------------


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom")


def _interrupt(*args: Any, **kwargs: Any) -> Any:
    raise KeyboardInterrupt


def test_an_unexpected_exception_is_one_line_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ptc.checks.runner.validate_file", _boom)

    result = run("validate", EXAMPLE)

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", BUG)


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--debug"], {}), ([], {"PTC_DEBUG": "1"})],
    ids=["--debug", "PTC_DEBUG=1"],
)
def test_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str | None]
) -> None:
    monkeypatch.setattr("ptc.checks.runner.validate_file", _boom)

    result = run(*args, "validate", EXAMPLE, env=env)

    assert result.exit_code == 1
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert 'raise RuntimeError("boom")' in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "error: unexpected RuntimeError: boom. This is a bug in ptc: please report it with the "
        "command you ran"
    )


def test_the_real_entry_point_has_the_same_boundary(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `ptc` on the command line is ptc.cli.main (pyproject's [project.scripts]).
    monkeypatch.setattr("ptc.checks.runner.validate_file", _boom)
    monkeypatch.setattr(sys, "argv", ["ptc", "validate", EXAMPLE])
    monkeypatch.delenv("PTC_DEBUG", raising=False)

    with pytest.raises(SystemExit) as exited:
        ptc.cli.main()

    assert exited.value.code == 1
    assert capsys.readouterr() == ("", BUG)


def test_a_usage_error_through_the_real_entry_point(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["ptc", "plan", "--detailed-exit-code", EXAMPLE])

    with pytest.raises(SystemExit) as exited:
        ptc.cli.main()

    assert exited.value.code == 64
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: no such option: --detailed-exit-code")


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ptc.checks.runner.validate_file", _interrupt)

    result = run("validate", EXAMPLE)

    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "error: interrupted\n")


def test_ctrl_c_through_the_real_entry_point(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("ptc.checks.runner.validate_file", _interrupt)
    monkeypatch.setattr(sys, "argv", ["ptc", "validate", EXAMPLE])

    with pytest.raises(SystemExit) as exited:
        ptc.cli.main()

    assert exited.value.code == 130
    assert capsys.readouterr().err == "error: interrupted\n"


def test_an_interrupted_apply_reports_and_exits_130(
    sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # apply lets the calls in flight finish on Ctrl-C and returns a report saying so.
    monkeypatch.setattr("ptc.engine.workflow.apply", lambda *a, **k: ApplyReport(interrupted=True))
    env = {"DOCKERHUB_USERNAME": "u", "DOCKERHUB_TOKEN": "t", "GHCR_USERNAME": "u"}

    result = run("apply", *sandbox, "--auto-approve", EXAMPLE, env=env)

    assert result.exit_code == 130
    assert "Interrupted: the calls in flight finished" in result.stdout
    assert result.stderr.endswith("\nerror: interrupted\n")


# -- README's table: every code is documented and produced -------------------------------------


def _readme_codes() -> dict[int, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    return {int(m[1]): m[2] for m in re.finditer(r"^\| (\d+) \| (.*) \|$", section, re.M)}


def test_readme_documents_exactly_the_codes_ptc_uses() -> None:
    used = {v for k, v in vars(errors).items() if k.startswith("EXIT_")}

    assert set(_readme_codes()) == used == {0, 1, 2, 3, 64, 130}


@pytest.mark.parametrize(
    ("code", "args"),
    [
        (0, ["validate", EXAMPLE]),
        (1, ["validate", str(ROOT / "tests/fixtures/configs/bad/PTC201-rule-prefix-pattern.yaml")]),
        (3, ["validate", "no-such-file.yaml"]),
        (64, ["validate", "--no-such-flag", EXAMPLE]),
    ],
)
def test_each_documented_code_is_produced(code: int, args: list[str]) -> None:
    # 2 (changes, drift) and 130 (Ctrl-C) are produced above and in tests/cli/test_plan.py.
    assert run(*args).exit_code == code


def test_detailed_exitcode_gives_2_only_for_changes(sandbox: list[str]) -> None:
    env = {"DOCKERHUB_USERNAME": "u", "DOCKERHUB_TOKEN": "t", "GHCR_USERNAME": "u"}
    assert run("plan", *sandbox, "--detailed-exitcode", EXAMPLE, env=env).exit_code == 2
    assert run("plan", *sandbox, EXAMPLE, env=env).exit_code == 0


def test_the_entry_point_runs_without_the_cyclic_collector() -> None:
    # Its passes over a heap that every import grows cost about a tenth of a plan.
    code = (
        "import gc, sys\n"
        "import ptc.cli\n"
        "sys.argv = ['ptc', '--version']\n"
        "try:\n"
        "    ptc.cli.main()\n"
        "except SystemExit:\n"
        "    print('collector on', gc.isenabled())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[-1] == "collector on False", done.stderr


def test_the_collector_is_back_on_once_ptc_talks_to_aws(tmp_path: Path) -> None:
    # botocore leaves a few KiB of cycles behind every call: over the tens of thousands of
    # calls of a plan over many accounts, they must be collected.
    (tmp_path / "rules.yaml").write_text("version: 1\nregions: [us-east-1]\nrules: []\n")
    code = (
        "import atexit, gc, sys\n"
        "import ptc.cli\n"
        "atexit.register(lambda: print('collector on', gc.isenabled()))\n"
        "sys.argv = ['ptc', 'plan', '--sandbox', '--sandbox-state', 'state.json', 'rules.yaml']\n"
        "ptc.cli.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, "collector on True"), done.stderr


def test_the_entry_point_leaves_nothing_for_the_final_collection() -> None:
    # The interpreter's final collection scanned every object of the run (typer, pydantic,
    # botocore): a sixth of a plan's CPU time. Frozen objects are skipped.
    code = (
        "import atexit, gc, sys\n"
        "import ptc.cli\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        f"sys.argv = ['ptc', 'validate', {EXAMPLE!r}]\n"
        "ptc.cli.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, "frozen True"), done.stderr

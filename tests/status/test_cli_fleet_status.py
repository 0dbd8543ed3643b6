"""`ptc status` over every account of a file with `accounts:`, on the multi-account sandbox.

Accounts 111111111111 and 222222222222 have the rules applied and images pulled through
them (as their ptc-deployer role); in 222222222222 one repository lost a tag since. The
role in 333333333333 trusts another account only: it cannot be assumed. The sandbox's
state file keeps no IAM roles, so these run ptc against the sandbox in this process (the
`aws` fixture: moto with ptc's emulator and accounts, as `--sandbox` runs it); the last
test runs `--sandbox` itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from ptc.aws.sessions import assume_role_session
from ptc.sandbox.embedded import SandboxInfo
from ptc.sandbox.pull import parse_image, pull
from tests.status.conftest import ACCOUNT, ORIGINAL, PULLS, ROLE, apply_file, write
from tests.status.test_cli_status import run
from tests.support import CtrlCAfterFirstCall, refuse_the_caller

GOOD = ["111111111111", "222222222222"]
BROKEN = "333333333333"
DEPLOYER = "arn:aws:iam::{account}:role/ptc-deployer"
TEMPLATE_ROLE = "arn:aws:iam::{account}:role/ecr-template"
ONE_ACCOUNT = ORIGINAL.replace(ROLE, TEMPLATE_ROLE)
FLEET = ONE_ACCOUNT.replace(
    f'account: "{ACCOUNT}"\n',
    f'accounts:\n  role: {DEPLOYER}\n  ids: ["{GOOD[0]}", "{GOOD[1]}", "{BROKEN}"]\n',
)
CANNOT_ASSUME = (
    f"account {BROKEN}: cannot assume arn:aws:iam::{BROKEN}:role/ptc-deployer: "
    "AssumeRole: access denied"
)


def _as_deployer(info: SandboxInfo, account: str) -> object:
    role = DEPLOYER.format(account=account)
    return assume_role_session(info.session(), role, account=account, name="setup")


def _untrusting_role(info: SandboxInfo) -> None:
    """BROKEN's ptc-deployer trusts only an account that is not the caller's."""
    admin = assume_role_session(
        info.session(), f"arn:aws:iam::{BROKEN}:role/admin", account=BROKEN, name="setup"
    )
    refuse_the_caller(admin.client("iam"), trusted="444444444444")  # type: ignore[attr-defined]


def _prepare(info: SandboxInfo, directory: Path) -> Path:
    for account in GOOD:
        single = ONE_ACCOUNT.replace(ACCOUNT, account)
        apply_file(_as_deployer(info, account), write(directory, single, f"{account}.yaml"))
        for region, image in PULLS:
            pull(parse_image(image), account, region)
    ecr = _as_deployer(info, GOOD[1]).client("ecr", region_name="eu-west-1")  # type: ignore[attr-defined]
    arn = f"arn:aws:ecr:eu-west-1:{GOOD[1]}:repository/quay/coreos/etcd"
    ecr.untag_resource(resourceArn=arn, tagKeys=["team"])
    return write(directory, FLEET)


@pytest.fixture
def fleet(tmp_path: Path, aws: SandboxInfo) -> Path:
    path = _prepare(aws, tmp_path)
    _untrusting_role(aws)
    return path


def _section(stdout: str, account: str) -> list[str]:
    """The lines of one account's part of the report."""
    lines = stdout.splitlines()
    start = lines.index(f"Account {account}:")
    end = lines.index("", start)
    return lines[start + 1 : end + 2]


def test_every_account_by_account_and_a_failing_one_is_reported(
    fleet: Path,
) -> None:
    result = run("status", fleet)
    assert result.exit_code == 1, result.output
    headings = [line for line in result.stdout.splitlines() if line.startswith("Account ")]
    assert headings == [f"Account {a}:" for a in (*GOOD, BROKEN)]
    first = _section(result.stdout, GOOD[0])
    assert [line.split()[:3] for line in first[1:5]] == [
        ["us-east-1", "k8s", "k8s/pause"],
        ["us-east-1", "quay", "quay/coreos/etcd"],
        ["us-east-1", "quay", "quay/prometheus/node-exporter"],
        ["eu-west-1", "quay", "quay/coreos/etcd"],
    ]
    assert first[-1] == "4 repositories; none drifts from its template."
    second = _section(result.stdout, GOOD[1])
    etcd = next(line for line in second if line.startswith("eu-west-1"))
    assert etcd.endswith("tags team=platform to set")
    broken = _section(result.stdout, BROKEN)
    assert broken[0].startswith(f"  failed: {CANNOT_ASSUME}")
    assert result.stdout.splitlines()[-1] == (
        "3 accounts: 2 read, 1 failed; 8 repositories, 1 drifting."
    )


def test_json_carries_each_account_and_its_error(fleet: Path) -> None:
    result = run("status", "--format", "json", "--region", "eu-west-1", fleet)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    import jsonschema

    schema = json.loads((Path(__file__).parents[2] / "docs/status-report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["format_version"] == 1
    assert document["summary"] == {
        "accounts": 3,
        "read": 2,
        "failed": 1,
        "not_attempted": 0,
        "repositories": 2,
        "drifted": 1,
    }
    runs = document["accounts"]
    assert [(r["account"], r["result"]) for r in runs] == [
        (GOOD[0], "read"),
        (GOOD[1], "read"),
        (BROKEN, "failed"),
    ]
    assert runs[0]["error"] is None and runs[0]["status"]["account"] == GOOD[0]
    assert runs[1]["status"]["regions"] == ["eu-west-1"]
    assert runs[1]["status"]["summary"] == {"repositories": 1, "drifted": 1, "fixable": 1}
    assert runs[2]["status"] is None
    assert runs[2]["error"].startswith(CANNOT_ASSUME)


def test_account_narrows_and_the_exit_code_says_all_succeeded(
    fleet: Path,
) -> None:
    narrowed = ["--account", GOOD[0], "--account", GOOD[1]]
    assert run("status", *narrowed, fleet).exit_code == 0
    assert run("status", *narrowed, "--detailed-exitcode", fleet).exit_code == 2
    clean = run("status", "--account", GOOD[0], "--detailed-exitcode", fleet)
    assert clean.exit_code == 0
    assert clean.stdout.splitlines()[-1] == (
        "1 account: 1 read, 0 failed; 4 repositories, 0 drifting."
    )
    unknown = run("status", "--account", "999999999999", fleet)
    assert unknown.exit_code == 64
    assert "--account 999999999999: not an account of" in unknown.stderr


def test_backfill_works_per_account_and_a_rerun_converges(fleet: Path) -> None:
    result = run("status", "--backfill", "--auto-approve", fleet)
    assert result.exit_code == 1, result.output  # BROKEN could not be read
    lines = result.stdout.splitlines()
    assert f"Backfill in account {GOOD[1]}:" in lines
    assert f"Backfill in account {GOOD[0]}:" not in lines  # nothing drifts there
    assert f"Account {GOOD[0]}: nothing to backfill." in lines
    assert "  ~ eu-west-1/quay/coreos/etcd: tag team=platform (TagResource)" in lines
    assert f"  failed: {CANNOT_ASSUME}" in "\n".join(lines)
    assert f"Account {GOOD[1]}:" in lines
    assert "Backfill complete: 1 applied, 0 failed, 0 not attempted." in lines
    again = run("status", "--account", GOOD[0], "--account", GOOD[1], fleet)
    assert again.exit_code == 0
    assert again.stdout.splitlines()[-1] == (
        "2 accounts: 2 read, 0 failed; 8 repositories, 0 drifting."
    )


def test_a_file_with_one_account_refuses_another_account_and_shards(tmp_path: Path) -> None:
    path = write(tmp_path, ORIGINAL)
    other = run("status", "--account", GOOD[0], path)
    assert other.exit_code == 64
    assert f"--account {GOOD[0]}: {path} has no 'accounts:'" in other.stderr
    sharded = run("status", "--shard", "1/2", path)
    assert sharded.exit_code == 64


def test_the_embedded_sandbox_runs_status_in_each_account(
    tmp_path: Path,
    sandbox: list[str],
    by_hand: Callable[[], AbstractContextManager[SandboxInfo]],
) -> None:
    with by_hand() as info:
        path = _prepare(info, tmp_path)
    chosen = ["--account", GOOD[1], "--account", GOOD[0], "--max-concurrency", "1"]
    result = run("status", *sandbox, *chosen, "--detailed-exitcode", path)
    assert result.exit_code == 2, result.output
    headings = [line for line in result.stdout.splitlines() if line.startswith("Account ")]
    assert headings == [f"Account {a}:" for a in GOOD]  # the file's order
    assert result.stdout.splitlines()[-1] == (
        "2 accounts: 2 read, 0 failed; 8 repositories, 1 drifting."
    )


def test_ctrl_c_while_reading_backfills_nothing(
    fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C while the last accounts were being read: the executor lets the accounts in
    # flight finish and reports the run interrupted. --auto-approve asked for no prompt,
    # not for writes after the user stopped the run.
    from ptc.cli import status as status_cli
    from ptc.engine.fleet import FleetReport

    read = status_cli._Fleet.read

    def interrupted(self: object, session: object) -> FleetReport[object]:
        report = read(self, session)  # type: ignore[arg-type]
        return FleetReport(report.runs, interrupted=True)

    monkeypatch.setattr(status_cli._Fleet, "read", interrupted)
    result = run("status", "--backfill", "--auto-approve", fleet)
    assert result.exit_code == 130, result.output
    assert "Backfill complete" not in result.stdout
    monkeypatch.setattr(status_cli._Fleet, "read", read)
    again = run("status", "--account", GOOD[1], fleet)
    assert again.stdout.splitlines()[-1] == (
        "1 account: 1 read, 0 failed; 4 repositories, 1 drifting."
    )


def _ctrl_c_reading(monkeypatch: pytest.MonkeyPatch, account: str) -> None:
    """Ctrl-C while `account`'s status is read."""
    from ptc.status import compute

    real = compute.read_status

    def read_status(desired: Any, *args: Any, **kwargs: Any) -> Any:
        if desired.account == account:
            raise KeyboardInterrupt
        return real(desired, *args, **kwargs)

    monkeypatch.setattr(compute, "read_status", read_status)


def test_ctrl_c_while_reading_reports_the_accounts_read_and_exits_130(
    fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ctrl_c_reading(monkeypatch, GOOD[1])

    shown = run("status", "--max-concurrency", "1", fleet)
    document = run("status", "--max-concurrency", "1", "--format", "json", fleet)

    assert shown.exit_code == document.exit_code == 130, shown.output
    assert shown.stderr == document.stderr == "error: interrupted\n"
    assert _section(shown.stdout, GOOD[0])[-1] == "4 repositories; none drifts from its template."
    assert _section(shown.stdout, GOOD[1])[0] == "  not attempted (interrupted)"
    assert _section(shown.stdout, BROKEN)[0] == "  not attempted (interrupted)"
    assert shown.stdout.splitlines()[-1] == (
        "3 accounts: 1 read, 0 failed, 2 not attempted; 4 repositories, 0 drifting."
    )
    runs = json.loads(document.stdout)["accounts"]
    assert [(r["account"], r["result"], r["error"]) for r in runs] == [
        (GOOD[0], "read", None),
        (GOOD[1], "not attempted", None),
        (BROKEN, "not attempted", None),
    ]


def _drift_in_first(aws: SandboxInfo) -> None:
    """GOOD[0]'s etcd in eu-west-1 loses its lifecycle policy and its tag: two writes to
    backfill, one after the other (one repository)."""
    ecr = _as_deployer(aws, GOOD[0]).client("ecr", region_name="eu-west-1")  # type: ignore[attr-defined]
    ecr.delete_lifecycle_policy(repositoryName="quay/coreos/etcd")
    arn = f"arn:aws:ecr:eu-west-1:{GOOD[0]}:repository/quay/coreos/etcd"
    ecr.untag_resource(resourceArn=arn, tagKeys=["team"])


@pytest.mark.parametrize("raising", [False, True], ids=["stop set", "KeyboardInterrupt"])
def test_ctrl_c_during_a_backfill_stops_the_account_at_work_and_a_rerun_converges(
    fleet: Path, aws: SandboxInfo, monkeypatch: pytest.MonkeyPatch, raising: bool
) -> None:
    # Ctrl-C after (or during) the first write in GOOD[0]: its other write is not
    # attempted, GOOD[1] is never started, and the report says so account by account.
    from ptc.engine import backfill

    _drift_in_first(aws)
    real = backfill.apply_backfill

    def apply_backfill(plan: Any, writer: Any, **kwargs: Any) -> Any:
        if plan.account == GOOD[0]:
            writer = CtrlCAfterFirstCall(writer, kwargs.get("stop"), raising=raising)
        return real(plan, writer, **kwargs)

    monkeypatch.setattr(backfill, "apply_backfill", apply_backfill)

    result = run("status", "--backfill", "--auto-approve", "--max-concurrency", "1", fleet)

    assert result.exit_code == 130, result.output
    assert result.stderr == "error: interrupted\n"
    lines = result.stdout.splitlines()
    first = lines[lines.index(f"Account {GOOD[0]}:") + 1 :]
    written = "done    " if not raising else "skipped "
    cut = "" if not raising else ": interrupted"
    assert first[:4] == [
        f"  {written} PutLifecyclePolicy eu-west-1/quay/coreos/etcd/lifecycle_policy{cut}",
        "  skipped  TagResource eu-west-1/quay/coreos/etcd/resource_tags",
        "Interrupted: the calls in flight finished; nothing more was attempted.",
        f"Backfill incomplete: {0 if raising else 1} applied, 0 failed, "
        f"{2 if raising else 1} not attempted.",
    ]
    second = lines[lines.index(f"Account {GOOD[1]}:") + 1]
    assert second == "  not attempted: interrupted"
    assert lines[-1] == (
        "Interrupted: the accounts at work finished their calls in flight; no other was started."
    )

    monkeypatch.setattr(backfill, "apply_backfill", real)
    again = run("status", "--backfill", "--auto-approve", fleet)
    clean = run("status", "--account", GOOD[0], "--account", GOOD[1], fleet)

    assert again.exit_code == 1, again.output  # BROKEN still cannot be read
    assert again.stdout.count("Backfill complete:") == 2
    assert clean.stdout.splitlines()[-1] == (
        "2 accounts: 2 read, 0 failed; 8 repositories, 0 drifting."
    )

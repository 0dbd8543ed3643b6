"""`ptc export --from FILE` over the accounts of a file with `accounts:`, in the sandbox: one
file when the accounts agree, where they differ when they do not, one file per account with
`-o 'DIR/{account}.yaml'`, and an account whose role cannot be assumed failing alone."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import yaml

from tests.support import refuse_the_caller, run

if TYPE_CHECKING:
    from ptc.sandbox.embedded import SandboxInfo
    from ptc.sandbox.server import RunningServer

A, B, C = "111111111111", "222222222222", "333333333333"
UPSTREAMS = {"quay": "quay.io", "k8s": "registry.k8s.io"}
ByHand = Callable[[], AbstractContextManager["SandboxInfo"]]
FLEET = f"""\
version: 1
accounts:
  role: arn:aws:iam::{{account}}:role/ptc-deployer
  ids: ["{A}", "{B}"]
regions: [us-east-1, eu-west-1]
"""


def _in(sandbox: SandboxInfo, account: str, region: str) -> Any:
    """An ECR client of `account` (through its deployer role) in `region`."""
    sts = sandbox.session().client("sts")
    role = f"arn:aws:iam::{account}:role/ptc-deployer"
    keys = sts.assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
    session = boto3.Session(
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
        region_name=region,
    )
    return session


def _seed(by_hand: ByHand, accounts: dict[str, list[str]]) -> None:
    """In each account and both regions: a rule per prefix, and a template using the
    account's own role for the first one."""
    with by_hand() as sandbox:
        _seed_in(sandbox, accounts)


def _seed_in(sandbox: SandboxInfo, accounts: dict[str, list[str]]) -> None:
    for account, prefixes in accounts.items():
        for region in ("us-east-1", "eu-west-1"):
            ecr = _in(sandbox, account, region).client("ecr")
            for prefix in prefixes:
                ecr.create_pull_through_cache_rule(
                    ecrRepositoryPrefix=prefix, upstreamRegistryUrl=UPSTREAMS[prefix]
                )
            ecr.create_repository_creation_template(
                prefix=prefixes[0],
                appliedFor=["PULL_THROUGH_CACHE"],
                customRoleArn=f"arn:aws:iam::{account}:role/ecr-template",
            )


def _fleet(tmp_path: Path, text: str = FLEET) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_accounts_that_agree_export_as_one_file_with_accounts(
    tmp_path: Path, sandbox: list[str], by_hand: ByHand
) -> None:
    _seed(by_hand, {A: ["quay", "k8s"], B: ["quay", "k8s"]})
    exported = tmp_path / "exported.yaml"

    result = run("export", *sandbox, "--from", _fleet(tmp_path), "-o", exported)

    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {exported}: 2 rules, 1 templates, 0 permissions.\n"
    document = yaml.safe_load(exported.read_text())
    assert document["accounts"] == {
        "role": "arn:aws:iam::{account}:role/ptc-deployer",
        "ids": [A, B],
    }
    assert "account" not in document
    assert document["regions"] == ["us-east-1", "eu-west-1"]
    assert document["templates"][0]["role"] == "arn:aws:iam::{account}:role/ecr-template"
    assert run("validate", exported).exit_code == 0


def test_accounts_that_differ_are_reported_and_nothing_is_written(
    tmp_path: Path, sandbox: list[str], by_hand: ByHand
) -> None:
    _seed(by_hand, {A: ["quay", "k8s"], B: ["quay"]})
    exported = tmp_path / "exported.yaml"

    result = run("export", *sandbox, "--from", _fleet(tmp_path), "-o", exported)

    assert result.exit_code == 1
    assert result.stderr == (
        "The accounts' exports differ:\n"
        f"  rule 'k8s': not in {B} (in {A})\n"
        "error: the accounts differ, so one file cannot hold them; "
        "-o 'DIR/{account}.yaml' writes one file per account\n"
    )
    assert not exported.exists()


def test_one_file_per_account_with_account_in_the_output_path(
    tmp_path: Path, sandbox: list[str], by_hand: ByHand
) -> None:
    _seed(by_hand, {A: ["quay", "k8s"], B: ["quay"]})
    (tmp_path / "out").mkdir()

    result = run(
        "export", *sandbox, "--from", _fleet(tmp_path), "-o", tmp_path / "out/{account}.yaml"
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Wrote {tmp_path}/out/{A}.yaml: 2 rules, 1 templates, 0 permissions.",
        f"Wrote {tmp_path}/out/{B}.yaml: 1 rules, 1 templates, 0 permissions.",
    ]
    in_b = yaml.safe_load((tmp_path / f"out/{B}.yaml").read_text())
    assert in_b["account"] == B
    assert in_b["templates"][0]["role"] == f"arn:aws:iam::{B}:role/ecr-template"
    assert run("validate", tmp_path / f"out/{B}.yaml").exit_code == 0


def test_an_account_whose_role_is_refused_fails_alone(
    aws: SandboxInfo, sandbox_server: RunningServer, tmp_path: Path
) -> None:
    # IAM roles live only as long as the sandbox runs: this one is made in the served one.
    _seed_in(aws, {A: ["quay"], C: ["quay"]})
    refuse_the_caller(_in(aws, B, "us-east-1").client("iam"), trusted=A)
    fleet = _fleet(tmp_path, FLEET.replace(f'"{B}"]', f'"{B}", "{C}"]'))
    (tmp_path / "out").mkdir()
    served = {"AWS_ENDPOINT_URL": sandbox_server.url}

    one_file = run("export", "--from", fleet, "-o", tmp_path / "all.yaml", env=served)
    per_account = run("export", "--from", fleet, "-o", tmp_path / "out/{account}.yaml", env=served)

    refused = f"error: account {B}: cannot assume arn:aws:iam::{B}:role/ptc-deployer: "
    assert one_file.exit_code == 1
    assert one_file.stderr.startswith(refused)
    assert "not authorized to perform: sts:AssumeRole" in one_file.stderr
    assert one_file.stderr.endswith(
        "error: 1 of 3 accounts could not be exported; nothing written "
        "(-o 'DIR/{account}.yaml' writes one file per account that could be read)\n"
    )
    assert not (tmp_path / "all.yaml").exists()
    assert per_account.exit_code == 1
    assert per_account.stderr.endswith("error: 1 of 3 accounts could not be exported\n")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{A}.yaml", f"{C}.yaml"]


def test_account_narrows_and_the_file_names_only_those_accounts(
    tmp_path: Path, sandbox: list[str], by_hand: ByHand
) -> None:
    _seed(by_hand, {A: ["quay"], B: ["k8s"]})

    result = run("export", *sandbox, "--from", _fleet(tmp_path), "--account", B, "-r", "eu-west-1")

    assert result.exit_code == 0, result.output
    document = yaml.safe_load(result.stdout)
    assert document["accounts"]["ids"] == [B]
    assert document["regions"] == ["eu-west-1"]
    assert [rule["prefix"] for rule in document["rules"]] == ["k8s"]


def test_organization_units_stay_in_the_combined_file(tmp_path: Path, sandbox: list[str]) -> None:
    state = sandbox[-1]
    placed = run("sandbox", "organization", "--sandbox-state", state, f"ou-ab12-workload1={A},{B}")
    assert placed.exit_code == 0, placed.output
    fleet = _fleet(
        tmp_path,
        FLEET.replace(f'  ids: ["{A}", "{B}"]', "  organization_units: [ou-ab12-workload1]"),
    )

    result = run("export", *sandbox, "--from", fleet)

    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)["accounts"] == {
        "role": "arn:aws:iam::{account}:role/ptc-deployer",
        "organization_units": ["ou-ab12-workload1"],
    }


def test_a_file_without_accounts_exports_its_account_and_regions(
    tmp_path: Path, sandbox: list[str]
) -> None:
    one = _fleet(tmp_path, 'version: 1\naccount: "123456789012"\nregions: [eu-west-1]\n')
    other = _fleet(tmp_path / "..", f'version: 1\naccount: "{A}"\nregions: [eu-west-1]\n')

    mine = run("export", *sandbox, "--from", one, "-o", tmp_path / "{account}.yaml")
    refused = run("export", *sandbox, "--from", other)

    assert mine.exit_code == 0, mine.output
    assert yaml.safe_load((tmp_path / "123456789012.yaml").read_text()) == {
        "version": 1,
        "account": "123456789012",
        "regions": ["eu-west-1"],
    }
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"error: the file is for account {A}, but the credentials")


def test_accounts_and_shards_need_a_file(sandbox: list[str]) -> None:
    result = run("export", *sandbox, "-r", "us-east-1", "--account", A)

    assert result.exit_code == 64
    assert result.stderr == (
        "error: --account, --shard and --max-concurrency choose among the accounts of a "
        "file: give it with --from FILE\n"
    )


def test_a_shard_without_accounts_says_so_instead_of_a_difference(
    tmp_path: Path, sandbox: list[str]
) -> None:
    # Shard 1 of 9 holds neither account (the shard of an account is a hash of its ID).
    result = run("export", *sandbox, "--from", _fleet(tmp_path), "--shard", "1/9")

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no account of {tmp_path / 'fleet.yaml'} is selected; nothing exported\n"
    )


def _ctrl_c_exporting(monkeypatch: Any, account: str) -> None:
    """Ctrl-C while `account` is being exported (as its live state is read)."""
    from ptc.domain import account as accounts

    real = accounts.check_account

    def check_account(expected: str | None, *args: Any, **kwargs: Any) -> Any:
        if expected == account:
            raise KeyboardInterrupt
        return real(expected, *args, **kwargs)

    monkeypatch.setattr(accounts, "check_account", check_account)


def test_ctrl_c_writes_the_accounts_exported_and_names_the_others(
    tmp_path: Path, sandbox: list[str], by_hand: ByHand, monkeypatch: Any
) -> None:
    _seed(by_hand, {A: ["quay"], B: ["quay"], C: ["quay"]})
    fleet = _fleet(tmp_path, FLEET.replace(f'"{B}"]', f'"{B}", "{C}"]'))
    (tmp_path / "out").mkdir()
    per_account = ["-o", tmp_path / "out/{account}.yaml", "--max-concurrency", "1"]
    _ctrl_c_exporting(monkeypatch, B)

    split = run("export", *sandbox, "--from", fleet, *per_account)
    one = run("export", *sandbox, "--from", fleet, "-o", tmp_path / "all.yaml")

    assert split.exit_code == one.exit_code == 130, split.output
    assert split.stdout == f"Wrote {tmp_path}/out/{A}.yaml: 1 rules, 1 templates, 0 permissions.\n"
    assert split.stderr == (
        f"account {B}: not exported (interrupted)\n"
        f"account {C}: not exported (interrupted)\n"
        "error: interrupted; the accounts exported were written\n"
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{A}.yaml"]
    assert one.stderr.endswith("error: interrupted; nothing written\n")
    assert not (tmp_path / "all.yaml").exists()

    monkeypatch.undo()
    again = run("export", *sandbox, "--from", fleet, *per_account)

    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{a}.yaml" for a in (A, B, C)]

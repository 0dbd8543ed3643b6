"""`ptc plan`, `ptc apply` and `ptc export` as a user runs them: output, exit codes, errors.

Each test gets its own embedded sandbox (`--sandbox --sandbox-state <tmp>/s.json`); a test
changes that sandbox "by hand" with boto3 inside `embedded.running(state)`, as someone at
the console would. The tests without the sandbox use moto (the `aws` fixture) or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from ptc.sandbox.embedded import SandboxInfo
from ptc.sandbox.server import RunningServer
from tests.sandbox.conftest import BACKDATED, backdate_secrets
from tests.support import ACCOUNT, DOCKER, TWO_RULES, run

FILE = (
    TWO_RULES
    + """\
templates:
  - prefix: docker-hub
    applied_for: [PULL_THROUGH_CACHE]
    description: Docker Hub
"""
)
ADD_ALL = "Plan: 8 to add, 0 to change, 0 to replace, 0 to destroy."
NO_CHANGES = "No changes. The live state matches the file."
NOT_A_TTY = (
    "error: refusing to ask for confirmation: standard input is not a terminal; "
    "review the plan and pass --auto-approve\n"
)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def _applied(rules: Path, sandbox: list[str]) -> None:
    result = run("apply", *sandbox, "--auto-approve", rules)
    assert result.exit_code == 0, result.output


# -- plan --------------------------------------------------------------------------------------


def test_plan_shows_terraform_markers_and_the_summary(rules: Path, sandbox: list[str]) -> None:
    result = run("plan", *sandbox, rules)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"ptc will perform the following actions in account {ACCOUNT}:"
    assert lines[-1] == ADD_ALL
    assert '  + rule "quay" {' in lines
    assert '  + secret "ecr-pullthroughcache/docker-hub" {' in lines
    assert "      + value = (sensitive value)" in lines
    assert f"      + credential_arn = (known after apply: the ARN of secret {DOCKER})" in lines
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("applied", "flags", "code", "last_line"),
    [
        pytest.param(False, [], 0, ADD_ALL, id="changes, plain"),
        pytest.param(False, ["--detailed-exitcode"], 2, ADD_ALL, id="changes, detailed"),
        pytest.param(True, [], 0, NO_CHANGES, id="no changes, plain"),
        pytest.param(True, ["--detailed-exitcode"], 0, NO_CHANGES, id="no changes, detailed"),
    ],
)
def test_plan_exit_codes(
    rules: Path,
    sandbox: list[str],
    applied: bool,
    flags: list[str],
    code: int,
    last_line: str,
) -> None:
    if applied:
        _applied(rules, sandbox)
    result = run("plan", *sandbox, *flags, rules)
    assert result.exit_code == code
    assert result.stdout.splitlines()[-1] == last_line


def test_plan_of_an_invalid_file_is_an_error(tmp_path: Path, sandbox: list[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "version: 1\nregions: [us-east-1]\nrules:\n  - prefix: Quay\n    upstream: quay.io\n"
    )
    result = run("plan", *sandbox, "--detailed-exitcode", path)
    assert result.exit_code == 1
    # The findings, as validate prints them, then the one error line.
    assert result.stderr == (
        f"{path}:4:13: PTC201 error: prefix 'Quay' is not a valid prefix\n"
        "    fix: Use lower-case letters and digits in groups separated by '.', '_', '__' or "
        "'-', with '/' between path parts, or ROOT.\n"
        f"error: {path}: 1 error; fix it first\n"
    )
    assert result.stdout == ""


def test_region_narrows_the_plan(rules: Path, sandbox: list[str]) -> None:
    result = run("plan", *sandbox, "--format", "json", "--region", "eu-west-1", rules)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["regions"] == ["eu-west-1"]
    assert {c["region"] for c in data["changes"]} == {"eu-west-1"}
    assert data["summary"]["add"] == 4


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_region_the_file_does_not_have_is_an_error(
    rules: Path, sandbox: list[str], command: str
) -> None:
    result = run(command, *sandbox, "--region", "us-west-2", "--region", "eu-west-1", rules)
    assert result.exit_code == 64
    assert result.stderr == (
        f"error: --region us-west-2: not a region of {rules} (us-east-1, eu-west-1)\n"
    )


def test_plan_json_is_data(rules: Path, sandbox: list[str]) -> None:
    result = run("plan", *sandbox, "--format", "json", rules)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["format_version"] == 2 and data["account"] == ACCOUNT
    assert data["summary"] == {"add": 8, "change": 0, "replace": 0, "destroy": 0, "unmanaged": 0}
    assert [c["address"] for c in data["changes"][:4]] == [
        f"eu-west-1/secret/{DOCKER}",
        "eu-west-1/template/docker-hub",
        "eu-west-1/rule/docker-hub",
        "eu-west-1/rule/quay",
    ]
    assert {c["action"] for c in data["changes"]} == {"create"}


def test_plan_shows_drift_made_by_hand(
    rules: Path, sandbox: list[str], by_hand: Callable[[], AbstractContextManager[SandboxInfo]]
) -> None:
    _applied(rules, sandbox)
    with by_hand() as aws:
        ecr = aws.session("eu-west-1").client("ecr")
        ecr.update_repository_creation_template(
            prefix="docker-hub", appliedFor=["PULL_THROUGH_CACHE"], description="changed by hand"
        )
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="added-by-hand", upstreamRegistryUrl="public.ecr.aws"
        )
    result = run("plan", *sandbox, "--detailed-exitcode", rules)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"ptc will perform the following actions in account {ACCOUNT}:",
        "",
        "  # eu-west-1/template/docker-hub will be updated in place",
        '  ~ template "docker-hub" {',
        '      ~ description = "changed by hand" -> "Docker Hub"',
        "    }",
        "",
        "Live, not in the file (left alone; set prune to delete):",
        "  ? eu-west-1/rule/added-by-hand",
        "",
        "Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy.",
    ]


def test_plan_shows_a_replace_with_its_reason(
    rules: Path, sandbox: list[str], tmp_path: Path
) -> None:
    _applied(rules, sandbox)
    rules.write_text(FILE.replace("upstream: quay.io", "upstream: registry.k8s.io"))
    result = run("plan", *sandbox, "--region", "us-east-1", rules)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"ptc will perform the following actions in account {ACCOUNT}:",
        "",
        "  # us-east-1/rule/quay must be replaced "
        "(upstream_registry, upstream_url cannot change in place)",
        '-/+ rule "quay" {',
        '      ~ upstream_registry = "quay" -> "k8s"',
        '      ~ upstream_url = "quay.io" -> "registry.k8s.io"',
        "    }",
        "",
        "Plan: 0 to add, 0 to change, 1 to replace, 0 to destroy.",
    ]


# -- apply -------------------------------------------------------------------------------------


def test_apply_applies_verifies_and_converges(rules: Path, sandbox: list[str]) -> None:
    result = run("apply", *sandbox, "--auto-approve", rules)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert ADD_ALL in lines
    assert "  done     create us-east-1/rule/docker-hub" in lines
    assert lines[-2:] == [
        "Apply complete: 8 applied, 0 failed, 0 not attempted.",
        "Verified: a fresh read of the live state matches the file.",
    ]
    again = run("apply", *sandbox, "--auto-approve", rules)
    assert again.exit_code == 0
    assert again.stdout == NO_CHANGES + "\n"


def test_apply_refuses_to_prompt_without_a_terminal(rules: Path, sandbox: list[str]) -> None:
    result = run("apply", *sandbox, rules, input="y\n")
    assert result.exit_code == 64
    assert result.stderr == NOT_A_TTY
    assert run("plan", *sandbox, rules).stdout.splitlines()[-1] == ADD_ALL  # nothing applied


@pytest.mark.parametrize(
    ("answer", "code", "last_line", "left"),
    [
        pytest.param("n\n", 1, "Apply cancelled.", ADD_ALL, id="no"),
        pytest.param("y\n", 1, "Apply cancelled.", ADD_ALL, id="y is not yes"),
        pytest.param("Yes\n", 1, "Apply cancelled.", ADD_ALL, id="Yes is not yes"),
        pytest.param("", 1, "Apply cancelled.", ADD_ALL, id="end of input"),
        pytest.param(
            "yes\n",
            0,
            "Verified: a fresh read of the live state matches the file.",
            NO_CHANGES,
            id="yes",
        ),
    ],
)
def test_apply_asks_on_a_terminal(
    rules: Path,
    sandbox: list[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    last_line: str,
    left: str,
) -> None:
    import ptc.cli.output

    monkeypatch.setattr(ptc.cli.output, "stdin_is_terminal", lambda: True)
    result = run("apply", *sandbox, rules, input=answer)
    monkeypatch.undo()
    assert result.exit_code == code
    assert (
        "Apply these changes?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    ) in result.stdout
    assert result.stdout.splitlines()[-1] == last_line
    assert run("plan", *sandbox, rules).stdout.splitlines()[-1] == left


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="neither FILE nor --plan"),
        pytest.param(["rules.yaml", "--plan", "plan.json"], id="both FILE and --plan"),
    ],
)
def test_apply_needs_exactly_one_of_file_and_plan(sandbox: list[str], args: list[str]) -> None:
    result = run("apply", *sandbox, *args)
    assert result.exit_code == 64
    assert result.stderr == "error: give either FILE or --plan PLANFILE\n"


def test_apply_of_a_saved_plan(rules: Path, sandbox: list[str], tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    result = run("plan", *sandbox, "--out", plan_file, rules)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        f"Saved the plan to {plan_file}; apply it with: ptc apply --plan {plan_file}"
    )
    applied = run("apply", *sandbox, "--auto-approve", "--plan", plan_file)
    assert applied.exit_code == 0
    assert applied.stdout.splitlines()[-2:] == [
        "Apply complete: 8 applied, 0 failed, 0 not attempted.",
        "Verified: a fresh read of the live state matches the file.",
    ]
    stale = run("apply", *sandbox, "--auto-approve", "--plan", plan_file)
    assert stale.exit_code == 1
    assert stale.stderr.startswith("error: the live state changed since the plan was made (sha256:")
    assert stale.stderr.endswith("); run 'ptc plan' again\n")


def test_a_saved_plan_is_refused_after_drift(
    rules: Path,
    sandbox: list[str],
    tmp_path: Path,
    by_hand: Callable[[], AbstractContextManager[SandboxInfo]],
) -> None:
    plan_file = tmp_path / "plan.json"
    run("plan", *sandbox, "--out", plan_file, rules)
    with by_hand() as aws:
        aws.session().client("ecr").create_pull_through_cache_rule(
            ecrRepositoryPrefix="added-by-hand", upstreamRegistryUrl="public.ecr.aws"
        )
    result = run("apply", *sandbox, "--auto-approve", "--plan", plan_file)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the live state changed since the plan was made")
    assert run("plan", *sandbox, rules).stdout.splitlines()[-1] == ADD_ALL


def test_a_saved_plan_stays_fresh_across_sandbox_runs(
    rules: Path, sandbox: list[str], tmp_path: Path
) -> None:
    _applied(rules, sandbox)
    # Dates no clock reads now: a run that re-stamped the secrets as it restored them
    # would change the live state's fingerprint between plan and apply.
    state_file = tmp_path / "s.json"
    backdate_secrets(state_file)
    plan_file = tmp_path / "plan.json"
    assert run("plan", *sandbox, "--out", plan_file, rules).exit_code == 0
    result = run("apply", *sandbox, "--auto-approve", "--plan", plan_file)
    assert (result.exit_code, result.stderr) == (0, "")
    saved = json.loads(state_file.read_text())["accounts"][ACCOUNT]
    dates = {
        (s["createdDate"], s["lastChangedDate"], s["versionCreatedDate"])
        for region in saved.values()
        for s in region["secrets"]
    }
    assert dates == {(BACKDATED, BACKDATED, BACKDATED)}


def test_a_modified_saved_plan_is_refused(rules: Path, sandbox: list[str], tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    run("plan", *sandbox, "--out", plan_file, rules)
    plan_file.write_text(plan_file.read_text().replace('"quay.io"', '"registry.k8s.io"'))
    result = run("apply", *sandbox, "--auto-approve", "--plan", plan_file)
    assert result.exit_code == 3
    assert (
        result.stderr == f"error: {plan_file}: the saved plan was modified after it was written\n"
    )


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda d: d["desired"].update(base_dir="/etc"), id="desired.base_dir"),
        pytest.param(
            lambda d: d["plan"]["changes"][-1]["after"].update(upstream_url="evil.example"),
            id="plan.changes[].after",
        ),
    ],
)
def test_an_edit_outside_the_plan_part_is_refused(
    rules: Path, sandbox: list[str], tmp_path: Path, edit: Callable[[dict[str, Any]], None]
) -> None:
    plan_file = tmp_path / "plan.json"
    run("plan", *sandbox, "--out", plan_file, rules)
    document = json.loads(plan_file.read_text())
    edit(document)
    plan_file.write_text(json.dumps(document))
    result = run("apply", *sandbox, "--auto-approve", "--plan", plan_file)
    assert (result.exit_code, result.stdout) == (3, "")
    assert (
        result.stderr == f"error: {plan_file}: the saved plan was modified after it was written\n"
    )
    assert run("plan", *sandbox, rules).stdout.splitlines()[-1] == ADD_ALL


def test_a_damaged_saved_plan_is_one_line(rules: Path, sandbox: list[str], tmp_path: Path) -> None:
    from ptc.plan import saved

    plan_file = tmp_path / "plan.json"
    run("plan", *sandbox, "--out", plan_file, rules)
    document = json.loads(plan_file.read_text())
    document["plan"] = []
    document["checksum"] = saved.checksum(document)
    plan_file.write_text(json.dumps(document))
    result = run("apply", *sandbox, "--auto-approve", "--plan", plan_file)
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        f"error: {plan_file}: the saved plan is damaged: plan: Input should be an object\n"
    )


def test_a_saved_plan_applies_only_in_its_own_account(
    aws: SandboxInfo, sandbox_server: RunningServer, tmp_path: Path
) -> None:
    from moto.iam.utils import generate_access_key_id_from_account_id

    path = tmp_path / "rules.yaml"
    path.write_text(
        "version: 1\nregions: [us-east-1]\nrules:\n  - {prefix: quay, upstream: quay.io}\n"
    )

    def key_of(account: str) -> str:
        return generate_access_key_id_from_account_id(account, prefix="AKIA", total_length=20)

    # The served sandbox tells accounts apart by access key id, as AWS does.
    served = {
        "AWS_ENDPOINT_URL": sandbox_server.url,
        "AWS_ACCESS_KEY_ID": key_of(ACCOUNT),
        "AWS_SECRET_ACCESS_KEY": "sandbox",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    plan_file = tmp_path / "plan.json"
    assert run("plan", "--out", plan_file, path, env=served).exit_code == 0
    elsewhere = {**served, "AWS_ACCESS_KEY_ID": key_of("111111111111")}
    result = run("apply", "--auto-approve", "--plan", plan_file, env=elsewhere)
    assert result.exit_code == 1
    assert result.stderr == (
        # The identity STS answered for: which profile, role or variable to fix.
        f"error: the file is for account {ACCOUNT}, but the credentials of "
        "arn:aws:sts::111111111111:user/moto are for 111111111111; refusing to continue\n"
    )


def _foreign_rules(by_hand: Callable[[], AbstractContextManager[SandboxInfo]], count: int) -> None:
    with by_hand() as aws:
        ecr = aws.session().client("ecr")
        for n in range(count):
            ecr.create_pull_through_cache_rule(
                ecrRepositoryPrefix=f"foreign-{n}", upstreamRegistryUrl="quay.io"
            )


def test_prune_guard_needs_force(
    tmp_path: Path, sandbox: list[str], by_hand: Callable[[], AbstractContextManager[SandboxInfo]]
) -> None:
    _foreign_rules(by_hand, 5)
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nregions: [us-east-1]\n")
    refused = run("apply", *sandbox, "--prune", "--auto-approve", path)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: the plan deletes 5 of the 5 live rules and templates in {ACCOUNT}/us-east-1; "
        f"more than 3 needs --force {SAFETY_DEFAULTS}\n"
    )
    assert refused.stdout.splitlines()[-1] == (
        "Plan: 0 to add, 0 to change, 0 to replace, 5 to destroy."
    )
    forced = run("apply", *sandbox, "--prune", "--force", "--auto-approve", path)
    assert forced.exit_code == 0
    assert forced.stdout.splitlines()[-2] == "Apply complete: 5 applied, 0 failed, 0 not attempted."
    assert run("plan", *sandbox, path).stdout == NO_CHANGES + "\n"


SAFETY_DEFAULTS = "(safety: max_deletes 3, max_delete_percent 30 from min_existing 10)"


def test_the_files_safety_section_and_the_command_line_set_the_thresholds(
    tmp_path: Path, sandbox: list[str], by_hand: Callable[[], AbstractContextManager[SandboxInfo]]
) -> None:
    _foreign_rules(by_hand, 5)
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nregions: [us-east-1]\nprune: true\nsafety:\n  max_deletes: 5\n")
    # The command line wins over the file, in plan (a warning) and in apply (a refusal).
    planned = run("plan", *sandbox, "--max-deletes", "4", path)
    assert planned.exit_code == 0
    refusal = (
        f"the plan deletes 5 of the 5 live rules and templates in {ACCOUNT}/us-east-1; "
        "more than 4 needs --force (safety: max_deletes 4, max_delete_percent 30 from "
        "min_existing 10)"
    )
    assert planned.stderr == f"warning: apply will refuse this plan: {refusal}\n"
    refused = run("apply", *sandbox, "--max-deletes", "4", "--auto-approve", path)
    assert (refused.exit_code, refused.stderr) == (1, f"error: {refusal}\n")
    # The file's 5 allows it without --force; plan says nothing.
    assert run("plan", *sandbox, path).stderr == ""
    applied = run("apply", *sandbox, "--auto-approve", path)
    assert applied.exit_code == 0, applied.output
    assert (
        applied.stdout.splitlines()[-2] == "Apply complete: 5 applied, 0 failed, 0 not attempted."
    )


def test_a_saved_plan_is_guarded_by_the_thresholds_it_was_made_with(
    tmp_path: Path, sandbox: list[str], by_hand: Callable[[], AbstractContextManager[SandboxInfo]]
) -> None:
    _foreign_rules(by_hand, 5)
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nregions: [us-east-1]\nprune: true\n")
    plan_file = tmp_path / "plan.json"
    assert (
        run(
            "plan",
            *sandbox,
            "--max-delete-percent",
            "100",
            "--min-existing",
            "0",
            "--out",
            plan_file,
            path,
        ).exit_code
        == 0
    )
    # Stricter on the command line than when it was saved: refused, and nothing deleted.
    refused = run(
        "apply",
        *sandbox,
        "--auto-approve",
        "--max-deletes",
        "0",
        "--max-delete-percent",
        "0",
        "--plan",
        plan_file,
    )
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: the plan deletes 5 of the 5 live rules and templates in {ACCOUNT}/us-east-1; "
        "more than 0 needs --force (safety: max_deletes 0, max_delete_percent 0 from "
        "min_existing 0)\n"
    )
    applied = run("apply", *sandbox, "--auto-approve", "--plan", plan_file)
    assert applied.exit_code == 0, applied.output


def test_replacing_more_rules_than_the_threshold_needs_force(
    tmp_path: Path, sandbox: list[str], by_hand: Callable[[], AbstractContextManager[SandboxInfo]]
) -> None:
    _foreign_rules(by_hand, 4)
    path = tmp_path / "rules.yaml"
    rules = "".join(f"  - prefix: foreign-{n}\n    upstream: public.ecr.aws\n" for n in range(4))
    path.write_text(f"version: 1\nregions: [us-east-1]\nrules:\n{rules}")
    refused = run("apply", *sandbox, "--auto-approve", path)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: the plan replaces 4 of the 4 live rules in {ACCOUNT}/us-east-1 (each is "
        "deleted, then created: its pulls fail in between); more than 3 needs --force "
        "(safety: max_replaces 3, max_replace_percent 30 from min_existing 10)\n"
    )
    assert run("apply", *sandbox, "--auto-approve", "--max-replaces", "4", path).exit_code == 0


def test_safety_options_are_checked_by_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nregions: [us-east-1]\n")
    result = run("plan", "--max-delete-percent", "101", path)
    assert result.exit_code == 64
    assert result.stderr == (
        "error: invalid value for '--max-delete-percent': give a percentage from 0 to 100; "
        "see 'ptc plan --help'\n"
    )


def test_without_prune_nothing_outside_the_file_is_deleted(
    tmp_path: Path, sandbox: list[str], by_hand: Callable[[], AbstractContextManager[SandboxInfo]]
) -> None:
    _foreign_rules(by_hand, 5)
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nregions: [us-east-1]\n")
    result = run("apply", *sandbox, "--auto-approve", path)
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[0] == "Live, not in the file (left alone; set prune to delete):"
    )
    assert result.stdout.splitlines()[-1] == NO_CHANGES
    with by_hand() as aws:
        rules = aws.session().client("ecr").describe_pull_through_cache_rules()
    assert len(rules["pullThroughCacheRules"]) == 5


MISSING_SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{DOCKER}-AbCdEf"
FAILING = f"""\
version: 1
regions: [us-east-1]
rules:
  - prefix: alpha
    upstream: quay.io
  - prefix: docker-hub
    upstream: registry-1.docker.io
    credentials: {MISSING_SECRET_ARN}
  - prefix: zeta
    upstream: public.ecr.aws
"""


def test_a_failed_apply_reports_what_was_done_and_exits_1(
    tmp_path: Path, sandbox: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptc.engine import executor as regions

    # One change at a time, so which rule is left not attempted does not depend on timing;
    # tests/plan/test_apply_waves.py covers a wave's changes in flight together.
    monkeypatch.setattr(regions, "STEP_WORKERS", 1)
    path = tmp_path / "rules.yaml"
    path.write_text(FAILING)
    result = run("apply", *sandbox, "--auto-approve", path)
    assert result.exit_code == 1
    report = result.stdout[result.stdout.index("  done") :]
    assert report.splitlines() == [
        "  done     create us-east-1/rule/alpha",
        "  FAILED   create us-east-1/rule/docker-hub: CreatePullThroughCacheRule in us-east-1: "
        f"SecretNotFoundException: The secret {MISSING_SECRET_ARN} does not exist",
        "  skipped  create us-east-1/rule/zeta",
        "Apply incomplete: 1 applied, 1 failed, 1 not attempted.",
        "Run apply again to finish: it plans from the live state and converges.",
    ]


# -- export ------------------------------------------------------------------------------------


def test_export_writes_a_file_that_validates_and_plans_clean(
    rules: Path,
    sandbox: list[str],
    tmp_path: Path,
    by_hand: Callable[[], AbstractContextManager[SandboxInfo]],
) -> None:
    _applied(rules, sandbox)
    with by_hand() as aws:  # one region differs: export narrows the item with `regions:`
        aws.session("eu-west-1").client("ecr").update_repository_creation_template(
            prefix="docker-hub", appliedFor=["PULL_THROUGH_CACHE"], description="eu only"
        )
    exported = tmp_path / "exported.yaml"
    result = run("export", *sandbox, "-r", "us-east-1", "-r", "eu-west-1", "-o", exported)
    assert result.exit_code == 0
    assert result.stdout == f"Wrote {exported}: 2 rules, 2 templates, 0 permissions.\n"
    document = yaml.safe_load(exported.read_text())
    assert document["account"] == ACCOUNT and document["regions"] == ["us-east-1", "eu-west-1"]
    assert {(t["description"], tuple(t.get("regions", ()))) for t in document["templates"]} == {
        ("Docker Hub", ("us-east-1",)),
        ("eu only", ("eu-west-1",)),
    }
    assert {"prefix": "docker-hub", "upstream": "registry-1.docker.io", "credentials": DOCKER} in (
        document["rules"]
    )
    assert "dckr_pat_test" not in exported.read_text()

    validated = run("validate", exported)
    assert validated.exit_code == 0
    assert " 0 errors" in validated.stdout
    planned = run("plan", *sandbox, "--detailed-exitcode", exported)
    assert planned.exit_code == 0
    assert planned.stdout == NO_CHANGES + "\n"


def test_export_to_stdout(rules: Path, sandbox: list[str]) -> None:
    _applied(rules, sandbox)
    result = run("export", *sandbox, "--region", "eu-west-1")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Exported by 'ptc export'.")
    document = yaml.safe_load(result.stdout)
    assert document == {
        "version": 1,
        "account": ACCOUNT,
        "regions": ["eu-west-1"],
        "rules": [
            {"prefix": "docker-hub", "upstream": "registry-1.docker.io", "credentials": DOCKER},
            {"prefix": "quay", "upstream": "quay.io"},
        ],
        "templates": [
            {
                "prefix": "docker-hub",
                "applied_for": ["PULL_THROUGH_CACHE"],
                "description": "Docker Hub",
                "image_tag_mutability": "MUTABLE",
            }
        ],
    }


# -- AWS errors without a traceback ------------------------------------------------------------


@pytest.fixture
def no_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str | None]:
    """An environment with no AWS configuration at all, and botocore's backoff turned off."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    empty = tmp_path / "empty"
    empty.write_text("")
    env: dict[str, str | None] = dict.fromkeys(
        (
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
            "AWS_ENDPOINT_URL",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        )
    )
    env.update(
        {
            "AWS_CONFIG_FILE": str(empty),
            "AWS_SHARED_CREDENTIALS_FILE": str(empty),
            "BOTO_CONFIG": str(empty),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_DEFAULT_REGION": "us-east-1",
            "HOME": str(tmp_path),
        }
    )
    return env


@pytest.mark.parametrize(
    "command", [["plan"], ["apply", "--auto-approve"], ["export", "-o"]], ids=lambda c: c[0]
)
def test_an_unknown_profile(rules: Path, no_aws: dict[str, str | None], command: list[str]) -> None:
    # export -o takes the rules path as its output: it must not be written.
    result = run(*command, rules, "--profile", "nope-xyz", env=no_aws)
    assert result.exit_code == 1
    assert result.stderr == "error: AWS profile not found: nope-xyz\n"


def test_missing_credentials(rules: Path, no_aws: dict[str, str | None]) -> None:
    result = run("plan", rules, env=no_aws)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no usable AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
        "AWS_SECRET_ACCESS_KEY, or run 'aws sso login' (or use --sandbox)\n"
    )


def test_an_endpoint_that_does_not_answer(rules: Path, no_aws: dict[str, str | None]) -> None:
    env = {
        **no_aws,
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    result = run("plan", rules, env=env)
    assert result.exit_code == 1
    assert result.stderr == (
        'error: cannot reach AWS: Could not connect to the endpoint URL: "http://127.0.0.1:9/"\n'
    )


@pytest.mark.parametrize("code", ["ExpiredToken", "InvalidClientTokenId"])
def test_expired_credentials(
    aws: SandboxInfo, rules: Path, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    from botocore.awsrequest import AWSResponse

    import ptc.cli.plan
    from tests.plan.conftest import RawBody

    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>The "
        "security token included in the request is expired</Message></Error></ErrorResponse>"
    )

    def expired(request: Any, **_: Any) -> AWSResponse:
        # Registered first, so this is the answer botocore takes (STS's reads change nothing).
        return AWSResponse(request.url, 403, {}, RawBody(body))

    original = ptc.cli.plan.aws_connection

    @contextmanager
    def rejecting(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with original(*args, **kwargs) as connection:
            connection.session.events.register_first("before-send.sts", expired)
            yield connection

    monkeypatch.setattr(ptc.cli.plan, "aws_connection", rejecting)
    result = run("plan", rules)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: AWS rejected the credentials ({code}): they are expired or invalid; log in again\n"
    )


# -- secret sources ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_missing_environment_variable_is_named(
    aws: SandboxInfo, rules: Path, command: str
) -> None:
    args = [command, rules] + (["--auto-approve"] if command == "apply" else [])
    result = run(*args, env={"DOCKERHUB_TOKEN": None})
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: secret '{DOCKER}': environment variable DOCKERHUB_TOKEN is not set or is empty\n"
    )
    assert boto3.client("ecr").describe_pull_through_cache_rules()["pullThroughCacheRules"] == []


def test_a_missing_value_file_is_named(aws: SandboxInfo, rules: Path, tmp_path: Path) -> None:
    rules.write_text(FILE.replace("{env: DOCKERHUB_TOKEN}", "{file: secrets/token}"))
    result = run("plan", rules)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: secret '{DOCKER}': cannot read {tmp_path / 'secrets/token'}: "
        "No such file or directory\n"
    )


def test_the_sandbox_stands_in_placeholders_for_missing_sources(
    rules: Path, sandbox: list[str]
) -> None:
    result = run("apply", *sandbox, "--auto-approve", rules, env={"DOCKERHUB_TOKEN": None})
    assert result.exit_code == 0
    assert result.stderr == (
        "sandbox: env DOCKERHUB_TOKEN not available; placeholder values stand in "
        "(the sandbox never needs real credentials)\n"
    )


# -- registry permissions ------------------------------------------------------------------------

PERMISSIONS = f"""\
permissions:
  - sid: PullThroughCacheFromCI
    principals: [arn:aws:iam::{ACCOUNT}:role/ci]
    prefixes: [quay]
    regions: [us-east-1]
"""
REPLICATION = {
    "Sid": "ReplicationFromProd",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
    "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
    "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*",
}


def _put_policy(aws: SandboxInfo, *statements: dict[str, Any]) -> None:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    aws.session().client("ecr").put_registry_policy(policyText=json.dumps(document))


def _policy(aws: SandboxInfo) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        aws.session().client("ecr").get_registry_policy()["policyText"]
    )
    return document


def test_plan_shows_statements_and_leaves_foreign_ones_alone(
    rules: Path, sandbox: list[str], by_hand: Callable[[], AbstractContextManager[SandboxInfo]]
) -> None:
    rules.write_text(FILE + PERMISSIONS, encoding="utf-8")
    _applied(rules, sandbox)
    with by_hand() as aws:
        owned = next(s for s in _policy(aws)["Statement"] if s["Sid"] == "PullThroughCacheFromCI")
        _put_policy(aws, REPLICATION, {**owned, "Action": "ecr:BatchImportUpstreamImage"})

    result = run("plan", *sandbox, "--detailed-exitcode", "--prune", rules)

    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"ptc will perform the following actions in account {ACCOUNT}:",
        "",
        "  # us-east-1/statement/PullThroughCacheFromCI will be updated in place",
        '  ~ statement "PullThroughCacheFromCI" {',
        '      ~ actions = ["ecr:BatchImportUpstreamImage"] -> '
        '["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]',
        "    }",
        "",
        "Registry policy statements not in the file (left alone, even with prune; declare a Sid "
        "with absent: true to remove it):",
        "  ? us-east-1/statement/ReplicationFromProd",
        "",
        "Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy.",
    ]
    assert run("apply", *sandbox, "--auto-approve", rules).exit_code == 0
    with by_hand() as aws:
        assert _policy(aws)["Statement"][0] == REPLICATION
    assert run("plan", *sandbox, rules).stdout.splitlines()[-1] == NO_CHANGES


def test_absent_statement_is_shown_as_destroyed_with_its_reason(
    rules: Path, sandbox: list[str], by_hand: Callable[[], AbstractContextManager[SandboxInfo]]
) -> None:
    rules.write_text(FILE + PERMISSIONS, encoding="utf-8")
    _applied(rules, sandbox)
    rules.write_text(FILE + "permissions:\n  - sid: PullThroughCacheFromCI\n    absent: true\n")

    result = run("apply", *sandbox, "--auto-approve", rules)

    assert result.exit_code == 0, result.output
    assert (
        "  # us-east-1/statement/PullThroughCacheFromCI will be destroyed "
        "(absent: true in the file)" in result.stdout.splitlines()
    )
    assert "  done     delete us-east-1/statement/PullThroughCacheFromCI" in result.stdout
    with by_hand() as aws:
        ecr = aws.session().client("ecr")
        with pytest.raises(ecr.exceptions.RegistryPolicyNotFoundException):
            ecr.get_registry_policy()


def test_a_saved_plan_is_refused_after_someone_adds_a_statement(
    rules: Path,
    sandbox: list[str],
    tmp_path: Path,
    by_hand: Callable[[], AbstractContextManager[SandboxInfo]],
) -> None:
    rules.write_text(FILE + PERMISSIONS, encoding="utf-8")
    plan_file = tmp_path / "plan.json"
    assert run("plan", *sandbox, "--out", plan_file, rules).exit_code == 0
    with by_hand() as aws:
        _put_policy(aws, REPLICATION)

    result = run("apply", *sandbox, "--auto-approve", "--plan", plan_file)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: the live state changed since the plan was made")
    with by_hand() as aws:
        assert _policy(aws)["Statement"] == [REPLICATION]


def test_plan_json_lists_statement_changes(rules: Path, sandbox: list[str]) -> None:
    rules.write_text(FILE + PERMISSIONS, encoding="utf-8")

    result = run("plan", *sandbox, "--format", "json", rules)

    data = json.loads(result.stdout)
    [change] = [c for c in data["changes"] if c["kind"] == "statement"]
    assert (change["address"], change["action"]) == (
        "us-east-1/statement/PullThroughCacheFromCI",
        "create",
    )
    assert change["after"]["resources"] == [f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/quay/*"]
    assert data["summary"]["add"] == 9


def test_export_adopts_the_permissions_and_plans_clean(
    rules: Path, sandbox: list[str], tmp_path: Path
) -> None:
    rules.write_text(FILE + PERMISSIONS, encoding="utf-8")
    _applied(rules, sandbox)
    exported = tmp_path / "exported.yaml"

    result = run("export", *sandbox, "-r", "us-east-1", "-r", "eu-west-1", "-o", exported)

    assert result.exit_code == 0, result.output
    document = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert document["permissions"] == [
        {
            "sid": "PullThroughCacheFromCI",
            "principals": [f"arn:aws:iam::{ACCOUNT}:role/ci"],
            "prefixes": ["quay"],
            "regions": ["us-east-1"],
        }
    ]
    assert run("plan", *sandbox, exported).stdout.splitlines()[-1] == NO_CHANGES


def test_validate_reports_permission_mistakes_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        FILE + "permissions:\n  - sid: bad-sid\n    principals: ['*']\n    prefixes: [ghcr]\n",
        encoding="utf-8",
    )

    result = run("validate", path)

    assert result.exit_code == 1
    assert [line.split(" ", 2)[1] for line in result.stdout.splitlines() if ": PTC" in line] == [
        "PTC501",
        "PTC504",
        "PTC506",
    ]


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ("mars-1", "error: --region mars-1: not an AWS region\n"),
        (
            "eu-centrl-1",
            "error: --region eu-centrl-1: not an AWS region; did you mean eu-central-1?\n",
        ),
        ("cn-north-1", "error: --region cn-north-1: ECR pull-through cache is not offered there\n"),
    ],
)
def test_export_refuses_a_region_it_cannot_read(
    sandbox: list[str], region: str, message: str
) -> None:
    result = run("export", *sandbox, "-r", region)
    assert result.exit_code == 64
    assert result.stderr == message

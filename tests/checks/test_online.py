"""`ptc validate --online`: the checks over a fake probe, then the command against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import Result

from ptc.checks.online import (
    RuleVerdict,
    SecretState,
    SecretVerdict,
    account_failed,
    in_account,
    judge_secret,
    locate,
    online_problems,
)
from ptc.checks.runner import validate_text
from ptc.errors import PtcError
from ptc.sandbox.embedded import SandboxInfo
from tests.support import ACCOUNT, DOCKER, TWO_RULES, run

SECRET = DOCKER
SENTINEL = "s3cr3t-sentinel-value"  # must never be printed
FILE = TWO_RULES
SENTINEL_ENV = {"DOCKERHUB_TOKEN": SENTINEL}


# -- the checks over a fake probe -----------------------------------------------------------


@dataclass
class FakeProbe:
    account: str = ACCOUNT
    secrets: dict[tuple[str, str], SecretVerdict | PtcError] = field(default_factory=dict)
    rules: dict[tuple[str, str], RuleVerdict] = field(default_factory=dict)
    asked: list[tuple[str, str]] = field(default_factory=list)

    def account_id(self) -> str:
        return self.account

    def caller_arn(self) -> str | None:
        return f"arn:aws:iam::{self.account}:user/ci"

    def secret(self, region: str, secret_id: str) -> SecretVerdict:
        self.asked.append((region, secret_id))
        answer = self.secrets.get((region, secret_id), SecretVerdict(SecretState.OK))
        if isinstance(answer, PtcError):
            raise answer
        return answer

    def rule(self, region: str, prefix: str) -> RuleVerdict:
        return self.rules.get((region, prefix), RuleVerdict(exists=True))


def _findings(
    probe: FakeProbe, text: str = FILE, regions: tuple[str, ...] = ("us-east-1",)
) -> list[tuple[str, int, int, str]]:
    validation = validate_text(text, "ptc.yaml", Path("."))
    assert validation.context is not None
    problems = online_problems(validation.context, probe, regions)
    return [(f.check_id, f.line, f.column, f.message) for f in locate(validation.context, problems)]


WHERE = "rule 'docker-hub' in us-east-1"
KEY = ("accessToken",)


@pytest.mark.parametrize(
    ("probe", "expected"),
    [
        pytest.param(FakeProbe(), [], id="all well"),
        pytest.param(
            FakeProbe(rules={("us-east-1", "docker-hub"): RuleVerdict(exists=False)}),
            [("PTC601", f"{WHERE} is not applied yet; run ptc apply")],
            id="not applied",
        ),
        pytest.param(
            FakeProbe(secrets={("us-east-1", SECRET): SecretVerdict(SecretState.MISSING)}),
            [
                (
                    "PTC603",
                    f"{WHERE}: secret '{SECRET}' does not exist in account {ACCOUNT}, us-east-1",
                )
            ],
            id="secret missing",
        ),
        pytest.param(
            FakeProbe(secrets={("us-east-1", SECRET): SecretVerdict(SecretState.NOT_JSON)}),
            [("PTC604", f"{WHERE}: secret '{SECRET}' does not hold a JSON object")],
            id="not JSON",
        ),
        pytest.param(
            FakeProbe(rules={("us-east-1", "docker-hub"): RuleVerdict(True, False, "401")}),
            [("PTC602", f"{WHERE}: ECR rejects the rule: 401")],
            id="ECR rejects",
        ),
        pytest.param(
            FakeProbe(
                secrets={("us-east-1", SECRET): SecretVerdict(SecretState.MISSING_KEYS, KEY)},
                rules={("us-east-1", "docker-hub"): RuleVerdict(True, False, "bad secret")},
            ),
            # ECR's failure would repeat the secret's problem: reported once.
            [("PTC604", f"{WHERE}: secret '{SECRET}' lacks the key(s) accessToken")],
            id="bad secret, not repeated",
        ),
        pytest.param(
            FakeProbe(secrets={("us-east-1", SECRET): PtcError("access denied")}),
            [("PTC605", f"{WHERE}: could not read secret '{SECRET}': access denied")],
            id="cannot read",
        ),
    ],
)
def test_each_problem_is_one_finding_at_the_credentials(
    probe: FakeProbe, expected: list[tuple[str, str]]
) -> None:
    found = _findings(probe)

    assert [(check_id, message) for check_id, _, _, message in found] == expected
    assert all((line, column) == (7, 18) for _, line, column, _ in found)


def test_a_secret_arn_in_another_account_is_not_asked_for() -> None:
    arn = f"arn:aws:secretsmanager:us-east-1:210987654321:secret:{SECRET}-Ab12Cd"
    probe = FakeProbe()

    # Without 'account:' in the file, only the credentials tell which account is meant.
    text = FILE.replace(f"credentials: {SECRET}", f"credentials: '{arn}'")
    text = text.replace(f'account: "{ACCOUNT}"\n', "").replace(", eu-west-1]", "]")
    found = _findings(probe, text)

    assert [f[0] for f in found] == ["PTC603"]
    assert "is in account 210987654321, not the rule's 123456789012" in found[0][3]
    assert probe.asked == []


def test_only_rules_with_credentials_in_the_chosen_regions_are_checked() -> None:
    probe = FakeProbe()

    _findings(probe, regions=("eu-west-1",))

    assert probe.asked == [("eu-west-1", SECRET)]


def test_credentials_for_another_account_are_refused() -> None:
    with pytest.raises(PtcError, match="the file is for account 123456789012, but"):
        _findings(FakeProbe(account="210987654321"))


FLEET = TWO_RULES.replace(
    f'account: "{ACCOUNT}"',
    'accounts:\n  role: arn:aws:iam::{account}:role/ptc-deployer\n  ids: ["111111111111"]',
)


def test_a_target_account_of_a_file_with_accounts_is_checked_and_named() -> None:
    validation = validate_text(FLEET, "ptc.yaml", Path("."))
    assert validation.context is not None and not validation.errors
    missing = {("us-east-1", "docker-hub"): RuleVerdict(exists=False)}

    problems = online_problems(
        validation.context, FakeProbe("111111111111", rules=missing), ["us-east-1"], "111111111111"
    )
    with pytest.raises(PtcError, match="the file is for account 111111111111, but"):
        online_problems(validation.context, FakeProbe(), ["us-east-1"], "111111111111")

    found = locate(validation.context, in_account("111111111111", problems))
    assert [(f.check_id, f.line, f.message) for f in found] == [
        ("PTC601", 9, f"account 111111111111: {WHERE} is not applied yet; run ptc apply")
    ]


@pytest.mark.parametrize(
    "error",
    [
        "account 111111111111: cannot assume arn:aws:iam::111111111111:role/ptc-deployer: denied",
        "cannot assume arn:aws:iam::111111111111:role/ptc-deployer: denied",
    ],
)
def test_an_account_that_could_not_be_checked_is_one_finding_at_the_role(error: str) -> None:
    validation = validate_text(FLEET, "ptc.yaml", Path("."))
    assert validation.context is not None

    found = locate(validation.context, [account_failed("111111111111", error)])

    assert [(f.check_id, f.line, f.column, f.message) for f in found] == [
        (
            "PTC605",
            3,
            9,
            "account 111111111111: could not check: cannot assume "
            "arn:aws:iam::111111111111:role/ptc-deployer: denied",
        )
    ]
    assert found[0].fix is not None and found[0].fix.startswith("Check that the role exists")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"username": "u", "accessToken": "t"}', SecretVerdict(SecretState.OK)),
        ('{"username": "u"}', SecretVerdict(SecretState.MISSING_KEYS, KEY)),
        ('{"username": "u", "accessToken": 7}', SecretVerdict(SecretState.MISSING_KEYS, KEY)),
        ("not json", SecretVerdict(SecretState.NOT_JSON)),
        ('["u", "t"]', SecretVerdict(SecretState.NOT_JSON)),
        (None, SecretVerdict(SecretState.NOT_JSON)),
    ],
)
def test_judge_secret(text: str | None, expected: SecretVerdict) -> None:
    assert judge_secret(text) == expected


# -- the command against the sandbox -----------------------------------------------------------


def _run(*args: str | Path) -> Result:
    return run(*args, env=SENTINEL_ENV)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_before_apply_each_rule_and_secret_is_a_finding(rules: Path, sandbox: list[str]) -> None:
    result = _run("validate", "--online", *sandbox, "-f", "json", rules)

    found = json.loads(result.stdout)["findings"]
    assert result.exit_code == 1
    assert sorted((f["id"], f["line"], f["column"]) for f in found) == [
        ("PTC601", 7, 18),
        ("PTC601", 7, 18),
        ("PTC603", 7, 18),
        ("PTC603", 7, 18),
    ]
    assert {f["message"].split(":")[0].split(" is")[0] for f in found} == {
        "rule 'docker-hub' in us-east-1",
        "rule 'docker-hub' in eu-west-1",
    }


def test_after_apply_the_file_is_clean(rules: Path, sandbox: list[str]) -> None:
    assert _run("apply", *sandbox, "--auto-approve", rules).exit_code == 0

    result = _run("validate", "--online", *sandbox, rules)

    assert (result.exit_code, result.stdout) == (0, f"{rules}: 0 errors, 0 warnings\n")


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_a_broken_secret_is_reported_without_its_value(
    rules: Path,
    sandbox: list[str],
    by_hand: Callable[[], AbstractContextManager[SandboxInfo]],
    output_format: str,
) -> None:
    assert _run("apply", *sandbox, "--auto-approve", rules).exit_code == 0
    with by_hand() as aws:
        client = aws.client("secretsmanager", "eu-west-1")
        client.put_secret_value(SecretId=SECRET, SecretString=json.dumps({"username": SENTINEL}))

    result = _run("validate", "--online", *sandbox, "-r", "eu-west-1", "-f", output_format, rules)

    assert result.exit_code == 1
    assert "PTC604" in result.stdout
    assert "rule 'docker-hub' in eu-west-1: secret" in result.stdout
    assert "lacks the key(s) accessToken" in result.stdout
    assert SENTINEL not in result.stdout + result.stderr


def test_offline_errors_stop_before_aws(tmp_path: Path, sandbox: list[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(FILE.replace("prefix: quay", "prefix: Quay"), encoding="utf-8")

    result = _run("validate", "--online", *sandbox, path)

    assert result.exit_code == 1
    assert [line.split()[1] for line in result.stdout.splitlines()[:-1:2]] == ["PTC201"]
    assert not (tmp_path / "s.json").exists()  # the sandbox was never started


@pytest.mark.parametrize("flags", [["--sandbox"], ["--profile", "ci"], ["-r", "us-east-1"]])
def test_aws_options_need_online(rules: Path, flags: list[str]) -> None:
    result = _run("validate", *flags, rules)

    assert (result.exit_code, result.stderr) == (
        64,
        "error: --sandbox, --profile and --region need --online\n",
    )


def test_a_region_the_file_lacks_is_an_error(rules: Path, sandbox: list[str]) -> None:
    result = _run("validate", "--online", *sandbox, "-r", "ap-south-1", rules)

    assert result.exit_code == 64
    assert result.stderr == (
        f"error: --region ap-south-1: not a region of {rules} (us-east-1, eu-west-1)\n"
    )

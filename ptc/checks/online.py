"""`ptc validate --online`: checks that ask the live account, after apply.

The offline checks prove that the file is well formed; these ask AWS whether what the file
refers to works. For every rule with credentials, in every region it applies to: the secret
exists in the rule's account and region and holds a JSON object with the keys ECR reads,
and the rule exists live and ECR's ValidatePullThroughCacheRule accepts it.

The AWS side sits behind `LiveProbe` (ptc/aws/online.py does the boto3 calls), so this module
is logic over data and never imports boto3. A secret's value never reaches this module:
the probe reduces it at once to a `SecretVerdict` with `judge_secret`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from ptc.checks.base import Check, Context, Finding, Problem, finding
from ptc.config.loader import DataPath
from ptc.config.models import Rule
from ptc.domain import arns, catalog, substitution
from ptc.domain.account import check_account
from ptc.errors import PtcError


class OnlineCheck(Check):
    """A check `validate --online` runs against AWS; the offline runner never runs it.

    It is registered so that `ptc checks`, the generated docs and SARIF list it.
    """


class RuleNotApplied(OnlineCheck):
    id = "PTC601"
    summary = "A rule with credentials that does not exist live yet (validate --online)"
    fix = "Run 'ptc apply', then 'ptc validate --online' again."


class RuleValidationFailed(OnlineCheck):
    id = "PTC602"
    summary = "ECR's ValidatePullThroughCacheRule rejects a rule (validate --online)"
    fix = (
        "Check the secret's username and accessToken with the upstream registry (an expired "
        "token or one without pull scope is the usual cause), update the secret and run "
        "'ptc validate --online' again."
    )


class SecretNotFound(OnlineCheck):
    id = "PTC603"
    summary = "A secret a rule uses that does not exist in the rule's account and region"
    fix = (
        "Create the secret in the rule's account and region (declare it under 'secrets:' and "
        "run 'ptc apply'), or correct the rule's 'credentials'."
    )


class SecretMalformed(OnlineCheck):
    id = "PTC604"
    summary = "A secret whose value is not a JSON object with username and accessToken"
    fix = (
        'Store the value as {"username": "...", "accessToken": "..."}; secrets declared '
        "under 'secrets:' are written in this shape by 'ptc apply'."
    )


class OnlineCheckFailed(OnlineCheck):
    id = "PTC605"
    summary = "An online check that could not run, e.g. access denied (validate --online)"
    fix = (
        "Give the role the read permissions 'ptc iam-policy' lists, or skip these checks "
        "with --ignore PTC605."
    )


CHECKS: tuple[type[Check], ...] = (
    RuleNotApplied,
    RuleValidationFailed,
    SecretNotFound,
    SecretMalformed,
    OnlineCheckFailed,
)


# -- what the probe answers --------------------------------------------------------------


class SecretState(StrEnum):
    OK = "ok"
    MISSING = "missing"
    NOT_JSON = "not a JSON object"
    MISSING_KEYS = "missing keys"


@dataclass(frozen=True)
class SecretVerdict:
    """What a secret's value is like, without the value."""

    state: SecretState
    missing_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleVerdict:
    """ValidatePullThroughCacheRule's answer; exists=False when the rule is not live."""

    exists: bool
    valid: bool = True
    failure: str = ""


class LiveProbe(Protocol):
    """The live questions the online checks ask; AWS failures raise PtcError."""

    def account_id(self) -> str: ...
    def caller_arn(self) -> str | None: ...

    def secret(self, region: str, secret_id: str) -> SecretVerdict: ...

    def rule(self, region: str, prefix: str) -> RuleVerdict: ...


def judge_secret(text: str | None) -> SecretVerdict:
    """Reduce a SecretString to a verdict; the caller drops the text right after."""
    try:
        document = json.loads(text) if text is not None else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        return SecretVerdict(SecretState.NOT_JSON)
    missing = tuple(k for k in catalog.SECRET_KEYS if not isinstance(document.get(k), str))
    if missing:
        return SecretVerdict(SecretState.MISSING_KEYS, missing)
    return SecretVerdict(SecretState.OK)


# -- the checks over a probe ---------------------------------------------------------------

Located = tuple[type[Check], Problem]


@dataclass
class _Run:
    """One file's online pass: the probe, the caller's account, and answers already given."""

    probe: LiveProbe
    account: str
    secrets: dict[tuple[str, str], SecretVerdict | PtcError] = field(default_factory=dict)


def online_problems(
    ctx: Context, probe: LiveProbe, regions: Iterable[str], account: str | None = None
) -> list[Located]:
    """Every online problem of the file's rules in `regions`, each at its `credentials`.

    `account` is the target account of a file with `accounts:` (default: the file's).
    Raises PtcError when the credentials are for another account than that one.
    """
    account = check_account(account or ctx.file.account, probe)
    run = _Run(probe, account)
    wanted = set(regions)
    problems: list[Located] = []
    for region in [r for r in ctx.file.regions if r in wanted]:
        for path, rule in ctx.rules:
            if rule.credentials and region in ctx.regions_of(rule):
                problems += _rule_problems(run, (*path, "credentials"), rule, region)
    return problems


def _rule_problems(run: _Run, at: DataPath, rule: Rule, region: str) -> Iterator[Located]:
    assert rule.credentials is not None
    prefix = catalog.normalize_prefix(rule.prefix)
    where = f"rule '{prefix}' in {region}"
    secret_id = substitution.fill(rule.credentials, account=run.account, region=region)
    secret_ok = yield from _secret_problems(run, at, where, secret_id, region)
    try:
        verdict = run.probe.rule(region, prefix)
    except PtcError as exc:
        yield OnlineCheckFailed, Problem(at, f"{where}: could not validate the rule: {exc}")
        return
    if not verdict.exists:
        yield RuleNotApplied, Problem(at, f"{where} is not applied yet; run ptc apply")
    elif not verdict.valid and secret_ok:
        # A broken secret is reported above; ECR's failure would only repeat it.
        failure = verdict.failure or "no reason given"
        yield RuleValidationFailed, Problem(at, f"{where}: ECR rejects the rule: {failure}")


def _secret_problems(
    run: _Run, at: DataPath, where: str, secret_id: str, region: str
) -> Generator[Located, None, bool]:
    """Yield the secret's problems; return True when the secret is usable."""
    arn = arns.parse_arn(secret_id)
    shown = f"secret '{secret_id}'"
    if arn is not None and arn.account != run.account:
        message = f"{where}: {shown} is in account {arn.account}, not the rule's {run.account}"
        yield SecretNotFound, Problem(at, message)
        return False
    verdict = _secret_verdict(run, region, secret_id)
    if isinstance(verdict, PtcError):
        yield OnlineCheckFailed, Problem(at, f"{where}: could not read {shown}: {verdict}")
        return False
    if verdict.state is SecretState.MISSING:
        message = f"{where}: {shown} does not exist in account {run.account}, {region}"
        yield SecretNotFound, Problem(at, message)
    elif verdict.state is SecretState.NOT_JSON:
        yield SecretMalformed, Problem(at, f"{where}: {shown} does not hold a JSON object")
    elif verdict.state is SecretState.MISSING_KEYS:
        keys = ", ".join(verdict.missing_keys)
        yield SecretMalformed, Problem(at, f"{where}: {shown} lacks the key(s) {keys}")
    return verdict.state is SecretState.OK


def _secret_verdict(run: _Run, region: str, secret_id: str) -> SecretVerdict | PtcError:
    """Ask once per (region, secret): several rules may share a secret."""
    key = (region, secret_id)
    if key not in run.secrets:
        try:
            run.secrets[key] = run.probe.secret(region, secret_id)
        except PtcError as exc:
            run.secrets[key] = exc
    return run.secrets[key]


# -- several accounts (a file with `accounts:`) ---------------------------------------------

_ROLE_PATH: DataPath = ("accounts", "role")
_ACCOUNT_FIX = (
    "Check that the role exists in that account, trusts the caller (and the external ID, if "
    "any), and allows what 'ptc iam-policy' lists; the other accounts were checked."
)


def in_account(account: str, located: Iterable[Located]) -> list[Located]:
    """One target account's problems, each message naming the account: the file's lines
    are shared by every account, so the line alone cannot say which one is wrong."""
    return [
        (check, dataclasses.replace(problem, message=_naming(account, problem.message)))
        for check, problem in located
    ]


def account_failed(account: str, error: str) -> Located:
    """An account whose checks could not run at all (its role refused, access denied...),
    at the role the file assumes there; the other accounts are checked all the same."""
    message = _naming(account, f"could not check: {error}")
    return OnlineCheckFailed, Problem(_ROLE_PATH, message, _ACCOUNT_FIX)


def _naming(account: str, message: str) -> str:
    prefix = f"account {account}: "
    if message.startswith("could not check: " + prefix):  # AssumeRole errors name it already
        message = message.replace(prefix, "", 1)
    return prefix + message


def locate(ctx: Context, located: Iterable[Located]) -> list[Finding]:
    """Findings with file:line:col, located as the runner locates its own."""
    return [finding(ctx.document, check, problem) for check, problem in located]

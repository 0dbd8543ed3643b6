"""The core loop as functions over data: load, read live, plan, apply, verify.

The CLI calls these and renders what they return; tests call them directly. The live state
is reached through the protocols of ptc.plan.ports (the CLI passes ptc.aws's Gateway, the
unit tests an in-memory fake), and secret values come from the SecretValues strategy the
CLI chooses (ptc.plan.values): the core knows neither botocore nor the sandbox.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ptc.checks.runner import load_valid
from ptc.config.models import PtcFile
from ptc.domain.account import AccountSource
from ptc.domain.account import check_account as check_credentials_account
from ptc.domain.catalog import select_regions
from ptc.domain.resources import SecretResource
from ptc.engine.apply import ApplyReport, Progress, apply_plan
from ptc.errors import PtcError
from ptc.plan.account_checks import account_problems, account_warnings
from ptc.plan.changes import Plan
from ptc.plan.desired import DesiredState, expand, with_account
from ptc.plan.diff import PlanError, ValueComparer, make_plan
from ptc.plan.live import LiveState
from ptc.plan.ports import LiveReader, LiveStore
from ptc.plan.values import FROM_SOURCES, SecretValues, same_value


class StalePlan(PtcError):
    """The live state changed since a saved plan was made."""


@dataclass
class Planned:
    desired: DesiredState  # with `{account}` filled in
    live: LiveState
    plan: Plan
    warnings: list[str] = field(default_factory=list)


def load_desired(
    path: Path, regions: list[str] | None = None, account: str | None = None
) -> DesiredState:
    """The file's desired state; `account` chooses one of a file with `accounts:`."""
    return desired_of(load_file(path), path, regions, account)


def load_file(path: Path) -> PtcFile:
    """The validated file (ConfigError, with the findings, unless it has no errors)."""
    file = load_valid(path).file
    assert file is not None
    return file


def desired_of(
    file: PtcFile, path: Path, regions: list[str] | None = None, account: str | None = None
) -> DesiredState:
    """The desired state of `file` in `account` (a target of its `accounts:`, if any)."""
    if file.accounts is not None and account is None:
        # One account of several would be a guess: never plan into whichever the
        # credentials happen to be for.
        raise PtcError(
            f"{path} lists several accounts ('accounts:'); name the account to plan: "
            f"'ptc targets {path}' lists them"
        )
    select_regions(regions, file.regions, path)  # --region narrows, to the file's only
    return expand(file, path.parent, regions or None, account=account)


def check_account(desired: DesiredState, source: AccountSource) -> str:
    return check_credentials_account(desired.account, source)


def plan_desired(
    desired: DesiredState,
    reader: LiveReader,
    *,
    prune: bool | None = None,
    values: SecretValues = FROM_SOURCES,
    secret_values: bool = True,
    confirmed_account: str | None = None,
) -> Planned:
    """Read the live state of the desired regions and compute the plan.

    Without `secret_values` (--without-secret-values) no secret value is read, neither
    from its source nor from AWS: a plan job then needs no credentials to compare.
    `confirmed_account`: the account the reader is known to act in (a role assumed there:
    AWS issues its credentials in the role's own account), so STS is not asked.
    """
    # STS answers alongside the reads (read_live): with `account:` it confirms the account
    # before any secret value is read; without, it names the account the ARNs are for.
    if secret_values:
        values.check(desired.secrets, desired.base_dir)
    live = read_live(desired, reader, confirmed_account, secret_values=secret_values)
    warnings: list[str] = []
    if desired.account is None:
        # validate could not run these without `account:`; the credentials' account decides,
        # and is the `{account}` of the file's ARNs. Reading changed nothing, so checking
        # after the reads rather than before them costs no safety, and saves a round trip.
        account = live.account
        desired = with_account(desired, account)
        problems = account_problems(desired, account)
        if problems:
            raise PlanError(f"cannot plan for account {account}:\n  " + "\n  ".join(problems))
        warnings = account_warnings(desired, account)
    plan = make_plan(
        desired,
        live,
        prune=desired.prune if prune is None else prune,
        values_differ=_value_comparer(reader, desired.base_dir, values),
        values_compared=secret_values,
    )
    return Planned(desired, live, plan, warnings)


def compare_deferred_values(
    plan: Plan,
    desired: DesiredState,
    live: LiveState,
    reader: LiveReader,
    *,
    values: SecretValues = FROM_SOURCES,
) -> Plan:
    """A saved plan made without secret values, completed with them at apply time.

    The live state is the plan's (check_fresh ran), so planning again gives the same
    changes plus an update for each secret whose value differs from its source.
    """
    if plan.secret_values_compared or not plan.not_compared:
        return plan  # values of secrets it creates are read by apply in any case
    values.check(desired.secrets, desired.base_dir)
    completed = make_plan(
        desired,
        live,
        prune=plan.prune,
        values_differ=_value_comparer(reader, desired.base_dir, values),
    )
    added = {c.address for c in completed.changes if c.changed == ("value",)}
    if _outline(completed, skip=added) != _outline(plan):
        # Cannot happen with the same file and live state; refuse rather than apply it.
        raise StalePlan("planning again with secret values changed more than the values")
    return completed


def _outline(plan: Plan, skip: set[str] | None = None) -> list[tuple[str, str]]:
    return [(c.address, str(c.action)) for c in plan.changes if c.address not in (skip or ())]


def read_live(
    desired: DesiredState,
    reader: LiveReader,
    account: str | None = None,
    *,
    secret_values: bool = True,
) -> LiveState:
    """The live state of the desired regions, with the account checked alongside.

    STS answers while the regions are read, rather than one round trip before them: reads
    change nothing, and a wrong account is still refused before anything is planned. The
    values of the managed secrets are fetched in the same wave, for the plan to compare,
    but only once STS has confirmed the account: no value is read from the wrong one, and
    none at all without `secret_values`.
    """
    wanted: dict[str, set[str]] = {}
    for secret in desired.secrets if secret_values else []:
        wanted.setdefault(secret.region, set()).add(secret.name)
    if account is not None:
        return reader.read(account, wanted)
    with ThreadPoolExecutor(max_workers=1) as pool:
        checked = pool.submit(check_account, desired, reader)
        try:
            live = reader.read("", wanted, before_values=checked.result)
        except PtcError:
            checked.result()  # the account's refusal, if any, explains more than the read's
            raise
        live.account = checked.result()
    return live


def _value_comparer(reader: LiveReader, base_dir: Path, values: SecretValues) -> ValueComparer:
    def differing(region: str, pairs: list[tuple[SecretResource, str]]) -> set[str]:
        live_values = reader.secret_strings(region, [arn for _, arn in pairs])
        return {
            secret.name
            for secret, arn in pairs
            if not same_value(values.secret_string(secret, base_dir), live_values.get(arn))
        }

    return differing


def check_fresh(plan: Plan, live: LiveState) -> None:
    """A saved plan applies only to the live state it was computed from."""
    current = live.fingerprint()
    if current != plan.live_fingerprint:
        raise StalePlan(
            "the live state changed since the plan was made "
            f"({plan.live_fingerprint[:19]}… is now {current[:19]}…); run 'ptc plan' again"
        )


def apply(
    plan: Plan,
    store: LiveStore,
    desired: DesiredState | None,
    base_dir: Path,
    *,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    values: SecretValues = FROM_SOURCES,
) -> ApplyReport:
    """Apply, then read again and verify that nothing differs from the file any more."""
    report = apply_plan(plan, store, base_dir, stop=stop, progress=progress, values=values)
    if report.ok and desired is not None:
        try:
            live = read_live(desired, store, plan.account)
            again = make_plan(
                desired,
                live,
                prune=plan.prune,
                values_differ=_value_comparer(store, base_dir, values),
            )
        except PtcError as exc:
            # Everything was applied; losing that report to a failed re-read would hide it.
            report.verified = False
            report.drift = [f"could not verify: {exc}"]
            return report
        report.verified = again.is_empty
        report.drift = [f"{c.action} {c.address}" for c in again.changes]
    return report

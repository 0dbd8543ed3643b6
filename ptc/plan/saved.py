"""Saved plans: what `ptc plan --out` writes and `ptc apply --plan` reads.

A saved plan holds the plan, the desired state it was computed from (so apply can verify
its result), and the fingerprint of the live state (so apply refuses a stale plan). It
holds no secret value: managed secrets appear as their sources (an environment variable
name or a file path), read again at apply time.

The checksum covers the whole document, the desired state included: `base_dir` decides which
`{file:}` apply reads, and the changes' shown `after` is what a reviewer approved, so an edit
anywhere is refused. It detects edits, it does not authenticate: anyone who can write the
file can recompute it, which is why a damaged plan with a valid checksum is still checked
against a model before use, and fails with one line.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ptc.config.loader import read_text
from ptc.config.models import Safety
from ptc.domain.resources import (
    Kind,
    PermissionIntent,
    RuleResource,
    SecretResource,
    TemplateResource,
    ValueRef,
)
from ptc.errors import InputError
from ptc.files import write_text
from ptc.plan.changes import RESOURCE_MODELS, AnyEntry, Plan, address, entry_of, split
from ptc.plan.desired import DesiredState
from ptc.plan.fleet import AccountPlan, FleetPlan, Selection

KIND = "ptc-saved-plan"
# 2: the checksum covers the whole document (1, in ptc 0.1.0, covered only the plan part).
SAVED_FORMAT = 2
# Deeper than any plan ptc writes (policies included), shallow enough for every parser.
MAX_DEPTH = 64


class _Shape(BaseModel):
    # Strict: a saved plan is written by ptc, so a number where a name belongs is damage.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class _Change(_Shape):
    address: str
    action: Literal["create", "update", "replace", "delete", "unmanaged"]
    kind: Kind
    region: str
    key: str
    changed: list[str]
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    before_sensitive: dict[str, Literal[True]]
    after_sensitive: dict[str, Literal[True]]
    after_unknown: dict[str, Literal[True]]
    desired: dict[str, Any] | None
    live: dict[str, Any] | None


class _Plan(_Shape):
    format_version: Literal[2]  # ptc.plan.changes.FORMAT_VERSION
    ptc_version: str
    account: str
    regions: list[str]
    prune: bool
    live_fingerprint: str
    secret_values_compared: bool
    not_compared: list[str]
    summary: dict[str, int]
    changes: list[_Change]


class _Desired(_Shape):
    account: str
    regions: list[str]
    prune: bool
    base_dir: str
    rules: list[dict[str, Any]]
    templates: list[dict[str, Any]]
    secrets: list[dict[str, Any]]
    permissions: list[dict[str, Any]]
    # Only when the file or the command line changed the thresholds: saved plans with the
    # defaults stay as they were.
    safety: dict[str, Any] | None = None


class _SavedPlan(_Shape):
    kind: Literal["ptc-saved-plan"]
    format: Literal[2]
    checksum: str
    plan: _Plan
    desired: _Desired


class _Account(_Shape):
    """One account of a plan over several: its plan and desired state, or its failure."""

    account: str
    role: str | None
    plan: _Plan | None = None
    desired: _Desired | None = None
    error: str | None = None


class _Selection(_Shape):
    accounts: list[str]
    shard: str | None


class _ExternalId(_Shape):
    env: str | None = None
    file: str | None = None


class _SavedFleet(_Shape):
    kind: Literal["ptc-saved-plan"]
    format: Literal[2]
    checksum: str
    selection: _Selection
    external_id: _ExternalId | None
    accounts: list[_Account]


def dump(plan: Plan, desired: DesiredState) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": KIND,
        "format": SAVED_FORMAT,
        "plan": plan.to_dict(),
        "desired": _dump_desired(plan, desired),
    }
    document["checksum"] = checksum(document)
    return document


def dump_fleet(fleet: FleetPlan) -> dict[str, Any]:
    """A plan over several accounts: each account's plan (addresses without the account,
    as one account's plan has them) and desired state, the failed accounts with why, and
    the selection (--account, --shard) that apply --plan must not contradict."""
    accounts: list[dict[str, Any]] = []
    for account in fleet.accounts:
        item: dict[str, Any] = {"account": account.account, "role": account.role}
        if account.plan is None or account.desired is None:
            item["error"] = account.error
        else:
            item["plan"] = account.plan.to_dict()
            item["desired"] = _dump_desired(account.plan, account.desired)
        accounts.append(item)
    external = fleet.external_id
    document: dict[str, Any] = {
        "kind": KIND,
        "format": SAVED_FORMAT,
        "selection": {
            "accounts": list(fleet.selection.accounts),
            "shard": fleet.selection.shard,
        },
        "external_id": None if external is None else external.model_dump(exclude_none=True),
        "accounts": accounts,
    }
    document["checksum"] = checksum(document)
    return document


def _dump_desired(plan: Plan, desired: DesiredState) -> dict[str, Any]:
    document: dict[str, Any] = {
        # The plan's account even if the file names none: apply checks it against STS.
        "account": desired.account or plan.account,
        "regions": desired.regions,
        "prune": desired.prune,
        "base_dir": str(desired.base_dir.resolve()),
        "rules": [r.model_dump(mode="json") for r in desired.rules],
        "templates": [t.model_dump(mode="json") for t in desired.templates],
        "secrets": [s.model_dump(mode="json") for s in desired.secrets],
        "permissions": [p.model_dump(mode="json") for p in desired.permissions],
    }
    if desired.safety != Safety():
        document["safety"] = desired.safety.model_dump(mode="json")
    return document


def checksum(document: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of everything but the checksum itself."""
    body = {k: v for k, v in document.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def save(path: Path, plan: Plan, desired: DesiredState) -> None:
    """Write the plan atomically; a link, device, FIFO or folder at `path` is refused."""
    write_text(path, json.dumps(dump(plan, desired), indent=2, sort_keys=True) + "\n")


def save_fleet(path: Path, fleet: FleetPlan) -> None:
    """Write a plan over several accounts, as `save` writes one."""
    write_text(path, json.dumps(dump_fleet(fleet), indent=2, sort_keys=True) + "\n")


def load(path: Path) -> tuple[Plan, DesiredState]:
    """Read, check and rebuild a saved plan of one account, or raise InputError."""
    loaded = load_any(path)
    if isinstance(loaded, FleetPlan):
        raise InputError(f"{path}: is a plan for several accounts")
    return loaded


def load_any(path: Path) -> tuple[Plan, DesiredState] | FleetPlan:
    """Read, check and rebuild a saved plan (of one account, or of several), or raise
    InputError with one line."""
    data = _parse(path, read_text(path))
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise InputError(f"{path}: is not a saved plan made by 'ptc plan --out'")
    if data.get("format") != SAVED_FORMAT:
        raise InputError(
            f"{path}: the saved plan was written by another version of ptc; "
            "save it again with 'ptc plan --out'"
        )
    if data.get("checksum") != checksum(data):
        raise InputError(f"{path}: the saved plan was modified after it was written")
    try:
        if "accounts" in data:
            return _fleet(_SavedFleet.model_validate(data))
        shape = _SavedPlan.model_validate(data)
        return _plan(shape.plan), _desired(shape.desired)
    except _Damaged as exc:
        raise InputError(f"{path}: the saved plan is damaged: {exc}") from None
    except ValidationError as exc:
        raise InputError(f"{path}: the saved plan is damaged: {_first_problem(exc)}") from None


def _parse(path: Path, text: str) -> Any:
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise InputError(f"{path}: the saved plan is damaged: nested too deeply") from None
    except ValueError as exc:
        raise InputError(f"{path}: is not a saved plan (not JSON: {_reason(exc)})") from None
    if _depth(data) > MAX_DEPTH:
        raise InputError(f"{path}: the saved plan is damaged: nested too deeply")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    return str(exc)


def _depth(data: Any) -> int:
    """How deeply lists and objects nest, without recursion."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class _Damaged(Exception):
    """A resource inside the saved plan does not fit its model; the message says where."""


def _first_problem(exc: ValidationError, prefix: str = "") -> str:
    """One line: where the first problem is and what it is (pydantic lists them all)."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    parts = ([prefix] if prefix else []) + [str(part) for part in first["loc"]]
    where = ".".join(parts) or "the document"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    # pydantic names the model class ("instance of _Plan"); JSON users know objects.
    message = "Input should be an object" if first["type"] == "model_type" else first["msg"]
    return f"{where}: {message}{more}"


_Model = TypeVar("_Model", bound=BaseModel)


def _validated(model: type[_Model], data: dict[str, Any], where: str) -> _Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _Damaged(_first_problem(exc, where)) from None


def _plan(data: _Plan) -> Plan:
    entries: list[AnyEntry] = []
    for index, change in enumerate(data.changes):
        model = RESOURCE_MODELS[change.kind]
        where = f"plan.changes.{index}"
        desired, live = change.desired, change.live
        sides = {
            "desired": None if desired is None else _validated(model, desired, f"{where}.desired"),
            "live": None if live is None else _validated(model, live, f"{where}.live"),
            "changed": tuple(change.changed),
            "reason": change.reason,
        }
        named = address(change.region, change.kind, change.key)
        try:
            if change.address != named:
                raise ValueError(f"address {change.address} is not {named}")
            entries.append(entry_of(change.action, sides, where=named))
        except ValueError as exc:
            raise _Damaged(f"{where}: {exc}") from None
    changes, unmanaged = split(entries)
    return Plan(
        data.account,
        tuple(data.regions),
        changes,
        data.live_fingerprint,
        data.prune,
        secret_values_compared=data.secret_values_compared,
        not_compared=tuple(data.not_compared),
        unmanaged=unmanaged,
    )


def _fleet(data: _SavedFleet) -> FleetPlan:
    accounts: list[AccountPlan] = []
    for index, item in enumerate(data.accounts):
        where = f"accounts.{index}"
        if (item.plan is None) != (item.desired is None) or (item.plan is None) == (
            item.error is None
        ):
            raise _Damaged(f"{where}: an account has a plan and its desired state, or an error")
        if item.plan is None or item.desired is None:
            accounts.append(AccountPlan(item.account, item.role, error=item.error))
            continue
        plan, desired = _plan(item.plan), _desired(item.desired)
        if plan.account != item.account or desired.account != item.account:
            raise _Damaged(f"{where}: the plan is for account {plan.account}, not {item.account}")
        accounts.append(AccountPlan(item.account, item.role, plan, desired=desired))
    external = data.external_id
    return FleetPlan(
        tuple(accounts),
        Selection(tuple(data.selection.accounts), data.selection.shard),
        None if external is None else ValueRef(env=external.env, file=external.file),
    )


def _desired(data: _Desired) -> DesiredState:
    def each(model: type[_Model], items: list[dict[str, Any]], name: str) -> list[_Model]:
        return [_validated(model, item, f"desired.{name}.{i}") for i, item in enumerate(items)]

    return DesiredState(
        account=data.account,
        regions=list(data.regions),
        prune=data.prune,
        base_dir=Path(data.base_dir),
        rules=each(RuleResource, data.rules, "rules"),
        templates=each(TemplateResource, data.templates, "templates"),
        secrets=each(SecretResource, data.secrets, "secrets"),
        permissions=each(PermissionIntent, data.permissions, "permissions"),
        safety=_safety(data.safety),
    )


def _safety(data: dict[str, Any] | None) -> Safety:
    return Safety() if data is None else _validated(Safety, data, "desired.safety")

"""Saved plans: what `ptc plan --out` writes and `ptc apply --plan` reads.

A saved plan holds the plan, the desired state it was computed from (so apply can verify
its result), and the fingerprint of the live state (so apply refuses a stale plan). It
holds no secret value: managed secrets appear as their sources (an environment variable
name or a file path), read again at apply time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ptc.config.loader import read_text
from ptc.errors import InputError
from ptc.files import write_text
from ptc.plan.changes import Plan
from ptc.plan.desired import DesiredState
from ptc.plan.resources import PermissionIntent, RuleResource, SecretResource, TemplateResource

KIND = "ptc-saved-plan"


def dump(plan: Plan, desired: DesiredState) -> dict[str, Any]:
    return {
        "kind": KIND,
        "checksum": plan.checksum(),
        "plan": plan.to_dict(),
        "desired": {
            # The plan's account even if the file names none: apply checks it against STS.
            "account": desired.account or plan.account,
            "regions": desired.regions,
            "prune": desired.prune,
            "base_dir": str(desired.base_dir.resolve()),
            "rules": [r.model_dump(mode="json") for r in desired.rules],
            "templates": [t.model_dump(mode="json") for t in desired.templates],
            "secrets": [s.model_dump(mode="json") for s in desired.secrets],
            "permissions": [p.model_dump(mode="json") for p in desired.permissions],
        },
    }


def save(path: Path, plan: Plan, desired: DesiredState) -> None:
    """Write the plan atomically; a link, device, FIFO or folder at `path` is refused."""
    write_text(path, json.dumps(dump(plan, desired), indent=2, sort_keys=True) + "\n")


def load(path: Path) -> tuple[Plan, DesiredState]:
    try:
        data = json.loads(read_text(path))
    except ValueError:
        raise InputError(f"{path}: is not a saved plan (not JSON)") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise InputError(f"{path}: is not a saved plan made by 'ptc plan --out'")
    try:
        plan = Plan.from_dict(data["plan"])
        desired = _desired(data["desired"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: the saved plan is damaged ({exc})") from None
    if plan.checksum() != data.get("checksum"):
        raise InputError(f"{path}: the saved plan was modified after it was written")
    return plan, desired


def _desired(data: dict[str, Any]) -> DesiredState:
    return DesiredState(
        account=data["account"],
        regions=list(data["regions"]),
        prune=bool(data["prune"]),
        base_dir=Path(data["base_dir"]),
        rules=[RuleResource.model_validate(r) for r in data["rules"]],
        templates=[TemplateResource.model_validate(t) for t in data["templates"]],
        secrets=[SecretResource.model_validate(s) for s in data["secrets"]],
        # Plans saved before permissions existed have none.
        permissions=[PermissionIntent.model_validate(p) for p in data.get("permissions", [])],
    )

"""Registry policy statements: built from the file, parsed from ECR, merged for apply.

PutRegistryPolicy replaces the whole document, and a registry's policy often holds
statements ptc has nothing to do with (replication, other teams). ptc therefore owns only
the statements whose Sid the file declares: `merge` swaps those in a fresh copy of the live
document and keeps every other statement, and the document's Version, exactly as they are;
`merge_held` tells, from a read after the write, whether another writer undid that merge.
Pure functions over dicts and text, so validate, plan, apply and export share them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, Final

from ptc.domain import arns, catalog
from ptc.domain.json_documents import canonical_json
from ptc.domain.org_principals import EVERY_PRINCIPAL, OrgScope, condition_values
from ptc.domain.resources import PermissionIntent, StatementResource
from ptc.errors import PtcError

CREATE_REPOSITORY: Final = "ecr:CreateRepository"
BATCH_IMPORT: Final = "ecr:BatchImportUpstreamImage"
# What a registry policy grants for pull-through cache (pull-through-cache-iam.html); the
# third registry-level action, ecr:ReplicateImage, belongs to replication.
PTC_ACTIONS: Final = (BATCH_IMPORT, CREATE_REPOSITORY)
DEFAULT_ACTIONS: Final = (CREATE_REPOSITORY, BATCH_IMPORT)
ALL_PREFIXES: Final = arns.ALL_REPOSITORIES  # a permission's prefix for every repository
POLICY_VERSION: Final = "2012-10-17"
_KNOWN_KEYS: Final = frozenset({"Sid", "Effect", "Principal", "Action", "Resource"})
SID_PATTERN: Final = re.compile(r"^[A-Za-z0-9]+$")  # IAM's rule for a statement's Sid


class PolicyError(PtcError):
    """The live registry policy cannot be merged safely (it is not a JSON policy document)."""


# -- from the file ---------------------------------------------------------------------------


def principal_problem(principal: str, partitions: set[str]) -> str | None:
    """Why a registry policy cannot name this principal (None: it can), for `partitions`.

    A resource policy names account IDs or the ARNs of an account's root, roles and users
    (never groups); a principal of another partition than the regions' is refused.
    """
    if arns.is_account_id(principal):
        return None
    match = arns.PRINCIPAL_ARN_PATTERN.fullmatch(principal)
    if match is None:
        if ":group/" in principal:
            return f"'{principal}' is an IAM group; a resource policy cannot name groups"
        return f"'{principal}' is not an account ID or an IAM root, role or user ARN"
    if partitions and match["partition"] not in partitions:
        return (
            f"principal is in partition '{match['partition']}' but the regions are in "
            f"'{', '.join(sorted(partitions))}'"
        )
    return None


def statement_for(intent: PermissionIntent, account: str) -> StatementResource:
    region = intent.region
    condition = OrgScope(intent.organization, intent.organization_paths).condition()
    # An organisation without principals means every principal of that organisation.
    principals = intent.principals or ((EVERY_PRINCIPAL,) if condition else ())
    return StatementResource(
        region=region,
        sid=intent.sid,
        principals=_set(arns.principal(p, region) for p in principals),
        actions=_set(intent.actions),
        resources=_set(arns.repository_arn(region, account, p) for p in intent.prefixes),
        other=canonical_json({"Condition": condition}) if condition else None,
    )


def _set(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


# -- from ECR --------------------------------------------------------------------------------


def parse_document(text: str | None) -> dict[str, Any] | None:
    """The policy document, or None when there is none or it is not a JSON object."""
    if not text:
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def statement_list(document: dict[str, Any]) -> list[Any]:
    """IAM allows a single statement object in place of a list."""
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def statements_from_policy(text: str | None, region: str) -> list[StatementResource]:
    """Every statement of a live registry policy, keyed by Sid (unique keys per region)."""
    document = parse_document(text)
    if document is None:
        return []
    parsed: list[StatementResource] = []
    seen: set[str] = set()
    for position, item in enumerate(statement_list(document), 1):
        if not isinstance(item, dict):
            continue
        parsed.append(_statement(item, region, _key(item, position, seen)))
    return parsed


def _key(item: dict[str, Any], position: int, seen: set[str]) -> str:
    sid = item.get("Sid")
    if not isinstance(sid, str) or not sid:
        key = f"(no Sid, statement {position})"
    elif sid in seen:
        # Only the first statement with a Sid is owned; a repeat is someone else's.
        key = f"{sid} (again, statement {position})"
    else:
        key = sid
    seen.add(key)
    return key


def _statement(item: dict[str, Any], region: str, key: str) -> StatementResource:
    other = {k: v for k, v in item.items() if k not in _KNOWN_KEYS}
    if "Condition" in other:
        other["Condition"] = condition_values(other["Condition"])
    principals = _principals(item.get("Principal"), region)
    if principals is None:
        other["Principal"] = item.get("Principal")
        principals = ()
    return StatementResource(
        region=region,
        sid=key,
        effect=str(item.get("Effect", "")),
        principals=principals,
        actions=_set(_strings(item.get("Action"))),
        resources=_set(_strings(item.get("Resource"))),
        other=canonical_json(other) if other else None,
    )


def _principals(value: Any, region: str) -> tuple[str, ...] | None:
    """Principal.AWS as a set; None when the principal is of another shape (kept as `other`)."""
    if value == "*":
        return ("*",)
    if isinstance(value, dict) and set(value) == {"AWS"}:
        return _set(arns.principal(p, region) for p in _strings(value["AWS"]))
    return None


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# -- to ECR ----------------------------------------------------------------------------------


def to_api(statement: StatementResource) -> dict[str, Any]:
    every = statement.principals == (EVERY_PRINCIPAL,)
    return {
        "Sid": statement.sid,
        "Effect": statement.effect,
        "Principal": EVERY_PRINCIPAL if every else {"AWS": list(statement.principals)},
        "Action": list(statement.actions),
        "Resource": list(statement.resources),
        # Only a Condition, from the file's organization scope (see statement_for).
        **(json.loads(statement.other) if statement.other else {}),
    }


def merge(
    text: str | None, upserts: dict[str, StatementResource], removals: set[str]
) -> dict[str, Any] | None:
    """The live document with the owned Sids replaced, added or removed; None: no statements.

    Statements ptc does not own stay exactly as they are, in their place.
    """
    document = parse_document(text)
    if text and document is None:
        raise PolicyError("the live registry policy is not a JSON object; ptc will not replace it")
    document = dict(document or {"Version": POLICY_VERSION})
    merged: list[Any] = []
    done: set[str] = set()
    for item in statement_list(document):
        sid = item.get("Sid") if isinstance(item, dict) else None
        if not isinstance(sid, str) or sid in done or sid not in {*upserts, *removals}:
            merged.append(item)
            continue
        done.add(sid)
        if sid in upserts:
            merged.append(to_api(upserts[sid]))
    merged += [to_api(s) for sid, s in upserts.items() if sid not in done]
    if not merged:
        return None
    document["Statement"] = merged
    return document


def merge_held(merged: dict[str, Any] | None, live_text: str | None, removals: set[str]) -> bool:
    """Whether the live policy, read after writing `merged`, still holds that merge.

    Every statement of `merged` (ptc's own and the others it kept) must be there, and no
    more statements with a removed Sid than `merged` has (a repeated Sid is someone else's).
    Statements added after the write are fine: they are someone else's, and kept.
    """
    live = parse_document(live_text)
    wanted = statement_list(merged) if merged is not None else []
    have = statement_list(live) if live is not None else []
    if any(item not in have for item in wanted):
        return False
    return all(_count(have, sid) <= _count(wanted, sid) for sid in removals)


def _count(items: list[Any], sid: str) -> int:
    return sum(1 for item in items if isinstance(item, dict) and item.get("Sid") == sid)


def dumps(document: dict[str, Any]) -> str:
    """Compact: the whole registry policy must fit in 10,240 characters."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def merged_text(
    region: str, text: str | None, upserts: dict[str, StatementResource], removals: set[str]
) -> str | None:
    """The registry policy to write after the merge (None: delete it), refused if too large.

    The size is that of the whole merged document, foreign statements included: ECR
    refuses a PutRegistryPolicy over the limit, so it is found at plan time, not at apply.
    """
    merged = merge(text, upserts, removals)
    if merged is None:
        return None
    dumped = dumps(merged)
    if len(dumped) > catalog.REGISTRY_POLICY_MAX:
        raise PolicyError(
            f"{region}: the registry policy merged with the live statements would take "
            f"{len(dumped)} characters; ECR holds {catalog.REGISTRY_POLICY_MAX}"
        )
    return dumped


def canonical_policy(text: str | None) -> str | None:
    """The live document for the fingerprint: any edit changes it, formatting does not."""
    document = parse_document(text)
    return canonical_json(document) if document is not None else text

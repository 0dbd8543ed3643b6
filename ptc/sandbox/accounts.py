"""Many accounts in one sandbox: who the caller is, and whom AssumeRole lets it become.

moto 5.2 keeps every service's state per account (its BackendDicts are keyed by account id)
and picks the caller's account per request (BaseResponse.get_current_account): the
MOTO_ACCOUNT_ID variable, then an `x-moto-account-id` header, then the access key, looked up
among the keys moto has issued (moto.iam.models.get_account_id_from), else 123456789012.
STS AssumeRole issues a key in the account of the role ARN (moto.sts.models._create_access_key),
so calls made with the assumed credentials land in that account, with its own ECR, Secrets
Manager and Organizations. ptc adds two things (both listed in strict.py):

  * an access key id moto has not issued (one issued before the sandbox restarted, still in
    a client's cache) names its account the way AWS's own key ids do, decoded from the id
    (STS GetAccessKeyInfo), instead of falling back to the default account;
  * AssumeRole of a role that exists is refused (AccessDenied) unless its trust policy lets
    the caller in, with the external ID it asks for; a role that does not exist stands in for
    one set up in every account, as moto has it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any, Final

from moto.core.exceptions import AccessDeniedError
from moto.core.responses import ActionResult
from moto.iam import models as iam_models
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends
from moto.sts.responses import TokenResponse

from ptc.domain import arns
from ptc.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_REGION

# AWS access key ids: a four-letter type, then the account in base32 (AKIA long-term, ASIA
# temporary), as moto.iam.utils.generate_access_key_id_from_account_id makes them too.
_KEY_ID: Final = re.compile(r"(AKIA|ASIA)([A-Z2-7]{8})([A-Z2-7])[A-Z2-7]{7}")
_ACCOUNT_OFFSET: Final = 549755813888  # base32 "QAAAAAAA": where AWS's account numbers start
_ODD: Final = "QRSTUVWXYZ234567"  # the ninth character's upper half: an odd account number
_ROLE_ARN: Final = re.compile(r"arn:aws[\w-]*:iam::(\d{12}):role/(?:.*/)?[\w+=,.@-]+")
_ASSUMED_ARN: Final = re.compile(r"arn:(aws[\w-]*):sts::(\d{12}):assumed-role/([^/]+)/.+")


def account_of_key(key_id: str) -> str | None:
    """The account an AWS access key id belongs to, decoded from the id; None if not one."""
    match = _KEY_ID.fullmatch(key_id)
    if match is None:
        return None
    try:
        encoded = int.from_bytes(base64.b32decode(match.group(2)), "big")
    except binascii.Error:  # pragma: no cover - the pattern admits only base32 letters
        return None
    number = (encoded - _ACCOUNT_OFFSET) * 2 + (match.group(3) in _ODD)
    return f"{number:012d}" if 0 <= number < 10**12 else None


def _account_from(original: Callable[[str], str]) -> Callable[[str], str]:
    def get_account_id_from(access_key: str) -> str:
        found = original(access_key)
        if found != DEFAULT_ACCOUNT_ID:
            return found
        return account_of_key(access_key) or DEFAULT_ACCOUNT_ID

    get_account_id_from.ptc_sandbox = True  # type: ignore[attr-defined]
    return get_account_id_from


def _assume_role(
    original: Callable[[TokenResponse], ActionResult],
) -> Callable[[TokenResponse], ActionResult]:
    def assume_role(self: TokenResponse) -> ActionResult:
        role_arn = str(self._get_param("RoleArn") or "")
        caller = _caller_arn(self)
        if not trusts(role_arn, self.current_account, caller, self._get_param("ExternalId")):
            # moto's own error for a refused call: AccessDenied, HTTP 403, AWS's wording.
            raise AccessDeniedError(caller, f"sts:AssumeRole on resource: {role_arn}")
        return original(self)

    assume_role.ptc_sandbox = True  # type: ignore[attr-defined]
    return assume_role


def _caller_arn(response: TokenResponse) -> str:
    backend = sts_backends[response.current_account][response.partition]
    _, arn, _ = backend.get_caller_identity(response.get_access_key(), response.region)
    return str(arn)


def trusts(role_arn: str, account: str, caller_arn: str, external_id: str | None) -> bool:
    """Whether the role lets `caller_arn` (of `account`) assume it; True if no such role."""
    match = _ROLE_ARN.fullmatch(role_arn)
    if match is None:
        return True  # moto's own answer: the role is taken as one of the caller's account
    roles = iam_backends[match.group(1)]["global"]
    role = next((r for r in list(roles.roles.values()) if r.arn == role_arn), None)
    if role is None:
        return True
    try:
        statements = json.loads(role.assume_role_policy_document)["Statement"]
    except (ValueError, KeyError, TypeError):
        return False
    statements = [statements] if isinstance(statements, dict) else statements
    principals = _principals(account, caller_arn)
    matching = [s for s in statements if _applies(s, principals, external_id)]
    # An explicit Deny wins over any Allow, as in every IAM policy evaluation.
    effects = {s.get("Effect") for s in matching}
    return "Allow" in effects and "Deny" not in effects


def _principals(account: str, caller_arn: str) -> set[str]:
    """What a trust policy's AWS principal may say to name this caller."""
    names = {"*", account, arns.root_arn(account, DEFAULT_REGION), caller_arn}
    assumed = _ASSUMED_ARN.fullmatch(caller_arn)
    if assumed is not None:  # a role session is named by its role
        partition, role_account, role = assumed.groups()
        names.add(arns.role_arn(role_account, partition, role))
    return names


def _applies(statement: Any, principals: set[str], external_id: str | None) -> bool:
    if not isinstance(statement, dict):
        return False
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    if not {"sts:AssumeRole", "sts:*", "*"} & set(actions):
        return False
    principal = statement.get("Principal")
    if principal != "*":
        named = principal.get("AWS", []) if isinstance(principal, dict) else []
        named = [named] if isinstance(named, str) else named
        if not principals & set(named):
            return False
    return _conditions_hold(statement.get("Condition", {}), external_id)


def _conditions_hold(conditions: Any, external_id: str | None) -> bool:
    """Only `StringEquals sts:ExternalId` is understood; any other condition is not met."""
    if not isinstance(conditions, dict):
        return False
    for operator, tests in conditions.items():
        if operator != "StringEquals" or not isinstance(tests, dict):
            return False
        for key, wanted in tests.items():
            wanted = [wanted] if isinstance(wanted, str) else wanted
            if key.lower() != "sts:externalid" or external_id not in wanted:
                return False
    return True


def install() -> None:
    """Wire both into moto; calling it again changes nothing."""
    if not getattr(iam_models.get_account_id_from, "ptc_sandbox", False):
        # moto imports the function inside get_current_account at each request, so
        # replacing the module's attribute reaches every service.
        iam_models.get_account_id_from = _account_from(iam_models.get_account_id_from)  # type: ignore[assignment]
    if not getattr(TokenResponse.assume_role, "ptc_sandbox", False):
        TokenResponse.assume_role = _assume_role(TokenResponse.assume_role)  # type: ignore[method-assign, assignment]

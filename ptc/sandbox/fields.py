"""Reading a request body and checking it against the ECR model's constraints.

botocore checks only required members and minimum lengths client-side, and the aws CLI,
Terraform and raw HTTP clients check even less, so the emulator enforces the rest itself:
maximum lengths, patterns, enums and ranges, with the patterns taken from ptc.domain.catalog.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from ptc.domain import arns, catalog
from ptc.sandbox import strict
from ptc.sandbox.errors import InvalidParameterException, ValidationException, constraint

Body = Mapping[str, Any]
T = TypeVar("T")


def parse_body(raw: str | bytes | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise ValidationException(f"Request body is not valid JSON: {error}") from error
    if not isinstance(body, dict):
        raise ValidationException("Request body must be a JSON object")
    return body


def text(
    body: Body,
    member: str,
    *,
    required: bool = False,
    length: tuple[int, int] | None = None,
    pattern: re.Pattern[str] | None = None,
) -> str | None:
    """A string member, checked against its model length and pattern."""
    value = body.get(member)
    if value is None:
        if required:
            raise constraint(member, None, "Member must not be null")
        return None
    if not isinstance(value, str):
        raise constraint(member, value, "Member must be a string")
    if length is not None:
        check_length(member, value, length)
    if pattern is not None and not pattern.fullmatch(value):
        raise constraint(
            member, value, f"Member must satisfy regular expression pattern: {pattern.pattern}"
        )
    return value


def required_text(body: Body, member: str, **checks: Any) -> str:
    value = text(body, member, required=True, **checks)
    assert value is not None  # text() raised otherwise
    return value


def check_length(member: str, value: str | Sequence[object], length: tuple[int, int]) -> None:
    low, high = length
    if len(value) < low:
        raise constraint(member, value, f"Member must have length greater than or equal to {low}")
    if len(value) > high:
        raise constraint(member, value, f"Member must have length less than or equal to {high}")


def enum(body: Body, member: str, allowed: Iterable[str]) -> str | None:
    value = text(body, member)
    return None if value is None else check_enum(member, value, allowed)


def check_enum(member: str, value: object, allowed: Iterable[str]) -> str:
    choices = list(allowed)
    if value not in choices:
        raise constraint(
            member, value, f"Member must satisfy enum value set: [{', '.join(choices)}]"
        )
    assert isinstance(value, str)
    return value


def object_list(body: Body, member: str) -> list[Any] | None:
    value = body.get(member)
    if value is None:
        return None
    if not isinstance(value, list):
        raise constraint(member, value, "Member must be a list")
    return value


def normalize(prefix: str) -> str:
    return catalog.normalize_prefix(prefix) if strict.STRIP_TRAILING_SLASH else prefix


def find_key(stored: Mapping[str, object], prefix: str) -> str | None:
    """The stored prefix that names the same rule or template as `prefix`, if any.

    `team` and `team/` are one identity (ECR assumes a trailing '/'), whichever was stored.
    """
    wanted = catalog.normalize_prefix(prefix)
    return next((key for key in stored if catalog.normalize_prefix(key) == wanted), None)


def prefix(member: str, value: object, length: tuple[int, int]) -> str:
    """A rule or template prefix (pattern P1), as strict.py says to store it."""
    if not isinstance(value, str):
        raise constraint(member, value, "Member must be a string")
    check_length(member, value, length)
    if not catalog.PREFIX_PATTERN.fullmatch(value):
        raise constraint(
            member,
            value,
            f"Member must satisfy regular expression pattern: {catalog.PREFIX_PATTERN.pattern}",
        )
    return normalize(value)


def registry_id(body: Body, account: str) -> str:
    value = text(body, "registryId", pattern=arns.ACCOUNT_PATTERN)
    if value is not None and value != account:
        raise InvalidParameterException(
            f"Invalid parameter at 'registryId': the registry {value} is not the caller's "
            f"registry {account}"
        )
    return account


def json_document(member: str, value: str, limit: int) -> str:
    """A policy document: at most `limit` characters and a JSON object."""
    check_length(member, value, (0, limit))
    try:
        document = json.loads(value)
    except ValueError as error:
        raise InvalidParameterException(
            f"Invalid parameter at '{member}' failed to satisfy constraint: 'Invalid JSON'"
        ) from error
    if not isinstance(document, dict):
        raise InvalidParameterException(
            f"Invalid parameter at '{member}' failed to satisfy constraint: 'must be a JSON object'"
        )
    return value


def role_arn(member: str, value: str, account: str) -> str:
    check_length(member, value, (0, catalog.CUSTOM_ROLE_ARN_MAX))
    match = arns.ROLE_ARN_PATTERN.fullmatch(value)
    if match is None:
        raise InvalidParameterException(f"Invalid parameter at '{member}': not an IAM role ARN")
    if match["account"] != account:
        raise InvalidParameterException(
            f"Invalid parameter at '{member}': the role must be in the registry's account {account}"
        )
    return value


# -- pagination ----------------------------------------------------------------------------


def page(items: Sequence[T], key: Callable[[T], str], body: Body) -> tuple[list[T], str | None]:
    """One page of `items` (sorted by `key`) and the token of the next page, if any."""
    size = _page_size(body)
    token = text(body, "nextToken")
    ordered = sorted(items, key=key)
    if token is not None:
        after = _decode_token(token)
        ordered = [item for item in ordered if key(item) > after]
    chunk = ordered[:size]
    more = len(ordered) > size
    return chunk, (_encode_token(key(chunk[-1])) if more else None)


def _page_size(body: Body) -> int:
    value = body.get("maxResults")
    if value is None:
        return catalog.DEFAULT_PAGE_SIZE
    low, high = catalog.PAGE_SIZE_RANGE
    if not isinstance(value, int) or isinstance(value, bool):
        raise constraint("maxResults", value, "Member must be an integer")
    if value < low:
        raise constraint(
            "maxResults", value, f"Member must have value greater than or equal to {low}"
        )
    if value > high:
        raise constraint(
            "maxResults", value, f"Member must have value less than or equal to {high}"
        )
    return value


# The token names the last key returned rather than an offset, so that deletions between
# pages neither repeat nor skip items. The version tag lets a stale token be refused.
_TOKEN_TAG = "ptc1:"


def _encode_token(last_key: str) -> str:
    return base64.urlsafe_b64encode((_TOKEN_TAG + last_key).encode()).decode()


def _decode_token(token: str) -> str:
    try:
        decoded = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.startswith(_TOKEN_TAG):
        raise InvalidParameterException("Invalid parameter at 'nextToken': the token is invalid")
    return decoded.removeprefix(_TOKEN_TAG)

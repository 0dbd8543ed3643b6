"""The ECR errors the emulator raises, by the service's own error codes.

These are plain exceptions so that the operations' logic does not depend on moto; the moto
wiring (emulator.py) turns each into the JSON error body botocore parses (`__type`,
`message`, HTTP 400).
"""

from __future__ import annotations

from typing import ClassVar


class ApiError(Exception):
    """An error response of the ECR API; `code` is what ClientError reports as Error.Code."""

    code: ClassVar[str] = "ServerException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationException(ApiError):
    code = "ValidationException"


class InvalidParameterException(ApiError):
    code = "InvalidParameterException"


class PullThroughCacheRuleAlreadyExistsException(ApiError):
    code = "PullThroughCacheRuleAlreadyExistsException"


class PullThroughCacheRuleNotFoundException(ApiError):
    code = "PullThroughCacheRuleNotFoundException"


class UnsupportedUpstreamRegistryException(ApiError):
    code = "UnsupportedUpstreamRegistryException"


class SecretNotFoundException(ApiError):
    code = "SecretNotFoundException"


class UnableToAccessSecretException(ApiError):
    code = "UnableToAccessSecretException"


class UnableToDecryptSecretValueException(ApiError):
    code = "UnableToDecryptSecretValueException"


class LimitExceededException(ApiError):
    code = "LimitExceededException"


class TemplateAlreadyExistsException(ApiError):
    code = "TemplateAlreadyExistsException"


class TemplateNotFoundException(ApiError):
    code = "TemplateNotFoundException"


def constraint(member: str, value: object, rule: str) -> ValidationException:
    """A model-constraint violation, worded as the service words it.

    The service is written in Java: a missing value reads `Value null` (unquoted), and other
    values as Java prints them (`[a, b]`, `{k=v}`, `true`), never as Python reprs.
    """
    shown = "null" if value is None else f"'{service_text(value)}'"
    return ValidationException(
        f"1 validation error detected: Value {shown} at '{member}' failed to satisfy "
        f"constraint: {rule}"
    )


def service_text(value: object) -> str:
    """`value` as the service's messages show it (Java's toString of the parsed JSON)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(service_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={service_text(v)}" for k, v in value.items()) + "}"
    return str(value)

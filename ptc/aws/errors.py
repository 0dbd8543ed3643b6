"""AWS failures as ptc errors: one clear sentence each, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    TokenRetrievalError,
)
from botocore.parsers import ResponseParserError

from ptc.errors import PtcError

_CREDENTIAL_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
}


class AwsError(PtcError):
    """A call to AWS failed; `code` is the service's error code when there is one."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class NotFound(AwsError):
    """The resource a delete targets is already gone."""


class MalformedAnswer(AwsError):
    """AWS (or what AWS_ENDPOINT_URL points at) answered something that is not a usable answer.

    A web page, an empty or truncated body, or an answer missing a field ptc needs. Apply
    reports it as that change's failure; it never means the change was not made, which is
    why the report says to re-run (re-planning reads what really happened).
    """


# The longest part of an answer quoted in a message: an HTML error page can be megabytes.
_QUOTE_LIMIT = 200


@contextmanager
def translate(region: str | None = None, missing_ok: tuple[str, ...] = ()) -> Iterator[None]:
    where = f" in {region}" if region else ""
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        if code in missing_ok:
            return
        if code.isdigit():  # botocore found no error code: a proxy's page, a cut-off body
            raise MalformedAnswer(
                f"the answer from AWS{where} is not an AWS API answer (HTTP {code} without "
                "an error code); check AWS_ENDPOINT_URL"
            ) from None
        message = exc.response.get("Error", {}).get("Message", "")
        raise AwsError(_client_message(code, message, exc.operation_name, where), code) from None
    except ProfileNotFound as exc:
        raise AwsError(f"AWS profile not found: {exc.kwargs.get('profile')}") from None
    except (NoCredentialsError, PartialCredentialsError, TokenRetrievalError):
        raise AwsError(
            "no usable AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY, or run 'aws sso login' (or use --sandbox)"
        ) from None
    except NoRegionError:
        raise AwsError("no AWS region configured: set AWS_DEFAULT_REGION") from None
    except (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError) as exc:
        raise AwsError(f"cannot reach AWS{where}: {exc}") from None
    except BotoCoreError as exc:
        raise AwsError(f"AWS call failed{where}: {exc}") from None
    except ResponseParserError:
        raise MalformedAnswer(
            f"the answer from AWS{where} is not an AWS API answer (not valid XML or JSON); "
            "check AWS_ENDPOINT_URL"
        ) from None
    except (KeyError, IndexError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        # Raised while botocore parses, or while ptc reads, an answer of the wrong shape.
        raise MalformedAnswer(
            f"the answer from AWS{where} lacks what ptc needs ({_what(exc)}); "
            "check AWS_ENDPOINT_URL"
        ) from exc


def _what(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r}" if exc.args else "a missing field"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return "a field of the wrong type"


def _client_message(code: str, message: str, operation: str, where: str) -> str:
    message = one_line(message)
    if code in _CREDENTIAL_CODES:
        return f"AWS rejected the credentials ({code}): they are expired or invalid; log in again"
    if code in {"AccessDenied", "AccessDeniedException"}:
        return f"{operation}{where}: access denied: {message}"
    return f"{operation}{where}: {code}: {message}"


def one_line(text: str) -> str:
    """The first line of an error text from the wire, shortened (a proxy's HTML page...)."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= _QUOTE_LIMIT else first[:_QUOTE_LIMIT] + "…"


def require_json(response_dict: dict[str, Any], **_: Any) -> None:
    """A botocore `before-parse` handler: a JSON service's successful answer must be JSON.

    botocore turns a body that is not JSON (a web page answered with 200) into an empty
    answer, which would read as "no rules" and plan to create them all.
    """
    if response_dict.get("status_code", 500) >= 300:
        return
    body = response_dict.get("body") or b""
    if not body.strip():
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        raise ResponseParserError("not JSON") from None
    if not isinstance(parsed, dict):
        raise ResponseParserError("not a JSON object")

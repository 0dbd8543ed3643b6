"""AWS failures as ptc errors: one clear sentence each, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def translate(region: str | None = None, missing_ok: tuple[str, ...] = ()) -> Iterator[None]:
    where = f" in {region}" if region else ""
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        if code in missing_ok:
            return
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


def _client_message(code: str, message: str, operation: str, where: str) -> str:
    if code in _CREDENTIAL_CODES:
        return f"AWS rejected the credentials ({code}): they are expired or invalid; log in again"
    if code in {"AccessDenied", "AccessDeniedException"}:
        return f"{operation}{where}: access denied: {message}"
    return f"{operation}{where}: {code}: {message}"

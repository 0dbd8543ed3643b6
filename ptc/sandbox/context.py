"""What an operation knows about its caller: account, Region and how to find a secret."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class Secret:
    """A Secrets Manager secret as ECR sees it."""

    arn: str
    value: str | None  # SecretString of the AWSCURRENT version
    deleted: bool = False  # scheduled for deletion
    kms_key: str | None = None  # KmsKeyId, None for Secrets Manager's default key
    decryptable: bool = True  # the KMS key exists and is enabled


SecretFinder = Callable[[str, str, str], Secret | None]  # (account, region, arn) -> secret


def _no_secrets(_account: str, _region: str, _arn: str) -> Secret | None:
    return None


@dataclass(frozen=True)
class Caller:
    account: str
    region: str
    find_secret: SecretFinder = _no_secrets
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def secret(self, arn: str) -> Secret | None:
        """The secret with this exact ARN in the caller's own account and Region."""
        return self.find_secret(self.account, self.region, arn)

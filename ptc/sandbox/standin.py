"""What the sandbox holds instead of a secret value: it never needs, and never keeps, a real one.

The sandbox's state sits in the user's repository (.ptc/sandbox.json), where `git add -A`
would pick up anything in it. So ptc sends the sandbox, and the sandbox saves, a keyed
fingerprint of each value (HMAC-SHA256 under a random key kept beside the state), or
PLACEHOLDER where the source is not available. A fingerprint tells plan whether the value
changed, as the value itself would, without the value being stored; the key keeps a weak
password from being guessed back from its fingerprint.

StandInValues is the sandbox's secret-value strategy (ptc.plan.values.SecretValues): the
CLI hands it to plan and apply in place of the real values, so that the core loop sends
and compares what the sandbox holds without knowing that it is the sandbox.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ptc.domain.resources import SecretResource, ValueRef

# What the sandbox stores when a source is unavailable.
PLACEHOLDER: Final = "sandbox-placeholder"
FINGERPRINT_PREFIX: Final = "sandbox-fingerprint:hmac-sha256:"


@dataclass(frozen=True)
class StandIn:
    """Turns secret values into what the sandbox may hold; `key` is the sandbox's own."""

    key: bytes = field(repr=False)

    def fingerprint(self, value: str) -> str:
        if is_stand_in(value):
            return value
        digest = hmac.new(self.key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return FINGERPRINT_PREFIX + digest

    def secret_string(self, text: str) -> str:
        """A SecretString with every value of its JSON object (or the whole text) replaced."""
        try:
            document = json.loads(text)
        except ValueError:
            return self.fingerprint(text)
        if not isinstance(document, dict):
            return self.fingerprint(text)
        return json.dumps(
            {
                key: self.fingerprint(value if isinstance(value, str) else json.dumps(value))
                for key, value in document.items()
            }
        )


def is_stand_in(value: str) -> bool:
    return value == PLACEHOLDER or value.startswith(FINGERPRINT_PREFIX)


@dataclass(frozen=True)
class StandInValues:
    """Each value's fingerprint, or PLACEHOLDER where its source is not available."""

    stand_in: StandIn

    def check(self, secrets: Iterable[SecretResource], base_dir: Path) -> None:
        """Nothing to check: the sandbox never needs a real value (the CLI says which
        sources it stands in for)."""

    def secret_string(self, secret: SecretResource, base_dir: Path) -> str:
        from ptc.plan.values import secret_string

        return secret_string(secret, base_dir, self._value)

    def _value(self, ref: ValueRef, base_dir: Path, secret: str) -> str:
        from ptc.plan.values import read_value, source_available

        if not source_available(ref, base_dir):
            return PLACEHOLDER
        return self.stand_in.fingerprint(read_value(ref, base_dir, secret))

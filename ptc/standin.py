"""What the sandbox holds instead of a secret value: it never needs, and never keeps, a real one.

The sandbox's state sits in the user's repository (.ptc/sandbox.json), where `git add -A`
would pick up anything in it. So ptc sends the sandbox, and the sandbox saves, a keyed
fingerprint of each value (HMAC-SHA256 under a random key kept beside the state), or
PLACEHOLDER where the source is not available. A fingerprint tells plan whether the value
changed, as the value itself would, without the value being stored; the key keeps a weak
password from being guessed back from its fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Final

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

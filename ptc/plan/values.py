"""Secret values: read from their sources, compared, sent to Secrets Manager, never shown.

Values exist only inside these functions' frames. They are not stored on any model, plan
or report, and errors name the source (the variable or file), never the value.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ptc.domain.resources import SecretResource, ValueRef
from ptc.errors import ValueSourceError
from ptc.standin import PLACEHOLDER, StandIn


def read_value(
    ref: ValueRef, base_dir: Path, secret: str, placeholders: StandIn | None = None
) -> str:
    """The source's value; in the sandbox (`placeholders`), what the sandbox holds instead."""
    if placeholders is not None:
        if not source_available(ref, base_dir):
            return PLACEHOLDER
        return placeholders.fingerprint(read_value(ref, base_dir, secret))
    if ref.env is not None:
        value = os.environ.get(ref.env)
        # CI systems expand a secret they do not have to "": empty is missing, or apply
        # would overwrite the live credential with nothing.
        if value is None or not value.strip():
            raise ValueSourceError(
                f"secret '{secret}': environment variable {ref.env} is not set or is empty"
            )
        return value
    assert ref.file is not None
    path = base_dir / ref.file
    try:
        value = path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ValueSourceError(f"secret '{secret}': cannot read {path}: {reason}") from None
    if not value.strip():
        raise ValueSourceError(f"secret '{secret}': {path} is empty")
    return value


def source_available(ref: ValueRef, base_dir: Path) -> bool:
    """Whether the source holds a value (for the sandbox's placeholders); empty is missing."""
    if ref.file is not None and not (base_dir / ref.file).is_file():
        return False  # a FIFO or a device would block or never end
    try:
        read_value(ref, base_dir, "")
    except ValueSourceError:
        return False
    return True


def unavailable_sources(secrets: list[SecretResource], base_dir: Path) -> list[str]:
    """The sources (variable names, file paths) that cannot be read, for a notice."""
    refs = [r for s in secrets for r in (s.username, s.access_token) if r is not None]
    return sorted({r.describe() for r in refs if not source_available(r, base_dir)})


def secret_string(
    secret: SecretResource, base_dir: Path, placeholders: StandIn | None = None
) -> str:
    """The SecretString ECR expects: a JSON object with username and accessToken.

    With `placeholders` (the sandbox), a value's fingerprint stands in for it, and a
    placeholder for a source that is not available: the sandbox never holds a real value.
    """
    assert secret.username is not None and secret.access_token is not None
    return json.dumps(
        {
            "username": read_value(secret.username, base_dir, secret.name, placeholders),
            "accessToken": read_value(secret.access_token, base_dir, secret.name, placeholders),
        }
    )


def same_value(desired: str, live: str | None) -> bool:
    """Whether the live SecretString holds the same username and accessToken."""
    if live is None:
        return False
    try:
        parsed = json.loads(live)
    except ValueError:
        return False
    want = json.loads(desired)
    return isinstance(parsed, dict) and all(parsed.get(k) == want[k] for k in want)

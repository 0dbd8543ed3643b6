"""Secret values: read from their sources, compared, sent to Secrets Manager, never shown.

Values exist only inside these functions' frames. They are not stored on any model, plan
or report, and errors name the source (the variable or file), never the value.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ptc.errors import ValueSourceError
from ptc.plan.resources import SecretResource, ValueRef


def read_value(ref: ValueRef, base_dir: Path, secret: str) -> str:
    if ref.env is not None:
        value = os.environ.get(ref.env)
        if value is None:
            raise ValueSourceError(f"secret '{secret}': environment variable {ref.env} is not set")
        return value
    assert ref.file is not None
    path = base_dir / ref.file
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ValueSourceError(f"secret '{secret}': cannot read {path}: {reason}") from None


def secret_string(secret: SecretResource, base_dir: Path) -> str:
    """The SecretString ECR expects: a JSON object with username and accessToken."""
    assert secret.username is not None and secret.access_token is not None
    return json.dumps(
        {
            "username": read_value(secret.username, base_dir, secret.name),
            "accessToken": read_value(secret.access_token, base_dir, secret.name),
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

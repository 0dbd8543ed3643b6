"""Secret values: read from their sources, compared, sent to Secrets Manager, never shown.

Values exist only inside these functions' frames. They are not stored on any model, plan
or report, and errors name the source (the variable or file), never the value.

Where the values come from is a strategy (SecretValues) that the CLI chooses and the core
loop is given: FROM_SOURCES for AWS; the sandbox brings its own (ptc.sandbox.standin), so
that nothing here knows of it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final, Protocol

from ptc.domain.resources import SecretResource, ValueRef
from ptc.errors import ValueSourceError


class SecretValues(Protocol):
    """What plan compares and apply sends as the secrets' values."""

    def check(self, secrets: Iterable[SecretResource], base_dir: Path) -> None:
        """Raise ValueSourceError for a value that cannot be had: before planning, not
        halfway through an apply."""
        ...

    def secret_string(self, secret: SecretResource, base_dir: Path) -> str:
        """The SecretString for `secret`, to compare with the live one and to send."""
        ...


class FromSources:
    """The values themselves, from their environment variables and files."""

    def check(self, secrets: Iterable[SecretResource], base_dir: Path) -> None:
        for secret in secrets:
            self.secret_string(secret, base_dir)  # read to check, then dropped

    def secret_string(self, secret: SecretResource, base_dir: Path) -> str:
        return secret_string(secret, base_dir)


FROM_SOURCES: Final = FromSources()

ReadValue = Callable[[ValueRef, Path, str], str]


def read_value(ref: ValueRef, base_dir: Path, secret: str) -> str:
    """The source's value; `secret` (its name) is for the error message."""
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
    """Whether the source holds a value (the sandbox stands in for one that does not)."""
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


def secret_string(secret: SecretResource, base_dir: Path, read: ReadValue = read_value) -> str:
    """The SecretString ECR expects: a JSON object with username and accessToken, each as
    `read` gives it (by default, the source's value)."""
    assert secret.username is not None and secret.access_token is not None
    return json.dumps(
        {
            "username": read(secret.username, base_dir, secret.name),
            "accessToken": read(secret.access_token, base_dir, secret.name),
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

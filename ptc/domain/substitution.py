"""`{account}` and `{region}` in the file's ARNs, filled in per target (account, region).

One file can then serve many accounts: `arn:aws:iam::{account}:role/ecr-template` names the
role of whichever account is being planned. Only the fields that hold ARNs (or, for
permission principals, account IDs) take placeholders; `FIELDS` lists them so that
validate, the planner and the docs agree. Pure text functions: no I/O, nothing heavy.
"""

from __future__ import annotations

import difflib
import re
from typing import Final

ACCOUNT: Final = "{account}"
REGION: Final = "{region}"
NAMES: Final = ("account", "region")
# Stands in for `{account}` where validate checks a value's shape and no account is known:
# any 12 digits give an ARN of the same shape and length.
SAMPLE_ACCOUNT: Final = "123456789012"

_ANY: Final = re.compile(r"\{([^{}]*)\}")
_KNOWN: Final = re.compile(r"\{(account|region)\}")

# Where placeholders are filled in: paths in the file, "*" for any list index.
FIELDS: Final = frozenset(
    {
        ("rules", "*", "role"),
        ("rules", "*", "credentials"),
        ("templates", "*", "role"),
        ("templates", "*", "encryption", "kms_key"),
        ("secrets", "*", "kms_key"),
        ("permissions", "*", "principals", "*"),
    }
)
# The role assumed in each target account: per account only (IAM has no regions).
ROLE_FIELD: Final = ("accounts", "role")


def has_any(text: str) -> bool:
    """Whether `text` holds `{account}` or `{region}`."""
    return _KNOWN.search(text) is not None


def unknown(text: str, allowed: tuple[str, ...] = NAMES) -> list[str]:
    """The `{name}`s in `text` that are not among `allowed`, in order of appearance."""
    return [m.group(0) for m in _ANY.finditer(text) if m.group(1) not in allowed]


def suggestion(placeholder: str) -> str | None:
    """The placeholder a misspelt one most likely meant ('{acount}' -> '{account}')."""
    close = difflib.get_close_matches(placeholder.strip("{}").lower(), NAMES, n=1, cutoff=0.6)
    return "{" + close[0] + "}" if close else None


def fill(text: str, *, account: str | None = None, region: str | None = None) -> str:
    """`text` with the placeholders given a value filled in; the others are left as they are."""
    if "{" not in text:
        return text
    if account is not None:
        text = text.replace(ACCOUNT, account)
    if region is not None:
        text = text.replace(REGION, region)
    return text


def field_of(path: tuple[str | int, ...]) -> tuple[str, ...]:
    """A data path with list indexes as '*', to compare with FIELDS."""
    return tuple("*" if isinstance(part, int) else part for part in path)

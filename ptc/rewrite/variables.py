"""Variables with a default: `${VAR:-<image>}`, and a Dockerfile's `$NAME` / `${NAME}`.

Compose, shell, envsubst-style tools (Flux's post-build substitution) and Dockerfiles
expand `${VAR:-default}` and `${VAR-default}` (and `:=` / `=`) to the default when VAR is
unset (`:` also when it is empty). When a whole reference is one such expression, the
default is an image reference like any other: it is rewritten and the variable stays, so a
value given at build or deploy time still wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_WITH_DEFAULT: Final = re.compile(rf"\$\{{(?P<name>{_NAME})(?P<op>:?[-=])(?P<default>[^${{}}]*)\}}")
_PLAIN: Final = re.compile(rf"\$(?P<name>{_NAME})|\$\{{(?P<braced>{_NAME})\}}")


@dataclass(frozen=True)
class Default:
    """The default of a variable expression: its text and where it starts in the expression."""

    name: str
    value: str
    offset: int


def default_of(text: str) -> Default | None:
    """The default when all of `text` is `${NAME:-default}` (or `-`, `:=`, `=`)."""
    match = _WITH_DEFAULT.fullmatch(text)
    if match is None:
        return None
    return Default(match["name"], match["default"], match.start("default"))


def plain_variable(text: str) -> str | None:
    """NAME when all of `text` is `$NAME` or `${NAME}`."""
    match = _PLAIN.fullmatch(text)
    if match is None:
        return None
    return match["name"] or match["braced"]

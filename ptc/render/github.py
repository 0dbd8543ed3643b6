"""GitHub Actions workflow commands (`::error file=…,line=…::message`): their escaping.

A message or a property holding a newline or `::` would end the command early or start
another; GitHub's toolkit escapes these characters with percent codes, and so does ptc, for
findings and for rewrite-images annotations alike.
"""

from __future__ import annotations


def escape_data(text: str) -> str:
    """A message: `%`, CR and LF percent-encoded, so it stays one command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file=, title=): also `:` and `,`, which separate properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")

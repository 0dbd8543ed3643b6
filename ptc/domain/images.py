"""Container image references, parsed the way Docker, containerd and Kubernetes parse them.

This follows the grammar of the distribution project's `reference` package and the
normalisation of its `ParseNormalizedNamed`: a first path component is a registry host only
if it contains `.` or `:`, is `localhost`, or has upper-case letters; every other name is on
Docker Hub (`docker.io`), and a single-component Docker Hub name is an official image under
`library/`. `index.docker.io` is the legacy name of `docker.io`.

One deliberate difference: the 255-character limit is applied to the whole normalised name
(host, `/` and path), as distribution did for most of its history; its newest releases
count the path only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

DOCKER_HUB: Final = "docker.io"
LEGACY_DOCKER_HUB: Final = "index.docker.io"
OFFICIAL_NAMESPACE: Final = "library/"
NAME_MAX: Final = 255

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_IPV6 = r"\[(?:[a-fA-F0-9:]+)\]"  # no zone identifiers, no embedded IPv4

PATH_PATTERN: Final = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
DOMAIN_PATTERN: Final = re.compile(rf"(?:{_DOMAIN_NAME}|{_IPV6})(?::[0-9]+)?")
TAG_PATTERN: Final = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)
DIGEST_PATTERN: Final = re.compile(
    r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
)
IDENTIFIER_PATTERN: Final = re.compile(r"[a-f0-9]{64}")
# The algorithms go-digest registers, with the length of their hex encoding. Docker and
# containerd refuse any other algorithm, and upper-case hex, even though the grammar allows it.
_DIGEST_HEX_LENGTH: Final = {"sha256": 64, "sha384": 96, "sha512": 128}
_LOWER_HEX: Final = re.compile(r"[a-f0-9]+")


class InvalidReference(ValueError):
    """The text is not an image reference; the message says why, as Docker would."""


@dataclass(frozen=True)
class Reference:
    """A normalised image reference: `domain/path[:tag][@digest]`.

    `domain` is "" only for the odd names whose first component looks like a host but is not
    a valid one (`foo_bar.com/x`): distribution then reads the whole name as a path.
    """

    domain: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        return f"{self.domain}/{self.path}" if self.domain else self.path

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def parse(text: str) -> Reference:
    """Parse and normalise a reference (ParseNormalizedNamed); raise InvalidReference."""
    if not text:
        raise InvalidReference("repository name must have at least one component")
    if IDENTIFIER_PATTERN.fullmatch(text):
        raise InvalidReference(
            "a 64-character hexadecimal name is an image ID, not a repository name"
        )
    domain, remainder = _split_domain(text)
    if remainder.split(":", 1)[0].lower() != remainder.split(":", 1)[0]:
        raise InvalidReference("repository name must be lowercase")
    rest, at, digest = remainder.partition("@")
    path, colon, tag = rest.partition(":")
    if (colon and not TAG_PATTERN.fullmatch(tag)) or (at and not DIGEST_PATTERN.fullmatch(digest)):
        raise InvalidReference("invalid reference format")
    if not PATH_PATTERN.fullmatch(path):
        raise InvalidReference("invalid reference format")
    if not DOMAIN_PATTERN.fullmatch(domain):
        # distribution's name pattern then matches the whole name as a path, or nothing.
        if not PATH_PATTERN.fullmatch(f"{domain}/{path}"):
            raise InvalidReference("invalid reference format")
        domain, path = "", f"{domain}/{path}"
    reference = Reference(domain, path, tag if colon else None, digest if at else None)
    if len(reference.name) > NAME_MAX:
        raise InvalidReference(f"repository name must not be more than {NAME_MAX} characters")
    if reference.digest is not None:
        _check_digest(reference.digest)
    return reference


def _split_domain(text: str) -> tuple[str, str]:
    """Split off the registry host, defaulting to Docker Hub (splitDockerDomain)."""
    first, slash, rest = text.partition("/")
    if not slash:
        return DOCKER_HUB, OFFICIAL_NAMESPACE + text
    if first == LEGACY_DOCKER_HUB:
        domain, remainder = DOCKER_HUB, rest
    elif first == "localhost" or "." in first or ":" in first or first.lower() != first:
        domain, remainder = first, rest
    else:
        domain, remainder = DOCKER_HUB, text
    if domain == DOCKER_HUB and "/" not in remainder:
        remainder = OFFICIAL_NAMESPACE + remainder
    return domain, remainder


def _check_digest(digest: str) -> None:
    algorithm, _, encoded = digest.partition(":")
    expected = _DIGEST_HEX_LENGTH.get(algorithm)
    if expected is None:
        raise InvalidReference(f"unsupported digest algorithm '{algorithm}'")
    if len(encoded) != expected:
        raise InvalidReference(f"invalid checksum digest length for {algorithm}")
    if not _LOWER_HEX.fullmatch(encoded):
        raise InvalidReference("invalid checksum digest format")

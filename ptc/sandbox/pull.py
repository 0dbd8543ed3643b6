"""`ptc sandbox pull`: what a pull through the cache does in ECR, without the upstream.

A pull of `<registry>/<prefix>/<name>:<tag>` finds the pull-through cache rule whose prefix
covers the repository (the longest; ROOT for names no other rule covers), creates the
repository if it does not exist with the settings of the matching repository creation
template (the longest prefix applied for PULL_THROUGH_CACHE, ROOT as fallback, ECR's
defaults when none matches), and records the image with its tag and the time of the pull,
as DescribeImages then shows. Without a rule, ECR answers as for any missing repository.

The image itself is synthetic: a manifest whose digest is derived from the upstream
reference, so that pulling the same tag again records a new pull time, not a new image.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from moto.ecr.models import ECRBackend, ecr_backends

from ptc.domain import catalog
from ptc.domain.images import PATH_PATTERN, TAG_PATTERN
from ptc.errors import PtcError
from ptc.sandbox import emulator, templates
from ptc.sandbox.ptc_rules import Rule
from ptc.sandbox.templates import Template

_MANIFEST_TYPE: Final = "application/vnd.docker.distribution.manifest.v2+json"
_CONFIG_TYPE: Final = "application/vnd.docker.container.image.v1+json"
_LAYER_TYPE: Final = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DEFAULT_TAG: Final = "latest"
_DOCKER_HUB: Final = "docker-hub"


class PullError(PtcError):
    """The pull cannot happen: a malformed reference, another registry, or no rule."""


class NoRuleError(PullError):
    """No rule covers the repository: ECR answers RepositoryNotFoundException."""


class UpstreamImageError(PullError):
    """The upstream has no such image: ECR answers UnableToGetUpstreamImageException."""


class RepositoryCreationError(PullError):
    """The matching template cannot create the repository (e.g. tags without a role)."""


@dataclass(frozen=True)
class ImageRef:
    """`[<account>.dkr.ecr.<region>.amazonaws.com/]<repository>[:<tag>]`."""

    repository: str
    tag: str
    account: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Pulled:
    """What the pull did: the repository, the rule and template ECR used, the image."""

    repository: str
    tag: str
    digest: str
    rule: str
    upstream: (
        str  # the upstream image the cache fetched, e.g. registry-1.docker.io/library/nginx:1.25
    )
    template: str | None  # None: no template matched; ECR's defaults
    created: bool  # the pull created the repository
    pulled_at: datetime


# OCI image-spec: algorithm ':' encoded (sha256 and sha512 in hex).
_DIGEST = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}")


def _is_name(text: str) -> bool:
    repository, colon, tag = text.partition(":")
    return bool(PATH_PATTERN.fullmatch(repository)) and (
        not colon or bool(TAG_PATTERN.fullmatch(tag))
    )


def parse_image(text: str) -> ImageRef:
    host, slash, rest = text.partition("/")
    registry = catalog.parse_registry_host(host) if slash else None
    account = region = None
    if registry:
        (account, region), text = registry, rest
    elif "." in host and slash:
        raise PullError(f"'{text}': the sandbox caches only its own ECR registry, not {host}")
    if "@" in text:
        name, _, digest = text.partition("@")
        if _DIGEST.fullmatch(digest) and _is_name(name):
            # ECR cannot make a first pull through the cache by digest (containers-roadmap#2837).
            raise PullError(f"'{text}': pull by tag; a first pull by digest is not supported")
        raise PullError(f"'{text}': not a valid image reference (repository[:tag])")
    repository, colon, tag = text.partition(":")
    if not PATH_PATTERN.fullmatch(repository) or len(repository) > 256:
        raise PullError(f"'{repository}': not a valid ECR repository name")
    if colon and not TAG_PATTERN.fullmatch(tag):
        raise PullError(f"'{tag}': not a valid image tag")
    return ImageRef(repository, tag if colon else DEFAULT_TAG, account, region)


def pull(
    ref: ImageRef,
    account: str,
    region: str,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Pulled:
    """Pull `ref` through the cache of `account` in `region` (the in-process moto)."""
    _check_registry(ref, account, region)
    cached = cache_repository(ref.repository, account, region)
    upstream = f"{cached.upstream}:{ref.tag}"
    image = record_image(account, region, ref.repository, ref.tag, upstream)
    pulled_at = now()
    image.last_recorded_pull_time = pulled_at
    return Pulled(
        repository=ref.repository,
        tag=ref.tag,
        digest=image.get_image_digest(),
        rule=cached.rule.prefix,
        upstream=upstream,
        template=cached.template.prefix if cached.template and cached.created else None,
        created=cached.created,
        pulled_at=pulled_at,
    )


@dataclass(frozen=True)
class Cached:
    """A repository of the cache: the rule that covers it and how it came to exist."""

    rule: Rule
    upstream: str  # the upstream repository, e.g. registry-1.docker.io/library/nginx
    template: Template | None
    created: bool


def covering_rule(name: str, account: str, region: str) -> Rule | None:
    """The pull-through cache rule whose prefix covers repository `name`, if any."""
    return _rule_for(name, emulator.registry(account, region).rules)


def cache_repository(name: str, account: str, region: str) -> Cached:
    """What a pull through the cache does before it fetches an image, for `ptc sandbox pull`
    and the API's BatchGetImage and GetDownloadUrlForLayer alike: find the rule, check the
    upstream repository, and create the repository from the matching template if needed."""
    registry = emulator.registry(account, region)
    rule = _rule_for(name, registry.rules)
    if rule is None:
        raise NoRuleError(
            f"no pull-through cache rule in {region} covers '{name}'; ECR answers that the "
            "repository does not exist"
        )
    upstream = _upstream(rule, name)
    backend: ECRBackend = ecr_backends[account][region]
    template = _template_for(name, registry.templates)
    created = name not in backend.repositories
    if created:
        failure = templates.creation_failure(template, region) if template else None
        if failure is not None:
            raise RepositoryCreationError(f"cannot create '{name}': {failure}")
        _create_repository(backend, name, template)
    return Cached(rule, upstream, template, created)


def _check_registry(ref: ImageRef, account: str, region: str) -> None:
    if ref.account is not None and ref.account != account:
        raise PullError(f"the sandbox is account {account}, not {ref.account}")
    if ref.region is not None and ref.region != region:
        raise PullError(f"the image is in {ref.region}, but the pull is in {region} (--region)")


def _covers(prefix: str, name: str) -> bool:
    return name.startswith(prefix.rstrip("/") + "/")


def _rule_for(name: str, rules: dict[str, Rule]) -> Rule | None:
    covering = [r for p, r in rules.items() if p != catalog.ROOT and _covers(p, name)]
    if covering:
        return max(covering, key=lambda r: len(r.prefix.rstrip("/")))
    return rules.get(catalog.ROOT)


def _template_for(name: str, stored: dict[str, Template]) -> Template | None:
    candidates = [
        t for t in stored.values() if catalog.AppliedFor.PULL_THROUGH_CACHE in t.applied_for
    ]
    covering = [t for t in candidates if t.prefix != catalog.ROOT and _covers(t.prefix, name)]
    if covering:
        return max(covering, key=lambda t: len(t.prefix.rstrip("/")))
    return next((t for t in candidates if t.prefix == catalog.ROOT), None)


def _create_repository(backend: ECRBackend, name: str, template: Template | None) -> None:
    settings = copy.deepcopy(template.settings if template else templates.DEFAULTS)
    repository = backend.create_repository(
        repository_name=name,
        registry_id=None,
        encryption_config=settings[templates.ENCRYPTION],
        image_scan_config=None,
        image_tag_mutability=settings[templates.MUTABILITY],
        tags=settings[templates.TAGS],
        image_tag_mutability_exclusion_filters=settings[templates.FILTERS],
    )
    repository.lifecycle_policy = settings["lifecyclePolicy"]
    repository.policy = settings["repositoryPolicy"]


def _upstream(rule: Rule, name: str) -> str:
    """The upstream repository: the rule's prefix replaced by its upstream prefix, if any."""
    if rule.prefix == catalog.ROOT:
        path = name
    else:
        path = name[len(rule.prefix.rstrip("/")) + 1 :]
        if rule.upstream_prefix and rule.upstream_prefix != catalog.ROOT:
            path = f"{rule.upstream_prefix.rstrip('/')}/{path}"
    if rule.upstream_registry == _DOCKER_HUB and "/" not in path:
        # AWS: "For Docker Hub official images, the /library prefix must be included";
        # without it Docker Hub answers 403 and nothing is cached.
        raise UpstreamImageError(
            f"'{name}': Docker Hub has no repository '{path}'; official images need the "
            f"library/ part (pull {name[: len(name) - len(path)]}library/{path})"
        )
    return f"{rule.upstream_url}/{path}"


def record_image(account: str, region: str, name: str, tag: str, upstream: str) -> Any:
    """The image `upstream` cached as `name:tag`: found if cached already, else recorded."""
    backend: ECRBackend = ecr_backends[account][region]
    repository = backend.repositories[name]
    for image in repository.images:
        if tag in image.image_tags:
            return image  # cached already: a pull only records its time
    config = "sha256:" + hashlib.sha256(upstream.encode()).hexdigest()
    layer = "sha256:" + hashlib.sha256(f"{upstream} layer".encode()).hexdigest()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": _MANIFEST_TYPE,
            "config": {"mediaType": _CONFIG_TYPE, "size": 1024, "digest": config},
            "layers": [{"mediaType": _LAYER_TYPE, "size": 1024, "digest": layer}],
        },
        sort_keys=True,
    )
    # An image's digest is that of its manifest, as in any registry.
    digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    return backend.put_image(name, manifest, tag, _MANIFEST_TYPE, digest)

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

from ptc import catalog
from ptc.errors import PtcError
from ptc.rewrite.reference import PATH_PATTERN, TAG_PATTERN
from ptc.sandbox import emulator, templates
from ptc.sandbox.ptc_rules import Rule
from ptc.sandbox.templates import Template

_REGISTRY: Final = re.compile(
    r"(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com"
)
_MANIFEST_TYPE: Final = "application/vnd.docker.distribution.manifest.v2+json"
_CONFIG_TYPE: Final = "application/vnd.docker.container.image.v1+json"
_LAYER_TYPE: Final = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DEFAULT_TAG: Final = "latest"


class PullError(PtcError):
    """The pull cannot happen: a malformed reference, another registry, or no rule."""


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


def parse_image(text: str) -> ImageRef:
    host, slash, rest = text.partition("/")
    match = _REGISTRY.fullmatch(host) if slash else None
    account = region = None
    if match:
        account, region, text = match["account"], match["region"], rest
    elif "." in host and slash:
        raise PullError(f"'{text}': the sandbox caches only its own ECR registry, not {host}")
    if "@" in text:
        # ECR cannot make a first pull through the cache by digest (containers-roadmap#2837).
        raise PullError(f"'{text}': pull by tag; a first pull by digest is not supported")
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
    registry = emulator.registry(account, region)
    rule = _rule_for(ref.repository, registry.rules, region)
    backend: ECRBackend = ecr_backends[account][region]
    template = _template_for(ref.repository, registry.templates)
    created = ref.repository not in backend.repositories
    if created:
        _create_repository(backend, ref.repository, template)
    upstream = _upstream(rule, ref)
    image = _record_image(backend, ref, upstream)
    pulled_at = now()
    image.last_recorded_pull_time = pulled_at
    return Pulled(
        repository=ref.repository,
        tag=ref.tag,
        digest=image.get_image_digest(),
        rule=rule.prefix,
        upstream=upstream,
        template=template.prefix if template and created else None,
        created=created,
        pulled_at=pulled_at,
    )


def _check_registry(ref: ImageRef, account: str, region: str) -> None:
    if ref.account is not None and ref.account != account:
        raise PullError(f"the sandbox is account {account}, not {ref.account}")
    if ref.region is not None and ref.region != region:
        raise PullError(f"the image is in {ref.region}, but the pull is in {region} (--region)")


def _covers(prefix: str, name: str) -> bool:
    return name.startswith(prefix.rstrip("/") + "/")


def _rule_for(name: str, rules: dict[str, Rule], region: str) -> Rule:
    covering = [r for p, r in rules.items() if p != catalog.ROOT and _covers(p, name)]
    if covering:
        return max(covering, key=lambda r: len(r.prefix.rstrip("/")))
    if catalog.ROOT in rules:
        return rules[catalog.ROOT]
    raise PullError(
        f"no pull-through cache rule in {region} covers '{name}'; ECR answers that the "
        "repository does not exist"
    )


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


def _upstream(rule: Rule, ref: ImageRef) -> str:
    """The upstream image: the rule's prefix replaced by its upstream prefix, if any."""
    if rule.prefix == catalog.ROOT:
        path = ref.repository
    else:
        path = ref.repository[len(rule.prefix.rstrip("/")) + 1 :]
        if rule.upstream_prefix and rule.upstream_prefix != catalog.ROOT:
            path = f"{rule.upstream_prefix.rstrip('/')}/{path}"
    return f"{rule.upstream_url}/{path}:{ref.tag}"


def _record_image(backend: ECRBackend, ref: ImageRef, upstream: str) -> Any:
    repository = backend.repositories[ref.repository]
    for image in repository.images:
        if ref.tag in image.image_tags:
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
    return backend.put_image(ref.repository, manifest, ref.tag, _MANIFEST_TYPE, digest)

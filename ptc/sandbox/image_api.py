"""A pull through the cache by the API: BatchGetImage and GetDownloadUrlForLayer.

A client pulling `<prefix>/<upstream repository>:<tag>` (docker, containerd, an SDK) calls
BatchGetImage for the manifest, then GetDownloadUrlForLayer for each layer. When a rule
covers the repository, ECR fetches the image upstream first, creating the repository from the
matching template; the same code as `ptc sandbox pull` (pull.cache_repository) does it here.
Repositories no rule covers get moto's own answers.

Operations moto lacks, or leaves as NotImplementedError, answer as ECR answers a target it
does not know: HTTP 400 with `UnknownOperationException`, which botocore does not retry
(an HTTP 500 page made it retry five times).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any, Final

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.ecr.models import ecr_backends
from moto.ecr.responses import ECRResponse

from ptc.sandbox import fields, pull
from ptc.sandbox.errors import ApiError

_INSTALLED: Final = "ptc_sandbox"
_ERRORS: Final[dict[type[pull.PullError], str]] = {
    pull.NoRuleError: "RepositoryNotFoundException",
    pull.UpstreamImageError: "UnableToGetUpstreamImageException",
    # The service's answer is undocumented; containers-roadmap#2398's user saw "not found".
    pull.RepositoryCreationError: "RepositoryNotFoundException",
}


class _ImageError(ServiceException):
    # Outside moto's package, so that moto takes the HTTP status from the ECR model.
    pass


def _cached(self: ECRResponse, name: str) -> pull.Cached | None:
    """Pull-through for `name` if a rule covers it: the repository then exists."""
    if pull.covering_rule(name, self.current_account, self.region) is None:
        return None
    try:
        return pull.cache_repository(name, self.current_account, self.region)
    except pull.PullError as error:
        raise _ImageError(_ERRORS.get(type(error), "ServerException"), str(error)) from error


def _body(self: ECRResponse) -> dict[str, Any]:
    try:
        return fields.parse_body(self.body)
    except ApiError as error:
        raise _ImageError(error.code, error.message) from error


def _batch_get_image(original: Callable[[ECRResponse], Any]) -> Callable[[ECRResponse], Any]:
    def batch_get_image(self: ECRResponse) -> Any:
        body = _body(self)
        name = body.get("repositoryName")
        if isinstance(name, str):
            cached = _cached(self, name)
            if cached is not None:
                _fetch_tags(self, name, cached, body.get("imageIds"))
        return original(self)

    return batch_get_image


def _fetch_tags(self: ECRResponse, name: str, cached: pull.Cached, image_ids: Any) -> None:
    # A first pull by digest is not possible through the cache (containers-roadmap#2837):
    # only tags are fetched; a digest finds what is cached already, or fails as in moto.
    for image_id in image_ids if isinstance(image_ids, list) else []:
        tag = image_id.get("imageTag") if isinstance(image_id, dict) else None
        if isinstance(tag, str):
            upstream = f"{cached.upstream}:{tag}"
            pull.record_image(self.current_account, self.region, name, tag, upstream)


def _get_download_url_for_layer(self: ECRResponse) -> ActionResult:
    body = _body(self)
    try:
        name = fields.required_text(body, "repositoryName")
        digest = fields.required_text(body, "layerDigest")
    except ApiError as error:
        raise _ImageError(error.code, error.message) from error
    _cached(self, name)
    backend = ecr_backends[self.current_account][self.region]
    repository = backend.repositories.get(name)
    if repository is None:
        raise _ImageError(
            "RepositoryNotFoundException",
            f"The repository with name '{name}' does not exist in the registry with id "
            f"'{self.current_account}'",
        )
    if digest not in _layers(repository):
        raise _ImageError(
            "LayersNotFoundException", f"The layer '{digest}' does not exist in '{name}'"
        )
    registry = f"{self.current_account}.dkr.ecr.{self.region}.amazonaws.com"
    url = f"https://{registry}/v2/{name}/blobs/{digest}"
    return ActionResult({"downloadUrl": url, "layerDigest": digest})


def _layers(repository: Any) -> set[str]:
    layers: set[str] = set()
    for image in repository.images:
        try:
            manifest = json.loads(image.image_manifest)
        except (TypeError, ValueError):
            continue
        blobs = [*manifest.get("layers", []), manifest.get("config")]
        layers.update(str(blob.get("digest")) for blob in blobs if isinstance(blob, dict))
    return layers


def _call_action(original: Callable[[ECRResponse], Any]) -> Callable[..., Any]:
    def call_action(self: ECRResponse) -> Any:
        try:
            return original(self)
        except NotImplementedError:
            action = self._get_action() or "(none)"
            error = _ImageError(
                "UnknownOperationException",
                f"The ptc sandbox does not emulate the operation {action}",
            )
            with warnings.catch_warnings():
                # moto warns that the code is not in the ECR model: ECR's own front end
                # answers it, not the service.
                warnings.simplefilter("ignore")
                return self.serialized(ActionResult(error))

    return call_action


def install() -> None:
    """Add the pull-through to moto's BatchGetImage and GetDownloadUrlForLayer; idempotent."""
    replacements: dict[str, Callable[..., Any]] = {
        "batch_get_image": _batch_get_image(ECRResponse.batch_get_image),
        "get_download_url_for_layer": _get_download_url_for_layer,
        "call_action": _call_action(ECRResponse.call_action),
    }
    for name, method in replacements.items():
        if not getattr(getattr(ECRResponse, name), _INSTALLED, False):
            setattr(method, _INSTALLED, True)
            setattr(ECRResponse, name, method)

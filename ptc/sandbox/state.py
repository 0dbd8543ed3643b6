"""Saving and restoring the sandbox: what the in-process moto holds, for every account and Region.

Saved: pull-through cache rules and repository creation templates (the emulator's state),
Secrets Manager secrets (name, ARN, current value, description, KMS key id, tags), the ECR
registry policy, ECR repositories (settings, tags, policies, and the images' tags,
manifests, push and pull times, which `ptc sandbox pull` records), and ECS task definitions
(every revision of every family, with its status and tags, for `rewrite-images --ecs`).
Secret values are saved only as what ptc.sandbox.standin makes of them (keyed fingerprints or
placeholders), never as sent: the file sits in the user's repository. It is written with
mode 0600, atomically (a temporary file renamed over the old one), and read only if it is a
regular file of at most 10 MiB, like a rules file.

AWS Organizations (ptc.sandbox.organizations) are saved beside the accounts, by management
account, with their ids: a ptc file names OUs by id.

Secrets keep their ARNs across a restart (Secrets Manager's random suffix included), because
rules and Terraform state refer to them by ARN.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from moto.ecr.models import ECRBackend, Image, ecr_backends
from moto.ecs.models import EC2ContainerServiceBackend, TaskDefinition, ecs_backends
from moto.secretsmanager.models import (
    FakeSecret,
    SecretsManagerBackend,
    secretsmanager_backends,
)

from ptc.config.loader import read_text
from ptc.errors import InputError
from ptc.files import WriteError, os_message, write_text
from ptc.sandbox import emulator, organizations
from ptc.sandbox.ptc_rules import Rule
from ptc.sandbox.standin import StandIn
from ptc.sandbox.store import StateFileError, check_file
from ptc.sandbox.templates import Template

FORMAT: Final = 1
_Item = TypeVar("_Item", Rule, Template)


__all__ = ["FORMAT", "StateFileError", "dump", "load", "restore", "snapshot"]


def dump(path: Path, stand_in: StandIn) -> None:
    """Write everything the in-process moto holds to `path` (mode 0600, atomic).

    Every secret value is saved as `stand_in` makes it: never the value itself.
    """
    document = {
        "format": FORMAT,
        "accounts": snapshot(stand_in),
        "organizations": organizations.snapshot(),
    }
    text = json.dumps(document, indent=2, sort_keys=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text, through_symlink=True, mode=0o600, durable=True)
    except (OSError, WriteError) as exc:
        reason = exc.reason if isinstance(exc, WriteError) else os_message(exc)
        raise StateFileError(
            f"{path}: cannot save the sandbox state: {reason}; what this run changed "
            "in the sandbox is lost"
        ) from None


def load(path: Path) -> None:
    """Restore what `dump` wrote into the in-process moto (on top of what it holds)."""
    check_file(path)
    try:
        document = json.loads(read_text(path))  # at most 10 MiB: /dev/zero never ends
    except InputError as error:
        raise StateFileError(f"cannot read the sandbox state: {error}") from None
    except ValueError as error:
        raise StateFileError(f"{path}: cannot read the sandbox state: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateFileError(
            f"{path}: not a sandbox state file of format {FORMAT}; move it away to start afresh"
        )
    try:
        restore(document.get("accounts", {}))
        organizations.restore(document.get("organizations", {}))
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        # A hand-edited or truncated file: say so rather than show moto's internals.
        raise StateFileError(
            f"{path}: the sandbox state is damaged ({type(error).__name__}: {error}); "
            "move it away to start afresh"
        ) from error


# -- whole sandbox ---------------------------------------------------------------------------


def snapshot(stand_in: StandIn) -> dict[str, dict[str, dict[str, Any]]]:
    """{account: {region: region state}}, leaving out Regions with nothing in them."""
    accounts: dict[str, dict[str, dict[str, Any]]] = {}
    for account, region, ecr, secrets in _regions():
        region_state = _region_snapshot(account, region, ecr, secrets, stand_in)
        if any(region_state.values()):
            accounts.setdefault(account, {})[region] = region_state
    for account, region, backend in _ecs_regions():
        if backend.task_definitions:
            saved = _task_definitions(backend)
            accounts.setdefault(account, {}).setdefault(region, {})["taskDefinitions"] = saved
    return accounts


def restore(accounts: dict[str, dict[str, dict[str, Any]]]) -> None:
    for account, regions in accounts.items():
        for region, region_state in regions.items():
            _restore_region(account, region, region_state)


def _regions() -> list[tuple[str, str, ECRBackend | None, SecretsManagerBackend | None]]:
    # Only backends moto has already created are visited (plain dict access): indexing would
    # create them, for every Region of every partition.
    ecr = {(a, r): b for a, regions in dict.items(ecr_backends) for r, b in dict.items(regions)}
    secrets = {
        (a, r): b
        for a, regions in dict.items(secretsmanager_backends)
        for r, b in dict.items(regions)
    }
    return [(a, r, ecr.get((a, r)), secrets.get((a, r))) for a, r in sorted(ecr.keys() | secrets)]


def _ecs_regions() -> list[tuple[str, str, EC2ContainerServiceBackend]]:
    return [
        (account, region, backend)
        for account, regions in dict.items(ecs_backends)
        for region, backend in dict.items(regions)
    ]


def _region_snapshot(
    account: str,
    region: str,
    ecr: ECRBackend | None,
    secrets: SecretsManagerBackend | None,
    stand_in: StandIn,
) -> dict[str, Any]:
    saved = _secrets(secrets, stand_in) if secrets is not None else []
    state: dict[str, Any] = {"secrets": saved}
    if ecr is not None:
        registry = emulator.registry(account, region)
        state["pullThroughCacheRules"] = [_record(rule) for rule in registry.rules.values()]
        state["repositoryCreationTemplates"] = [_record(t) for t in registry.templates.values()]
        state["repositories"] = [_repository(ecr, repo) for repo in ecr.repositories.values()]
        state["registryPolicy"] = ecr.registry_policy
    return state


def _restore_region(account: str, region: str, state: dict[str, Any]) -> None:
    for secret in state.get("secrets", []):
        _restore_secret(secretsmanager_backends[account][region], secret)
    ecr = ecr_backends[account][region]
    registry = emulator.registry(account, region)
    for record in state.get("pullThroughCacheRules", []):
        rule = _from_record(Rule, record)
        registry.rules[rule.prefix] = rule
    for record in state.get("repositoryCreationTemplates", []):
        template = _from_record(Template, record)
        registry.templates[template.prefix] = template
    for repository in state.get("repositories", []):
        _restore_repository(ecr, repository)
    if state.get("registryPolicy") is not None:
        ecr.registry_policy = state["registryPolicy"]
    if state.get("taskDefinitions"):
        _restore_task_definitions(ecs_backends[account][region], state["taskDefinitions"])


# -- emulator records ----------------------------------------------------------------------------


def _record(item: Rule | Template) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in dataclasses.asdict(item).items()
    }


def _from_record(kind: type[_Item], record: dict[str, Any]) -> _Item:
    values = dict(record)
    for field in dataclasses.fields(kind):
        if field.name.endswith("_at"):
            values[field.name] = datetime.fromisoformat(values[field.name])
    return kind(**values)


# -- Secrets Manager ----------------------------------------------------------------------------


def _secrets(backend: SecretsManagerBackend, stand_in: StandIn) -> list[dict[str, Any]]:
    saved = []
    for secret in backend.secrets.values():
        # Replicas belong to their primary's Region; deleted secrets are gone for good.
        if not isinstance(secret, FakeSecret) or secret.deleted_date is not None:
            continue
        current = secret.versions.get(secret.default_version_id or "", {})
        value = current.get("secret_string")
        saved.append(
            {
                "name": secret.name,
                "arn": secret.arn,
                "secretString": stand_in.secret_string(value) if value is not None else None,
                "description": secret.description,
                "kmsKeyId": secret.kms_key_id,
                "tags": secret.tags or [],
                # Kept so that a restored secret does not look changed to a planner.
                "versionId": secret.default_version_id,
                "versionCreatedDate": current.get("createdate"),
                "createdDate": secret.created_date,
                "lastChangedDate": secret.last_changed_date,
            }
        )
    return saved


def _restore_secret(backend: SecretsManagerBackend, saved: dict[str, Any]) -> None:
    if saved["name"] in backend.secrets:
        return
    secret, _ = backend._add_secret(
        saved["name"],
        secret_string=saved.get("secretString"),
        description=saved.get("description"),
        tags=saved.get("tags") or None,
        kms_key_id=saved.get("kmsKeyId"),
        version_id=saved.get("versionId"),
    )
    secret.arn = saved["arn"]
    secret.created_date = saved.get("createdDate", secret.created_date)
    secret.last_changed_date = saved.get("lastChangedDate", secret.last_changed_date)
    version = secret.versions.get(secret.default_version_id or "")
    if version is not None and saved.get("versionCreatedDate") is not None:
        version["createdate"] = saved["versionCreatedDate"]


# -- ECR repositories and registry policy --------------------------------------------------------


def _repository(backend: ECRBackend, repository: Any) -> dict[str, Any]:
    tags = backend.tagger.list_tags_for_resource(repository.arn)["tags"]
    mutability = repository.image_tag_mutability  # a str-valued Enum in moto
    return {
        "name": repository.name,
        "registryId": repository.registry_id,
        "imageTagMutability": getattr(mutability, "value", mutability),
        "imageTagMutabilityExclusionFilters": repository.image_tag_mutability_exclusion_filters,
        "encryptionConfiguration": repository.encryption_configuration,
        "imageScanningConfiguration": repository.image_scanning_configuration,
        "tags": tags,
        "policy": repository.policy,
        "lifecyclePolicy": repository.lifecycle_policy,
        "images": [_image(image) for image in repository.images],
    }


def _image(image: Image) -> dict[str, Any]:
    pulled = getattr(image, "last_recorded_pull_time", None)  # set by `ptc sandbox pull`
    return {
        "tags": list(image.image_tags),
        "digest": image.get_image_digest(),
        "manifest": image.image_manifest,
        "mediaType": image.image_manifest_media_type,
        "pushedAt": image.image_pushed_at,
        "lastRecordedPullTime": pulled.isoformat() if pulled else None,
    }


def _restore_repository(backend: ECRBackend, saved: dict[str, Any]) -> None:
    if saved["name"] in backend.repositories:
        return
    repository = backend.create_repository(
        repository_name=saved["name"],
        registry_id=saved.get("registryId"),
        encryption_config=saved["encryptionConfiguration"],
        image_scan_config=saved.get("imageScanningConfiguration"),
        image_tag_mutability=saved["imageTagMutability"],
        tags=saved.get("tags") or [],
        image_tag_mutability_exclusion_filters=saved.get("imageTagMutabilityExclusionFilters"),
    )
    repository.policy = saved.get("policy")
    repository.lifecycle_policy = saved.get("lifecyclePolicy")
    repository.images = [_restore_image(backend, saved["name"], i) for i in saved.get("images", [])]


def _restore_image(backend: ECRBackend, repository: str, saved: dict[str, Any]) -> Any:
    # Built directly rather than through put_image, which would check tag mutability and
    # give the image a new push time.
    tags = saved.get("tags") or []
    last_tag: Any = tags[-1] if tags else None  # moto's own untagged images have None here
    image: Any = Image(  # Any: moto declares no pull time, which ptc's pull adds
        backend.account_id,
        last_tag,
        saved["manifest"],
        repository,
        saved.get("mediaType"),
        saved.get("digest"),
    )
    image.image_tags = list(tags)
    image.image_pushed_at = saved.get("pushedAt", image.image_pushed_at)
    if saved.get("lastRecordedPullTime"):
        image.last_recorded_pull_time = datetime.fromisoformat(saved["lastRecordedPullTime"])
    return image


# -- ECS task definitions --------------------------------------------------------------------


def _task_definitions(backend: EC2ContainerServiceBackend) -> list[dict[str, Any]]:
    """Every revision as moto holds it (plain JSON values): ARN, revision and status kept."""
    return [
        dict(vars(definition))
        for revisions in backend.task_definitions.values()
        for definition in revisions.values()
    ]


def _restore_task_definitions(
    backend: EC2ContainerServiceBackend, saved: list[dict[str, Any]]
) -> None:
    # Rebuilt as saved rather than registered again, which would renumber the revisions and
    # lose the INACTIVE ones' status.
    for record in saved:
        revisions = backend.task_definitions.setdefault(record["family"], {})
        if record["revision"] in revisions:
            continue
        definition: Any = TaskDefinition.__new__(TaskDefinition)
        vars(definition).update(record)
        revisions[record["revision"]] = definition

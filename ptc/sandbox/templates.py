"""Repository creation template operations: Create, Describe, Update and Delete.

A template's updatable members are kept by their API names with ECR's defaults filled in,
so that Describe shows what the service shows (MUTABLE, AES256) and one table drives
parsing, defaults and output.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from ptc.domain import arns, catalog
from ptc.domain.catalog import EncryptionType, TagMutability
from ptc.sandbox import fields, strict
from ptc.sandbox.context import Caller
from ptc.sandbox.errors import (
    InvalidParameterException,
    TemplateAlreadyExistsException,
    TemplateNotFoundException,
    constraint,
)
from ptc.sandbox.fields import Body

APPLIED_FOR = "appliedFor"
MUTABILITY = "imageTagMutability"
FILTERS = "imageTagMutabilityExclusionFilters"
ENCRYPTION = "encryptionConfiguration"
TAGS = "resourceTags"
ROLE = "customRoleArn"

DEFAULTS: Final[dict[str, Any]] = {
    "description": None,
    ENCRYPTION: {"encryptionType": EncryptionType.AES256.value},
    TAGS: [],
    MUTABILITY: TagMutability.MUTABLE.value,
    FILTERS: None,
    "repositoryPolicy": None,
    "lifecyclePolicy": None,
    ROLE: None,
}
_KMS_TYPES: Final = frozenset({EncryptionType.KMS.value, EncryptionType.KMS_DSSE.value})
_WITH_EXCLUSION: Final = frozenset(
    {TagMutability.MUTABLE_WITH_EXCLUSION.value, TagMutability.IMMUTABLE_WITH_EXCLUSION.value}
)


@dataclass
class Template:
    """A stored repository creation template; `prefix` is its identity within the registry."""

    prefix: str
    applied_for: list[str]
    settings: dict[str, Any]  # the members of DEFAULTS, by API name
    created_at: datetime
    updated_at: datetime

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"prefix": self.prefix, APPLIED_FOR: list(self.applied_for)}
        out.update({key: value for key, value in self.settings.items() if value is not None})
        out["createdAt"] = self.created_at
        out["updatedAt"] = self.updated_at
        return copy.deepcopy(out)


Templates = dict[str, Template]

# -- operations ----------------------------------------------------------------------------


def create(templates: Templates, caller: Caller, body: Body) -> dict[str, Any]:
    prefix = _prefix(body)
    applied_for = _applied_for(fields.object_list(body, APPLIED_FOR), required=True)
    settings = _settings(body, DEFAULTS, caller)
    if fields.find_key(templates, prefix) is not None:
        raise TemplateAlreadyExistsException(
            f"A repository creation template with prefix '{prefix}' already exists in the "
            f"registry with id '{caller.account}'"
        )
    now = caller.now()
    template = Template(prefix, applied_for, settings, now, now)
    templates[prefix] = template
    return _response(caller, template)


def describe(templates: Templates, caller: Caller, body: Body) -> dict[str, Any]:
    wanted = _prefix_filter(body)
    if wanted is None:
        selected = list(templates.values())
    else:
        keys = [fields.find_key(templates, p) for p in wanted]
        selected = [templates[key] for key in dict.fromkeys(keys) if key is not None]
    chunk, token = fields.page(selected, lambda template: template.prefix, body)
    return {
        "registryId": caller.account,
        "repositoryCreationTemplates": [template.to_api() for template in chunk],
        "nextToken": token,
    }


def update(templates: Templates, caller: Caller, body: Body) -> dict[str, Any]:
    prefix = _prefix(body)
    sent_applied_for = fields.object_list(body, APPLIED_FOR)
    applied_for = None if sent_applied_for is None else _applied_for(sent_applied_for)
    template = _find(templates, prefix, caller)
    base = copy.deepcopy(template.settings if strict.TEMPLATE_UPDATE_KEEPS_OMITTED else DEFAULTS)
    if body.get(MUTABILITY) not in (None, *_WITH_EXCLUSION) and body.get(FILTERS) is None:
        # Terraform drops the filters by sending only a mutability without exclusions.
        base[FILTERS] = None
    template.settings = _settings(body, base, caller)
    if applied_for is not None:
        template.applied_for = applied_for
    template.updated_at = caller.now()
    return _response(caller, template)


def delete(templates: Templates, caller: Caller, body: Body) -> dict[str, Any]:
    template = _find(templates, _prefix(body), caller)
    del templates[template.prefix]
    return _response(caller, template)


# -- request members -----------------------------------------------------------------------


def _response(caller: Caller, template: Template) -> dict[str, Any]:
    return {"registryId": caller.account, "repositoryCreationTemplate": template.to_api()}


def _prefix(body: Body) -> str:
    value = fields.required_text(body, "prefix")
    return fields.prefix("prefix", value, catalog.TEMPLATE_PREFIX_LENGTH)


def _prefix_filter(body: Body) -> list[str] | None:
    values = fields.object_list(body, "prefixes")
    if values is None:
        return None
    return [fields.prefix("prefixes", value, catalog.TEMPLATE_PREFIX_LENGTH) for value in values]


def _find(templates: Templates, prefix: str, caller: Caller) -> Template:
    key = fields.find_key(templates, prefix)
    template = templates.get(key) if key is not None else None
    if template is None:
        raise TemplateNotFoundException(
            f"The repository creation template with prefix '{prefix}' does not exist in the "
            f"registry with id '{caller.account}'"
        )
    return template


def _applied_for(values: list[Any] | None, *, required: bool = False) -> list[str]:
    if values is None:
        if required:
            raise constraint(APPLIED_FOR, None, "Member must not be null")
        return []
    if not values:
        raise InvalidParameterException(
            "Invalid parameter at 'appliedFor': at least one scenario is required"
        )
    choices = [item.value for item in catalog.AppliedFor]
    checked = [fields.check_enum(APPLIED_FOR, value, choices) for value in values]
    return list(dict.fromkeys(checked))


def _settings(body: Body, base: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """The template's members: each one sent, parsed; each one omitted, taken from `base`."""
    settings = copy.deepcopy(base)
    for member, parse in _PARSERS.items():
        value = body.get(member)
        if value is not None:
            settings[member] = parse(member, value, caller)
    _check_combinations(settings)
    return settings


def _check_combinations(settings: dict[str, Any]) -> None:
    with_exclusion = settings[MUTABILITY] in _WITH_EXCLUSION
    if with_exclusion != bool(settings[FILTERS]):
        raise InvalidParameterException(
            f"Invalid parameter: {FILTERS} must be given with, and only with, "
            f"{' or '.join(sorted(_WITH_EXCLUSION))}"
        )


def creation_failure(template: Template, region: str) -> str | None:
    """Why ECR cannot create a repository in `region` from this template, or None.

    The template itself is accepted without the role, and with a key of another Region
    (strict.py); creating a repository from it is what fails, as the documentation says.
    """
    settings = template.settings
    needs_role = bool(settings[TAGS]) or settings[ENCRYPTION]["encryptionType"] in _KMS_TYPES
    if needs_role and settings[ROLE] is None:
        return (
            f"the repository creation template '{template.prefix}' sets resourceTags or KMS "
            "encryption without a customRoleArn, so Amazon ECR cannot create the repository"
        )
    key = arns.parse_arn(settings[ENCRYPTION].get("kmsKey") or "")
    if key is not None and key.region != region:
        return (
            f"the repository creation template '{template.prefix}' names a KMS key in "
            f"{key.region}; a repository in {region} needs a key in its own Region"
        )
    return None


# -- one parser per member -----------------------------------------------------------------


def _string(member: str, value: object) -> str:
    if not isinstance(value, str):
        raise constraint(member, value, "Member must be a string")
    return value


def _description(member: str, value: object, _caller: Caller) -> str | None:
    text = _string(member, value)
    fields.check_length(member, text, (0, catalog.TEMPLATE_DESCRIPTION_MAX))
    return text or None


def _policy(limit: int) -> Callable[[str, object, Caller], str | None]:
    def parse(member: str, value: object, _caller: Caller) -> str | None:
        text = _string(member, value)
        return fields.json_document(member, text, limit) if text else None

    return parse


def _repository_policy(member: str, value: object, caller: Caller) -> str | None:
    text = _policy(catalog.REPOSITORY_POLICY_MAX)(member, value, caller)
    # SetRepositoryPolicy's check, applied when the template is stored (strict.py).
    if text and catalog.policy_statement_problem(json.loads(text)):
        raise InvalidParameterException(
            f"Invalid parameter at '{member}' failed to satisfy constraint: "
            "'Invalid repository policy provided'"
        )
    return text


def _role(member: str, value: object, caller: Caller) -> str | None:
    text = _string(member, value)
    return fields.role_arn(member, text, caller.account) if text else None


def _mutability(member: str, value: object, _caller: Caller) -> str:
    return fields.check_enum(member, value, [item.value for item in TagMutability])


def _encryption(member: str, value: object, _caller: Caller) -> dict[str, str]:
    if not isinstance(value, dict):
        raise constraint(member, value, "Member must be a structure")
    kind = fields.check_enum(
        f"{member}.encryptionType",
        value.get("encryptionType"),
        [item.value for item in EncryptionType],
    )
    kms_key = fields.text(
        value, "kmsKey", length=(0, 2048), pattern=catalog.TEMPLATE_KMS_KEY_PATTERN
    )
    if not kms_key:
        return {"encryptionType": kind}
    if kind not in _KMS_TYPES:
        raise InvalidParameterException(
            f"Invalid parameter: kmsKey can only be given with encryptionType "
            f"{' or '.join(sorted(_KMS_TYPES))}"
        )
    return {"encryptionType": kind, "kmsKey": kms_key}


def _tags(member: str, value: object, _caller: Caller) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise constraint(member, value, "Member must be a list")
    fields.check_length(member, value, (0, catalog.TAGS_MAX))
    tags = [_tag(member, tag) for tag in value]
    keys = [tag["Key"] for tag in tags]
    if len(set(keys)) != len(keys):
        raise InvalidParameterException(f"Invalid parameter at '{member}': duplicate tag keys")
    return tags


def _tag(member: str, tag: object) -> dict[str, str]:
    if not isinstance(tag, dict):
        raise constraint(member, tag, "Member must be a structure")
    key = fields.required_text(tag, "Key", length=(1, catalog.TAG_KEY_MAX))
    text = fields.required_text(tag, "Value", length=(0, catalog.TAG_VALUE_MAX))
    if key.lower().startswith(catalog.TAG_RESERVED_PREFIX):
        raise InvalidParameterException(
            f"Invalid parameter at '{member}': the tag key '{key}' uses the prefix aws:, "
            "which is reserved for AWS use"
        )
    for part, value in (("key", key), ("value", text)):
        if not catalog.is_tag_text(value):
            raise InvalidParameterException(
                f"Invalid parameter at '{member}': the tag {part} '{value}' has characters "
                "AWS does not allow in tags (letters, numbers, spaces and _ . : / = + - @)"
            )
    return {"Key": key, "Value": text}


def _filters(member: str, value: object, _caller: Caller) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise constraint(member, value, "Member must be a list")
    fields.check_length(member, value, catalog.EXCLUSION_FILTERS_COUNT)
    return [_filter(member, item) for item in value]


def _filter(member: str, item: object) -> dict[str, str]:
    if not isinstance(item, dict):
        raise constraint(member, item, "Member must be a structure")
    kind = fields.check_enum(
        f"{member}.filterType", item.get("filterType"), catalog.EXCLUSION_FILTER_TYPES
    )
    pattern = fields.required_text(item, "filter", pattern=catalog.EXCLUSION_FILTER_PATTERN)
    return {"filterType": kind, "filter": pattern}


_PARSERS: Final[dict[str, Callable[[str, object, Caller], Any]]] = {
    "description": _description,
    ENCRYPTION: _encryption,
    TAGS: _tags,
    MUTABILITY: _mutability,
    FILTERS: _filters,
    "repositoryPolicy": _repository_policy,
    "lifecyclePolicy": _policy(catalog.LIFECYCLE_POLICY_MAX),
    ROLE: _role,
}

"""Pull-through cache rule operations: Create, Describe, Update, Delete and Validate.

Each operation takes the registry's rules (one account, one Region), the caller and the
request body, and returns the response as the ECR model names it. What ECR accepts comes from
ptc.domain.catalog (patterns, upstream kinds, limits) so that `ptc validate` and the sandbox agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ptc.domain import arns, catalog
from ptc.domain.catalog import Auth
from ptc.sandbox import fields
from ptc.sandbox.context import Caller
from ptc.sandbox.errors import (
    ApiError,
    InvalidParameterException,
    LimitExceededException,
    PullThroughCacheRuleAlreadyExistsException,
    PullThroughCacheRuleNotFoundException,
    SecretNotFoundException,
    UnableToAccessSecretException,
    UnableToDecryptSecretValueException,
    UnsupportedUpstreamRegistryException,
)
from ptc.sandbox.fields import Body

PREFIX = "ecrRepositoryPrefix"
UPSTREAM_PREFIX = "upstreamRepositoryPrefix"
CREDENTIAL = "credentialArn"
ROLE = "customRoleArn"


@dataclass
class Rule:
    """A stored pull-through cache rule; `prefix` is its identity within the registry."""

    prefix: str
    upstream_url: str
    upstream_registry: str
    registry_id: str
    created_at: datetime
    updated_at: datetime
    credential_arn: str | None = None
    custom_role_arn: str | None = None
    upstream_prefix: str | None = None

    def to_api(self) -> dict[str, Any]:
        """The PullThroughCacheRule shape; moto's serializer keeps each output's members."""
        out: dict[str, Any] = {
            PREFIX: self.prefix,
            "upstreamRegistryUrl": self.upstream_url,
            "upstreamRegistry": self.upstream_registry,
            "registryId": self.registry_id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }
        optional = {
            CREDENTIAL: self.credential_arn,
            ROLE: self.custom_role_arn,
            UPSTREAM_PREFIX: self.upstream_prefix,
        }
        out.update({key: value for key, value in optional.items() if value is not None})
        return out


Rules = dict[str, Rule]

# -- operations ----------------------------------------------------------------------------


def create(rules: Rules, caller: Caller, body: Body) -> dict[str, Any]:
    registry_id = fields.registry_id(body, caller.account)
    prefix = _prefix(body)
    url = fields.required_text(body, "upstreamRegistryUrl")
    declared = fields.enum(body, "upstreamRegistry", catalog.UPSTREAM_KIND_NAMES)
    credential = _credential(body)
    role = fields.text(body, ROLE, length=(0, catalog.CUSTOM_ROLE_ARN_MAX))
    upstream_prefix = _upstream_prefix(body, prefix)
    upstream = _upstream(url, declared)
    _check_credential_allowed(upstream, credential)
    _check_role(upstream, role, caller)
    _check_room(rules, prefix, registry_id)
    if credential is not None:
        _check_secret(caller, credential)
    now = caller.now()
    rule = Rule(
        prefix=prefix,
        upstream_url=upstream.url,
        upstream_registry=upstream.kind.kind,
        registry_id=registry_id,
        created_at=now,
        updated_at=now,
        credential_arn=credential,
        custom_role_arn=role,
        upstream_prefix=upstream_prefix,
    )
    rules[prefix] = rule
    return rule.to_api()


def describe(rules: Rules, caller: Caller, body: Body) -> dict[str, Any]:
    fields.registry_id(body, caller.account)
    wanted = _prefix_filter(body)
    if wanted is None:
        selected = list(rules.values())
    else:
        found = [_find(rules, prefix, caller) for prefix in wanted]
        selected = list({rule.prefix: rule for rule in found}.values())
    chunk, token = fields.page(selected, lambda rule: rule.prefix, body)
    return {"pullThroughCacheRules": [rule.to_api() for rule in chunk], "nextToken": token}


def update(rules: Rules, caller: Caller, body: Body) -> dict[str, Any]:
    fields.registry_id(body, caller.account)
    prefix = _prefix(body)
    credential = _credential(body)
    role = fields.text(body, ROLE, length=(0, catalog.CUSTOM_ROLE_ARN_MAX))
    if credential is None and role is None:
        # The service's own words (pulumi/pulumi-aws#5714).
        raise InvalidParameterException(
            "Invalid input: Please set either credential arn or role arn to update the credentials"
        )
    rule = _find(rules, prefix, caller)
    upstream = _stored_upstream(rule)
    if credential is not None:
        _check_credential_allowed(upstream, credential)
    # Only the role may be sent: the rule keeps its credential, so nothing else is checked
    # (UnsupportedUpstreamRegistryException is not among Update's errors in the model).
    _check_role(upstream, role, caller)
    if credential is not None:
        _check_secret(caller, credential)
        rule.credential_arn = credential
    if role is not None:
        rule.custom_role_arn = role
    rule.updated_at = caller.now()
    return rule.to_api()


def delete(rules: Rules, caller: Caller, body: Body) -> dict[str, Any]:
    fields.registry_id(body, caller.account)
    rule = _find(rules, _prefix(body), caller)
    del rules[rule.prefix]
    return rule.to_api()


def validate(rules: Rules, caller: Caller, body: Body) -> dict[str, Any]:
    fields.registry_id(body, caller.account)
    rule = _find(rules, _prefix(body), caller)
    failure = _validation_failure(rule, caller)
    out = rule.to_api()
    out["isValid"] = failure is None
    if failure is not None:
        out["failure"] = failure
    return out


# -- request members -----------------------------------------------------------------------


def _prefix(body: Body) -> str:
    return fields.prefix(PREFIX, fields.required_text(body, PREFIX), catalog.RULE_PREFIX_LENGTH)


def _credential(body: Body) -> str | None:
    return fields.text(
        body,
        CREDENTIAL,
        length=catalog.CREDENTIAL_ARN_LENGTH,
        pattern=catalog.CREDENTIAL_ARN_PATTERN,
    )


def _upstream_prefix(body: Body, prefix: str) -> str | None:
    value = fields.text(body, UPSTREAM_PREFIX)
    if value is None:
        return None
    upstream_prefix = fields.prefix(UPSTREAM_PREFIX, value, catalog.RULE_PREFIX_LENGTH)
    if prefix == catalog.ROOT:
        raise InvalidParameterException(
            "Invalid parameter: upstreamRepositoryPrefix can only be set when "
            "ecrRepositoryPrefix is not ROOT"
        )
    return upstream_prefix


def _prefix_filter(body: Body) -> list[str] | None:
    values = fields.object_list(body, "ecrRepositoryPrefixes")
    if values is None:
        return None
    fields.check_length("ecrRepositoryPrefixes", values, (1, catalog.PREFIX_FILTER_MAX))
    return [fields.prefix(PREFIX, value, catalog.RULE_PREFIX_LENGTH) for value in values]


def _check_room(rules: Rules, prefix: str, registry_id: str) -> None:
    if fields.find_key(rules, prefix) is not None:
        raise PullThroughCacheRuleAlreadyExistsException(
            f"A pull through cache rule with prefix '{prefix}' already exists in the registry "
            f"with id '{registry_id}'"
        )
    if len(rules) >= catalog.MAX_RULES_PER_REGION:
        raise LimitExceededException(
            f"The maximum number of pull through cache rules "
            f"({catalog.MAX_RULES_PER_REGION}) for the registry '{registry_id}' has been reached"
        )


def _find(rules: Rules, prefix: str, caller: Caller) -> Rule:
    key = fields.find_key(rules, prefix)
    rule = rules.get(key) if key is not None else None
    if rule is None:
        raise PullThroughCacheRuleNotFoundException(
            f"The pull through cache rule with prefix '{prefix}' does not exist in the "
            f"registry with id '{caller.account}'"
        )
    return rule


# -- upstreams, roles and secrets ------------------------------------------------------------


def _upstream(url: str, declared: str | None) -> catalog.Upstream:
    upstream = catalog.resolve_upstream(url)
    # resolve_upstream forgives case, blanks and aliases; the service (strict.py) does not.
    if upstream is None or upstream.url != url:
        raise UnsupportedUpstreamRegistryException(f"The upstream registry URL {url} is invalid")
    if declared is not None and declared != upstream.kind.kind:
        raise InvalidParameterException(
            f"Invalid parameter: upstreamRegistry '{declared}' does not match the upstream "
            f"registry URL {url} ({upstream.kind.kind})"
        )
    return upstream


def _stored_upstream(rule: Rule) -> catalog.Upstream:
    upstream = catalog.resolve_upstream(rule.upstream_url)
    assert upstream is not None  # only resolvable URLs are ever stored
    return upstream


def _check_credential_allowed(upstream: catalog.Upstream, credential: str | None) -> None:
    if upstream.auth is Auth.SECRET and credential is None:
        # Wording from aws-controllers-k8s/community#2589.
        raise UnsupportedUpstreamRegistryException(
            "The specified upstream registry requires authentication. Specify a valid Secrets "
            "Manager ARN"
        )
    if upstream.auth is not Auth.SECRET and credential is not None:
        raise InvalidParameterException(
            f"Invalid parameter: the upstream registry {upstream.url} does not take a credentialArn"
        )


def _check_role(upstream: catalog.Upstream, role: str | None, caller: Caller) -> None:
    if role is not None:
        # Accepted for any upstream (strict.py): nothing documents a refusal; ECR uses it
        # only for an ECR upstream, and validate warns (PTC213).
        fields.role_arn(ROLE, role, caller.account)
    elif upstream.auth is Auth.IAM and upstream.account != caller.account:
        raise InvalidParameterException(
            "Invalid parameter: a customRoleArn is required for an Amazon ECR upstream in "
            "another account"
        )


def _check_secret(caller: Caller, arn: str) -> None:
    parsed = arns.parse_arn(arn)
    if (
        parsed is None
        or parsed.account != caller.account
        or parsed.region != caller.region
        or parsed.partition != catalog.partition_of(caller.region)
    ):
        raise UnableToAccessSecretException(
            f"Unable to access the secret {arn}: the secret must be in the account and Region "
            f"of the pull through cache rule ({caller.account}, {caller.region})"
        )
    secret = caller.secret(arn)
    if secret is None:
        raise SecretNotFoundException(f"The secret {arn} does not exist")
    if secret.deleted:
        raise UnableToAccessSecretException(
            f"Unable to access the secret {arn}: it is scheduled for deletion"
        )
    if not secret.decryptable:
        raise UnableToDecryptSecretValueException(
            f"Unable to decrypt the secret {arn}: its KMS key {secret.kms_key} does not exist "
            "or is not enabled"
        )


def _validation_failure(rule: Rule, caller: Caller) -> str | None:
    """Why the rule would not authenticate upstream, or None; checked without network."""
    if rule.credential_arn is None:
        return None
    try:
        _check_secret(caller, rule.credential_arn)
    except ApiError as error:
        return error.message
    secret = caller.secret(rule.credential_arn)
    value = secret.value if secret is not None else None
    try:
        document = json.loads(value) if value is not None else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        return f"The secret {rule.credential_arn} does not hold a JSON object"
    missing = [key for key in catalog.SECRET_KEYS if not isinstance(document.get(key), str)]
    if missing:
        return f"The secret {rule.credential_arn} lacks the key(s) {', '.join(missing)}"
    return None

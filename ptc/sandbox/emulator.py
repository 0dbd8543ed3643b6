"""Wiring the operations into moto, so that every moto entry point serves them.

moto dispatches a JSON-protocol request to the ECRResponse method named after the snake_case
action, and serializes the returned ActionResult (or a raised ServiceException) with
botocore's ECR model. install() adds one such method per operation. The emulator's state
hangs off moto's own ECR backend for the account and Region, so moto's reset (and mock_aws
teardown) clears it together with moto's state, and accounts and Regions stay isolated the
way moto isolates them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from moto.core.exceptions import JsonRESTError, ServiceException
from moto.core.responses import ActionResult
from moto.ecr.models import ECRBackend, ecr_backends
from moto.ecr.responses import ECRResponse
from moto.iam.exceptions import MalformedPolicyDocument
from moto.kms.models import kms_backends
from moto.secretsmanager.models import FakeSecret, SecretsManagerBackend, secretsmanager_backends

from ptc.domain import arns, catalog
from ptc.sandbox import fields, ptc_rules, strict, templates
from ptc.sandbox.context import Caller, Secret
from ptc.sandbox.errors import ApiError, constraint

_STATE_ATTRIBUTE: Final = "ptc_sandbox_registry"
# The server is threaded; one lock keeps each operation's check-then-write atomic.
_LOCK: Final = threading.RLock()


@dataclass
class Registry:
    """The emulator's state for one account in one Region, stored on moto's ECR backend."""

    rules: ptc_rules.Rules = field(default_factory=dict)
    templates: templates.Templates = field(default_factory=dict)


def registry(account: str, region: str) -> Registry:
    """The emulator's state for an account and Region, created empty on first use."""
    backend = ecr_backends[account][region]
    with _LOCK:
        state = getattr(backend, _STATE_ATTRIBUTE, None)
        if not isinstance(state, Registry):
            state = Registry()
            setattr(backend, _STATE_ATTRIBUTE, state)
        return state


def find_secret(account: str, region: str, arn: str) -> Secret | None:
    """The secret with this ARN in moto's Secrets Manager for this account and Region."""
    # A copy: Secrets Manager requests on other server threads may change the store meanwhile.
    for secret in list(secretsmanager_backends[account][region].secrets.values()):
        if isinstance(secret, FakeSecret) and _matches(secret, arn):
            current = secret.versions.get(secret.default_version_id or "", {})
            kms_key = _custom_kms_key(secret)
            return Secret(
                arn=secret.arn,
                value=current.get("secret_string"),
                deleted=secret.deleted_date is not None,
                kms_key=kms_key,
                decryptable=kms_key is None or _key_enabled(account, region, kms_key),
            )
    return None


def _custom_kms_key(secret: FakeSecret) -> str | None:
    key = secret.kms_key_id
    return None if key in (None, "", SecretsManagerBackend.DEFAULT_KMS_KEY_ALIAS) else key


_unknown_kms_keys_exist = False


@contextmanager
def unknown_kms_keys_exist() -> Iterator[None]:
    """Within: a KMS key the sandbox's KMS has never heard of stands in for one that exists.

    The embedded sandbox (`--sandbox`) offers no way to create KMS keys and keeps none in its
    state, so a file that names one (as examples/rules.yaml does) could never be applied.
    Keys the sandbox does know keep their state: a disabled key still fails to decrypt.
    """
    global _unknown_kms_keys_exist
    before, _unknown_kms_keys_exist = _unknown_kms_keys_exist, True
    try:
        yield
    finally:
        _unknown_kms_keys_exist = before


def _key_enabled(account: str, region: str, key: str) -> bool:
    """Whether the sandbox's KMS has this key (id, ARN, alias or alias ARN), enabled."""
    arn = arns.parse_arn(key)
    if arn is not None:
        account, region = arn.account, arn.region
    try:
        found = kms_backends[account][region].describe_key(key)
    except (KeyError, JsonRESTError, TypeError, AttributeError):
        # moto raises AttributeError for an alias it does not have.
        return _unknown_kms_keys_exist
    return found.key_state == "Enabled"


def _matches(secret: FakeSecret, arn: str) -> bool:
    if secret.arn == arn:
        return True
    return not strict.FULL_SECRET_ARN_ONLY and arns.partial_secret_arn(secret.arn) == arn


class _EmulatorError(ServiceException):
    # Defined outside moto's package on purpose: moto then looks the code up only in the ECR
    # model, which gives the error its HTTP status and the `__type` botocore reads.
    pass


Operation = Callable[[Any, Caller, fields.Body], dict[str, Any]]

OPERATIONS: Final[dict[str, tuple[Operation, Callable[[Registry], Any]]]] = {
    "create_pull_through_cache_rule": (ptc_rules.create, lambda r: r.rules),
    "describe_pull_through_cache_rules": (ptc_rules.describe, lambda r: r.rules),
    "update_pull_through_cache_rule": (ptc_rules.update, lambda r: r.rules),
    "delete_pull_through_cache_rule": (ptc_rules.delete, lambda r: r.rules),
    "validate_pull_through_cache_rule": (ptc_rules.validate, lambda r: r.rules),
    "create_repository_creation_template": (templates.create, lambda r: r.templates),
    "describe_repository_creation_templates": (templates.describe, lambda r: r.templates),
    "update_repository_creation_template": (templates.update, lambda r: r.templates),
    "delete_repository_creation_template": (templates.delete, lambda r: r.templates),
}


def _endpoint(
    action: str, operation: Operation, store: Callable[[Registry], Any]
) -> Callable[[ECRResponse], ActionResult]:
    def handle(self: ECRResponse) -> ActionResult:
        caller = Caller(self.current_account, self.region, find_secret)
        try:
            body = fields.parse_body(self.body)
            with _LOCK:
                result = operation(store(registry(caller.account, caller.region)), caller, body)
        except ApiError as error:
            raise _EmulatorError(error.code, error.message) from error
        return ActionResult(result)

    handle.__name__ = handle.__qualname__ = action
    handle.ptc_sandbox = True  # type: ignore[attr-defined]
    return handle


def _registry_policy_actions(_backend: ECRBackend, policy_text: str) -> None:
    """Registry policy scope V2 (the service's default): any ecr: action may be granted.

    moto enforces the V1 scope (only CreateRepository and ReplicateImage), which would refuse
    the ecr:BatchImportUpstreamImage statement that pull-through cache needs.
    """
    statements = json.loads(policy_text)["Statement"]
    # IAM allows one statement object in place of the list; moto's validator accepts it too.
    for statement in [statements] if isinstance(statements, dict) else statements:
        actions = statement.get("Action", [])
        for action in [actions] if isinstance(actions, str) else actions:
            if not str(action).startswith("ecr:"):
                raise MalformedPolicyDocument()


def _put_registry_policy(
    original: Callable[[ECRResponse], ActionResult],
) -> Callable[[ECRResponse], ActionResult]:
    """moto's PutRegistryPolicy with the model's 10,240-character limit, which moto skips."""

    def put_registry_policy(self: ECRResponse) -> ActionResult:
        try:
            text = fields.text(
                fields.parse_body(self.body),
                "policyText",
                length=(0, catalog.REGISTRY_POLICY_MAX),
            )
            if text is None:
                raise constraint("policyText", None, "Member must not be null")
        except ApiError as error:
            raise _EmulatorError(error.code, error.message) from error
        return original(self)

    put_registry_policy.ptc_sandbox = True  # type: ignore[attr-defined]
    return put_registry_policy


def install() -> None:
    """Add the operations to moto's ECR responses; calling it again changes nothing."""
    for action, (operation, store) in OPERATIONS.items():
        if not getattr(getattr(ECRResponse, action, None), "ptc_sandbox", False):
            setattr(ECRResponse, action, _endpoint(action, operation, store))
    if not getattr(ECRResponse.put_registry_policy, "ptc_sandbox", False):
        ECRResponse.put_registry_policy = _put_registry_policy(ECRResponse.put_registry_policy)  # type: ignore[method-assign, assignment]
    from ptc.sandbox import image_api  # imports pull, which imports this module

    image_api.install()
    from ptc.sandbox import accounts, ecs

    ecs.install()
    accounts.install()
    if strict.REGISTRY_POLICY_SCOPE == "V2":
        # moto's own method is replaced, not wrapped: it is the V1 check itself.
        ECRBackend._validate_registry_policy_action = _registry_policy_actions  # type: ignore[method-assign, assignment]


def installed() -> bool:
    return all(
        getattr(getattr(ECRResponse, action, None), "ptc_sandbox", False) for action in OPERATIONS
    )

"""ECR and Secrets Manager of one account, in memory: both ports of ptc.plan.ports.

The core loop's unit tests run plan, apply and verification against this instead of
moto: every call is recorded (`calls`), any call can be made to fail (`fail`), and a
write can be made to go missing (`drop`), as a service that answers but does not keep it.
It keeps what the real services keep, in ptc's own resources: nothing of the API's shapes.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ptc.domain.resources import RuleResource, SecretResource, TemplateResource
from ptc.domain.statements import statements_from_policy
from ptc.errors import PtcError
from ptc.plan.live import LiveState, SecretIndex
from ptc.plan.ports import LiveStore

ACCOUNT = "123456789012"
_R = TypeVar("_R", RuleResource, TemplateResource)


class FakeError(PtcError):
    """What the fake answers where AWS would refuse (or where a test makes it fail)."""


@dataclass
class FakeSecret:
    arn: str
    kms_key: str | None
    value: str
    version: int = 1  # stands in for LastChangedDate: moves on every change


@dataclass
class FakeRegistry:
    """One account's registries in `regions`; `account` is what STS would answer."""

    regions: list[str]
    account: str = ACCOUNT
    rules: dict[tuple[str, str], RuleResource] = field(default_factory=dict)
    templates: dict[tuple[str, str], TemplateResource] = field(default_factory=dict)
    secrets: dict[tuple[str, str], FakeSecret] = field(default_factory=dict)
    policies: dict[str, str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)  # "operation region key", in order
    fail: dict[str, PtcError] = field(default_factory=dict)  # operation -> its failure
    drop: set[str] = field(default_factory=set)  # operations answered but not kept
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # -- what the test sets up ---------------------------------------------------------

    def put_secret(self, region: str, name: str, value: str, kms_key: str | None = None) -> str:
        """A secret that exists already (made by hand); its ARN."""
        arn = _arn(self.account, region, name)
        self.secrets[(region, name)] = FakeSecret(arn, kms_key, value)
        return arn

    def value_of(self, region: str, name: str) -> str:
        return self.secrets[(region, name)].value

    # -- the reader --------------------------------------------------------------------

    def account_id(self) -> str:
        self._call("GetCallerIdentity", "", "")
        return self.account

    def caller_arn(self) -> str | None:
        return f"arn:aws:iam::{self.account}:user/tester"

    def read(
        self,
        account: str,
        secret_values: Mapping[str, Collection[str]] | None = None,
        before_values: Callable[[], object] | None = None,
    ) -> LiveState:
        for region in self.regions:
            self._call("Read", region, "")
        if any(secret_values.values() if secret_values else ()) and before_values:
            before_values()  # as the gateway: no value before the account is confirmed
        with self._lock:
            state = LiveState(account, list(self.regions))
            for region in self.regions:
                self._read_region(state, region)
        return state

    def _read_region(self, state: LiveState, region: str) -> None:
        secrets = [(name, s) for (r, name), s in sorted(self.secrets.items()) if r == region]
        for name, secret in secrets:
            state.secrets.append(
                SecretResource(region=region, name=name, arn=secret.arn, kms_key=secret.kms_key)
            )
            state.secret_versions[secret.arn] = str(secret.version)
        index = SecretIndex({name: secret.arn for name, secret in secrets})
        state.rules += [_as_read(rule, index) for rule in _of(self.rules, region)]
        state.templates += _of(self.templates, region)
        policy = self.policies.get(region)
        state.registry_policies[region] = policy
        state.statements += statements_from_policy(policy, region)

    def secret_strings(self, region: str, arns: list[str]) -> dict[str, str]:
        self._call("BatchGetSecretValue", region, ",".join(arns))
        with self._lock:
            held = {s.arn: s.value for (r, _), s in self.secrets.items() if r == region}
        return {arn: held[arn] for arn in arns if arn in held}

    # -- the writer --------------------------------------------------------------------

    def create_secret(self, secret: SecretResource, value: str) -> str:
        if self._call("CreateSecret", secret.region, secret.name):
            return _arn(self.account, secret.region, secret.name)
        with self._lock:
            if (secret.region, secret.name) in self.secrets:
                raise FakeError(f"secret {secret.name} already exists")
            return self.put_secret(secret.region, secret.name, value, secret.kms_key)

    def update_secret(self, secret: SecretResource, value: str | None) -> str:
        held = self._secret(secret.region, secret.arn or secret.name)
        if self._call("UpdateSecret", secret.region, secret.name):
            return held.arn
        with self._lock:
            if value is not None:
                held.value = value
            held.kms_key = secret.kms_key or held.kms_key
            held.version += 1
        return held.arn

    def secret_arn(self, region: str, name: str) -> str:
        self._call("DescribeSecret", region, name)
        return self._secret(region, name).arn

    def create_rule(self, rule: RuleResource) -> None:
        if self._call("CreatePullThroughCacheRule", rule.region, rule.prefix):
            return
        self._add(self.rules, (rule.region, rule.prefix), rule)

    def update_rule(self, rule: RuleResource) -> None:
        if self._call("UpdatePullThroughCacheRule", rule.region, rule.prefix):
            return
        with self._lock:
            held = self._held(self.rules, (rule.region, rule.prefix))
            # ECR's update changes the credential and the role, nothing else.
            self.rules[(rule.region, rule.prefix)] = held.model_copy(
                update={"credential_arn": rule.credential_arn, "role": rule.role}
            )

    def delete_rule(self, region: str, prefix: str) -> None:
        if not self._call("DeletePullThroughCacheRule", region, prefix):
            self.rules.pop((region, prefix), None)

    def create_template(self, template: TemplateResource) -> None:
        if self._call("CreateRepositoryCreationTemplate", template.region, template.prefix):
            return
        self._add(self.templates, (template.region, template.prefix), template)

    def update_template(self, template: TemplateResource, live: TemplateResource) -> None:
        if self._call("UpdateRepositoryCreationTemplate", template.region, template.prefix):
            return
        with self._lock:
            self._held(self.templates, (template.region, template.prefix))
            self.templates[(template.region, template.prefix)] = template

    def delete_template(self, region: str, prefix: str) -> None:
        if not self._call("DeleteRepositoryCreationTemplate", region, prefix):
            self.templates.pop((region, prefix), None)

    def registry_policy(self, region: str) -> str | None:
        self._call("GetRegistryPolicy", region, "")
        return self.policies.get(region)

    def put_registry_policy(self, region: str, text: str) -> None:
        if not self._call("PutRegistryPolicy", region, ""):
            self.policies[region] = text

    def delete_registry_policy(self, region: str) -> None:
        if not self._call("DeleteRegistryPolicy", region, ""):
            self.policies.pop(region, None)

    # -- helpers -----------------------------------------------------------------------

    def _call(self, operation: str, region: str, key: str) -> bool:
        """Record the call; raise its failure; True when its write is to go missing."""
        with self._lock:
            self.calls.append(f"{operation} {region} {key}".strip())
        failure = self.fail.get(operation)
        if failure is not None:
            raise failure
        return operation in self.drop

    def _secret(self, region: str, name_or_arn: str) -> FakeSecret:
        with self._lock:
            for (r, name), secret in self.secrets.items():
                if r == region and name_or_arn in (name, secret.arn):
                    return secret
        raise FakeError(f"secret {name_or_arn} not found in {region}")

    def _add(self, held: dict[tuple[str, str], _R], key: tuple[str, str], item: _R) -> None:
        with self._lock:
            if key in held:
                raise FakeError(f"{key[1]} already exists in {key[0]}")
            held[key] = item

    def _held(self, held: Mapping[tuple[str, str], _R], key: tuple[str, str]) -> _R:
        if key not in held:
            raise FakeError(f"{key[1]} not found in {key[0]}")
        return held[key]


def _arn(account: str, region: str, name: str) -> str:
    """An ARN as Secrets Manager makes it: the name and six characters of its own."""
    suffix = hashlib.sha256(f"{region}/{name}".encode()).hexdigest()[:6]
    return f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix}"


def _of(held: Mapping[tuple[str, str], _R], region: str) -> Iterable[_R]:
    return [item for (r, _), item in sorted(held.items()) if r == region]


def _as_read(rule: RuleResource, index: SecretIndex) -> RuleResource:
    """A rule as a read finds it: ECR keeps the credential's ARN, not the secret's name."""
    arn = rule.credential_arn
    return rule.model_copy(update={"credential_name": index.name_of(arn) if arn else None})


def _implements(registry: FakeRegistry) -> LiveStore:
    return registry  # mypy proves that the fake fits both ports

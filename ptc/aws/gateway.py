"""Plan's and apply's AWS side: reads live state and makes the changes.

Reads use botocore paginators, so a region costs a handful of calls however many rules it
has: DescribePullThroughCacheRules, DescribeRepositoryCreationTemplates and ListSecrets
(one page each up to 100 or 1000 items) and GetRegistryPolicy, plus one
BatchGetSecretValue per 20 managed secrets when values are compared. All of them run in
one wave: every region's reads at once, each secret-value batch as soon as its region's
ListSecrets has answered, so a plan waits for one or two round trips, not one per call.
The clients, their retries and the log filter are ptc.aws.clients'. The Gateway is both
ports of ptc.plan.ports (LiveReader, LiveWriter); the API's shapes stay in this package
(ptc.aws.requests, ptc.aws.responses).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from botocore.config import Config

from ptc.aws.clients import RETRY_CONFIG, RegionalClients, Session, make_session, paginate
from ptc.aws.errors import translate
from ptc.aws.requests import (
    rule_create_request,
    rule_update_request,
    template_request,
)
from ptc.aws.responses import rule_from_api, secret_from_api, template_from_api
from ptc.domain import catalog
from ptc.domain.resources import RuleResource, SecretResource, TemplateResource
from ptc.domain.statements import statements_from_policy
from ptc.plan.live import LiveState

__all__ = ["Gateway", "SessionFactory", "make_session"]

_SECRET_FILTER = [{"Key": "name", "Values": [catalog.SECRET_NAME_PREFIX]}]
_BATCH = 20  # BatchGetSecretValue takes at most 20 secret IDs
_READS = 4  # per region: secrets, rules, templates, registry policy


class Gateway(RegionalClients):
    """ECR and Secrets Manager in one account, across regions. Create one per command run."""

    def __init__(
        self, session: Session, regions: Iterable[str], config: Config = RETRY_CONFIG
    ) -> None:
        super().__init__(session, regions, config)
        # Values fetched in the read wave, each handed out once by secret_strings().
        self._values: dict[str, str] = {}
        self._values_lock = threading.Lock()
        self._before_values: Callable[[], object] | None = None

    # -- reads -------------------------------------------------------------------------

    def read(
        self,
        account: str,
        secret_values: Mapping[str, Collection[str]] | None = None,
        before_values: Callable[[], object] | None = None,
    ) -> LiveState:
        """The live state; `secret_values` (region -> secret names) are fetched in the wave.

        Every read of every region is in flight at once: there is no cap below the number
        of reads, as each thread only waits for an answer. `before_values` is called (and
        may raise) before any secret value is fetched: the account check, answering while
        ListSecrets does.
        """
        wanted = secret_values or {}
        self._before_values = before_values
        state = LiveState(account, list(self.regions))
        with ThreadPoolExecutor(max_workers=max(1, _READS * len(self.regions))) as pool:
            reads = [
                (region, self._submit_reads(pool, region, wanted.get(region, ())))
                for region in self.regions
            ]
            for region, futures in reads:
                part = self._region_state(region, *(f.result() for f in futures))
                state.rules += part.rules
                state.templates += part.templates
                state.secrets += part.secrets
                state.secret_versions.update(part.secret_versions)
                state.statements += part.statements
                state.registry_policies.update(part.registry_policies)
        return state

    def _submit_reads(
        self, pool: ThreadPoolExecutor, region: str, names: Collection[str]
    ) -> list[Future[Any]]:
        return [
            pool.submit(self._secrets, region, names),
            pool.submit(self._listed, region, "describe_pull_through_cache_rules"),
            pool.submit(self._listed, region, "describe_repository_creation_templates"),
            pool.submit(self.registry_policy, region),
        ]

    def _listed(self, region: str, operation: str) -> list[dict[str, Any]]:
        key = {
            "describe_pull_through_cache_rules": "pullThroughCacheRules",
            "describe_repository_creation_templates": "repositoryCreationTemplates",
        }[operation]
        with translate(region):
            return paginate(self._ecr[region], operation, key)

    def _secrets(self, region: str, names: Collection[str]) -> list[dict[str, Any]]:
        """The region's ecr-pullthroughcache/ secrets; the values of `names` fetched too."""
        with translate(region):
            secrets = paginate(
                self._sm[region], "list_secrets", "SecretList", Filters=_SECRET_FILTER
            )
        arns = [s["ARN"] for s in secrets if s["Name"] in names]
        if arns and self._before_values is not None:
            self._before_values()
        batches = [arns[i : i + _BATCH] for i in range(0, len(arns), _BATCH)]
        if len(batches) > 1:
            with ThreadPoolExecutor(max_workers=len(batches)) as pool:
                fetched = list(pool.map(lambda batch: self._fetch(region, batch), batches))
        else:
            fetched = [self._fetch(region, batch) for batch in batches]
        with self._values_lock:
            for values in fetched:
                self._values.update(values)
        return secrets

    def _region_state(
        self,
        region: str,
        secrets: list[dict[str, Any]],
        rules: list[dict[str, Any]],
        templates: list[dict[str, Any]],
        policy: str | None,
    ) -> LiveState:
        part = LiveState("", [region])
        part.secrets = [secret_from_api(s, region) for s in secrets]
        part.secret_versions = {s["ARN"]: _instant(s.get("LastChangedDate")) for s in secrets}
        index = part.index(region)
        part.rules = [rule_from_api(r, region, index) for r in rules]
        part.templates = [template_from_api(t, region) for t in templates]
        part.registry_policies = {region: policy}
        part.statements = statements_from_policy(policy, region)
        return part

    def secret_strings(self, region: str, arns: list[str]) -> dict[str, str]:
        """The live SecretString of each ARN. Callers compare and drop them at once.

        Values the read wave fetched are handed out (and forgotten) here; the rest are
        fetched now.
        """
        with self._values_lock:
            values = {arn: self._values.pop(arn) for arn in arns if arn in self._values}
        values.update(self._fetch(region, [arn for arn in arns if arn not in values]))
        return values

    def _fetch(self, region: str, arns: list[str]) -> dict[str, str]:
        values: dict[str, str] = {}
        with translate(region):
            for start in range(0, len(arns), _BATCH):
                batch = arns[start : start + _BATCH]
                answer = self._sm[region].batch_get_secret_value(SecretIdList=batch)
                for item in answer["SecretValues"]:  # absent: not an answer (see paginate)
                    values[item["ARN"]] = item.get("SecretString", "")
        return values

    def registry_policy(self, region: str) -> str | None:
        """The registry policy's text; None when the registry has none."""
        text: str | None = None
        with translate(region, missing_ok=("RegistryPolicyNotFoundException",)):
            # Without a policy ECR answers RegistryPolicyNotFoundException, never a 200 without
            # text: reading that as "no policy" would drop every foreign statement on write.
            text = self._ecr[region].get_registry_policy()["policyText"] or None
        return text

    def secret_arn(self, region: str, name: str) -> str:
        with translate(region):
            return str(self._sm[region].describe_secret(SecretId=name)["ARN"])

    # -- writes ------------------------------------------------------------------------

    def create_secret(self, secret: SecretResource, value: str) -> str:
        request: dict[str, Any] = {"Name": secret.name, "SecretString": value}
        if secret.kms_key:
            request["KmsKeyId"] = secret.kms_key
        with translate(secret.region):
            return str(self._sm[secret.region].create_secret(**request)["ARN"])

    def update_secret(self, secret: SecretResource, value: str | None) -> str:
        request: dict[str, Any] = {"SecretId": secret.arn or secret.name}
        if value is not None:
            request["SecretString"] = value
        if secret.kms_key:
            request["KmsKeyId"] = secret.kms_key
        with translate(secret.region):
            return str(self._sm[secret.region].update_secret(**request)["ARN"])

    def create_rule(self, rule: RuleResource) -> None:
        with translate(rule.region):
            self._ecr[rule.region].create_pull_through_cache_rule(**rule_create_request(rule))

    def update_rule(self, rule: RuleResource) -> None:
        with translate(rule.region):
            self._ecr[rule.region].update_pull_through_cache_rule(**rule_update_request(rule))

    def delete_rule(self, region: str, prefix: str) -> None:
        client = self._ecr[region]
        with translate(region, missing_ok=("PullThroughCacheRuleNotFoundException",)):
            client.delete_pull_through_cache_rule(ecrRepositoryPrefix=prefix)

    def create_template(self, template: TemplateResource) -> None:
        with translate(template.region):
            client = self._ecr[template.region]
            client.create_repository_creation_template(**template_request(template, None))

    def update_template(self, template: TemplateResource, live: TemplateResource) -> None:
        with translate(template.region):
            client = self._ecr[template.region]
            client.update_repository_creation_template(**template_request(template, live))

    def delete_template(self, region: str, prefix: str) -> None:
        with translate(region, missing_ok=("TemplateNotFoundException",)):
            self._ecr[region].delete_repository_creation_template(prefix=prefix)

    def put_registry_policy(self, region: str, text: str) -> None:
        with translate(region):
            self._ecr[region].put_registry_policy(policyText=text)

    def delete_registry_policy(self, region: str) -> None:
        with translate(region, missing_ok=("RegistryPolicyNotFoundException",)):
            self._ecr[region].delete_registry_policy()


SessionFactory = Callable[[], Session]


def _instant(value: Any) -> str:
    """A secret's last change as seconds since the epoch: botocore gives the datetime in
    the machine's own time zone, whose text would make a plan saved in one zone stale in
    another (a laptop's plan applied by a CI runner)."""
    if isinstance(value, datetime):
        return f"{value.timestamp():.6f}"
    return "" if value is None else str(value)

"""Plan's and apply's AWS side: reads live state and makes the changes.

Reads use boto3 paginators, so a region costs a handful of calls however many rules it
has: DescribePullThroughCacheRules, DescribeRepositoryCreationTemplates and ListSecrets
(one page each up to 100 or 1000 items) and GetRegistryPolicy, plus one
BatchGetSecretValue per 20 managed secrets when values are compared. Regions are read
concurrently. The clients, their retries and the log filter are ptc.aws.clients'.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from ptc import catalog
from ptc.aws.clients import RegionalClients, paginate
from ptc.aws.errors import translate
from ptc.aws.requests import (
    rule_create_request,
    rule_update_request,
    template_request,
)
from ptc.plan.live import LiveState, rule_from_api, secret_from_api, template_from_api
from ptc.plan.resources import RuleResource, SecretResource, TemplateResource
from ptc.plan.statements import statements_from_policy

_SECRET_FILTER = [{"Key": "name", "Values": [catalog.SECRET_NAME_PREFIX]}]
_BATCH = 20  # BatchGetSecretValue takes at most 20 secret IDs


class Gateway(RegionalClients):
    """ECR and Secrets Manager in one account, across regions. Create one per command run."""

    # -- reads -------------------------------------------------------------------------

    def read(self, account: str) -> LiveState:
        state = LiveState(account, list(self.regions))
        with ThreadPoolExecutor(max_workers=min(8, max(1, len(self.regions)))) as pool:
            for region_state in pool.map(self._read_region, self.regions):
                state.rules += region_state.rules
                state.templates += region_state.templates
                state.secrets += region_state.secrets
                state.secret_versions.update(region_state.secret_versions)
                state.statements += region_state.statements
                state.registry_policies.update(region_state.registry_policies)
        return state

    def _read_region(self, region: str) -> LiveState:
        with translate(region):
            part = LiveState("", [region])
            secrets = paginate(
                self._sm[region], "list_secrets", "SecretList", Filters=_SECRET_FILTER
            )
            part.secrets = [secret_from_api(s, region) for s in secrets]
            part.secret_versions = {s["ARN"]: str(s.get("LastChangedDate", "")) for s in secrets}
            index = part.index(region)
            rules = paginate(
                self._ecr[region], "describe_pull_through_cache_rules", "pullThroughCacheRules"
            )
            part.rules = [rule_from_api(r, region, index) for r in rules]
            templates = paginate(
                self._ecr[region],
                "describe_repository_creation_templates",
                "repositoryCreationTemplates",
            )
            part.templates = [template_from_api(t, region) for t in templates]
        policy = self.registry_policy(region)
        part.registry_policies = {region: policy}
        part.statements = statements_from_policy(policy, region)
        return part

    def secret_strings(self, region: str, arns: list[str]) -> dict[str, str]:
        """The live SecretString of each ARN. Callers compare and drop them at once."""
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


def make_session(profile: str | None = None) -> boto3.Session:
    with translate():
        return boto3.Session(profile_name=profile)


SessionFactory = Callable[[], boto3.Session]

"""The AWS calls of `ptc validate --online`: a `LiveProbe` over boto3.

Three operations: sts:GetCallerIdentity, secretsmanager:GetSecretValue per referenced
secret and region, and ecr:ValidatePullThroughCacheRule per rule with credentials and
region. A secret's value is judged inside `secret` and never leaves it.
"""

from __future__ import annotations

from typing import Any

from ptc.aws.clients import RegionalClients
from ptc.aws.errors import translate
from ptc.checks.online import RuleVerdict, SecretState, SecretVerdict, judge_secret


class OnlineProbe(RegionalClients):
    """Answers the online checks' questions in one account, across regions."""

    def secret(self, region: str, secret_id: str) -> SecretVerdict:
        answer: Any = None  # the boto3 stubs TypedDict, or None when it does not exist
        with translate(region, missing_ok=("ResourceNotFoundException",)):
            answer = self._sm[region].get_secret_value(SecretId=secret_id)
        if answer is None:
            return SecretVerdict(SecretState.MISSING)
        # Binary secrets have no SecretString: ECR cannot read them either.
        return judge_secret(answer.get("SecretString"))

    def rule(self, region: str, prefix: str) -> RuleVerdict:
        answer: Any = None  # the boto3 stubs TypedDict, or None when it does not exist
        with translate(region, missing_ok=("PullThroughCacheRuleNotFoundException",)):
            answer = self._ecr[region].validate_pull_through_cache_rule(ecrRepositoryPrefix=prefix)
        if answer is None:
            return RuleVerdict(exists=False)
        return RuleVerdict(True, bool(answer.get("isValid")), str(answer.get("failure") or ""))

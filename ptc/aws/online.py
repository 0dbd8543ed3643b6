"""The AWS calls of `ptc validate --online`: a `LiveProbe` over boto3.

Three operations: sts:GetCallerIdentity, secretsmanager:GetSecretValue per referenced
secret and region, and ecr:ValidatePullThroughCacheRule per rule with credentials and
region. A secret's value is judged inside `secret` and never leaves it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import boto3
from botocore.config import Config

from ptc.aws.errors import translate
from ptc.aws.gateway import RETRY_CONFIG  # also installs the log filter for secret values
from ptc.checks.online import RuleVerdict, SecretState, SecretVerdict, judge_secret


class OnlineProbe:
    """Answers the online checks' questions in one account, across regions."""

    def __init__(
        self, session: boto3.Session, regions: Iterable[str], config: Config = RETRY_CONFIG
    ) -> None:
        self.regions = list(dict.fromkeys(regions))
        with translate():
            self._ecr = {
                r: session.client("ecr", region_name=r, config=config) for r in self.regions
            }
            self._sm = {
                r: session.client("secretsmanager", region_name=r, config=config)
                for r in self.regions
            }
            first = self.regions[0] if self.regions else "us-east-1"
            self._sts = session.client("sts", region_name=first, config=config)

    def clients(self) -> list[Any]:
        """Every client, for tests that hook botocore events."""
        return [*self._ecr.values(), *self._sm.values(), self._sts]

    def account_id(self) -> str:
        with translate():
            return str(self._sts.get_caller_identity()["Account"])

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

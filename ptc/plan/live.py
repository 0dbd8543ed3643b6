"""The live state as read from AWS, normalised into the same resources as the file.

Only the data and its fingerprint: the gateway converts AWS's answers (ptc.aws.responses,
through ptc.plan.normalize), and a reader of ptc.plan.ports hands a LiveState over.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ptc.domain import arns
from ptc.domain.resources import (
    RuleResource,
    SecretResource,
    StatementResource,
    TemplateResource,
)
from ptc.domain.statements import canonical_policy


@dataclass
class SecretIndex:
    """The ecr-pullthroughcache/ secrets of one region, to resolve names and partial ARNs."""

    arn_by_name: dict[str, str] = field(default_factory=dict)

    def name_of(self, arn: str) -> str | None:
        """The secret a full or partial ARN refers to, if it exists."""
        for name, full in self.arn_by_name.items():
            if arn in (full, arns.partial_secret_arn(full)):
                return name
        return None

    def canonical(self, arn: str | None) -> str | None:
        """A full ARN for a partial one, so that both spellings compare equal."""
        if arn is None:
            return None
        name = self.name_of(arn)
        return self.arn_by_name[name] if name else arn


@dataclass
class LiveState:
    """Everything ptc manages, as it is in one account, for some regions."""

    account: str
    regions: list[str]
    rules: list[RuleResource] = field(default_factory=list)
    templates: list[TemplateResource] = field(default_factory=list)
    secrets: list[SecretResource] = field(default_factory=list)
    secret_versions: dict[str, str] = field(default_factory=dict)  # ARN -> last change
    statements: list[StatementResource] = field(default_factory=list)  # every one, owned or not
    registry_policies: dict[str, str | None] = field(default_factory=dict)  # region -> text

    def index(self, region: str) -> SecretIndex:
        return SecretIndex({s.name: s.arn or "" for s in self.secrets if s.region == region})

    def fingerprint(self) -> str:
        """Identifies this live state; a saved plan applies only to the state it was made from."""
        body = {
            "account": self.account,
            "regions": sorted(self.regions),
            "resources": sorted(
                json.dumps(r.model_dump(mode="json"), sort_keys=True)
                for r in [*self.rules, *self.templates, *self.secrets]
            ),
            "secret_versions": dict(sorted(self.secret_versions.items())),
            # The whole document, foreign statements included: apply rewrites all of it.
            "registry_policies": {
                region: canonical_policy(text)
                for region, text in sorted(self.registry_policies.items())
            },
        }
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

"""What plan and apply ask of the live state: the reads and the writes, as protocols.

The core loop (ptc.engine.workflow) takes these, never a concrete client: ptc.aws.gateway
implements both over botocore, and the core's unit tests use an in-memory fake. Every
value crosses them as ptc's own data (resources, LiveState, policy text); the API's
shapes stay behind them, in ptc.aws.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Protocol

from ptc.domain.account import AccountSource
from ptc.domain.resources import RuleResource, SecretResource, TemplateResource
from ptc.plan.live import LiveState


class LiveReader(AccountSource, Protocol):
    """The reads plan needs: the credentials' account, the live state, secret values."""

    def read(
        self,
        account: str,
        secret_values: Mapping[str, Collection[str]] | None = None,
        before_values: Callable[[], object] | None = None,
    ) -> LiveState:
        """The live state of the reader's regions, recorded as `account`'s.

        `secret_values` (region -> secret names) are the secrets whose values plan will
        compare: a reader may fetch them alongside, to hand out by secret_strings().
        `before_values` is called (and may raise) before any value is fetched.
        """
        ...

    def secret_strings(self, region: str, arns: list[str]) -> dict[str, str]:
        """The live SecretString of each ARN that has one; callers compare and drop them."""
        ...


class LiveWriter(Protocol):
    """The calls apply makes: its writes, and the reads it must make at apply time."""

    def create_secret(self, secret: SecretResource, value: str) -> str: ...
    def update_secret(self, secret: SecretResource, value: str | None) -> str: ...
    def secret_arn(self, region: str, name: str) -> str: ...
    def create_rule(self, rule: RuleResource) -> None: ...
    def update_rule(self, rule: RuleResource) -> None: ...
    def delete_rule(self, region: str, prefix: str) -> None: ...
    def create_template(self, template: TemplateResource) -> None: ...
    def update_template(self, template: TemplateResource, live: TemplateResource) -> None: ...
    def delete_template(self, region: str, prefix: str) -> None: ...
    def registry_policy(self, region: str) -> str | None: ...
    def put_registry_policy(self, region: str, text: str) -> None: ...
    def delete_registry_policy(self, region: str) -> None: ...


class LiveStore(LiveReader, LiveWriter, Protocol):
    """Both sides: apply writes, then reads again to verify."""

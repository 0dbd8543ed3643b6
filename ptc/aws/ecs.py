"""ECS task definitions for `rewrite-images --ecs`: read the latest revisions, register new ones.

Three operations: ListTaskDefinitionFamilies (ACTIVE families, paginated),
DescribeTaskDefinition with include=["TAGS"] (a family's latest ACTIVE revision and its tags)
and RegisterTaskDefinition. What is read is turned into the request RegisterTaskDefinition
accepts: only the members of its input shape in botocore's model are kept, so the read-only
fields (taskDefinitionArn, revision, status, requiresAttributes, compatibilities,
registeredAt/By, deregisteredAt, ...) go and every other field is carried over as it is.
"""

from __future__ import annotations

from typing import Any

from ptc.aws.clients import RETRY_CONFIG, Session, paginate
from ptc.aws.errors import translate


class TaskDefinitions:
    """The task-definition families of one account and region."""

    def __init__(self, session: Session, region: str) -> None:
        self.region = region
        with translate(region):
            self._ecs: Any = session.client("ecs", region_name=region, config=RETRY_CONFIG)
        shape = self._ecs.meta.service_model.operation_model("RegisterTaskDefinition")
        self._accepted = frozenset(shape.input_shape.members)

    def clients(self) -> list[Any]:
        """The client, for tests that hook botocore events."""
        return [self._ecs]

    def families(self) -> list[str]:
        """Every family with an ACTIVE revision, in name order."""
        with translate(self.region):
            names = paginate(
                self._ecs, "list_task_definition_families", "families", status="ACTIVE"
            )
        return sorted(str(name) for name in names)

    def latest(self, family: str) -> dict[str, Any] | None:
        """The latest ACTIVE revision of `family` as a RegisterTaskDefinition request.

        None when the family has no ACTIVE revision.
        """
        answer: Any = None
        with translate(self.region, missing_ok=("ClientException",)):
            answer = self._ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
        if answer is None:
            return None
        definition = answer["taskDefinition"]
        if definition.get("status", "ACTIVE") != "ACTIVE":
            return None
        request = {k: v for k, v in definition.items() if k in self._accepted}
        if answer.get("tags"):
            request["tags"] = answer["tags"]
        return request

    def register(self, request: dict[str, Any]) -> str:
        """Register `request` as the family's next revision; its ARN."""
        with translate(self.region):
            answer = self._ecs.register_task_definition(**request)
        return str(answer["taskDefinition"]["taskDefinitionArn"])

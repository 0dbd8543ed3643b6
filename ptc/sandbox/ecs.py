"""ECS in the sandbox: moto's, with DescribeTaskDefinition's family lookup as AWS documents it.

The ECS API reference (DescribeTaskDefinition, taskDefinition): "If a revision isn't
specified, the latest ACTIVE revision is used." moto answers the latest revision whatever
its status; the family lookup is narrowed here to the ACTIVE ones (strict.py records it).
"""

from __future__ import annotations

from typing import Any

from moto.ecs.exceptions import TaskDefinitionNotFoundException
from moto.ecs.models import EC2ContainerServiceBackend


def install() -> None:
    """Replace the family lookup; calling it again changes nothing."""
    original = EC2ContainerServiceBackend.describe_task_definition
    if getattr(original, "ptc_sandbox", False):
        return

    def describe_task_definition(self: Any, task_definition_str: str) -> Any:
        name = task_definition_str.split("/")[-1]
        if ":" in name:
            return original(self, task_definition_str)
        revisions = self.task_definitions.get(name, {})
        active = [number for number, d in revisions.items() if d.status == "ACTIVE"]
        if not active:
            raise TaskDefinitionNotFoundException()
        return revisions[max(active)]

    describe_task_definition.ptc_sandbox = True  # type: ignore[attr-defined]
    EC2ContainerServiceBackend.describe_task_definition = describe_task_definition  # type: ignore[method-assign]

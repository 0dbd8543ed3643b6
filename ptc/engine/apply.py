"""Apply a plan: one API call per change, regions in parallel, a region's changes in waves.

A region's changes that do not depend on each other are in flight together; a change
waits only for those that the plan's order (changes._ORDER) puts before it for a reason
that concerns it (see _steps). The registry policy is one step: PutRegistryPolicy
replaces the whole document, so a region's statement changes are one read-merge-write
(GetRegistryPolicy fresh, then PutRegistryPolicy, or DeleteRegistryPolicy when no
statement is left), and each of them still gets its own result. A region stops at its
first failure (the calls in flight finish, no later wave starts); every change ends up
applied, failed or not attempted, and the report says which, in the plan's order. Apply
is idempotent by construction (it re-plans from live state), so re-running after a
failure converges.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ptc.domain import statements
from ptc.domain.resources import (
    AnyResource,
    RuleResource,
    SecretResource,
    StatementResource,
    TemplateResource,
)
from ptc.engine.executor import Events, Outcome, Result, RunReport, Step, execute
from ptc.errors import PtcError
from ptc.plan.changes import Action, AnyChange, Create, Delete, Plan, Replace, Update
from ptc.plan.ports import LiveWriter
from ptc.plan.values import FROM_SOURCES, SecretValues

__all__ = ["ApplyReport", "Outcome", "Progress", "Result", "apply_plan"]


@dataclass
class ApplyReport(RunReport[AnyChange]):
    """The executor's report, and what apply's verifying re-read found."""

    verified: bool | None = None  # None: verification not run (a failure came first)
    drift: list[str] = field(default_factory=list)  # what still differs after apply


Progress = Events[str, AnyChange]  # the target is the region
# How often apply merges the registry policy again when another writer moves it meanwhile.
MERGE_ATTEMPTS = 3


class _Region:
    """Applies one region's changes in order; remembers ARNs of secrets it created."""

    def __init__(self, writer: LiveWriter, base_dir: Path, values: SecretValues) -> None:
        self.writer = writer
        self.base_dir = base_dir
        self.values = values
        self.secret_arns: dict[str, str] = {}

    def do(self, step: Step[AnyChange]) -> None:
        self.apply_step(step.items)

    def apply_step(self, step: Sequence[AnyChange]) -> None:
        if step[0].kind == "statement":
            self._statements(step)
        else:
            [change] = step
            self.apply(change)

    def _statements(self, changes: Sequence[AnyChange]) -> None:
        """One read-merge-write of the region's registry policy for all its statement changes.

        PutRegistryPolicy replaces the whole document and has no condition, so another
        writer's change can land between ptc's read and its write. ptc reads again just
        before writing and after it, and merges again while something moved; when it still
        cannot see its merge held after MERGE_ATTEMPTS, the change fails loudly.
        """
        region = changes[0].region
        upserts: dict[str, StatementResource] = {}
        removals: set[str] = set()
        for change in changes:
            match change:
                case (
                    Create(desired=StatementResource() as new)
                    | Update(desired=StatementResource() as new)
                ):
                    upserts[new.sid] = new
                case Delete(live=StatementResource() as old):
                    removals.add(old.sid)
                case _:
                    raise _cannot(change)
        for _ in range(MERGE_ATTEMPTS):
            if self._merge_once(region, upserts, removals):
                return
        raise PtcError(
            f"registry policy in {region}: another writer kept changing it while ptc merged "
            f"its statements ({MERGE_ATTEMPTS} attempts); ptc cannot guarantee that its own "
            "and the other statements are all there: check the policy, then apply again"
        )

    def _merge_once(
        self, region: str, upserts: dict[str, StatementResource], removals: set[str]
    ) -> bool:
        """Read, merge, write, check; False when another writer moved the policy meanwhile."""
        # Read at apply time, not plan time: another writer's statement must survive.
        text = self.writer.registry_policy(region)
        merged = statements.merged_text(region, text, upserts, removals)
        document = statements.parse_document(merged)
        if merged is not None and document == statements.parse_document(text):
            return True
        if self.writer.registry_policy(region) != text:
            return False  # moved while merging: merge again from what is there now
        if merged is None:
            self.writer.delete_registry_policy(region)
        else:
            self.writer.put_registry_policy(region, merged)
        return statements.merge_held(document, self.writer.registry_policy(region), removals)

    def apply(self, change: AnyChange) -> None:
        match change.kind:
            case "secret":
                self._secret(change)
            case "template":
                self._template(change)
            case "rule":
                self._rule(change)
            case _:
                raise _cannot(change)

    def _secret(self, change: AnyChange) -> None:
        match change:
            case Create(desired=SecretResource() as secret):
                arn = self.writer.create_secret(secret, self._value(secret))
            case Update(desired=SecretResource() as secret):
                value = self._value(secret) if secret.value_differs else None
                arn = self.writer.update_secret(secret, value)
            case _:
                raise _cannot(change)
        self.secret_arns[secret.name] = arn

    def _value(self, secret: SecretResource) -> str:
        return self.values.secret_string(secret, self.base_dir)

    def _template(self, change: AnyChange) -> None:
        match change:
            case Create(desired=TemplateResource() as template):
                self.writer.create_template(template)
            case Update(desired=TemplateResource() as template, live=TemplateResource() as live):
                self.writer.update_template(template, live)
            case Delete(live=TemplateResource() as template):
                self.writer.delete_template(template.region, template.prefix)
            case _:
                raise _cannot(change)

    def _rule(self, change: AnyChange) -> None:
        match change:
            case Create(desired=RuleResource() as rule):
                self.writer.create_rule(self._with_credential(rule))
            case Update(desired=RuleResource() as rule):
                self.writer.update_rule(self._with_credential(rule))
            case Replace(desired=RuleResource() as rule):
                # One prefix holds one rule: the old one goes before the new one comes.
                self.writer.delete_rule(rule.region, rule.prefix)
                self.writer.create_rule(self._with_credential(rule))
            case Delete(live=RuleResource() as rule):
                self.writer.delete_rule(rule.region, rule.prefix)
            case _:
                raise _cannot(change)

    def _with_credential(self, rule: RuleResource) -> RuleResource:
        """Fill in the ARN of a secret that did not exist when the plan was made."""
        if rule.credential_arn or not rule.credential_name:
            return rule
        arn = self.secret_arns.get(rule.credential_name) or self.writer.secret_arn(
            rule.region, rule.credential_name
        )
        return rule.model_copy(update={"credential_arn": arn})


def _cannot(change: AnyChange) -> PtcError:
    """A change apply has no call for: the plan was built or edited wrongly, not by ptc."""
    return PtcError(f"ptc cannot apply the {change.action} of {change.address}")


def _steps(changes: Sequence[AnyChange]) -> list[Step[AnyChange]]:
    """A region's steps, wave by wave: one per change, except that its statement changes
    are a single step (one read-merge-write of the registry policy).

    A change waits only for what changes._ORDER says it must follow, and only where they
    meet (`_needs`): a rule for its secret, for the templates its repositories could take,
    for the statements and for the deletes that make room under the quota of 50 rules; a
    template's delete for the rules that could still create repositories under it. A
    step's wave is one more than the latest wave it waits for, so everything that waits
    for nothing (a rule no template, secret or statement of the plan concerns, next to
    those templates and secrets) is in flight at once, and the waves are as few as the
    order allows. A rule's replace is one step (its delete, then its create).
    """
    groups: list[list[AnyChange]] = []
    for change in sorted(changes, key=lambda c: c.order[1]):  # stable: the plan's order
        if change.kind == "statement" and groups and groups[-1][0].kind == "statement":
            groups[-1].append(change)
        else:
            groups.append([change])
    waves: list[int] = []
    for index, group in enumerate(groups):
        # What a change needs comes earlier in _ORDER, so its wave is known already.
        after = [waves[j] for j in range(index) if _needs(group[0], groups[j][0])]
        waves.append(1 + max(after) if after else 0)
    order = sorted(range(len(groups)), key=lambda i: waves[i])  # stable: the plan's order
    return [Step(tuple(groups[i]), wave=waves[i]) for i in order]


def _needs(change: AnyChange, earlier: AnyChange) -> bool:
    """Whether `change` must wait until `earlier` (of the same region) is made."""
    if change.kind == "rule" and change.action is not Action.DELETE:
        match earlier.kind, earlier.action:
            case "secret", _:
                return _uses(change.resource, earlier.key)
            case "template", Action.CREATE | Action.UPDATE:
                return _overlap(change.key, earlier.key)
            case "statement", _:
                return True  # a new rule's first pull finds its grant there
            case "rule", Action.DELETE:
                return change.action is not Action.UPDATE  # room under the quota first
        return False
    if change.kind == "template" and change.action is Action.DELETE:
        return earlier.kind == "rule" and _overlap(earlier.key, change.key)
    return False


def _uses(rule: AnyResource, secret_name: str) -> bool:
    """Whether the rule's credential is this secret (by name, or by an ARN naming it)."""
    assert isinstance(rule, RuleResource)
    arn = rule.credential_arn or ""
    return rule.credential_name == secret_name or f":secret:{secret_name}" in arn


def _overlap(rule_prefix: str, template_prefix: str) -> bool:
    """Whether repositories the rule creates could take the template.

    ROOT (either side) concerns every repository, and either prefix may be the more
    specific one. Comparing as strings rather than by namespace errs on the safe side:
    at worst a rule waits for a template it did not need.
    """
    rule, template = rule_prefix.rstrip("/"), template_prefix.rstrip("/")
    return "ROOT" in (rule, template) or rule.startswith(template) or template.startswith(rule)


def apply_plan(
    plan: Plan,
    writer: LiveWriter,
    base_dir: Path,
    *,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    values: SecretValues = FROM_SOURCES,
) -> ApplyReport:
    """Make the plan's changes. Set `stop` (e.g. on Ctrl-C) to finish after the current calls."""
    by_region: dict[str, list[AnyChange]] = {}
    for change in plan.changes:
        by_region.setdefault(change.region, []).append(change)
    run = execute(
        {region: _steps(changes) for region, changes in by_region.items()},
        lambda region: _Region(writer, base_dir, values).do,
        stop=stop,
        progress=progress,
    )
    # The waves reorder a region's changes; the report keeps the plan's order.
    position = {id(change): index for index, change in enumerate(plan.changes)}
    results = sorted(run.results, key=lambda result: position[id(result.item)])
    return ApplyReport(results, run.interrupted)

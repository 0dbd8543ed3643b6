"""Apply's dispatch on the typed changes (issue 12): each change makes exactly its calls.

A recording writer stands in for AWS: the calls, in order, are the whole behaviour here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ptc.domain.resources import SecretResource, StatementResource
from ptc.engine.apply import Outcome, _Region, apply_plan
from ptc.errors import PtcError
from ptc.plan.changes import AnyChange, Create, Delete, Plan, Replace, Update
from ptc.plan.values import FROM_SOURCES
from tests.plan.test_diff import ACCOUNT, DOCKER, R, live_secret, managed_secret, rule, template

SECRET_ARN = f"arn:aws:secretsmanager:{R}:{ACCOUNT}:secret:{DOCKER}-AbCdEf"


class RecordingWriter:
    """Every write apply makes, as (method, the resource's key); reads answer nothing."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def _record(self, method: str, key: str) -> None:
        self.calls.append((method, key))

    def create_secret(self, secret: SecretResource, value: str) -> str:
        self._record("create_secret", secret.name)
        return SECRET_ARN

    def update_secret(self, secret: SecretResource, value: str | None) -> str:
        self._record(f"update_secret({'value' if value else 'no value'})", secret.name)
        return SECRET_ARN

    def secret_arn(self, region: str, name: str) -> str:
        raise AssertionError("apply knows the ARN of the secret it created")

    def __getattr__(self, method: str) -> Any:
        def call(*args: Any) -> None:
            first = args[0]
            self._record(method, first if isinstance(first, str) and len(args) == 1 else _key(args))

        return call


def _key(args: tuple[Any, ...]) -> str:
    first = args[0]
    return str(first.key) if hasattr(first, "key") else str(args[1])


def _apply(*changes: AnyChange) -> list[tuple[str, str]]:
    writer = RecordingWriter()
    plan = Plan.build(ACCOUNT, [R], list(changes), "sha256:0", prune=True)
    report = apply_plan(plan, writer, Path("."))
    assert [r.outcome for r in report.results] == [Outcome.APPLIED] * len(changes), report
    return writer.calls


def test_each_change_makes_its_calls_in_apply_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKERHUB_USERNAME", "octocat")
    monkeypatch.setenv("DOCKERHUB_TOKEN", "dckr_pat_dispatch")
    new_rule = rule("new", credential_arn=None, credential_name=DOCKER)
    calls = _apply(
        Create(managed_secret()),
        Update(
            managed_secret("other", kms_key="alias/k"),
            live_secret("other", kms_key=None),
            ("kms_key",),
        ),
        Create(template("new")),
        Update(template("changed", description="new"), template("changed"), ("description",)),
        Delete(template("old"), "not in the file; pruned"),
        Create(new_rule),
        Update(rule("changed", role="r"), rule("changed"), ("role",)),
        Replace(rule("moved", upstream_url="ghcr.io"), rule("moved"), ("upstream_url",), "why"),
        Delete(rule("old"), "not in the file; pruned"),
    )
    assert calls == [
        ("create_secret", DOCKER),
        ("update_secret(no value)", "other"),
        ("update_template", "changed"),
        ("create_template", "new"),
        ("delete_rule", "old"),
        ("update_rule", "changed"),
        ("delete_rule", "moved"),  # a replace deletes, then creates
        ("create_rule", "moved"),
        ("create_rule", "new"),
        ("delete_template", "old"),
    ]


def _region() -> _Region:
    return _Region(RecordingWriter(), Path("."), FROM_SOURCES)


STATEMENT = StatementResource(region=R, sid="S", principals=("*",), actions=("ecr:X",))


@pytest.mark.parametrize(
    ("handler", "change"),
    [
        ("apply", Create(STATEMENT)),
        ("_secret", Create(template("t"))),
        ("_template", Create(rule("r"))),
        ("_rule", Delete(template("t"), "pruned")),
    ],
    ids=["a statement alone", "secret", "template", "rule"],
)
def test_a_change_its_handler_cannot_make_fails_loudly(handler: str, change: AnyChange) -> None:
    with pytest.raises(PtcError) as caught:
        getattr(_region(), handler)(change)
    assert str(caught.value) == f"ptc cannot apply the {change.action} of {change.address}"


def test_a_statement_step_refuses_a_change_of_another_kind() -> None:
    with pytest.raises(PtcError, match="^ptc cannot apply the create of us-east-1/rule/r$"):
        _region()._statements([Create(STATEMENT), Create(rule("r"))])

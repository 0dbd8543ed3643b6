"""Apply against the sandbox: order, verification, faults at every call, Ctrl-C, guards."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from ptc.aws.errors import AwsError, MalformedAnswer
from ptc.config.models import Safety
from ptc.engine import executor as regions
from ptc.engine import workflow
from ptc.engine.apply import ApplyReport, Outcome
from ptc.engine.executor import Finished
from ptc.errors import InputError, UnsafePlanError
from ptc.plan import saved
from ptc.plan.changes import Action, AnyChange

from .conftest import BODY_FAULTS, FAULT_KINDS, TOKEN, CallLog, Faults, gateway, write_file

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's
DOCKER_SECRET = "ecr-pullthroughcache/docker-hub"

# One region, so that the calls come in one deterministic sequence. Against the live state
# made by `_prepare`, the plan creates a secret, a template and a rule, updates a template
# and replaces a rule, and leaves a foreign rule and template alone.
FILE = """\
    version: 1
    account: "123456789012"
    regions: [us-east-1]
    rules:
      - prefix: docker-hub
        upstream: registry-1.docker.io
        credentials: ecr-pullthroughcache/docker-hub
      - prefix: mirror
        upstream: registry.k8s.io
    secrets:
      - name: ecr-pullthroughcache/docker-hub
        username: {env: DOCKERHUB_USERNAME}
        access_token: {env: DOCKERHUB_TOKEN}
    templates:
      - prefix: docker-hub
        applied_for: [PULL_THROUGH_CACHE]
        description: Docker Hub, as the file says
      - prefix: ROOT
        applied_for: [PULL_THROUGH_CACHE, CREATE_ON_PUSH]
"""

PLAN_READS = [
    "GetCallerIdentity",
    "ListSecrets",
    "DescribePullThroughCacheRules",
    "DescribeRepositoryCreationTemplates",
    "GetRegistryPolicy",
]
WRITES = [
    "CreateSecret",
    "CreateRepositoryCreationTemplate",
    "UpdateRepositoryCreationTemplate",
    "CreatePullThroughCacheRule",
    "DeletePullThroughCacheRule",
    "CreatePullThroughCacheRule",
]
VERIFY_READS = [
    "ListSecrets",
    "DescribePullThroughCacheRules",
    "DescribeRepositoryCreationTemplates",
    "GetRegistryPolicy",
    "BatchGetSecretValue",
]
ALL_CALLS = PLAN_READS + WRITES + VERIFY_READS
CHANGES = [
    "create us-east-1/secret/ecr-pullthroughcache/docker-hub",
    "create us-east-1/template/ROOT",
    "update us-east-1/template/docker-hub",
    "create us-east-1/rule/docker-hub",
    "replace us-east-1/rule/mirror",
]
# Which change each write call belongs to (the replace makes two calls).
CHANGE_OF_WRITE = [0, 1, 2, 3, 4, 4]


@pytest.fixture(autouse=True)
def _one_change_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests pin the order of a region's writes and where a failure stops them;
    tests/plan/test_apply_waves.py covers a wave's changes in flight together."""
    monkeypatch.setattr(regions, "STEP_WORKERS", 1)


def _prepare(session: boto3.Session, tmp_path: Path) -> Path:
    ecr = session.client("ecr")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="mirror", upstreamRegistryUrl="quay.io")
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="foreign", upstreamRegistryUrl="public.ecr.aws"
    )
    ecr.create_repository_creation_template(
        prefix="docker-hub", appliedFor=["PULL_THROUGH_CACHE"], description="changed by hand"
    )
    ecr.create_repository_creation_template(
        prefix="foreign",
        appliedFor=["CREATE_ON_PUSH"],
        imageTagMutability="IMMUTABLE",
        lifecyclePolicy='{"rules": []}',
    )
    return write_file(tmp_path, FILE)


def _foreign(session: boto3.Session) -> tuple[Any, Any]:
    ecr = session.client("ecr")
    rules = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["foreign"])
    templates = ecr.describe_repository_creation_templates(prefixes=["foreign"])
    return rules["pullThroughCacheRules"], templates["repositoryCreationTemplates"]


def _lines(changes: list[AnyChange]) -> list[str]:
    return [f"{c.action} {c.address}" for c in changes]


def _plan(session: boto3.Session, path: Path) -> workflow.Planned:
    desired = workflow.load_desired(path)
    return workflow.plan_desired(desired, gateway(session, desired.regions))


def _converge(session: boto3.Session, path: Path) -> None:
    """Apply without faults, then check that a fresh plan has nothing left to do."""
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)
    assert report.ok and report.verified is True, report
    again = _plan(session, path).plan
    assert again.is_empty, _lines(list(again.changes))
    assert [u.address for u in again.unmanaged] == [
        "us-east-1/template/foreign",
        "us-east-1/rule/foreign",
    ]


# -- a full apply --------------------------------------------------------------------------


@pytest.mark.usefixtures("credentials_env")
def test_apply_makes_the_changes_in_order_and_verifies(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = _prepare(session, tmp_path)
    foreign = _foreign(session)
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    log = CallLog().hook(gw)

    planned = workflow.plan_desired(desired, gw)
    assert _lines(list(planned.plan.changes)) == CHANGES
    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)

    calls = log.operations()
    plan_wave, verify_wave = calls[: len(PLAN_READS)], calls[len(PLAN_READS) + len(WRITES) :]
    # The reads of a plan are one concurrent wave: any order, but a secret's value only
    # after ListSecrets found it. The writes keep the plan's order.
    assert sorted(plan_wave) == sorted(PLAN_READS)
    assert calls[len(PLAN_READS) : len(PLAN_READS) + len(WRITES)] == WRITES
    assert sorted(verify_wave) == sorted(VERIFY_READS)
    assert verify_wave.index("ListSecrets") < verify_wave.index("BatchGetSecretValue")
    assert [r.outcome for r in report.results] == [Outcome.APPLIED] * len(CHANGES)
    assert report.ok and report.verified is True and report.drift == []
    assert _plan(session, path).plan.is_empty
    assert _foreign(session) == foreign


@pytest.mark.usefixtures("credentials_env")
def test_apply_creates_a_secret_before_the_rule_that_uses_it(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = _prepare(session, tmp_path)
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    sent: list[tuple[str, dict[str, Any]]] = []
    for client in gw.clients():
        client.meta.events.register(
            "provide-client-params", lambda params, model, **_: sent.append((model.name, params))
        )
    planned = workflow.plan_desired(desired, gw)
    workflow.apply(planned.plan, gw, desired, desired.base_dir)

    writes = [(name, params) for name, params in sent if name in WRITES]
    secret_at = next(i for i, (name, _) in enumerate(writes) if name == "CreateSecret")
    rule_at, rule = next(
        (i, params)
        for i, (name, params) in enumerate(writes)
        if name == "CreatePullThroughCacheRule" and params["ecrRepositoryPrefix"] == "docker-hub"
    )
    assert secret_at < rule_at
    arn = session.client("secretsmanager").describe_secret(SecretId=DOCKER_SECRET)["ARN"]
    assert rule["credentialArn"] == arn
    mirror = [
        (name, params["ecrRepositoryPrefix"])
        for name, params in writes
        if "PullThroughCacheRule" in name and params["ecrRepositoryPrefix"] == "mirror"
    ]
    assert mirror == [
        ("DeletePullThroughCacheRule", "mirror"),
        ("CreatePullThroughCacheRule", "mirror"),
    ]


@pytest.mark.usefixtures("credentials_env")
def test_apply_runs_regions_in_parallel(session: boto3.Session, tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        """\
        version: 1
        regions: [us-east-1, eu-west-1]
        rules:
          - prefix: quay
            upstream: quay.io
        """,
    )
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    # Each region's first write waits for the other's: sequential regions would never meet.
    both = threading.Barrier(2, timeout=10)

    def meet(**_: Any) -> None:
        both.wait()

    for client in gw.clients():
        client.meta.events.register("before-call.ecr.CreatePullThroughCacheRule", meet)
    planned = workflow.plan_desired(desired, gw)
    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)
    assert report.ok and report.verified is True
    assert not both.broken


def test_apply_of_an_empty_plan_makes_no_write(session: boto3.Session, tmp_path: Path) -> None:
    path = write_file(tmp_path, "version: 1\nregions: [us-east-1]\n")
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    log = CallLog().hook(gw)
    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)
    assert report.results == [] and report.ok and report.verified is True
    assert sorted(log.operations()) == sorted(VERIFY_READS[:4])  # one wave, any order


# -- faults at every call --------------------------------------------------------------------


def _expected_error(kind: str, operation: str, service: str) -> str:
    url = {
        "ecr": "https://api.ecr.us-east-1.amazonaws.com/",
        "secretsmanager": "https://secretsmanager.us-east-1.amazonaws.com/",
        "sts": "https://sts.us-east-1.amazonaws.com/",
    }[service]
    where = "" if service == "sts" else f" in {REGION}"  # STS is not per region
    return {
        "throttling": f"{operation}{where}: ThrottlingException: Rate exceeded",
        "server-error": f"{operation}{where}: ServerException: We encountered an error",
        "read-timeout": f'cannot reach AWS{where}: Read timeout on endpoint URL: "{url}"',
        "connection-reset": (
            f"AWS call failed{where}: Connection was closed before we received a valid "
            f'response from endpoint URL: "{url}".'
        ),
    }[kind]


def _service(operation: str) -> str:
    if operation == "GetCallerIdentity":
        return "sts"
    return "secretsmanager" if "Secret" in operation else "ecr"


def _target(index: int) -> tuple[str, int]:
    """ALL_CALLS[index] as (operation, how many calls of it come before)."""
    operation = ALL_CALLS[index]
    return operation, ALL_CALLS[:index].count(operation)


def _waves(calls: list[str]) -> list[list[str] | str]:
    """Calls as the plan's read wave (any order), the writes in order, the verifying wave."""
    plan_end, writes_end = len(PLAN_READS), len(PLAN_READS) + len(WRITES)
    return [sorted(calls[:plan_end]), *calls[plan_end:writes_end], sorted(calls[writes_end:])]


def _made_calls(index: int) -> list[str]:
    """The calls made when ALL_CALLS[index] fails: every read of its wave still happens
    (they are in flight together), except a secret's value when ListSecrets failed."""
    if index < len(PLAN_READS):
        return PLAN_READS
    if index < len(PLAN_READS) + len(WRITES):
        return ALL_CALLS[: index + 1]
    if ALL_CALLS[index] == "ListSecrets":
        return [c for c in ALL_CALLS if c != "BatchGetSecretValue"]
    return ALL_CALLS


FAULT_CASES = [
    pytest.param(kind, index, id=f"{kind}-call{index:02d}-{operation}")
    for kind in FAULT_KINDS
    for index, operation in enumerate(ALL_CALLS)
]


@pytest.mark.usefixtures("credentials_env")
@pytest.mark.parametrize(("kind", "index"), FAULT_CASES)
def test_a_failing_call_stops_cleanly_and_a_rerun_converges(
    session: boto3.Session, tmp_path: Path, inject: Callable[..., Faults], kind: str, index: int
) -> None:
    path = _prepare(session, tmp_path)
    foreign = _foreign(session)
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    faults = inject(kind, _target(index), gw)
    operation = ALL_CALLS[index]
    error = _expected_error(kind, operation, _service(operation))

    if index < len(PLAN_READS):
        with pytest.raises(AwsError) as caught:
            workflow.plan_desired(desired, gw)
        assert str(caught.value) == error
        assert _waves(faults.log.operations()) == _waves(_made_calls(index))
    else:
        planned = workflow.plan_desired(desired, gw)
        report = workflow.apply(planned.plan, gw, desired, desired.base_dir)
        assert _waves(faults.log.operations()) == _waves(_made_calls(index))
        if index < len(PLAN_READS) + len(WRITES):
            failed = CHANGE_OF_WRITE[index - len(PLAN_READS)]
            outcomes = [(f"{r.item.action} {r.item.address}", r.outcome) for r in report.results]
            assert outcomes == (
                [(c, Outcome.APPLIED) for c in CHANGES[:failed]]
                + [(CHANGES[failed], Outcome.FAILED)]
                + [(c, Outcome.NOT_ATTEMPTED) for c in CHANGES[failed + 1 :]]
            )
            assert report.of(Outcome.FAILED)[0].error == error
            assert TOKEN not in repr(report)
            assert not report.ok and report.verified is None
        else:
            assert report.ok and report.verified is False
            assert report.drift == [f"could not verify: {error}"]
    # Every attempt of the faulted call failed: botocore retried it, as configured, once.
    assert faults.failed_attempts == 2

    _converge(session, path)
    assert _foreign(session) == foreign


BODY_CASES = [
    pytest.param(kind, index, id=f"{kind}-call{index:02d}-{operation}")
    for kind in BODY_FAULTS
    for index, operation in enumerate(ALL_CALLS)
]


def _intact(report: ApplyReport) -> None:
    """Every change has one outcome, in plan order: applied, then at most one failure, then
    not attempted; the failure is one line without the secret value."""
    assert [f"{r.item.action} {r.item.address}" for r in report.results] == CHANGES
    outcomes = [r.outcome for r in report.results]
    applied = outcomes.count(Outcome.APPLIED)
    failed = outcomes.count(Outcome.FAILED)
    assert failed <= 1
    assert outcomes == (
        [Outcome.APPLIED] * applied
        + [Outcome.FAILED] * failed
        + [Outcome.NOT_ATTEMPTED] * (len(outcomes) - applied - failed)
    )
    for result in report.of(Outcome.FAILED):
        # Mostly "the answer from AWS in us-east-1 …"; an ignored empty answer to a delete
        # shows up as the next call's AWS error instead.
        assert result.error is not None and "\n" not in result.error
        assert result.error.startswith(
            ("the answer from AWS in us-east-1 ", "CreatePullThroughCacheRule in us-east-1: ")
        )
    assert TOKEN not in repr(report)


@pytest.mark.usefixtures("credentials_env")
@pytest.mark.parametrize(("kind", "index"), BODY_CASES)
def test_a_garbled_answer_at_any_call_keeps_the_report_and_a_rerun_converges(
    session: boto3.Session, tmp_path: Path, inject: Callable[..., Faults], kind: str, index: int
) -> None:
    """A web page, an empty object or a truncated body instead of AWS's answer (issue 10,
    items 12 and 18): a plan read fails with one line; during apply the change fails (or, for
    a write whose answer ptc does not read, verification notices), the report is kept."""
    path = _prepare(session, tmp_path)
    foreign = _foreign(session)
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    faults = inject(kind, index, gw)
    if index < len(PLAN_READS):
        with pytest.raises(MalformedAnswer) as caught:
            workflow.plan_desired(desired, gw)
        assert str(caught.value).startswith("the answer from AWS")
        assert str(caught.value).endswith("; check AWS_ENDPOINT_URL")
    else:
        planned = workflow.plan_desired(desired, gw)
        report = workflow.apply(planned.plan, gw, desired, desired.base_dir)
        _intact(report)
        if index >= len(PLAN_READS) + len(WRITES):  # a verification read
            assert report.ok and report.verified is False
            assert report.drift[0].startswith("could not verify: the answer from AWS in us-east-1")
        elif report.ok:  # the answer was ignored; what was not done shows as drift
            assert report.verified is not None
    assert faults.failed_attempts == 1  # an answer is not retried: it may have been applied
    _converge(session, path)
    assert _foreign(session) == foreign


@pytest.mark.usefixtures("credentials_env")
@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("index", [0, 5, 10, 15], ids=lambda i: f"call{i:02d}-{ALL_CALLS[i]}")
def test_a_call_that_fails_once_is_retried(
    session: boto3.Session, tmp_path: Path, inject: Callable[..., Faults], kind: str, index: int
) -> None:
    path = _prepare(session, tmp_path)
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    faults = inject(kind, _target(index), gw, attempts=1)
    planned = workflow.plan_desired(desired, gw)
    report = workflow.apply(planned.plan, gw, desired, desired.base_dir)
    assert report.ok and report.verified is True
    assert faults.failed_attempts == 1
    assert _waves(faults.log.operations()) == _waves(ALL_CALLS)


@pytest.mark.parametrize("kind", ["server-error", "connection-reset"])
def test_the_default_clients_make_five_attempts(
    session: boto3.Session, inject: Callable[..., Faults], kind: str
) -> None:
    from ptc.aws.gateway import Gateway

    gw = Gateway(session, [REGION, "eu-west-1"])
    assert {c.meta.config.retries["mode"] for c in gw.clients()} == {"adaptive"}
    faults = inject(kind, 0, gw)
    with pytest.raises(AwsError):
        gw.account_id()
    assert faults.failed_attempts == 5


# -- Ctrl-C ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("credentials_env")
def test_stop_after_the_first_change_leaves_the_rest_not_attempted(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = _prepare(session, tmp_path)
    planned = _plan(session, path)
    desired = planned.desired
    stop = threading.Event()

    def progress(event: Finished[str, AnyChange]) -> None:
        stop.set()

    report = workflow.apply(
        planned.plan,
        gateway(session, desired.regions),
        desired,
        desired.base_dir,
        stop=stop,
        progress=progress,
    )
    assert report.interrupted and not report.ok and report.verified is None
    assert [r.outcome for r in report.results] == [Outcome.APPLIED] + [Outcome.NOT_ATTEMPTED] * (
        len(CHANGES) - 1
    )
    _converge(session, path)


@pytest.mark.usefixtures("credentials_env")
def test_ctrl_c_during_apply_finishes_the_call_in_flight_and_reports(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = _prepare(session, tmp_path)
    planned = _plan(session, path)
    desired = planned.desired
    stop = threading.Event()
    main = threading.main_thread().ident
    assert main is not None and threading.current_thread().ident == main

    def progress(event: Finished[str, AnyChange]) -> None:
        if not stop.is_set():
            # A real SIGINT to the main thread, which waits for the region's worker.
            signal.pthread_kill(main, signal.SIGINT)
            assert stop.wait(timeout=10), "apply did not react to SIGINT"

    try:
        report = workflow.apply(
            planned.plan,
            gateway(session, desired.regions),
            desired,
            desired.base_dir,
            stop=stop,
            progress=progress,
        )
    except KeyboardInterrupt:  # not caught by apply: fail this test, not the whole session
        pytest.fail("Ctrl-C escaped apply instead of stopping it")
    assert report.interrupted
    assert [r.outcome for r in report.results][:2] == [Outcome.APPLIED, Outcome.NOT_ATTEMPTED]
    _converge(session, path)


@pytest.mark.usefixtures("credentials_env")
def test_ctrl_c_while_regions_start_attempts_nothing(
    session: boto3.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ptc.engine.executor

    path = write_file(
        tmp_path, FILE.replace("regions: [us-east-1]", "regions: [us-east-1, eu-west-1]")
    )
    planned = _plan(session, path)
    submitted: list[int] = []

    class Interrupted(ptc.engine.executor.ThreadPoolExecutor):
        def submit(self, *args: Any, **kwargs: Any) -> Any:
            submitted.append(1)
            if len(submitted) == 2:  # Ctrl-C while the second region's thread starts
                raise KeyboardInterrupt
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(ptc.engine.executor, "ThreadPoolExecutor", Interrupted)
    desired = planned.desired
    log = CallLog()
    gw = log.hook(gateway(session, desired.regions))
    try:
        report = workflow.apply(planned.plan, gw, desired, desired.base_dir)
    except KeyboardInterrupt:  # not caught by apply: fail this test, not the whole session
        pytest.fail("Ctrl-C escaped apply instead of stopping it")
    assert report.interrupted and report.verified is None
    assert [r.item for r in report.results] == list(planned.plan.changes)
    assert {r.outcome for r in report.results} == {Outcome.NOT_ATTEMPTED}
    assert log.calls == []


# -- the prune guard -------------------------------------------------------------------------


def _foreign_rules(session: boto3.Session, count: int) -> None:
    ecr = session.client("ecr")
    for n in range(count):
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix=f"foreign-{n}", upstreamRegistryUrl="quay.io"
        )


def _pruning_plan(session: boto3.Session, tmp_path: Path, foreign: int) -> workflow.Planned:
    _foreign_rules(session, foreign)
    planned = _plan(
        session, write_file(tmp_path, "version: 1\nregions: [us-east-1]\nprune: true\n")
    )
    assert planned.plan.counts["destroy"] == foreign
    return planned


@pytest.mark.parametrize("live", [4, 5], ids=lambda n: f"{n} of {n} live")
def test_prune_guard_refuses_more_than_3_deletes(
    session: boto3.Session, tmp_path: Path, live: int
) -> None:
    planned = _pruning_plan(session, tmp_path, live)
    with pytest.raises(UnsafePlanError) as caught:
        planned.plan.raise_if_unsafe(Safety(), planned.live)
    assert str(caught.value) == (
        f"the plan deletes {live} of the {live} live rules and templates in {ACCOUNT}/{REGION}; "
        "more than 3 needs --force (safety: max_deletes 3, max_delete_percent 30 from "
        "min_existing 10)"
    )


def test_prune_guard_allows_3_deletes(session: boto3.Session, tmp_path: Path) -> None:
    planned = _pruning_plan(session, tmp_path, 3)
    planned.plan.raise_if_unsafe(Safety(), planned.live)


def test_prune_guard_allows_30_percent_of_a_large_live_state(
    session: boto3.Session, tmp_path: Path
) -> None:
    _foreign_rules(session, 20)
    kept = "\n".join(f"  - prefix: foreign-{n}\n    upstream: quay.io" for n in range(20 - 6))
    path = write_file(tmp_path, f"version: 1\nregions: [us-east-1]\nprune: true\nrules:\n{kept}\n")
    planned = _plan(session, path)
    assert planned.plan.counts["destroy"] == 6
    planned.plan.raise_if_unsafe(Safety(), planned.live)  # 6 of 20 is 30 %

    path = write_file(
        tmp_path,
        f"version: 1\nregions: [us-east-1]\nprune: true\nrules:\n{kept[: kept.rindex('  - ')]}",
    )
    planned = _plan(session, path)
    assert planned.plan.counts["destroy"] == 7
    with pytest.raises(UnsafePlanError) as caught:
        planned.plan.raise_if_unsafe(Safety(), planned.live)
    assert str(caught.value) == (
        f"the plan deletes 7 of the 20 live rules and templates in {ACCOUNT}/{REGION}; more "
        "than 6 needs --force (safety: max_deletes 3, max_delete_percent 30 from min_existing 10)"
    )


def test_prune_deletes_only_with_prune(session: boto3.Session, tmp_path: Path) -> None:
    _foreign_rules(session, 2)
    path = write_file(tmp_path, "version: 1\nregions: [us-east-1]\n")
    planned = _plan(session, path)
    assert planned.plan.changes == ()
    assert [u.reason for u in planned.plan.unmanaged] == ["not in the file; left alone"] * 2
    pruned = workflow.plan_desired(planned.desired, gateway(session, [REGION]), prune=True).plan
    assert [c.action for c in pruned.changes] == [Action.DELETE] * 2
    report = workflow.apply(pruned, gateway(session, [REGION]), planned.desired, tmp_path)
    assert report.ok and report.verified is True
    rules = session.client("ecr").describe_pull_through_cache_rules()
    assert rules["pullThroughCacheRules"] == []


# -- saved plans -----------------------------------------------------------------------------


@pytest.mark.usefixtures("credentials_env")
def test_saved_plan_round_trips_and_applies(session: boto3.Session, tmp_path: Path) -> None:
    path = _prepare(session, tmp_path)
    planned = _plan(session, path)
    plan_file = tmp_path / "plan.json"
    saved.save(plan_file, planned.plan, planned.desired)

    plan, desired = saved.load(plan_file)
    assert plan == planned.plan
    assert plan.checksum() == planned.plan.checksum()
    assert desired.rules == planned.desired.rules
    assert desired.templates == planned.desired.templates
    assert desired.secrets == planned.desired.secrets
    gw = gateway(session, list(plan.regions))
    workflow.check_fresh(plan, gw.read(plan.account))
    report = workflow.apply(plan, gw, desired, desired.base_dir)
    assert report.ok and report.verified is True


@pytest.mark.usefixtures("credentials_env")
def test_a_saved_plan_is_stale_once_the_live_state_changes(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = _prepare(session, tmp_path)
    planned = _plan(session, path)
    plan_file = tmp_path / "plan.json"
    saved.save(plan_file, planned.plan, planned.desired)
    session.client("ecr").update_repository_creation_template(
        prefix="foreign", appliedFor=["CREATE_ON_PUSH"], description="touched"
    )
    plan, _ = saved.load(plan_file)
    with pytest.raises(workflow.StalePlan) as caught:
        workflow.check_fresh(plan, gateway(session, [REGION]).read(plan.account))
    assert str(caught.value).startswith(
        f"the live state changed since the plan was made ({plan.live_fingerprint[:19]}… is now "
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(
            lambda text: text.replace('"description": "Docker Hub, as', '"description": "Hub, as'),
            "the saved plan was modified after it was written",
            id="a changed attribute",
        ),
        pytest.param(
            lambda text: text.replace('"kind": "ptc-saved-plan"', '"kind": "other"'),
            "is not a saved plan made by 'ptc plan --out'",
            id="another kind of file",
        ),
        pytest.param(
            lambda text: text[: text.index('"desired"')],
            "is not a saved plan (not JSON: Expecting property name enclosed in double quotes "
            "at line 3, column 3)",
            id="truncated",
        ),
    ],
)
@pytest.mark.usefixtures("credentials_env")
def test_a_tampered_saved_plan_is_refused(
    session: boto3.Session, tmp_path: Path, edit: Callable[[str], str], message: str
) -> None:
    path = _prepare(session, tmp_path)
    planned = _plan(session, path)
    plan_file = tmp_path / "plan.json"
    saved.save(plan_file, planned.plan, planned.desired)
    text = plan_file.read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text
    plan_file.write_text(changed, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        saved.load(plan_file)
    assert str(caught.value) == f"{plan_file}: {message}"

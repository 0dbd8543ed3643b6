"""Reading live state through the boto3 gateway: every region, few calls, the right account."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest

from ptc.aws.errors import AwsError
from ptc.domain.account import AccountMismatch
from ptc.domain.resources import RuleResource, SecretResource, TemplateResource
from ptc.engine import workflow

from .conftest import CallLog, gateway, write_file

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
ACCOUNT = "123456789012"
DOCKER = "ecr-pullthroughcache/docker-hub"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-template"
VALUE = json.dumps({"username": "octocat", "accessToken": "dckr_pat_x"})


def _populate(session: boto3.Session, region: str, rules: int = 1, templates: int = 1) -> str:
    """A secret, a docker-hub rule using it, more quay rules and templates; the secret's ARN."""
    sm = session.client("secretsmanager", region_name=region)
    arn = str(sm.create_secret(Name=DOCKER, SecretString=VALUE)["ARN"])
    sm.create_secret(Name="not-for-ecr", SecretString="x")
    ecr = session.client("ecr", region_name=region)
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="docker-hub",
        upstreamRegistryUrl="registry-1.docker.io",
        credentialArn=arn,
    )
    for n in range(rules - 1):
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix=f"quay-{n:02d}", upstreamRegistryUrl="quay.io"
        )
    ecr.create_repository_creation_template(
        prefix="docker-hub",
        appliedFor=["PULL_THROUGH_CACHE"],
        resourceTags=[{"Key": "team", "Value": region}],
        customRoleArn=ROLE,
    )
    for n in range(templates - 1):
        ecr.create_repository_creation_template(
            prefix=f"quay-{n:02d}", appliedFor=["PULL_THROUGH_CACHE"]
        )
    return arn


def test_read_gets_rules_templates_and_secrets_of_every_region(session: boto3.Session) -> None:
    arns = {region: _populate(session, region) for region in REGIONS}
    live = gateway(session, REGIONS).read(ACCOUNT)

    assert live.account == ACCOUNT and live.regions == REGIONS
    assert sorted(live.rules, key=lambda r: r.region) == sorted(
        (
            RuleResource(
                region=region,
                prefix="docker-hub",
                upstream_url="registry-1.docker.io",
                upstream_registry="docker-hub",
                credential_arn=arns[region],
                credential_name=DOCKER,
            )
            for region in REGIONS
        ),
        key=lambda r: r.region,
    )
    assert {t.region: t for t in live.templates} == {
        region: TemplateResource(
            region=region,
            prefix="docker-hub",
            applied_for=("PULL_THROUGH_CACHE",),
            resource_tags={"team": region},
            role=ROLE,
        )
        for region in REGIONS
    }
    # Only the ecr-pullthroughcache/ secrets: the others are none of ptc's business.
    assert {s.region: s for s in live.secrets} == {
        region: SecretResource(region=region, name=DOCKER, arn=arns[region]) for region in REGIONS
    }
    assert set(live.secret_versions) == set(arns.values())


def test_secret_strings_returns_the_values_by_arn(session: boto3.Session) -> None:
    arn = _populate(session, "us-east-1")
    assert gateway(session, ["us-east-1"]).secret_strings("us-east-1", [arn]) == {arn: VALUE}


def _file(directory: Path, rules: int, templates: int) -> Path:
    items = "\n".join(f"  - prefix: quay-{n:02d}\n    upstream: quay.io" for n in range(rules - 1))
    tpls = "\n".join(
        f"  - prefix: quay-{n:02d}\n    applied_for: [PULL_THROUGH_CACHE]"
        for n in range(templates - 1)
    )
    return write_file(
        directory,
        f"""\
version: 1
account: "{ACCOUNT}"
regions: [{", ".join(REGIONS)}]
rules:
  - prefix: docker-hub
    upstream: registry-1.docker.io
    credentials: {DOCKER}
{items}
secrets:
  - name: {DOCKER}
    username: {{env: DOCKERHUB_USERNAME}}
    access_token: {{env: DOCKERHUB_TOKEN}}
templates:
  - prefix: docker-hub
    applied_for: [PULL_THROUGH_CACHE]
{tpls}
""",
    )


def _plan_calls(session: boto3.Session, tmp_path: Path, size: int) -> list[str]:
    for region in REGIONS:
        _populate(session, region, rules=size, templates=size)
    desired = workflow.load_desired(_file(tmp_path, size, size))
    gw = gateway(session, desired.regions)
    log = CallLog().hook(gw)
    planned = workflow.plan_desired(desired, gw)
    assert len(planned.live.rules) == len(planned.live.templates) == size * len(REGIONS)
    return sorted(log.calls)


@pytest.mark.usefixtures("aws")
def test_the_number_of_calls_does_not_grow_with_the_number_of_rules(
    session: boto3.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.core.base_backend import BackendDict

    monkeypatch.setenv("DOCKERHUB_USERNAME", "octocat")
    monkeypatch.setenv("DOCKERHUB_TOKEN", "dckr_pat_x")
    few = _plan_calls(session, tmp_path, 5)
    BackendDict.reset()
    many = _plan_calls(session, tmp_path, 50)
    per_region = [
        "ListSecrets",
        "DescribePullThroughCacheRules",
        "DescribeRepositoryCreationTemplates",
        "GetRegistryPolicy",
        "BatchGetSecretValue",
    ]
    assert (
        few
        == many
        == sorted(
            ["us-east-1:GetCallerIdentity"] + [f"{r}:{op}" for r in REGIONS for op in per_region]
        )
    )


def test_a_file_for_another_account_reads_no_secret_value_and_plans_nothing(
    session: boto3.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # STS answers alongside the reads; a secret's value waits for its answer.
    session.client("secretsmanager").create_secret(
        Name="ecr-pullthroughcache/hub", SecretString='{"username":"u","accessToken":"t"}'
    )
    monkeypatch.setenv("HUB_USER", "u")
    monkeypatch.setenv("HUB_TOKEN", "t")
    path = write_file(
        tmp_path,
        """\
        version: 1
        account: "210987654321"
        regions: [us-east-1, eu-west-1]
        rules:
          - prefix: quay
            upstream: quay.io
        secrets:
          - name: ecr-pullthroughcache/hub
            username: {env: HUB_USER}
            access_token: {env: HUB_TOKEN}
        """,
    )
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    log = CallLog().hook(gw)
    with pytest.raises(AccountMismatch) as caught:
        workflow.plan_desired(desired, gw)
    assert str(caught.value) == (
        "the file is for account 210987654321, but the credentials of "
        "arn:aws:sts::123456789012:user/moto are for 123456789012; refusing to continue"
    )
    assert "us-east-1:GetCallerIdentity" in log.calls
    assert not [call for call in log.calls if "GetSecretValue" in call]


def test_a_file_without_account_plans_in_the_callers_account(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write_file(tmp_path, "version: 1\nregions: [eu-west-1]\n")
    planned = workflow.plan_desired(workflow.load_desired(path), gateway(session, ["eu-west-1"]))
    assert planned.plan.account == ACCOUNT and planned.plan.is_empty


def test_a_failed_write_names_the_operation_region_and_service_error(
    session: boto3.Session,
) -> None:
    gw = gateway(session, ["eu-west-1"])
    with pytest.raises(AwsError) as caught:
        gw.create_rule(
            RuleResource(
                region="eu-west-1",
                prefix="docker-hub",
                upstream_url="registry-1.docker.io",
                upstream_registry="docker-hub",
            )
        )
    assert str(caught.value) == (
        "CreatePullThroughCacheRule in eu-west-1: UnsupportedUpstreamRegistryException: The "
        "specified upstream registry requires authentication. Specify a valid Secrets Manager ARN"
    )
    assert caught.value.code == "UnsupportedUpstreamRegistryException"


def test_deleting_what_is_already_gone_succeeds(session: boto3.Session) -> None:
    gw = gateway(session, ["eu-west-1"])
    gw.delete_rule("eu-west-1", "nothing-here")
    gw.delete_template("eu-west-1", "nothing-here")


FIRST_WAVE = {
    "GetCallerIdentity",
    "ListSecrets",
    "DescribePullThroughCacheRules",
    "DescribeRepositoryCreationTemplates",
    "GetRegistryPolicy",
}


@pytest.mark.usefixtures("credentials_env")
def test_a_plans_reads_are_in_flight_together(
    session: boto3.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each read waits until all of them have started: read one after another, they never
    # would, and the barrier breaks. STS answers alongside, not before.
    for region in REGIONS:
        _populate(session, region)
    path = write_file(tmp_path, _file_with_secret(REGIONS))
    monkeypatch.setenv("HUB_USER", "octocat")
    monkeypatch.setenv("HUB_TOKEN", "dckr_pat_x")
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    barrier = threading.Barrier(1 + 4 * len(REGIONS), timeout=30)

    def together(model: Any, **_: Any) -> None:
        if model.name in FIRST_WAVE:
            barrier.wait()

    for client in gw.clients():
        client.meta.events.register("before-call", together)
    planned = workflow.plan_desired(desired, gw)
    assert planned.live.account == ACCOUNT
    assert sorted(r.region for r in planned.live.rules) == sorted(REGIONS)
    assert not barrier.broken


@pytest.mark.usefixtures("credentials_env")
def test_secret_values_are_fetched_in_the_read_wave(
    session: boto3.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for region in REGIONS:
        _populate(session, region)
    path = write_file(tmp_path, _file_with_secret(REGIONS))
    monkeypatch.setenv("HUB_USER", "octocat")
    monkeypatch.setenv("HUB_TOKEN", "changed")
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    log = CallLog().hook(gw)
    read = gw.read
    during_read: list[str] = []

    def watched(*args: Any, **kwargs: Any) -> Any:
        live = read(*args, **kwargs)
        during_read.extend(log.calls)
        return live

    monkeypatch.setattr(gw, "read", watched)
    planned = workflow.plan_desired(desired, gw)
    secrets = [f"{c.action} {c.address}" for c in planned.plan.changes if c.kind == "secret"]
    assert sorted(secrets) == sorted(f"update {region}/secret/{DOCKER}" for region in REGIONS)
    fetched = sorted(c for c in log.calls if c.endswith(":BatchGetSecretValue"))
    assert fetched == sorted(f"{region}:BatchGetSecretValue" for region in REGIONS)
    assert log.calls == during_read  # nothing is fetched after the wave
    assert VALUE not in repr(gw.__dict__)  # the values were handed out, not kept


def _file_with_secret(regions: list[str]) -> str:
    return f"""\
        version: 1
        account: "{ACCOUNT}"
        regions: [{", ".join(regions)}]
        rules:
          - prefix: docker-hub
            upstream: registry-1.docker.io
            credentials: {DOCKER}
        secrets:
          - name: {DOCKER}
            username: {{env: HUB_USER}}
            access_token: {{env: HUB_TOKEN}}
        templates:
          - prefix: docker-hub
            applied_for: [PULL_THROUGH_CACHE]
        """


def test_the_aws_side_needs_botocore_but_not_boto3() -> None:
    # boto3 would bring s3transfer and its resource layer: ~0.2 s of start-up for nothing.
    code = (
        "import sys\n"
        "from ptc.aws.clients import make_session\n"
        "from ptc.aws.gateway import Gateway\n"
        "import ptc.cli.plan, ptc.engine.workflow, ptc.aws.repositories, ptc.aws.online\n"
        "gateway = Gateway(make_session(), ['us-east-1', 'eu-west-1'])\n"
        "assert len(gateway.clients()) == 5\n"
        "print([m for m in ('boto3', 's3transfer') if m in sys.modules])\n"
    )
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.stdout.strip() == "[]", done.stderr

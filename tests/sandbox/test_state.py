"""Saving and restoring the sandbox, and the embedded sandbox across two runs."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from moto.core.base_backend import BackendDict

from ptc.sandbox import state
from ptc.sandbox.embedded import SandboxInfo, running
from ptc.sandbox.standin import StandIn
from tests.sandbox.conftest import BACKDATED, backdate_secrets

STAND_IN = StandIn(b"test key")

SECRET_VALUE = json.dumps({"username": "u", "accessToken": "t"})
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ptc",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
                "Resource": "*",
            }
        ],
    }
)
LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 5,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)


def _populate(session: Any) -> None:
    secrets = session.client("secretsmanager")
    arn = secrets.create_secret(
        Name="ecr-pullthroughcache/docker-hub",
        SecretString=SECRET_VALUE,
        Description="Docker Hub token",
        Tags=[{"Key": "team", "Value": "platform"}],
    )["ARN"]
    ecr = session.client("ecr")
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="docker-hub",
        upstreamRegistryUrl="registry-1.docker.io",
        credentialArn=arn,
    )
    ecr.create_repository_creation_template(
        prefix="docker-hub", appliedFor=["PULL_THROUGH_CACHE"], lifecyclePolicy=LIFECYCLE
    )
    ecr.put_registry_policy(policyText=POLICY)
    ecr.create_repository(
        repositoryName="docker-hub/library/alpine",
        imageTagMutability="IMMUTABLE",
        tags=[{"Key": "team", "Value": "platform"}],
    )
    ecr.put_lifecycle_policy(
        repositoryName="docker-hub/library/alpine", lifecyclePolicyText=LIFECYCLE
    )


def _observe(session: Any) -> dict[str, Any]:
    ecr = session.client("ecr")
    secrets = session.client("secretsmanager")
    [secret] = secrets.list_secrets()["SecretList"]
    repository = ecr.describe_repositories()["repositories"][0]
    return {
        "rules": ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"],
        "templates": ecr.describe_repository_creation_templates()["repositoryCreationTemplates"],
        "policy": json.loads(ecr.get_registry_policy()["policyText"]),
        "secret": (secret["ARN"], secret["Name"], secret.get("Description"), secret.get("Tags")),
        "secret dates": (secret["CreatedDate"], secret["LastChangedDate"]),
        "secret versions": [
            # LastAccessedDate moves with every read, in AWS too; moto reports "now" as each
            # version's CreatedDate here.
            (version["VersionId"], version["VersionStages"])
            for version in secrets.list_secret_version_ids(SecretId=secret["ARN"])["Versions"]
        ],
        "value": secrets.get_secret_value(SecretId=secret["ARN"])["SecretString"],
        "repository": (repository["repositoryName"], repository["imageTagMutability"]),
        "repository tags": ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])[
            "tags"
        ],
        "lifecycle": ecr.get_lifecycle_policy(repositoryName=repository["repositoryName"])[
            "lifecyclePolicyText"
        ],
        "validation": ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub")[
            "isValid"
        ],
    }


def _epochs(dates: tuple[Any, ...]) -> list[int]:
    return [int(date.timestamp()) for date in dates]


def test_dump_and_load_restore_everything(aws: SandboxInfo, tmp_path: Path) -> None:
    _populate(aws.session())
    _populate(aws.session("eu-west-1"))
    before = {region: _observe(aws.session(region)) for region in ("us-east-1", "eu-west-1")}
    path = tmp_path / "nested" / "sandbox.json"
    state.dump(path, STAND_IN)
    backdate_secrets(path)  # dates no clock reads now: they show only if restored
    BackendDict.reset()
    assert (
        aws.session().client("ecr").describe_pull_through_cache_rules()["pullThroughCacheRules"]
        == []
    )
    state.load(path)
    after = {region: _observe(aws.session(region)) for region in ("us-east-1", "eu-west-1")}
    # Everything comes back but the secret's value, which is saved only as its fingerprint.
    for region in before:
        assert before[region].pop("value") == SECRET_VALUE
        assert after[region].pop("value") == STAND_IN.secret_string(SECRET_VALUE)
        before[region].pop("secret dates")
        assert _epochs(after[region].pop("secret dates")) == [BACKDATED, BACKDATED]
    assert after == before
    assert before["us-east-1"]["validation"] is True
    assert "dckr_pat" not in path.read_text()


def test_state_file_is_private_versioned_and_written_whole(
    aws: SandboxInfo, tmp_path: Path
) -> None:
    _populate(aws.session())
    path = tmp_path / "sandbox.json"
    path.write_text("old")
    state.dump(path, STAND_IN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text())
    assert document["format"] == state.FORMAT
    assert list(document["accounts"]) == ["123456789012"]
    assert os.listdir(tmp_path) == ["sandbox.json"]  # no temporary file left behind


@pytest.mark.parametrize("content", ["{not json", '{"format": 99}', "[]"])
def test_unusable_state_file_is_refused(aws: SandboxInfo, tmp_path: Path, content: str) -> None:
    path = tmp_path / "sandbox.json"
    path.write_text(content)
    with pytest.raises(state.StateFileError, match="sandbox"):
        state.load(path)


def test_embedded_sandbox_keeps_state_between_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No usable AWS configuration at all: a profile that does not exist, an empty home.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    path = tmp_path / ".ptc" / "sandbox.json"
    with running(path) as sandbox:
        assert sandbox.account_id == "123456789012"
        _populate(sandbox.session())
        first = _observe(sandbox.session())
    assert path.exists()
    assert os.environ["AWS_PROFILE"] == "does-not-exist"  # environment restored
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    backdate_secrets(path)  # dates no clock reads now: they show only if restored
    with running(path) as sandbox:
        second = _observe(sandbox.session())
        assert sandbox.stand_in is not None
        assert second.pop("value") == sandbox.stand_in.secret_string(first.pop("value"))
    first.pop("secret dates")
    assert _epochs(second.pop("secret dates")) == [BACKDATED, BACKDATED]
    assert second == first
    assert sorted(os.listdir(path.parent)) == [
        ".gitignore",
        "sandbox.json",
        "sandbox.json.key",
        "sandbox.json.lock",
    ]
    assert (path.parent / ".gitignore").read_text().splitlines()[-1] == "*"


def test_embedded_sandbox_saves_what_was_done_before_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    with pytest.raises(RuntimeError), running(path) as sandbox:
        sandbox.session().client("ecr").create_pull_through_cache_rule(
            ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io"
        )
        raise RuntimeError("apply failed half-way")
    with running(path) as sandbox:
        rules = sandbox.session().client("ecr").describe_pull_through_cache_rules()
    assert [r["ecrRepositoryPrefix"] for r in rules["pullThroughCacheRules"]] == ["quay"]


@pytest.mark.parametrize(
    "accounts",
    [{"123456789012": 5}, {"123456789012": {"us-east-1": 7}}, []],
)
def test_a_damaged_state_file_is_one_clear_error(
    aws: SandboxInfo, tmp_path: Path, accounts: object
) -> None:
    path = tmp_path / "sandbox.json"
    path.write_text(json.dumps({"format": 1, "accounts": accounts}))
    with pytest.raises(state.StateFileError, match="the sandbox state is damaged"):
        state.load(path)

"""`ptc sandbox pull`: the rule, the template's settings, the image and its pull time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ptc.cli import app
from ptc.sandbox import state
from ptc.sandbox.embedded import SandboxInfo, running
from ptc.sandbox.pull import ImageRef, PullError, parse_image, pull
from ptc.sandbox.standin import StandIn

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-template"
KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 10,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}
        ],
    }
)
AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("docker-hub/library/nginx:1.25", ImageRef("docker-hub/library/nginx", "1.25")),
        ("quay/x", ImageRef("quay/x", "latest")),
        (
            f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/quay/x:v1",
            ImageRef("quay/x", "v1", ACCOUNT, "eu-west-1"),
        ),
        # China's registries are under .amazonaws.com.cn (catalog.PARTITION_DNS_SUFFIX).
        (
            f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/quay/x:v1",
            ImageRef("quay/x", "v1", ACCOUNT, "cn-north-1"),
        ),
    ],
)
def test_parse_image(text: str, expected: ImageRef) -> None:
    assert parse_image(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("quay.io/prometheus/x:1", "the sandbox caches only its own ECR registry, not quay.io"),
        (
            f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com/quay/x:1",
            f"the sandbox caches only its own ECR registry, not {ACCOUNT}.dkr.ecr.cn-north-1",
        ),
        ("quay/x@sha256:" + "a" * 64, "pull by tag; a first pull by digest is not supported"),
        ("Quay/X:1", "'Quay/X': not a valid ECR repository name"),
        ("quay/x:-bad", "'-bad': not a valid image tag"),
    ],
)
def test_parse_image_refuses_what_ecr_would_not_pull(text: str, message: str) -> None:
    with pytest.raises(PullError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_image(text)


@pytest.fixture
def ecr(aws: SandboxInfo) -> Any:
    client = aws.session().client("ecr")
    client.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    client.create_pull_through_cache_rule(
        ecrRepositoryPrefix="quay/special", upstreamRegistryUrl="public.ecr.aws"
    )
    return client


def _template(ecr: Any, prefix: str, **settings: Any) -> None:
    ecr.create_repository_creation_template(
        prefix=prefix, appliedFor=settings.pop("appliedFor", ["PULL_THROUGH_CACHE"]), **settings
    )


def _pull(text: str, region: str = "us-east-1") -> Any:
    return pull(parse_image(text), ACCOUNT, region, now=lambda: AT)


def test_a_first_pull_creates_the_repository_with_the_templates_settings(ecr: Any) -> None:
    _template(
        ecr,
        "quay",
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "latest"}],
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KMS_KEY},
        lifecyclePolicy=LIFECYCLE,
        repositoryPolicy=POLICY,
        resourceTags=[{"Key": "team", "Value": "platform"}],
        customRoleArn=ROLE,
    )
    pulled = _pull("quay/prometheus/node-exporter:v1.8.0")
    assert (pulled.rule, pulled.template, pulled.created) == ("quay", "quay", True)
    assert pulled.upstream == "quay.io/prometheus/node-exporter:v1.8.0"
    name = "quay/prometheus/node-exporter"
    (repository,) = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    assert repository["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert repository["imageTagMutabilityExclusionFilters"] == [
        {"filterType": "WILDCARD", "filter": "latest"}
    ]
    assert repository["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": KMS_KEY}
    assert ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"] == LIFECYCLE
    assert json.loads(ecr.get_repository_policy(repositoryName=name)["policyText"]) == json.loads(
        POLICY
    )
    tags = ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]
    assert tags == [{"Key": "team", "Value": "platform"}]
    (image,) = ecr.describe_images(repositoryName=name)["imageDetails"]
    assert image["imageTags"] == ["v1.8.0"]
    assert image["imageDigest"] == pulled.digest
    assert image["lastRecordedPullTime"] == AT


def test_the_longest_rule_and_template_prefix_win_and_root_is_the_fallback(ecr: Any) -> None:
    _template(ecr, "ROOT", lifecyclePolicy=LIFECYCLE)
    _template(ecr, "quay/special", imageTagMutability="IMMUTABLE")
    _template(ecr, "quay/special/x", appliedFor=["CREATE_ON_PUSH"], imageTagMutability="MUTABLE")
    special = _pull("quay/special/x/app:1")
    assert (special.rule, special.template) == ("quay/special", "quay/special")
    assert special.upstream == "public.ecr.aws/x/app:1"
    plain = _pull("quay/other:1")
    assert (plain.rule, plain.template) == ("quay", "ROOT")
    mutability = {
        r["repositoryName"]: r["imageTagMutability"]
        for r in ecr.describe_repositories()["repositories"]
    }
    assert mutability == {"quay/special/x/app": "IMMUTABLE", "quay/other": "MUTABLE"}
    assert ecr.get_lifecycle_policy(repositoryName="quay/other")["lifecyclePolicyText"] == LIFECYCLE


def test_without_a_template_ecr_defaults_apply(ecr: Any) -> None:
    pulled = _pull("quay/x:1")
    assert pulled.template is None
    (repository,) = ecr.describe_repositories()["repositories"]
    assert repository["imageTagMutability"] == "MUTABLE"
    assert repository["encryptionConfiguration"] == {"encryptionType": "AES256"}
    with pytest.raises(ecr.exceptions.LifecyclePolicyNotFoundException):
        ecr.get_lifecycle_policy(repositoryName="quay/x")


def test_without_a_rule_the_pull_fails_as_in_ecr(ecr: Any) -> None:
    with pytest.raises(
        PullError, match="no pull-through cache rule in us-east-1 covers 'docker-hub/x'"
    ):
        _pull("docker-hub/x:1")
    assert ecr.describe_repositories()["repositories"] == []


def test_a_root_rule_covers_any_other_repository(ecr: Any) -> None:
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="ROOT", upstreamRegistryUrl="public.ecr.aws"
    )
    pulled = _pull("nginx/nginx:1.25")
    assert (pulled.rule, pulled.upstream) == ("ROOT", "public.ecr.aws/nginx/nginx:1.25")


def test_an_upstream_prefix_replaces_the_rule_prefix(aws: SandboxInfo) -> None:
    ecr = aws.session().client("ecr")
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="team-a",
        upstreamRegistryUrl="public.ecr.aws",
        upstreamRepositoryPrefix="upstream-app",
    )
    assert _pull("team-a/image1:1").upstream == "public.ecr.aws/upstream-app/image1:1"


def test_pulling_again_records_the_time_and_a_new_tag_adds_an_image(ecr: Any) -> None:
    first = _pull("quay/x:1")
    later = datetime(2024, 6, 1, tzinfo=UTC)
    again = pull(parse_image("quay/x:1"), ACCOUNT, "us-east-1", now=lambda: later)
    assert (again.digest, again.created) == (first.digest, False)
    _pull("quay/x:2")
    images = ecr.describe_images(repositoryName="quay/x")["imageDetails"]
    assert sorted((i["imageTags"][0], i["lastRecordedPullTime"]) for i in images) == [
        ("1", later),
        ("2", AT),
    ]


def test_an_existing_repository_keeps_its_settings(ecr: Any) -> None:
    _pull("quay/x:1")
    _template(ecr, "quay", imageTagMutability="IMMUTABLE")
    assert _pull("quay/x:2").template is None
    (repository,) = ecr.describe_repositories()["repositories"]
    assert repository["imageTagMutability"] == "MUTABLE"


def test_the_registry_in_the_image_must_be_the_sandboxs(ecr: Any) -> None:
    with pytest.raises(PullError, match="the sandbox is account 123456789012, not 210987654321"):
        _pull("210987654321.dkr.ecr.us-east-1.amazonaws.com/quay/x:1")
    with pytest.raises(PullError, match="the image is in eu-west-1, but the pull is in us-east-1"):
        _pull(f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/quay/x:1")


def test_images_and_pull_times_survive_a_restart(ecr: Any, tmp_path: Path) -> None:
    pulled = _pull("quay/x:1")
    path = tmp_path / "s.json"
    state.dump(path, StandIn(b"key"))
    ecr.delete_repository(repositoryName="quay/x", force=True)
    state.load(path)
    (image,) = ecr.describe_images(repositoryName="quay/x")["imageDetails"]
    assert (image["imageDigest"], image["imageTags"]) == (pulled.digest, ["1"])
    assert image["lastRecordedPullTime"] == AT


def test_the_pull_command_saves_to_the_sandbox_state(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    with running(path) as sandbox:
        client = sandbox.session().client("ecr")
        client.create_pull_through_cache_rule(
            ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io"
        )
    runner = CliRunner()
    image = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/quay/prometheus/x:v1"
    result = runner.invoke(app, ["sandbox", "pull", "--sandbox-state", str(path), image])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "us-east-1: rule quay: created quay/prometheus/x with no template (ECR's defaults); "
        "cached quay.io/prometheus/x:v1 as quay/prometheus/x:v1 (sha256:"
    )
    missing = runner.invoke(app, ["sandbox", "pull", "--sandbox-state", str(path), "ghcr/x:1"])
    assert missing.exit_code == 1
    assert missing.stderr == (
        "error: no pull-through cache rule in us-east-1 covers 'ghcr/x'; "
        "ECR answers that the repository does not exist\n"
    )
    with running(path) as sandbox:
        client = sandbox.session().client("ecr")
        names = [r["repositoryName"] for r in client.describe_repositories()["repositories"]]
    assert names == ["quay/prometheus/x"]


def test_pull_refuses_a_region_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    result = CliRunner().invoke(
        app, ["sandbox", "pull", "--sandbox-state", str(path), "-r", "mars-1", "quay/x:1"]
    )
    assert result.exit_code == 64
    assert result.stderr == "error: --region mars-1: not an AWS region\n"
    assert isinstance(result.exception, SystemExit)  # an exit, not a traceback
    assert not path.exists()  # refused before the sandbox started


def test_docker_hub_official_images_need_library(aws: SandboxInfo, make_secret: Any) -> None:
    ecr = aws.session().client("ecr")
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="docker-hub",
        upstreamRegistryUrl="registry-1.docker.io",
        credentialArn=make_secret(),
    )
    with pytest.raises(
        PullError,
        match="'docker-hub/nginx': Docker Hub has no repository 'nginx'; official images need "
        r"the library/ part \(pull docker-hub/library/nginx\)",
    ):
        _pull("docker-hub/nginx:latest")
    assert ecr.describe_repositories()["repositories"] == []
    pulled = _pull("docker-hub/library/nginx:1.25")
    assert pulled.upstream == "registry-1.docker.io/library/nginx:1.25"
    assert _pull("docker-hub/bitnami/redis:7").upstream == "registry-1.docker.io/bitnami/redis:7"


def test_a_template_with_tags_but_no_role_fails_at_repository_creation(ecr: Any) -> None:
    # Accepted at creation (test_templates.py); the docs: "otherwise the repository creation
    # will fail" (aws/containers-roadmap#2398).
    _template(ecr, "quay", resourceTags=[{"Key": "team", "Value": "platform"}])
    with pytest.raises(
        PullError,
        match="cannot create 'quay/x': the repository creation template 'quay' sets "
        "resourceTags or KMS encryption without a customRoleArn",
    ):
        _pull("quay/x:1")
    assert ecr.describe_repositories()["repositories"] == []


def test_a_template_with_a_key_of_another_region_fails_at_repository_creation(
    aws: SandboxInfo,
) -> None:
    # The model: "The key must exist in the same Region as the repository".
    west = aws.session("eu-west-1").client("ecr")
    west.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    _template(
        west,
        "quay",
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KMS_KEY},
        customRoleArn=ROLE,
    )
    with pytest.raises(
        PullError,
        match="names a KMS key in us-east-1; a repository in eu-west-1 needs a key in its own",
    ):
        _pull("quay/x:1", region="eu-west-1")
    assert west.describe_repositories()["repositories"] == []


def test_batch_get_image_pulls_through_the_cache_like_sandbox_pull(ecr: Any) -> None:
    _template(ecr, "quay", imageTagMutability="IMMUTABLE", lifecyclePolicy=LIFECYCLE)
    got = ecr.batch_get_image(repositoryName="quay/prometheus/x", imageIds=[{"imageTag": "v1"}])
    [image] = got["images"]
    assert image["imageId"]["imageTag"] == "v1"
    assert got["failures"] == []
    (repository,) = ecr.describe_repositories(repositoryNames=["quay/prometheus/x"])["repositories"]
    assert repository["imageTagMutability"] == "IMMUTABLE"
    name = "quay/prometheus/x"
    assert ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"] == LIFECYCLE
    # The same image as `ptc sandbox pull` records for that tag.
    assert _pull("quay/prometheus/x:v1").digest == image["imageId"]["imageDigest"]
    layer = json.loads(image["imageManifest"])["layers"][0]["digest"]
    url = ecr.get_download_url_for_layer(repositoryName=name, layerDigest=layer)
    assert url["layerDigest"] == layer
    assert url["downloadUrl"].endswith(f"/v2/{name}/blobs/{layer}")


def test_get_download_url_for_layer_creates_the_repository_too(ecr: Any) -> None:
    with pytest.raises(ecr.exceptions.LayersNotFoundException):
        ecr.get_download_url_for_layer(repositoryName="quay/y", layerDigest="sha256:" + "0" * 64)
    assert [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]] == ["quay/y"]


@pytest.mark.parametrize(
    ("setup", "name", "code"),
    [
        ("none", "ghcr/x", "RepositoryNotFoundException"),
        ("tags-without-role", "quay/x", "RepositoryNotFoundException"),
        ("none", "hub/nginx", "UnableToGetUpstreamImageException"),
    ],
)
def test_api_pulls_fail_as_ecr_does(
    ecr: Any, make_secret: Any, setup: str, name: str, code: str
) -> None:
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="hub",
        upstreamRegistryUrl="registry-1.docker.io",
        credentialArn=make_secret(),
    )
    if setup == "tags-without-role":
        _template(ecr, "quay", resourceTags=[{"Key": "team", "Value": "platform"}])
    for call in (
        lambda: ecr.batch_get_image(repositoryName=name, imageIds=[{"imageTag": "1"}]),
        lambda: ecr.get_download_url_for_layer(
            repositoryName=name, layerDigest="sha256:" + "0" * 64
        ),
    ):
        with pytest.raises(ecr.exceptions.ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == code
    assert ecr.describe_repositories()["repositories"] == []

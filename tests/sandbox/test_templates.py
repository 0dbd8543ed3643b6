"""Repository creation template operations: defaults, updates, deletes."""

from __future__ import annotations

import json
from typing import Any

from ptc.aws.requests import template_request
from ptc.aws.responses import template_from_api
from ptc.domain.resources import TemplateResource
from ptc.sandbox.embedded import SandboxInfo

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-template"
KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f6c5a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f"
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
POLICY = json.dumps({"Version": "2012-10-17", "Statement": []})


def test_defaults_are_shown_on_describe(aws: SandboxInfo, ecr: Any) -> None:
    created = ecr.create_repository_creation_template(
        prefix="ROOT", appliedFor=["PULL_THROUGH_CACHE"]
    )
    assert created["registryId"] == aws.account_id
    template = created["repositoryCreationTemplate"]
    assert template["imageTagMutability"] == "MUTABLE"
    assert template["encryptionConfiguration"] == {"encryptionType": "AES256"}
    assert template["createdAt"] == template["updatedAt"]
    described = ecr.describe_repository_creation_templates()
    assert described["registryId"] == aws.account_id
    assert described["repositoryCreationTemplates"] == [template]


def test_every_member_round_trips(ecr: Any) -> None:
    sent = {
        "prefix": "team-a/",
        "description": "team A's cache",
        "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": KMS_KEY},
        "resourceTags": [{"Key": "team", "Value": "a"}],
        "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
        "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "latest*"}],
        "repositoryPolicy": POLICY,
        "lifecyclePolicy": LIFECYCLE,
        "appliedFor": ["PULL_THROUGH_CACHE", "CREATE_ON_PUSH", "REPLICATION"],
        "customRoleArn": ROLE,
    }
    template = ecr.create_repository_creation_template(**sent)["repositoryCreationTemplate"]
    expected = sent  # the prefix as sent, trailing slash included (strict.py)
    assert {key: template[key] for key in sent} == expected


def test_update_keeps_what_it_is_not_sent(ecr: Any) -> None:
    # As the Terraform provider relies on: it sends only the attributes that changed.
    ecr.create_repository_creation_template(
        prefix="team-a",
        appliedFor=["PULL_THROUGH_CACHE"],
        description="old",
        imageTagMutability="IMMUTABLE",
        lifecyclePolicy=LIFECYCLE,
        resourceTags=[{"Key": "Foo", "Value": "Bar"}],
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KMS_KEY},
        customRoleArn=ROLE,
    )
    updated = ecr.update_repository_creation_template(prefix="team-a", description="new")
    template = updated["repositoryCreationTemplate"]
    assert template["description"] == "new"
    assert template["imageTagMutability"] == "IMMUTABLE"
    assert template["lifecyclePolicy"] == LIFECYCLE
    assert template["resourceTags"] == [{"Key": "Foo", "Value": "Bar"}]
    assert template["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": KMS_KEY}
    assert template["customRoleArn"] == ROLE
    assert template["appliedFor"] == ["PULL_THROUGH_CACHE"]
    assert template["updatedAt"] >= template["createdAt"]
    [described] = ecr.describe_repository_creation_templates(prefixes=["team-a"])[
        "repositoryCreationTemplates"
    ]
    assert described == template


def test_filters_are_kept_with_an_exclusion_mode_and_dropped_without(ecr: Any) -> None:
    filters = [{"filterType": "WILDCARD", "filter": "latest*"}]
    ecr.create_repository_creation_template(
        prefix="team-a",
        appliedFor=["PULL_THROUGH_CACHE"],
        imageTagMutability="MUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=filters,
    )
    kept = ecr.update_repository_creation_template(
        prefix="team-a", imageTagMutability="IMMUTABLE_WITH_EXCLUSION"
    )["repositoryCreationTemplate"]
    assert kept["imageTagMutabilityExclusionFilters"] == filters
    # The provider removes the filters by sending only a mutability without exclusions.
    dropped = ecr.update_repository_creation_template(
        prefix="team-a", imageTagMutability="MUTABLE"
    )["repositoryCreationTemplate"]
    assert dropped["imageTagMutability"] == "MUTABLE"
    assert "imageTagMutabilityExclusionFilters" not in dropped


def test_an_empty_tag_list_clears_the_tags(ecr: Any) -> None:
    ecr.create_repository_creation_template(
        prefix="team-a", appliedFor=["REPLICATION"], resourceTags=[{"Key": "a", "Value": "b"}]
    )
    template = ecr.update_repository_creation_template(prefix="team-a", resourceTags=[])[
        "repositoryCreationTemplate"
    ]
    assert template.get("resourceTags", []) == []


def test_ptcs_whole_template_update_converges(ecr: Any) -> None:
    """ptc sends the whole template, with "" and [] for what the file dropped."""
    live_api = ecr.create_repository_creation_template(
        prefix="team-a",
        appliedFor=["PULL_THROUGH_CACHE"],
        description="d",
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "v*"}],
        lifecyclePolicy=LIFECYCLE,
        repositoryPolicy=POLICY,
        resourceTags=[{"Key": "a", "Value": "b"}],
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KMS_KEY},
        customRoleArn=ROLE,
    )["repositoryCreationTemplate"]
    live = template_from_api(live_api, "us-east-1")
    desired = TemplateResource(region="us-east-1", prefix="team-a", applied_for=("REPLICATION",))
    ecr.update_repository_creation_template(**template_request(desired, live))
    [after] = ecr.describe_repository_creation_templates(prefixes=["team-a"])[
        "repositoryCreationTemplates"
    ]
    assert template_from_api(after, "us-east-1") == desired


def test_update_with_empty_strings_clears(ecr: Any) -> None:
    ecr.create_repository_creation_template(
        prefix="team-a", appliedFor=["REPLICATION"], repositoryPolicy=POLICY, description="d"
    )
    template = ecr.update_repository_creation_template(
        prefix="team-a", repositoryPolicy="", description="", appliedFor=["CREATE_ON_PUSH"]
    )["repositoryCreationTemplate"]
    assert "repositoryPolicy" not in template
    assert "description" not in template
    assert template["appliedFor"] == ["CREATE_ON_PUSH"]


def test_delete_echoes_the_template(aws: SandboxInfo, ecr: Any) -> None:
    ecr.create_repository_creation_template(prefix="team-a", appliedFor=["REPLICATION"])
    deleted = ecr.delete_repository_creation_template(prefix="team-a")
    assert deleted["registryId"] == aws.account_id
    assert deleted["repositoryCreationTemplate"]["prefix"] == "team-a"
    assert ecr.describe_repository_creation_templates()["repositoryCreationTemplates"] == []


def test_describe_with_unknown_prefix_is_empty(ecr: Any) -> None:
    ecr.create_repository_creation_template(prefix="team-a", appliedFor=["REPLICATION"])
    found = ecr.describe_repository_creation_templates(prefixes=["team-b", "team-a/"])
    assert [t["prefix"] for t in found["repositoryCreationTemplates"]] == ["team-a"]


def test_tags_or_kms_without_a_role_are_accepted(ecr: Any) -> None:
    # The provider's TestAccECRRepositoryCreationTemplate_basic: resource_tags, no role.
    # The failure comes when ECR creates a repository from it (test_pull.py).
    tagged = ecr.create_repository_creation_template(
        prefix="tagged",
        appliedFor=["PULL_THROUGH_CACHE"],
        resourceTags=[{"Key": "Foo", "Value": "Bar"}],
    )["repositoryCreationTemplate"]
    assert "customRoleArn" not in tagged
    encrypted = ecr.create_repository_creation_template(
        prefix="encrypted",
        appliedFor=["PULL_THROUGH_CACHE"],
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KMS_KEY},
    )["repositoryCreationTemplate"]
    assert encrypted["encryptionConfiguration"]["encryptionType"] == "KMS"

"""Repository creation template operations: defaults, updates, deletes."""

from __future__ import annotations

import json
from typing import Any

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
    expected = {**sent, "prefix": "team-a"}
    assert {key: template[key] for key in sent} == expected


def test_update_replaces_the_whole_template(ecr: Any) -> None:
    ecr.create_repository_creation_template(
        prefix="team-a",
        appliedFor=["PULL_THROUGH_CACHE"],
        description="old",
        imageTagMutability="IMMUTABLE",
        lifecyclePolicy=LIFECYCLE,
    )
    updated = ecr.update_repository_creation_template(prefix="team-a", description="new")
    template = updated["repositoryCreationTemplate"]
    assert template["description"] == "new"
    assert template["imageTagMutability"] == "MUTABLE"  # omitted: back to the default
    assert "lifecyclePolicy" not in template
    assert template["appliedFor"] == ["PULL_THROUGH_CACHE"]  # no default: kept
    assert template["updatedAt"] >= template["createdAt"]


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

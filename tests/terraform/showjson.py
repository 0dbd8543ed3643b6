"""Hand-written `terraform show -json` documents, shaped as Terraform 1.11 and AWS provider
5.100 print them (the end-to-end test in tests/sandbox checks the real thing)."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"
CANARY = "dckr_pat_CANARY_must_never_be_written"


def secret_arn(name: str, region: str = "us-east-1", suffix: str = "AbCdEf") -> str:
    return f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{name}-{suffix}"


def resource(address: str, values: dict[str, Any], index: Any = None) -> dict[str, Any]:
    block = address.rsplit("[", 1)[0] if index is not None else address
    kind, name = block.split(".")[-2:]
    item: dict[str, Any] = {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "schema_version": 0,
        "values": values,
        "sensitive_values": {},
    }
    if index is not None:
        item["index"] = index
    return item


def rule(address: str, prefix: str, upstream: str, credential: str | None = None,
         **extra: Any) -> dict[str, Any]:  # fmt: skip
    index = extra.pop("index", None)
    values = {
        "credential_arn": credential,
        "custom_role_arn": None,
        "ecr_repository_prefix": prefix,
        "id": prefix,
        "registry_id": ACCOUNT,
        "upstream_registry_url": upstream,
        "upstream_repository_prefix": None,
        **extra,
    }
    return resource(address, values, index)


def template(address: str, prefix: str, **extra: Any) -> dict[str, Any]:
    index = extra.pop("index", None)
    values = {
        "applied_for": ["PULL_THROUGH_CACHE"],
        "custom_role_arn": None,
        "description": None,
        "encryption_configuration": [{"encryption_type": "AES256", "kms_key": ""}],
        "id": prefix,
        "image_tag_mutability": "MUTABLE",
        "lifecycle_policy": None,
        "prefix": prefix,
        "registry_id": ACCOUNT,
        "repository_policy": None,
        "resource_tags": None,
        **extra,
    }
    return resource(address, values, index)


def secret(address: str, name: str, region: str = "us-east-1", **extra: Any) -> dict[str, Any]:
    index = extra.pop("index", None)
    arn = secret_arn(name, region)
    values = {
        "arn": arn,
        "description": "",
        "force_overwrite_replica_secret": False,
        "id": arn,
        "kms_key_id": "",
        "name": name,
        "name_prefix": "",
        "policy": "",
        "recovery_window_in_days": 0,
        "replica": [],
        "tags": None,
        "tags_all": {},
        **extra,
    }
    return resource(address, values, index)


def version(address: str, name: str, region: str = "us-east-1", **extra: Any) -> dict[str, Any]:
    index = extra.pop("index", None)
    arn = secret_arn(name, region)
    values = {
        "arn": arn,
        "has_secret_string_wo": None,
        "id": f"{arn}|v1",
        "secret_binary": "",
        "secret_id": arn,
        "secret_string": json.dumps({"username": "tf", "accessToken": CANARY}),
        "secret_string_wo": None,
        "secret_string_wo_version": None,
        "version_id": "v1",
        "version_stages": ["AWSCURRENT"],
        **extra,
    }
    return resource(address, values, index)


def registry_policy(address: str, statements: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    index = extra.pop("index", None)
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    values = {"id": ACCOUNT, "policy": policy, "registry_id": ACCOUNT, **extra}
    return resource(address, values, index)


def ptc_statement(sid: str, prefix: str, region: str = "us-east-1") -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
        "Resource": f"arn:aws:ecr:{region}:{ACCOUNT}:repository/{prefix}/*",
    }


def state(resources: list[dict[str, Any]], *children: dict[str, Any]) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": resources}
    if children:
        root["child_modules"] = list(children)
    return {"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": root}}


def module(address: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"address": address, "resources": resources}

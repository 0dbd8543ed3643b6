"""Organisation-wide permissions against the sandbox: apply writes them, plan then is clean,
export gives back the same entries, and a hand-edited condition is a change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from ptc.engine import workflow
from ptc.export import export_live, to_yaml

from .conftest import gateway, write_file

ACCOUNT = "123456789012"
REGION = "us-east-1"
REPO = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository"
ORG = "o-a1b2c3d4e5"
OU_1 = f"{ORG}/r-ab12/ou-ab12-11111111/"
OU_2 = f"{ORG}/r-ab12/ou-ab12-22222222/*"
CI = "arn:aws:iam::210987654321:role/ci"
ACTIONS = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]
ENTRIES: list[dict[str, Any]] = [
    {"sid": "WholeOrganization", "organization": ORG, "prefixes": ["docker-hub"]},
    {"sid": "BuildOus", "organization_paths": [OU_1, OU_2], "prefixes": ["*"]},
    {
        "sid": "CiInTheOrganization",
        "principals": [CI],
        "organization": ORG,
        "organization_paths": [OU_1],
        "prefixes": ["docker-hub"],
        "actions": ["ecr:BatchImportUpstreamImage"],
    },
]
FILE = {
    "version": 1,
    "account": ACCOUNT,
    "regions": [REGION],
    "rules": [{"prefix": "docker-hub", "upstream": "public.ecr.aws"}],
    "permissions": ENTRIES,
}
# Another team's statement with a condition ptc does not write: never adopted.
FOREIGN = {
    "Sid": "OrgWithinVpc",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "ecr:BatchImportUpstreamImage",
    "Resource": f"{REPO}/*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:SourceVpc": "vpc-1"}},
}


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    return write_file(tmp_path, json.dumps(document))  # JSON is YAML


def plan(session: boto3.Session, path: Path) -> workflow.Planned:
    desired = workflow.load_desired(path)
    return workflow.plan_desired(desired, gateway(session, desired.regions))


def apply(session: boto3.Session, path: Path) -> Any:
    desired = workflow.load_desired(path)
    gw = gateway(session, desired.regions)
    planned = workflow.plan_desired(desired, gw)
    return workflow.apply(planned.plan, gw, desired, desired.base_dir)


def by_sid(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["sid"]: e for e in entries}


def live_statements(session: boto3.Session) -> dict[str, dict[str, Any]]:
    text = session.client("ecr", region_name=REGION).get_registry_policy()["policyText"]
    return {s["Sid"]: s for s in json.loads(text)["Statement"]}


def test_apply_writes_star_principals_narrowed_to_the_organisation(
    session: boto3.Session, tmp_path: Path
) -> None:
    report = apply(session, write(tmp_path, FILE))

    assert report.ok and report.verified is True
    assert live_statements(session) == {
        "WholeOrganization": {
            "Sid": "WholeOrganization",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ACTIONS,
            "Resource": [f"{REPO}/docker-hub/*"],
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        },
        "BuildOus": {
            "Sid": "BuildOus",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ACTIONS,
            "Resource": [f"{REPO}/*"],
            "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [OU_1, OU_2]}},
        },
        "CiInTheOrganization": {
            "Sid": "CiInTheOrganization",
            "Effect": "Allow",
            "Principal": {"AWS": [CI]},
            "Action": ["ecr:BatchImportUpstreamImage"],
            "Resource": [f"{REPO}/docker-hub/*"],
            "Condition": {
                "StringEquals": {"aws:PrincipalOrgID": ORG},
                "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": OU_1},
            },
        },
    }


def test_a_plan_after_apply_is_clean_and_export_gives_back_the_entries(
    session: boto3.Session, tmp_path: Path
) -> None:
    apply(session, write(tmp_path, FILE))

    assert plan(session, write(tmp_path, FILE)).plan.is_empty
    document = export_live(gateway(session, [REGION]).read(ACCOUNT))
    assert by_sid(document["permissions"]) == by_sid(ENTRIES)
    exported = tmp_path / "exported.yaml"
    exported.write_text(to_yaml(document), encoding="utf-8")
    assert plan(session, exported).plan.is_empty


def test_a_condition_edited_by_hand_is_an_update_back_to_the_file(
    session: boto3.Session, tmp_path: Path
) -> None:
    path = write(tmp_path, FILE)
    apply(session, path)
    statements = live_statements(session)
    statements["WholeOrganization"]["Condition"]["StringEquals"]["aws:PrincipalOrgID"] = (
        "o-f6g7h8i9j0"
    )
    document = {"Version": "2012-10-17", "Statement": list(statements.values())}
    session.client("ecr", region_name=REGION).put_registry_policy(policyText=json.dumps(document))

    changes = plan(session, path).plan.changes

    assert [(c.action, c.key, c.changed) for c in changes] == [
        ("update", "WholeOrganization", ("other",))
    ]
    apply(session, path)
    assert live_statements(session)["WholeOrganization"]["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": ORG}
    }


def test_a_statement_with_other_conditions_is_left_alone_by_export(
    session: boto3.Session, tmp_path: Path
) -> None:
    apply(session, write(tmp_path, FILE))
    document = {"Version": "2012-10-17", "Statement": [*live_statements(session).values(), FOREIGN]}
    session.client("ecr", region_name=REGION).put_registry_policy(policyText=json.dumps(document))

    exported = export_live(gateway(session, [REGION]).read(ACCOUNT))

    assert "OrgWithinVpc" not in [e["sid"] for e in exported["permissions"]]
    assert len(exported["permissions"]) == len(ENTRIES)


def test_a_live_organisation_validate_would_refuse_is_not_exported(
    session: boto3.Session, tmp_path: Path
) -> None:
    apply(session, write(tmp_path, FILE))
    odd = {
        **FOREIGN,
        "Sid": "ShortOrg",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
    }
    document = {"Version": "2012-10-17", "Statement": [*live_statements(session).values(), odd]}
    session.client("ecr", region_name=REGION).put_registry_policy(policyText=json.dumps(document))

    exported = export_live(gateway(session, [REGION]).read(ACCOUNT))

    assert sorted(e["sid"] for e in exported["permissions"]) == sorted(e["sid"] for e in ENTRIES)

"""The Organizations reads of target resolution, against moto's organizations mock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ptc.aws.organizations import OrganizationsReader
from ptc.plan.targets import TargetError, accounts_under, resolve_accounts

REGION = "us-east-1"


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("organizations", region_name=REGION)
        client.create_organization(FeatureSet="ALL")
        yield client


def _unit(client: Any, parent: str, name: str) -> str:
    return str(
        client.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]
    )


def _account(client: Any, parent: str, name: str) -> str:
    status = client.create_account(AccountName=name, Email=f"{name}@example.com")
    account = str(status["CreateAccountStatus"]["AccountId"])
    root = client.list_roots()["Roots"][0]["Id"]
    client.move_account(AccountId=account, SourceParentId=root, DestinationParentId=parent)
    return account


def _reader() -> OrganizationsReader:
    return OrganizationsReader(boto3.Session(region_name=REGION), REGION)


def test_accounts_under_an_ou_page_through_and_descend(org: Any) -> None:
    root = org.list_roots()["Roots"][0]["Id"]
    workloads = _unit(org, root, "workloads")
    prod = _unit(org, workloads, "prod")
    # More than moto's page of 20: the reader must follow NextToken.
    direct = {_account(org, workloads, f"dev{n}") for n in range(23)}
    nested = {_account(org, prod, "prod0")}
    closed = _account(org, prod, "closed")
    org.close_account(AccountId=closed)
    elsewhere = _account(org, root, "sandbox")

    found = accounts_under([workloads], _reader())

    assert found == direct | nested
    assert closed not in found and elsewhere not in found


def test_units_page_through(org: Any) -> None:
    root = org.list_roots()["Roots"][0]["Id"]
    parent = _unit(org, root, "many")
    children = {_unit(org, parent, f"team{n}") for n in range(21)}

    assert set(_reader().units_for_parent(parent)) == children


def test_an_unknown_ou_is_named(org: Any) -> None:
    with pytest.raises(TargetError) as caught:
        resolve_accounts([], ["ou-ab12-34cd5678"], [], _reader())

    assert str(caught.value) == (
        "organizational unit ou-ab12-34cd5678 does not exist in the organization"
    )

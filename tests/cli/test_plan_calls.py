"""`ptc plan` over accounts makes calls in proportion to accounts × regions, never to rules.

The calls are counted where they land, in the sandbox: each request's account (the caller's
for AssumeRole, the target's for what the assumed role does), Region and operation. No
timing: organisation scale is a matter of how many calls, which this pins down; how long
they take is benchmarks/accounts.py's business.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core.base_backend import BackendDict
from moto.core.responses import BaseResponse

from ptc.errors import EXIT_CHANGES, EXIT_OK
from ptc.sandbox import DEFAULT_ACCOUNT_ID
from tests.support import run

Call = tuple[str, str, str]  # account, Region, operation
ACCOUNTS = ["210000001111", "210000002222", "210000003333"]
REGIONS = ["us-east-1", "eu-west-1"]
ROLE = "arn:aws:iam::{account}:role/ptc-deployer"
# What a plan reads in every account and Region, one page each for up to 100 rules.
READS = (
    "DescribePullThroughCacheRules",
    "DescribeRepositoryCreationTemplates",
    "GetRegistryPolicy",
    "ListSecrets",
)
LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 9},
            "action": {"type": "expire"},
        }
    ]
}


@pytest.fixture
def served(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Call]]:
    """Every request the sandbox answers, as (account, Region, operation)."""
    calls: list[Call] = []
    real = BaseResponse._dispatch

    def dispatch(self: BaseResponse, *args: Any, **kwargs: Any) -> Any:
        try:
            return real(self, *args, **kwargs)
        finally:
            calls.append((self.current_account, self.region, self._get_action()))

    monkeypatch.setattr(BaseResponse, "_dispatch", dispatch)
    yield calls


def _file(directory: Path, accounts: list[str], regions: list[str], rules: int) -> Path:
    lines = [
        "version: 1",
        "accounts:",
        f"  role: {ROLE}",
        f"  ids: [{', '.join(repr(a) for a in accounts)}]",
        f"regions: [{', '.join(regions)}]",
        "rules:",
    ]
    for n in range(rules):
        lines += [f"  - prefix: quay-{n:02d}", "    upstream: quay.io"]
    lines.append("templates:")
    for n in range(rules):
        lines += [
            f"  - prefix: quay-{n:02d}",
            "    applied_for: [PULL_THROUGH_CACHE]",
            f"    lifecycle_policy: {json.dumps(LIFECYCLE)}",
        ]
    path = directory / "fleet.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _populate(accounts: list[str], regions: list[str], rules: int) -> None:
    """The file's rules and templates, live in every account and Region."""
    sts = boto3.Session(region_name=REGIONS[0]).client("sts")
    for account in accounts:
        credentials = sts.assume_role(
            RoleArn=ROLE.format(account=account), RoleSessionName="populate"
        )["Credentials"]
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        for region in regions:
            ecr = session.client("ecr", region_name=region)
            for n in range(rules):
                ecr.create_pull_through_cache_rule(
                    ecrRepositoryPrefix=f"quay-{n:02d}", upstreamRegistryUrl="quay.io"
                )
                ecr.create_repository_creation_template(
                    prefix=f"quay-{n:02d}",
                    appliedFor=["PULL_THROUGH_CACHE"],
                    lifecyclePolicy=json.dumps(LIFECYCLE),
                )


def _plan_calls(
    tmp_path: Path, served: list[Call], accounts: list[str], regions: list[str], rules: int
) -> Counter[Call]:
    """The calls of one `ptc plan` of `rules` rules and templates, all already live."""
    BackendDict.reset()
    _populate(accounts, regions, rules)
    path = _file(tmp_path, accounts, regions, rules)
    served.clear()

    result = run("plan", path, "--detailed-exitcode")

    assert result.exit_code == EXIT_OK, result.output  # planned clean: every read was made
    return Counter(served)


@pytest.mark.parametrize(
    ("accounts", "regions"),
    [(ACCOUNTS[:1], REGIONS[:1]), (ACCOUNTS, REGIONS)],
    ids=["1x1", "3x2"],
)
def test_calls_are_accounts_times_regions_and_not_rules(
    tmp_path: Path, served: list[Call], accounts: list[str], regions: list[str]
) -> None:
    few = _plan_calls(tmp_path, served, accounts, regions, rules=2)
    many = _plan_calls(tmp_path, served, accounts, regions, rules=12)

    # Six times the rules and templates, the very same calls.
    assert few == many
    # The four reads, once in every account and Region; nothing else is per Region.
    reads = Counter({c: n for c, n in few.items() if c[2] in READS})
    assert reads == Counter({(a, r, op): 1 for a in accounts for r in regions for op in READS})
    # The caller assumes each account's role once, and does nothing else.
    by_caller = Counter({c: n for c, n in few.items() if c[0] == DEFAULT_ACCOUNT_ID})
    assert by_caller == Counter({(DEFAULT_ACCOUNT_ID, REGIONS[0], "AssumeRole"): len(accounts)})
    # Nothing else: the role's credentials are its account's, so STS is not asked who
    # the role is (GetCallerIdentity), which was one call and one client per account.
    assert few - reads - by_caller == Counter()


def test_a_change_does_not_add_a_read(tmp_path: Path, served: list[Call]) -> None:
    """Planning changes reads what a clean plan reads: creates cost no extra call."""
    clean = _plan_calls(tmp_path, served, ACCOUNTS[:2], REGIONS, rules=3)
    BackendDict.reset()
    _populate(ACCOUNTS[:2], REGIONS, 1)  # two rules and two templates missing everywhere
    path = _file(tmp_path, ACCOUNTS[:2], REGIONS, 3)
    served.clear()

    result = run("plan", path, "--detailed-exitcode")

    assert result.exit_code == EXIT_CHANGES
    assert Counter(served) == clean

"""The checks that need the registry's account, for a file that does not name it.

`ptc validate` runs PTC211, PTC212's account part and PTC304 only when the file has
`account:`; without it, plan runs them here against the account STS reports, so that what
the service would refuse (a role or a secret of another account, a cross-account ECR
upstream without a role) stops the plan, not the apply halfway.
"""

from __future__ import annotations

from ptc.domain import arns, catalog
from ptc.plan.desired import DesiredState


def account_problems(desired: DesiredState, account: str) -> list[str]:
    """One line per account-bound problem of `desired` in `account` (the credentials')."""
    problems: list[str] = []
    for rule in desired.rules:
        where = f"{rule.region}/rule/{rule.prefix}"
        upstream = catalog.resolve_upstream(rule.upstream_url)
        if upstream and upstream.account and upstream.account != account and not rule.role:
            problems.append(
                f"{where}: the upstream registry is in account {upstream.account}, not "
                f"{account}; ECR needs a role to pull across accounts (PTC211)"
            )
        problems += _role(where, rule.role, account)
        arn = arns.parse_arn(rule.credential_arn or "")
        if arn is not None and arn.account != account:
            problems.append(
                f"{where}: the secret is in account {arn.account}, the registry's is "
                f"{account} (PTC304)"
            )
    for template in desired.templates:
        problems += _role(f"{template.region}/template/{template.prefix}", template.role, account)
    return list(dict.fromkeys(problems))


def account_warnings(desired: DesiredState, account: str) -> list[str]:
    """ARNs that name another account than `account` where the service does not refuse it.

    A KMS key may live in another account (its key policy decides), but in a file shared by
    several accounts a literal account is more often a copy of one account's ARN than a
    shared key: say so, and name {account}. Permission principals are left out: granting
    other accounts is what a registry policy is for.
    """
    keys = [(f"{t.region}/template/{t.prefix}", t.kms_key) for t in desired.templates]
    keys += [(f"{s.region}/secret/{s.name}", s.kms_key) for s in desired.secrets]
    warnings: list[str] = []
    for where, key in keys:
        arn = arns.parse_arn(key or "")
        if arn is not None and arn.account and arn.account != account:
            warnings.append(
                f"{where}: the KMS key is in account {arn.account}, not {account} (the "
                "credentials'); write {account} in the ARN if the key should follow the account"
            )
    return list(dict.fromkeys(warnings))


def _role(where: str, role: str | None, account: str) -> list[str]:
    match = arns.ROLE_ARN_PATTERN.fullmatch(role or "")
    if match is None or match["account"] == account:
        return []
    return [
        f"{where}: the role is in account {match['account']}; ECR requires it in {account}, "
        "the account of the registry (PTC212)"
    ]

"""`ptc targets` views: a table for people, JSON for scripts, a GitHub Actions matrix."""

from __future__ import annotations

from typing import Any, Final

from ptc.errors import UsageError
from ptc.plan.targets import Shard, Targets

# GitHub Actions runs at most 256 jobs per matrix (docs: "Using a matrix for your jobs").
GITHUB_MATRIX_MAX: Final = 256
_CREDENTIALS = "(the credentials')"


def as_text(targets: Targets, shard: Shard | None) -> str:
    rows = [("ACCOUNT", "REGION", "ROLE")]
    rows += [(t.account or _CREDENTIALS, region, t.role or "-") for t, region in targets.pairs()]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{a:<{widths[0]}}  {r:<{widths[1]}}  {role}" for a, r, role in rows]
    return "\n".join([*lines, _summary(targets, shard)])


def _summary(targets: Targets, shard: Shard | None) -> str:
    accounts = len(targets.accounts)
    pairs = len(targets.pairs())
    where = f" in shard {shard}" if shard else ""
    return (
        f"{accounts} account{'s' if accounts != 1 else ''}, "
        f"{pairs} account-region pair{'s' if pairs != 1 else ''}{where}"
    )


def as_json(targets: Targets, shard: Shard | None) -> dict[str, Any]:
    return {
        "format_version": 1,
        "shard": str(shard) if shard else None,
        "targets": [
            {"account": t.account, "region": region, "role": t.role}
            for t, region in targets.pairs()
        ],
    }


def as_github_matrix(targets: Targets) -> dict[str, Any]:
    """One job per account (its regions in the job): `strategy.matrix: ${{ fromJSON(...) }}`."""
    if len(targets.accounts) > GITHUB_MATRIX_MAX:
        raise UsageError(
            f"{len(targets.accounts)} accounts are more than the {GITHUB_MATRIX_MAX} jobs of one "
            "GitHub Actions matrix: run one job per shard instead "
            "(matrix: shard: [1/N, ..., N/N], then 'ptc targets --shard ${{ matrix.shard }}')"
        )
    include = []
    for target in targets.accounts:
        entry: dict[str, Any] = {"account": target.account, "role": target.role}
        include.append(
            {k: v for k, v in entry.items() if v is not None} | {"regions": list(target.regions)}
        )
    return {"include": include}

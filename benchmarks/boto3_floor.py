"""The floor for `ptc plan`'s reads: the same calls in bare boto3, as concurrent as they can be.

    python benchmarks/boto3_floor.py REGION [REGION ...] [--secrets N]

One boto3 session, one ECR and one Secrets Manager client per region and one STS client
(made one after another, as a plain script would), then every read in one wave: per region
DescribePullThroughCacheRules, DescribeRepositoryCreationTemplates, GetRegistryPolicy and
ListSecrets, the last followed by BatchGetSecretValue for the first N
`ecr-pullthroughcache/` secrets (20 per call, concurrently); GetCallerIdentity alongside.
With a delay on every answer that is two round trips with secrets, one without. Run in a
fresh interpreter, so its wall time includes start-up, like a ptc command's.
"""

from __future__ import annotations

import argparse
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import boto3


def _secret_values(pool: ThreadPoolExecutor, sm: Any, wanted: int) -> int:
    listed = sm.list_secrets(Filters=[{"Key": "name", "Values": ["ecr-pullthroughcache/"]}])
    arns = [s["ARN"] for s in listed["SecretList"]][:wanted]
    batches = [arns[i : i + 20] for i in range(0, len(arns), 20)]
    calls = [pool.submit(sm.batch_get_secret_value, SecretIdList=b) for b in batches]
    return sum(len(c.result()["SecretValues"]) for c in calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("regions", nargs="+")
    parser.add_argument("--secrets", type=int, default=0)
    args = parser.parse_args()
    session = boto3.Session()
    ecr = {r: session.client("ecr", region_name=r) for r in args.regions}
    sm = {r: session.client("secretsmanager", region_name=r) for r in args.regions}
    sts = session.client("sts", region_name=args.regions[0])
    with ThreadPoolExecutor(max_workers=8 * len(args.regions)) as pool:
        calls: list[Future[Any]] = [pool.submit(sts.get_caller_identity)]
        for region in args.regions:
            calls += [
                pool.submit(ecr[region].describe_pull_through_cache_rules),
                pool.submit(ecr[region].describe_repository_creation_templates),
                pool.submit(_registry_policy, ecr[region]),
                pool.submit(_secret_values, pool, sm[region], args.secrets),
            ]
        for call in calls:
            call.result()


def _registry_policy(client: Any) -> str | None:
    try:
        return str(client.get_registry_policy()["policyText"])
    except client.exceptions.RegistryPolicyNotFoundException:
        return None


if __name__ == "__main__":
    main()

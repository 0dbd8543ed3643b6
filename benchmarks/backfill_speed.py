"""Backfill's writes with a delay added to every answer: how much of a region's work overlaps.

Starts `ptc sandbox serve` on a free loopback port, applies a file with one rule and one
template that carries a lifecycle policy, and creates N repositories under the rule's
prefix without it: each drifts by its lifecycle policy, which backfill fixes with one
PutLifecyclePolicy. Then, through a delaying proxy (benchmarks/latency_proxy.py, --delay
seconds per answer), it reads the status and plans the backfill in this process, and times
only the writes (`apply_backfill`): status's reads are not what this measures. Each run
starts from a fresh server. Not run by the tests.

    python benchmarks/backfill_speed.py [--repositories 40] [--delay 0.1] [--runs 3]

Runs against whichever ptc Python imports: point PYTHONPATH at another checkout to
measure it (before 0.3, apply_backfill lived in ptc.status.backfill).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency_proxy import delaying_proxy  # noqa: E402
from plan_speed import free_port, lifecycle, sandbox_environment, start_server  # noqa: E402

REGION = "us-east-1"
LIFECYCLE = lifecycle(5)
FILE = f"""\
version: 1
account: "123456789012"
regions: [{REGION}]
rules:
  - prefix: cache
    upstream: quay.io
templates:
  - prefix: cache
    applied_for: [PULL_THROUGH_CACHE]
    lifecycle_policy: {json.dumps(LIFECYCLE)}
"""


def _apply_backfill() -> Any:
    try:
        from ptc.engine.backfill import apply_backfill
    except ImportError:  # the code before the shared executor
        from ptc.status.backfill import apply_backfill  # type: ignore[attr-defined,no-redef]
    return apply_backfill


def prepare(url: str, work: Path, repositories: int, env: dict[str, str]) -> None:
    """Repositories first (CreateRepository applies no template), then the rule and template."""
    import botocore.session

    client = botocore.session.get_session().create_client(
        "ecr", region_name=REGION, endpoint_url=url
    )
    for n in range(repositories):
        client.create_repository(repositoryName=f"cache/team/app-{n:03d}")
    command = [sys.executable, "-m", "ptc", "apply", "rules.yaml", "--auto-approve"]
    done = subprocess.run(
        command, env={**env, "AWS_ENDPOINT_URL": url}, cwd=work, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"apply exited {done.returncode}:\n{done.stdout}{done.stderr}")


def timed_backfill(url: str, work: Path, repositories: int) -> float:
    from ptc.aws.repositories import RepositoryGateway
    from ptc.cli.aws import aws_session
    from ptc.engine.workflow import load_desired
    from ptc.status.backfill import plan_backfill
    from ptc.status.compute import read_status

    os.environ["AWS_ENDPOINT_URL"] = url
    desired = load_desired(work / "rules.yaml")
    with aws_session(False, work / "unused", None) as session:
        gateway = RepositoryGateway(session, desired.regions)
        plan = plan_backfill(read_status(desired, gateway))
        if len(plan.actions) != repositories:
            raise SystemExit(f"expected {repositories} writes, planned {len(plan.actions)}")
        start = time.perf_counter()
        report = _apply_backfill()(plan, gateway)
        elapsed = time.perf_counter() - start
    if not report.ok:
        raise SystemExit("the backfill failed")
    return elapsed


def one_run(args: argparse.Namespace, work: Path, env: dict[str, str]) -> float:
    port = free_port()
    server = start_server(port, env)
    try:
        prepare(f"http://127.0.0.1:{port}", work, args.repositories, env)
        with delaying_proxy(f"http://127.0.0.1:{port}", args.delay) as url:
            return timed_backfill(url, work, args.repositories)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ptc-backfill-"))
    (work / "rules.yaml").write_text(FILE)
    env = sandbox_environment(REGION)
    os.environ.update(env)
    times = [one_run(args, work, env) for _ in range(args.runs)]
    print(
        f"{args.repositories} PutLifecyclePolicy in one region, +{args.delay * 1000:.0f} ms "
        f"per answer: median {statistics.median(times):.2f} s of {args.runs} runs "
        f"({', '.join(f'{t:.2f}' for t in times)})"
    )


if __name__ == "__main__":
    main()

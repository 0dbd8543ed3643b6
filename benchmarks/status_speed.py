"""`ptc status`'s reads with a delay added to every answer: API calls and seconds.

Starts `ptc sandbox serve` on a free loopback port, creates N repositories in each of 3
regions under one rule's prefix and applies a file whose template sets a lifecycle policy
and tags (the usual cache template). Then, through a delaying proxy
(benchmarks/latency_proxy.py, --delay seconds per answer), it times `read_status` (the
account check and every read; no start-up, no rendering) and counts the API calls it made,
in a child process for each run so that two checkouts can be compared side by side:

    python benchmarks/status_speed.py [--repositories 200] [--delay 0.1] [--runs 3]
    python benchmarks/status_speed.py --before /path/to/old/checkout   # interleaved

With --before, runs alternate between that checkout (its ptc on PYTHONPATH) and this one,
against the same server. Not run by the tests.
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
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency_proxy import delaying_proxy  # noqa: E402
from plan_speed import free_port, lifecycle, sandbox_environment, start_server  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
LIFECYCLE = lifecycle(5)
FILE = f"""\
version: 1
account: "123456789012"
regions: [{", ".join(REGIONS)}]
rules:
  - prefix: cache
    upstream: quay.io
templates:
  - prefix: cache
    applied_for: [PULL_THROUGH_CACHE]
    lifecycle_policy: {json.dumps(LIFECYCLE)}
    resource_tags: {{team: platform}}
    role: arn:aws:iam::123456789012:role/ecr-template
"""
HERE = Path(__file__).resolve().parent.parent


def prepare(url: str, work: Path, repositories: int, env: dict[str, str]) -> None:
    import botocore.session

    session = botocore.session.get_session()
    clients = {
        region: session.create_client("ecr", region_name=region, endpoint_url=url)
        for region in REGIONS
    }
    for n in range(repositories):  # spread over the regions, round robin
        region = REGIONS[n % len(REGIONS)]
        clients[region].create_repository(repositoryName=f"cache/team/app-{n:03d}")
    command = [sys.executable, "-m", "ptc", "apply", "rules.yaml", "--auto-approve"]
    done = subprocess.run(
        command, env={**env, "AWS_ENDPOINT_URL": url}, cwd=work, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"apply exited {done.returncode}:\n{done.stdout}{done.stderr}")


def measure(work: Path) -> None:
    """In the child: one status read through the proxy; prints seconds, calls, repositories."""
    from ptc.aws.repositories import RepositoryGateway
    from ptc.cli.aws import aws_session
    from ptc.engine.workflow import load_desired
    from ptc.status.compute import read_status

    desired = load_desired(work / "rules.yaml")
    calls: Counter[str] = Counter()

    def count(model: object, **_: object) -> None:
        calls[getattr(model, "name", "?")] += 1

    with aws_session(False, work / "unused", None) as session:
        gateway = RepositoryGateway(session, desired.regions)
        for client in gateway.clients():  # made now, outside the timing, in both versions
            client.meta.events.register("before-call", count)
        start = time.perf_counter()
        report = read_status(desired, gateway)
        elapsed = time.perf_counter() - start
    print(
        json.dumps(
            {"seconds": elapsed, "calls": dict(calls), "repositories": len(report.repositories)}
        )
    )


def child(checkout: Path, url: str, work: Path, env: dict[str, str]) -> dict[str, object]:
    command = [sys.executable, __file__, "--measure", str(work)]
    child_env = {**env, "AWS_ENDPOINT_URL": url, "PYTHONPATH": str(checkout)}
    done = subprocess.run(command, env=child_env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the measurement failed:\n{done.stdout}{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a checkout to compare with, interleaved")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    work = Path(tempfile.mkdtemp(prefix="ptc-status-"))
    (work / "rules.yaml").write_text(FILE)
    env = sandbox_environment(REGIONS[0])
    os.environ.update(env)
    checkouts = {"after": HERE}
    if args.before:
        checkouts = {"before": args.before.resolve(), **checkouts}
    port = free_port()
    server = start_server(port, env)
    results: dict[str, list[dict[str, object]]] = {name: [] for name in checkouts}
    try:
        prepare(f"http://127.0.0.1:{port}", work, args.repositories, env)
        with delaying_proxy(f"http://127.0.0.1:{port}", args.delay) as url:
            for _ in range(args.runs):
                for name, checkout in checkouts.items():
                    results[name].append(child(checkout, url, work, env))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"{args.repositories} repositories in {len(REGIONS)} regions, "
        f"+{args.delay * 1000:.0f} ms per answer, {args.runs} runs interleaved:"
    )
    for name, runs in results.items():
        seconds = [float(str(r["seconds"])) for r in runs]
        calls = runs[-1]["calls"]
        assert isinstance(calls, dict)
        total = sum(calls.values())
        print(
            f"  {name:6}  median {statistics.median(seconds):.2f} s "
            f"({', '.join(f'{s:.2f}' for s in seconds)}), {total} calls "
            f"({total / args.repositories:.2f} a repository): "
            + ", ".join(f"{op} {n}" for op, n in sorted(calls.items()))
        )


if __name__ == "__main__":
    main()

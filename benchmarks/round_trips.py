"""Round trips: `ptc apply` and `ptc plan` with a delay added to every answer, next to a floor.

Starts `ptc sandbox serve` on a free loopback port and a delaying proxy in front of it
(benchmarks/latency_proxy.py, --delay seconds per answer). Each run starts from an empty
sandbox and times, through the proxy, as whole commands:

  * `ptc apply --auto-approve` of N rules, M templates and S managed secrets in R regions
    (R × (N + M + S) changes, then apply's verifying re-read);
  * `ptc plan` of the same file, which must show no changes;
  * the floor: benchmarks/boto3_floor.py, the same reads in bare boto3, all concurrent.

and prints the medians and plan's ratio to the floor. Not run by the tests.

--plan-only sets the sandbox up with an untimed `ptc apply` straight to it (no proxy) and
times only plan and the floor. --baseline DIR also times the `ptc plan` of another source
tree (DIR holding a `ptc` package, e.g. `git archive main ptc | tar -x -C DIR`), run by the
same interpreter with DIR first on PYTHONPATH: each run then times the floor, the baseline
and the `ptc` this interpreter imports (this tree, or PYTHONPATH's) in turn, so that before
and after share the machine's load. Both are byte-compiled first, as pip installs them
(PYTHONDONTWRITEBYTECODE would otherwise leave ptc compiling its sources on every run,
while the floor's boto3 has its .pyc files).

    python benchmarks/round_trips.py [--regions 3] [--secrets 0] [--delay 0.1] [--runs 3]
        [--plan-only] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency_proxy import delaying_proxy  # noqa: E402
from plan_speed import LIFECYCLE, UPSTREAMS, byte_compile, free_port, start_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REGIONS = [
    "us-east-1", "eu-west-1", "ap-southeast-2", "us-east-2", "us-west-1", "us-west-2",
    "ca-central-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-southeast-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "sa-east-1",
]  # fmt: skip


def ptc_file(regions: list[str], rules: int, templates: int, secrets: int) -> str:
    lines = ["version: 1", 'account: "123456789012"', f"regions: [{', '.join(regions)}]"]
    lines.append("rules:")
    for i in range(rules):
        lines += [f"  - prefix: cache-{i:02d}", f"    upstream: {UPSTREAMS[i % 3]}"]
    if secrets:
        lines.append("secrets:")
    for i in range(secrets):
        lines += [
            f"  - name: ecr-pullthroughcache/bench-{i:02d}",
            "    username: {env: BENCH_USERNAME}",
            "    access_token: {env: BENCH_TOKEN}",
        ]
    lines.append("templates:")
    for i in range(templates):
        lines += [
            f"  - prefix: cache-{i:02d}",
            "    applied_for: [PULL_THROUGH_CACHE]",
            f"    lifecycle_policy: {LIFECYCLE}".replace("'", '"'),
        ]
    return "\n".join(lines) + "\n"


def timed(command: list[str], env: dict[str, str], cwd: Path, ok: tuple[int, ...]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return elapsed


def measure(
    times: dict[str, float], key: str, command: list[str], env: dict[str, str], cwd: Path
) -> None:
    """The command's wall time as `key`, its CPU time (user + system) as `key cpu`.

    On a loaded machine wall times vary several-fold from one run to the next, while the
    CPU a command spends hardly does: that is where start-up and client creation show.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    times[key] = timed(command, env, cwd, (0,))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    times[f"{key} cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def one_run(
    args: argparse.Namespace, regions: list[str], work: Path, env: dict[str, str]
) -> dict[str, float]:
    port = free_port()
    server = start_server(port, env)
    ptc = [sys.executable, "-m", "ptc"]
    apply = [*ptc, "apply", "rules.yaml", "--auto-approve"]
    plan = [*ptc, "plan", "rules.yaml", "--detailed-exitcode"]
    floor = [sys.executable, str(ROOT / "benchmarks" / "boto3_floor.py"), *regions]
    floor += ["--secrets", str(args.secrets)]
    times: dict[str, float] = {}
    try:
        if args.plan_only:  # set up without the proxy: apply is not what is measured
            direct = {**env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
            timed(apply, direct, work, (0,))
        with delaying_proxy(f"http://127.0.0.1:{port}", args.delay) as url:
            proxied = {**env, "AWS_ENDPOINT_URL": url}
            if not args.plan_only:
                times["apply"] = timed(apply, proxied, work, (0,))
            measure(times, "floor", floor, proxied, work)
            if args.baseline is not None:
                before = {**proxied, "PYTHONPATH": str(args.baseline)}
                measure(times, "plan before", plan, before, work)
            measure(times, "plan", plan, proxied, work)
            return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=3, choices=range(1, len(REGIONS) + 1))
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--templates", type=int, default=20)
    parser.add_argument("--secrets", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plan-only", action="store_true", help="time only plan and floor")
    parser.add_argument("--baseline", type=Path, help="another ptc source tree to time too")
    args = parser.parse_args()
    if args.baseline is not None and not (args.baseline / "ptc" / "__init__.py").is_file():
        raise SystemExit(f"{args.baseline}: no ptc package there")
    byte_compile(os.environ.get("PYTHONPATH"), *([str(args.baseline)] if args.baseline else []))
    regions = REGIONS[: args.regions]
    work = Path(tempfile.mkdtemp(prefix="ptc-rtt-"))
    (work / "rules.yaml").write_text(ptc_file(regions, args.rules, args.templates, args.secrets))
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": regions[0],
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "BENCH_USERNAME": "bench",
        "BENCH_TOKEN": "not-a-real-token",
    }
    runs = [one_run(args, regions, work, env) for _ in range(args.runs)]
    medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    changes = len(regions) * (args.rules + args.templates + args.secrets)
    print(f"{len(regions)} regions, {args.rules} rules, {args.templates} templates, "
          f"{args.secrets} managed secrets; +{args.delay * 1000:.0f} ms per answer; "
          f"median of {args.runs} runs\n")  # fmt: skip
    print("| command | wall time |")
    print("|---|---:|")
    if "apply" in medians:
        print(f"| `ptc apply` ({changes} changes, then verify) | {medians['apply']:.2f} s |")
    if "plan before" in medians:
        print(f"| `ptc plan` of {args.baseline} (no changes) | {medians['plan before']:.2f} s |")
    print(f"| `ptc plan` (no changes) | {medians['plan']:.2f} s |")
    print(f"| bare-boto3 floor (same reads, all concurrent) | {medians['floor']:.2f} s |")
    if "plan before" in medians:
        ratio = medians["plan before"] / medians["floor"]
        print(f"\nptc plan of {args.baseline} takes {ratio:.2f}x the floor.")
    print(f"\nptc plan takes {medians['plan'] / medians['floor']:.2f}x the floor.")
    for key in ("plan before", "plan"):
        if key in medians:
            ratio = statistics.median(run[key] / run["floor"] for run in runs)
            print(f"Median of each run's {key} ÷ floor: {ratio:.2f}x.")
    cpu = {key: medians[f"{key} cpu"] for key in ("floor", "plan before", "plan") if key in medians}
    print("CPU (user + system), medians: " + ", ".join(f"{k} {v:.2f} s" for k, v in cpu.items()))
    print("\nEach run (s): " + "; ".join(
        ", ".join(f"{key} {seconds:.2f}" for key, seconds in run.items()) for run in runs
    ))  # fmt: skip


if __name__ == "__main__":
    main()

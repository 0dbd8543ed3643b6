"""How `ptc plan` scales with accounts: N accounts × 2 regions on `ptc sandbox serve`.

Setup (not timed): `ptc sandbox serve` on a free loopback port, no state file. The script
assumes `arn:aws:iam::ACCOUNT:role/ptc-deployer` in each of the largest case's accounts (the
sandbox answers with credentials of that account, whose ECR is its own) and creates the
README's plan benchmark set there: --rules rules and --templates templates (50 and 20 by
default) in each of two regions; the caller's own account (123456789012) gets the same.
It writes one file per case: `accounts:` with the role and the first N account IDs, the
rules and the templates; and, for reference, the same rules in a file with `account:`
(one account, the caller's, no AssumeRole: ptc's path before `accounts:`).

With --regions N the files and the sandbox have the first N of 17 regions instead of two.

Then it times `ptc plan FILE --detailed-exitcode` of every case, whole commands, the cases
interleaved (1, 10, 30, 1, 10, 30, ...) so that a change in the machine's load touches
them alike; each must exit 0 (no changes). For each it reports the median wall time, the
median CPU time of the ptc process and of the server during the run, and the ratio to the
1-account case; then the API calls of one more run of each, counted inside the ptc process
with a botocore hook (BaseClient._make_api_call), by operation, with the most threads alive
at once and the peak memory (VmHWM) of that run.

The target (issue #13): 30 accounts within 4× the time of 1 account.

With --delay S a proxy (benchmarks/latency_proxy.py) adds S seconds to every answer, as a
region tens of milliseconds away does; the sandbox alone answers in a millisecond.

    python benchmarks/accounts.py [--accounts 1,10,30] [--rules 50] [--templates 20]
                                  [--regions 2] [--runs 5] [--delay 0] [--max-concurrency N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency_proxy import delaying_proxy  # noqa: E402
from plan_speed import (  # noqa: E402
    LIFECYCLE,
    UPSTREAMS,
    free_port,
    sandbox_environment,
    start_server,
)
from round_trips import REGIONS as ALL_REGIONS  # noqa: E402

REGIONS = ALL_REGIONS[:2]  # --regions N takes the first N of the 17
CALLER = "123456789012"  # the sandbox's account of the default credentials
ROLE = "arn:aws:iam::{account}:role/ptc-deployer"
POPULATE_THREADS = 8


def account_ids(count: int) -> list[str]:
    """`count` made-up account IDs, in order."""
    return [f"{210000000000 + 1111 * i:012d}" for i in range(1, count + 1)]


# -- the files ------------------------------------------------------------------------------


def _body(rules: int, templates: int) -> list[str]:
    lines = [f"regions: [{', '.join(REGIONS)}]", "rules:"]
    for i in range(rules):
        lines += [f"  - prefix: cache-{i:02d}", f"    upstream: {UPSTREAMS[i % 3]}"]
    lines.append("templates:" if templates else "templates: []")
    for i in range(templates):
        lines += [
            f"  - prefix: cache-{i:02d}",
            "    applied_for: [PULL_THROUGH_CACHE]",
            f"    lifecycle_policy: {json.dumps(LIFECYCLE)}",
        ]
    return lines


def fleet_file(accounts: list[str], rules: int, templates: int) -> str:
    ids = ", ".join(f'"{a}"' for a in accounts)
    head = ["version: 1", "accounts:", f"  role: {ROLE}", f"  ids: [{ids}]"]
    return "\n".join([*head, *_body(rules, templates)]) + "\n"


def single_file(rules: int, templates: int) -> str:
    return "\n".join(["version: 1", f'account: "{CALLER}"', *_body(rules, templates)]) + "\n"


# -- populating the sandbox -----------------------------------------------------------------


def populate(url: str, accounts: list[str], rules: int, templates: int) -> int:
    """Create the rules and templates in every account and region; how many were created."""
    import boto3

    base = boto3.Session(region_name=REGIONS[0])
    sts = base.client("sts", endpoint_url=url)
    clients = []
    for account in accounts:  # boto3 sessions are not thread-safe: clients made here
        if account == CALLER:
            clients += [base.client("ecr", region_name=r, endpoint_url=url) for r in REGIONS]
            continue
        assumed = sts.assume_role(
            RoleArn=ROLE.format(account=account), RoleSessionName="ptc-benchmark"
        )["Credentials"]
        session = boto3.Session(
            aws_access_key_id=assumed["AccessKeyId"],
            aws_secret_access_key=assumed["SecretAccessKey"],
            aws_session_token=assumed["SessionToken"],
        )
        clients += [session.client("ecr", region_name=r, endpoint_url=url) for r in REGIONS]

    def fill(ecr: Any) -> int:
        for i in range(rules):
            ecr.create_pull_through_cache_rule(
                ecrRepositoryPrefix=f"cache-{i:02d}", upstreamRegistryUrl=UPSTREAMS[i % 3]
            )
        for i in range(templates):
            ecr.create_repository_creation_template(
                prefix=f"cache-{i:02d}",
                appliedFor=["PULL_THROUGH_CACHE"],
                lifecyclePolicy=json.dumps(LIFECYCLE),
            )
        return rules + templates

    with ThreadPoolExecutor(POPULATE_THREADS) as pool:
        return sum(pool.map(fill, clients))


# -- timing ---------------------------------------------------------------------------------


@dataclass
class Case:
    """One file to plan, and what its runs measured."""

    name: str
    accounts: int
    path: Path
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    threads: int = 0  # the most threads alive at once in the counted run
    rss_mib: float = 0.0  # its peak resident memory

    @property
    def pairs(self) -> int:
        return self.accounts * len(REGIONS)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plan_once(case: Case, command: list[str], env: dict[str, str], server: int) -> None:
    """One timed `ptc plan` of the case; it must find no changes."""
    cpu, served = children_cpu(), cpu_seconds(server)
    start = time.perf_counter()
    done = subprocess.run([*command, str(case.path)], env=env, capture_output=True, text=True)
    case.wall.append(time.perf_counter() - start)
    case.cpu.append(children_cpu() - cpu)
    case.server_cpu.append(cpu_seconds(server) - served)
    if done.returncode != 0:
        raise SystemExit(
            f"ptc plan {case.path.name} exited {done.returncode} (0 expected: no changes):\n"
            f"{done.stdout}{done.stderr}"
        )


def count_calls(case: Case, command: list[str], env: dict[str, str], work: Path) -> None:
    """The API calls of one more `ptc plan` of the case, by operation."""
    out = work / f"{case.name}.calls.json"
    counted = [sys.executable, __file__, "--count-into", str(out), "--", *command[1:]]
    done = subprocess.run([*counted, str(case.path)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the counted plan of {case.path.name} failed:\n{done.stderr}")
    counted_run = json.loads(out.read_text())
    case.calls.update(counted_run["calls"])
    case.threads, case.rss_mib = counted_run["threads"], counted_run["rss_mib"]


def peak_memory_mib() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that across exec,
    so a child would report its parent's peak when the parent's was higher."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return float("nan")


def run_counted(out: Path, argv: list[str]) -> None:
    """Run `python ARGV` (`-m ptc plan ...`) in this process, counting every API call
    botocore makes, in any thread, and the most threads alive at once."""
    import runpy

    from botocore.client import BaseClient

    calls: Counter[str] = Counter()
    lock = threading.Lock()
    threads = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.005):
            threads[0] = max(threads[0], threading.active_count() - 1)  # less this one

    threading.Thread(target=watch, daemon=True).start()
    original: Callable[..., Any] = getattr(BaseClient, "_make_api_call")  # noqa: B009

    def counted(self: Any, operation: str, params: Any) -> Any:
        with lock:
            calls[operation] += 1
        return original(self, operation, params)

    setattr(BaseClient, "_make_api_call", counted)  # noqa: B010
    try:
        if argv[0] == "-m":
            sys.argv = [argv[1], *argv[2:]]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = argv
            runpy.run_path(argv[0], run_name="__main__")
    finally:
        done.set()
        peak = peak_memory_mib()
        out.write_text(json.dumps({"calls": calls, "threads": threads[0], "rss_mib": peak}))


# -- the report -----------------------------------------------------------------------------


def report(cases: list[Case], args: argparse.Namespace) -> None:
    one = next(c for c in cases if c.name == "1")
    base = statistics.median(one.wall)
    delay = f", {args.delay * 1000:.0f} ms added to every answer" if args.delay else ""
    print(
        f"\n{args.rules} rules and {args.templates} templates in each account and region; "
        f"median of {args.runs} interleaved runs{delay}\n"
    )
    print("| accounts × regions | `ptc plan` | ÷ 1 account | CPU, ptc | CPU, server "
          "| API calls | per account-region | threads | memory |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for case in cases:
        wall = statistics.median(case.wall)
        total = sum(case.calls.values())
        label = f"{case.accounts} × {len(REGIONS)}"
        if case.name == "single":
            label += " (`account:`, no AssumeRole)"
        print(
            f"| {label} | {wall:.2f} s | {wall / base:.2f}× "
            f"| {statistics.median(case.cpu):.2f} s | {statistics.median(case.server_cpu):.2f} s "
            f"| {total} | {total / case.pairs:.1f} | {case.threads} | {case.rss_mib:.0f} MiB |"
        )
    largest = max(cases, key=lambda c: c.accounts)
    ratio = statistics.median(largest.wall) / base
    verdict = "meets" if ratio <= args.target else "MISSES"
    print(
        f"\n{largest.accounts} accounts take {ratio:.2f}× the time of 1 account: "
        f"{verdict} the target of {args.target:g}×."
    )
    print(f"\nAPI calls of one plan over {largest.accounts} accounts × {len(REGIONS)} regions:")
    for name, count in sorted(largest.calls.items()):
        print(f"  {name}: {count}")


# -- main -----------------------------------------------------------------------------------


def environment(work: Path) -> dict[str, str]:
    return sandbox_environment(REGIONS[0], HOME=str(work))


@contextmanager
def endpoint(url: str, delay: float) -> Iterator[str]:
    if delay <= 0:
        yield url
    else:
        with delaying_proxy(url, delay) as proxied:
            yield proxied


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="1,10,30", help="account counts, e.g. 1,10,30")
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--templates", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--regions", type=int, default=2, help="how many regions (1 to 17)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds added per answer")
    parser.add_argument("--max-concurrency", type=int, help="passed to ptc plan")
    parser.add_argument("--no-single", action="store_true", help="skip the `account:` file")
    parser.add_argument("--target", type=float, default=4.0, help=argparse.SUPPRESS)
    parser.add_argument("--count-into", type=Path, help=argparse.SUPPRESS)  # the counted child
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.count_into is not None:
        run_counted(args.count_into, args.command)
        return
    counts = sorted({int(n) for n in args.accounts.split(",")})
    REGIONS[:] = ALL_REGIONS[: args.regions]
    if 1 not in counts:
        raise SystemExit("--accounts must include 1: the other cases are compared with it")
    work = Path(tempfile.mkdtemp(prefix="ptc-accounts-"))
    env = environment(work)
    port = free_port()
    server = start_server(port, env)
    try:
        url = f"http://127.0.0.1:{port}"
        cases = prepare(args, counts, work, url)
        with endpoint(url, args.delay) as served:
            measure(args, cases, {**env, "AWS_ENDPOINT_URL": served}, work, server.pid)
        report(cases, args)
    finally:
        server.terminate()
        server.wait(timeout=30)


def prepare(args: argparse.Namespace, counts: list[int], work: Path, url: str) -> list[Case]:
    ids = account_ids(max(counts))
    started = time.perf_counter()
    owners = ids if args.no_single else [CALLER, *ids]
    os.environ.update(environment(work))  # the populating clients' credentials
    made = populate(url, owners, args.rules, args.templates)
    print(
        f"setup: {made} rules and templates in {len(owners)} accounts × {len(REGIONS)} regions "
        f"took {time.perf_counter() - started:.1f} s"
    )
    cases = []
    if not args.no_single:
        path = work / "single.yaml"
        path.write_text(single_file(args.rules, args.templates))
        cases.append(Case("single", 1, path))
    for count in counts:
        path = work / f"fleet-{count}.yaml"
        path.write_text(fleet_file(ids[:count], args.rules, args.templates))
        cases.append(Case(str(count), count, path))
    return cases


def measure(
    args: argparse.Namespace, cases: list[Case], env: dict[str, str], work: Path, server: int
) -> None:
    command = [sys.executable, "-m", "ptc", "plan", "--detailed-exitcode"]
    if args.max_concurrency:
        command += ["--max-concurrency", str(args.max_concurrency)]
    for case in cases:  # a first, untimed run of each: warm caches, and the files plan clean
        plan_once(case, command, env, server)
        for samples in (case.wall, case.cpu, case.server_cpu):
            samples.clear()
    for _ in range(args.runs):
        for case in cases:
            plan_once(case, command, env, server)
    for case in cases:
        count_calls(case, command, env, work)


if __name__ == "__main__":
    main()

"""How fast `ptc plan` is, next to `terraform plan` and one `aws` CLI call, on the sandbox.

Setup (not timed): `ptc sandbox serve` on a free loopback port; Terraform (AWS provider from
the filesystem mirror in /opt/tf-plugins, three provider aliases, one per region) creates
N rules and M templates in each of three regions. Then, each timed as whole commands,
wall and CPU (user + system) time, median of --runs; each run times every command in turn,
so that all of them share the machine's load as it changes:

  * `terraform plan` of that configuration (refreshes every resource);
  * `ptc plan` of the equivalent ptc file (which must show no changes);
  * a single `aws ecr describe-pull-through-cache-rules` call in one region.

--baseline DIR also times the `ptc plan` of another source tree (DIR holding a `ptc`
package, e.g. `git archive main ptc | tar -x -C DIR`), run with DIR first on PYTHONPATH:
before and after in the same runs. Finally the API calls one `ptc plan` makes are counted
with botocore event hooks.

With --breakdown, also where one `ptc plan`'s time goes (medians of --runs): imports (the
sum of `python -X importtime`'s own times), then, timed inside one fresh interpreter,
loading and checking the file, making the session and clients (and the time botocore spent
creating clients, summed over threads, wherever that happened), reading and planning (the
API calls), and rendering. Setup still uses Terraform; --no-terraform skips Terraform
(setup by `ptc apply`, no `terraform plan` figure).

Usage: python benchmarks/plan_speed.py [--rules 50] [--templates 20] [--runs 5] [--breakdown]
    [--no-terraform] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
UPSTREAMS = ["quay.io", "public.ecr.aws", "registry.k8s.io"]
TF_MIRROR = Path("/opt/tf-plugins")


def lifecycle(keep: int) -> dict[str, object]:
    """A lifecycle policy expiring all but the last `keep` images."""
    selection = {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep}
    return {"rules": [{"rulePriority": 1, "selection": selection, "action": {"type": "expire"}}]}


LIFECYCLE = lifecycle(10)


def sandbox_environment(region: str, **extra: str) -> dict[str, str]:
    """This process's environment with the sandbox's dummy credentials and no profile."""
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        **extra,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def byte_compile(*pythonpaths: str | None) -> None:
    """Compile the `ptc` package each PYTHONPATH imports, as pip does on install.

    With PYTHONDONTWRITEBYTECODE set, ptc would compile its sources on every run, while
    the aws CLI, boto3 and botocore have their .pyc files.
    """
    code = (
        "import compileall, os, ptc; compileall.compile_dir(os.path.dirname(ptc.__file__), quiet=1)"
    )
    for pythonpath in pythonpaths:
        env = {**os.environ, **({"PYTHONPATH": pythonpath} if pythonpath else {})}
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "ptc", "sandbox", "serve", "--port", str(port)]
    quiet = subprocess.DEVNULL
    server = subprocess.Popen(command, env=env, stdout=quiet, stderr=quiet)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    server.kill()
    raise SystemExit("the sandbox server did not start")


def ptc_file(rules: int, templates: int) -> str:
    lines = ["version: 1", 'account: "123456789012"', f"regions: [{', '.join(REGIONS)}]", "rules:"]
    for i in range(rules):
        lines += [f"  - prefix: cache-{i:02d}", f"    upstream: {UPSTREAMS[i % 3]}"]
    lines.append("templates:")
    for i in range(templates):
        lines += [
            f"  - prefix: cache-{i:02d}",
            "    applied_for: [PULL_THROUGH_CACHE]",
            f"    lifecycle_policy: {json.dumps(LIFECYCLE)}",
        ]
    return "\n".join(lines) + "\n"


def terraform_config(url: str, rules: int, templates: int) -> str:
    blocks = []
    for region in REGIONS:
        alias = region.replace("-", "_")
        blocks.append(
            f'provider "aws" {{\n  alias = "{alias}"\n  region = "{region}"\n'
            '  access_key = "testing"\n  secret_key = "testing"\n'
            "  skip_credentials_validation = true\n  skip_metadata_api_check = true\n"
            "  skip_region_validation = true\n  skip_requesting_account_id = true\n"
            f'  endpoints {{\n    ecr = "{url}"\n    sts = "{url}"\n  }}\n}}\n'
        )
        for i in range(rules):
            blocks.append(
                f'resource "aws_ecr_pull_through_cache_rule" "{alias}_{i}" {{\n'
                f"  provider = aws.{alias}\n"
                f'  ecr_repository_prefix = "cache-{i:02d}"\n'
                f'  upstream_registry_url = "{UPSTREAMS[i % 3]}"\n}}\n'
            )
        for i in range(templates):
            policy = json.dumps(json.dumps(LIFECYCLE))
            blocks.append(
                f'resource "aws_ecr_repository_creation_template" "{alias}_{i}" {{\n'
                f"  provider = aws.{alias}\n"
                f'  prefix = "cache-{i:02d}"\n'
                '  applied_for = ["PULL_THROUGH_CACHE"]\n'
                f"  lifecycle_policy = {policy}\n}}\n"
            )
    return "\n".join(blocks)


def timed(
    commands: dict[str, tuple[list[str], dict[str, str]]], cwd: Path, runs: int
) -> tuple[dict[str, float], dict[str, float], dict[str, str]]:
    """Median wall and CPU (user + system) time of each command, the commands interleaved.

    Each run times every command once, in turn, so that all of them share the machine's
    load as it changes; the output is each command's last.
    """
    walls: dict[str, list[float]] = {key: [] for key in commands}
    cpus: dict[str, list[float]] = {key: [] for key in commands}
    outputs: dict[str, str] = {}
    for _ in range(runs):
        for key, (command, env) in commands.items():
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
            walls[key].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[key].append(after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime)
            outputs[key] = done.stdout + done.stderr
            if done.returncode not in (0, 2):
                raise SystemExit(f"{' '.join(command)} failed:\n{outputs[key]}")
    wall = {key: statistics.median(values) for key, values in walls.items()}
    cpu = {key: statistics.median(values) for key, values in cpus.items()}
    return wall, cpu, outputs


def count_calls(
    url: str, env: dict[str, str], args: argparse.Namespace, work: Path
) -> Counter[str]:
    """API calls of one in-process `ptc plan`, by operation."""
    os.environ.update(env)
    os.environ["AWS_ENDPOINT_URL"] = url
    import boto3

    from ptc.aws.gateway import Gateway
    from ptc.engine.workflow import load_desired, plan_desired

    path = work / "rules.yaml"
    desired = load_desired(path)
    gateway = Gateway(boto3.Session(region_name=REGIONS[0]), desired.regions)
    calls: Counter[str] = Counter()
    for client in gateway.clients():
        client.meta.events.register("before-call", lambda model, **_: calls.update([model.name]))
    plan_desired(desired, gateway)
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--templates", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--breakdown", action="store_true", help="where plan's time goes")
    parser.add_argument("--no-terraform", action="store_true", help="set up with ptc apply")
    parser.add_argument("--baseline", type=Path, help="another ptc source tree to time too")
    parser.add_argument("--phases", type=Path, help=argparse.SUPPRESS)  # the timed child
    args = parser.parse_args()
    if args.phases is not None:
        print(json.dumps(phases(args.phases)))
        return
    terraform = shutil.which("terraform")
    if not args.no_terraform and (terraform is None or not TF_MIRROR.is_dir()):
        raise SystemExit("needs terraform and the provider mirror in /opt/tf-plugins")
    work = Path(tempfile.mkdtemp(prefix="ptc-bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = sandbox_environment(
        REGIONS[0], TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=str(work / "terraformrc")
    )
    (work / "terraformrc").write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{TF_MIRROR}"\n  }}\n}}\n'
    )
    byte_compile(os.environ.get("PYTHONPATH"), *([str(args.baseline)] if args.baseline else []))
    server = start_server(port, env)
    try:
        run(args, work, url, env, terraform or "terraform")
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(args: argparse.Namespace, work: Path, url: str, env: dict[str, str], tf: str) -> None:
    (work / "main.tf").write_text(terraform_config(url, args.rules, args.templates))
    (work / "rules.yaml").write_text(ptc_file(args.rules, args.templates))
    ptc_env = {**env, "AWS_ENDPOINT_URL": url}
    setup = time.perf_counter()
    if args.no_terraform:
        apply = [sys.executable, "-m", "ptc", "apply", "rules.yaml", "--auto-approve"]
        subprocess.run(apply, env=ptc_env, cwd=work, check=True, capture_output=True)
    else:
        init = [tf, "init", "-input=false"]
        subprocess.run(init, env=env, cwd=work, check=True, capture_output=True)
        subprocess.run(
            [tf, "apply", "-auto-approve", "-input=false", "-parallelism=10"],
            env=env, cwd=work, check=True, capture_output=True,
        )  # fmt: skip
    print(f"setup: apply of {3 * (args.rules + args.templates)} resources "
          f"took {time.perf_counter() - setup:.1f} s")  # fmt: skip
    commands: dict[str, tuple[list[str], dict[str, str]]] = {}
    if not args.no_terraform:
        commands["terraform"] = ([tf, "plan", "-input=false", "-detailed-exitcode"], env)
    ptc_cmd = [sys.executable, "-m", "ptc", "plan", "rules.yaml", "--detailed-exitcode"]
    if args.baseline is not None:
        commands["ptc before"] = (ptc_cmd, {**ptc_env, "PYTHONPATH": str(args.baseline)})
    commands["ptc"] = (ptc_cmd, ptc_env)
    aws_cmd = [sys.executable, "-m", "awscli", "ecr", "describe-pull-through-cache-rules"]
    commands["aws"] = ([*aws_cmd, "--endpoint-url", url], env)
    wall, cpu, outputs = timed(commands, work, args.runs)
    calls = count_calls(url, env, args, work)
    report(args, wall, cpu, outputs["ptc"], calls)
    if args.breakdown:
        report_breakdown(breakdown(ptc_env, work, args.runs), wall["ptc"])


def import_seconds(env: dict[str, str], work: Path) -> float:
    """Total import time of one `ptc plan`: the sum of every module's own import time."""
    command = [sys.executable, "-X", "importtime", "-m", "ptc", "plan", "rules.yaml"]
    done = subprocess.run(command, env=env, cwd=work, capture_output=True, text=True)
    total = 0
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            own = line.removeprefix("import time:").split("|")[0].strip()
            total += int(own) if own.isdigit() else 0
    return total / 1e6


def phases(path: Path) -> dict[str, float]:
    """One `ptc plan`'s phases, timed in this (fresh) interpreter; imports come first."""
    import threading

    start = time.perf_counter()
    import botocore.session

    from ptc.aws.gateway import Gateway, make_session
    from ptc.engine.workflow import load_desired, plan_desired
    from ptc.render.console import console as make_console
    from ptc.render.plan import render_plan

    creating = [0.0]
    lock = threading.Lock()
    create = botocore.session.Session.create_client

    def timed_create(self: Any, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return create(self, *args, **kwargs)
        finally:
            with lock:
                creating[0] += time.perf_counter() - began

    botocore.session.Session.create_client = timed_create  # type: ignore[method-assign]
    marks = {"imports (in-process)": time.perf_counter()}
    desired = load_desired(path)
    marks["load and check the file"] = time.perf_counter()
    gateway = Gateway(make_session(), desired.regions)
    marks["session and clients"] = time.perf_counter()
    planned = plan_desired(desired, gateway)
    marks["read live state and plan (API)"] = time.perf_counter()
    with open(os.devnull, "w") as sink:
        console = make_console(soft_wrap=True)
        console.file = sink
        render_plan(planned.plan, console)
    marks["render"] = time.perf_counter()
    result, last = {}, start
    for name, mark in marks.items():
        result[name], last = mark - last, mark
    result["creating clients (summed over threads)"] = creating[0]
    return result


def breakdown(env: dict[str, str], work: Path, runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        samples.setdefault("imports (python -X importtime)", []).append(import_seconds(env, work))
        command = [sys.executable, __file__, "--phases", str(work / "rules.yaml")]
        done = subprocess.run(command, env=env, cwd=work, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"the timed plan failed:\n{done.stderr}")
        for name, seconds in json.loads(done.stdout).items():
            samples.setdefault(name, []).append(seconds)
    return {name: statistics.median(values) for name, values in samples.items()}


def report_breakdown(parts: dict[str, float], total: float) -> None:
    print(f"\nWhere one `ptc plan` goes (median of each part; whole command {total:.2f} s):\n")
    print("| part | time |")
    print("|---|---:|")
    for name, seconds in parts.items():
        print(f"| {name} | {seconds * 1000:.0f} ms |")


def report(
    args: argparse.Namespace,
    wall: dict[str, float],
    cpu: dict[str, float],
    ptc_out: str,
    calls: Counter[str],
) -> None:
    verdict = ptc_out.strip().splitlines()[-1]
    print(
        f"\n{args.rules} rules and {args.templates} templates in each of {len(REGIONS)} "
        f"regions; median of {args.runs} interleaved runs; ptc plan says: {verdict}\n"
    )
    names = {
        "terraform": "`terraform plan` (3 provider aliases)",
        "ptc before": f"`ptc plan` of {args.baseline} (3 regions)",
        "ptc": "`ptc plan` (3 regions)",
        "aws": "`aws ecr describe-pull-through-cache-rules` (1 call, 1 region)",
    }
    print("| command | wall time | CPU (user + system) |")
    print("|---|---:|---:|")
    for key in wall:
        print(f"| {names[key]} | {wall[key]:.2f} s | {cpu[key]:.2f} s |")
    print()
    for key in ("ptc before", "ptc"):
        if key not in wall:
            continue
        if "terraform" in wall:
            print(
                f"{names[key]} is {wall['terraform'] / wall[key]:.1f}x faster than terraform plan."
            )
        print(f"{names[key]} takes {wall[key] / wall['aws']:.2f}x the time of one aws CLI call "
              f"({cpu[key] / cpu['aws']:.2f}x its CPU).")  # fmt: skip
    total = sum(calls.values())
    print(f"\nAPI calls of one ptc plan: {total} for {3 * (args.rules + args.templates)} live "
          "rules and templates (tests/plan proves the count does not grow with them):")  # fmt: skip
    for name in sorted(calls):
        print(f"  {name}: {calls[name]}")


if __name__ == "__main__":
    main()

"""How fast `ptc plan` is, next to `terraform plan` and one `aws` CLI call, on the sandbox.

Setup (not timed): `ptc sandbox serve` on a free loopback port; Terraform (AWS provider from
the filesystem mirror in /opt/tf-plugins, three provider aliases, one per region) creates
N rules and M templates in each of three regions. Then, each timed as whole commands
(median of --runs):

  * `terraform plan` of that configuration (refreshes every resource);
  * `ptc plan` of the equivalent ptc file (which must show no changes);
  * a single `aws ecr describe-pull-through-cache-rules` call in one region.

Finally the API calls one `ptc plan` makes are counted with botocore event hooks.

Usage: python benchmarks/plan_speed.py [--rules 50] [--templates 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
UPSTREAMS = ["quay.io", "public.ecr.aws", "registry.k8s.io"]
TF_MIRROR = Path("/opt/tf-plugins")
LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
            "action": {"type": "expire"},
        }
    ]
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def timed(command: list[str], env: dict[str, str], cwd: Path, runs: int) -> tuple[float, str]:
    times = []
    output = ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        output = done.stdout + done.stderr
        if done.returncode not in (0, 2):
            raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return statistics.median(times), output


def count_calls(
    url: str, env: dict[str, str], args: argparse.Namespace, work: Path
) -> Counter[str]:
    """API calls of one in-process `ptc plan`, by operation."""
    os.environ.update(env)
    os.environ["AWS_ENDPOINT_URL"] = url
    import boto3

    from ptc.aws.gateway import Gateway
    from ptc.workflow import load_desired, plan_desired

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
    args = parser.parse_args()
    terraform = shutil.which("terraform")
    if terraform is None or not TF_MIRROR.is_dir():
        raise SystemExit("needs terraform and the provider mirror in /opt/tf-plugins")
    work = Path(tempfile.mkdtemp(prefix="ptc-bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGIONS[0],
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "TF_IN_AUTOMATION": "1",
        "TF_CLI_CONFIG_FILE": str(work / "terraformrc"),
    }
    (work / "terraformrc").write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{TF_MIRROR}"\n  }}\n}}\n'
    )
    server = start_server(port, env)
    try:
        run(args, work, url, env, terraform)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(args: argparse.Namespace, work: Path, url: str, env: dict[str, str], tf: str) -> None:
    (work / "main.tf").write_text(terraform_config(url, args.rules, args.templates))
    (work / "rules.yaml").write_text(ptc_file(args.rules, args.templates))
    subprocess.run([tf, "init", "-input=false"], env=env, cwd=work, check=True, capture_output=True)
    setup = time.perf_counter()
    subprocess.run(
        [tf, "apply", "-auto-approve", "-input=false", "-parallelism=10"],
        env=env, cwd=work, check=True, capture_output=True,
    )  # fmt: skip
    print(f"setup: terraform apply of {3 * (args.rules + args.templates)} resources "
          f"took {time.perf_counter() - setup:.1f} s")  # fmt: skip
    ptc_env = {**env, "AWS_ENDPOINT_URL": url}
    tf_time, _ = timed([tf, "plan", "-input=false", "-detailed-exitcode"], env, work, args.runs)
    ptc_cmd = [sys.executable, "-m", "ptc", "plan", "rules.yaml", "--detailed-exitcode"]
    ptc_time, ptc_out = timed(ptc_cmd, ptc_env, work, args.runs)
    aws_cmd = [sys.executable, "-m", "awscli", "ecr", "describe-pull-through-cache-rules"]
    aws_time, _ = timed([*aws_cmd, "--endpoint-url", url], env, work, args.runs)
    calls = count_calls(url, env, args, work)
    report(args, tf_time, ptc_time, aws_time, ptc_out, calls)


def report(
    args: argparse.Namespace,
    tf_time: float,
    ptc_time: float,
    aws_time: float,
    ptc_out: str,
    calls: Counter[str],
) -> None:
    verdict = ptc_out.strip().splitlines()[-1]
    print(f"\n{args.rules} rules and {args.templates} templates in each of {len(REGIONS)} "
          f"regions; median of {args.runs} runs; ptc plan says: {verdict}\n")  # fmt: skip
    print("| command | wall time |")
    print("|---|---|")
    print(f"| `terraform plan` (3 provider aliases) | {tf_time:.2f} s |")
    print(f"| `ptc plan` (3 regions) | {ptc_time:.2f} s |")
    print(f"| `aws ecr describe-pull-through-cache-rules` (1 call, 1 region) | {aws_time:.2f} s |")
    print(f"\nptc plan is {tf_time / ptc_time:.1f}x faster than terraform plan, and takes "
          f"{ptc_time / aws_time:.2f}x the time of one aws CLI call.")  # fmt: skip
    total = sum(calls.values())
    print(f"\nAPI calls of one ptc plan: {total} for {3 * (args.rules + args.templates)} live "
          "rules and templates (tests/plan proves the count does not grow with them):")  # fmt: skip
    for name in sorted(calls):
        print(f"  {name}: {calls[name]}")


if __name__ == "__main__":
    main()

"""How fast `ptc rewrite-images` is, next to the floor for a structure-aware tool.

Generates a tree of manifests of mixed kinds (Kubernetes multi-document YAML, compose
files, ECS task definitions in JSON, Dockerfiles; about ten references per file) in a
temporary folder, then times (each figure is the best of --repeat runs, and each run
with --write starts from a fresh copy of the tree):

  floor     read every file and load + serialise it with the same parsers: PyYAML's C
            loader and dumper for YAML, json for JSON, a line split and join for Dockerfiles
  engine    ptc.rewrite.engine.run over the tree in-process, without and with --write
  cli       `ptc rewrite-images` end to end in a fresh interpreter (startup, imports,
            rules file, walk, rewrite, report), printing the diff, and with --write

and prints references rewritten per second and each time's ratio to the floor. With
--single MB the tree is one multi-document manifest of that size instead (thousands of
documents, as `helm template` prints for a big chart). Peak memory of each CLI run is
printed too. Not run by the tests.

    .venv/bin/python benchmarks/rewrite_images.py --files 5000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as Dumper
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

RULES = """\
version: 1
account: "123456789012"
regions: [us-east-1]
rules:
  - {prefix: docker-hub, upstream: registry-1.docker.io, credentials: ecr-pullthroughcache/hub}
  - {prefix: quay, upstream: quay.io}
  - {prefix: github, upstream: ghcr.io, credentials: ecr-pullthroughcache/github}
  - {prefix: kubernetes, upstream: registry.k8s.io}
  - {prefix: ecr-public, upstream: public.ecr.aws}
"""
CACHE = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
NAMES = ["nginx", "redis", "postgres", "busybox", "alpine", "python", "node", "golang"]
DIGEST = "sha256:" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def image(rng: random.Random) -> str:
    name = rng.choice(NAMES)
    tag = f"{rng.randint(1, 20)}.{rng.randint(0, 9)}"
    choice = rng.random()
    if choice < 0.30:
        text = f"{name}:{tag}"
    elif choice < 0.45:
        text = f"{rng.choice(['grafana', 'bitnami', 'myorg'])}/{name}:{tag}"
    elif choice < 0.55:
        text = f"quay.io/prometheus/{name}:v{tag}"
    elif choice < 0.65:
        text = f"ghcr.io/example/{name}:{tag}"
    elif choice < 0.72:
        text = f"registry.k8s.io/{name}:v{tag}"
    elif choice < 0.80:
        text = f"public.ecr.aws/docker/library/{name}:{tag}"
    elif choice < 0.90:
        text = f"registry.example.com/team/{name}:{tag}"  # no rule
    elif choice < 0.95:
        text = f"{CACHE}/docker-hub/library/{name}:{tag}"  # already cached
    else:
        text = f"{name}@{DIGEST}"
    return text


def _containers(rng: random.Random, count: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"c{i}",
            "image": image(rng),
            "ports": [{"containerPort": 8000 + i}],
            "env": [{"name": "MODE", "value": "production"}],
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
        }
        for i in range(count)
    ]


def kubernetes(rng: random.Random, index: int) -> str:
    meta = {"name": f"app-{index}", "labels": {"app": f"app-{index}"}}
    pod = {"initContainers": _containers(rng, 1), "containers": _containers(rng, 3)}
    docs = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
         "spec": {"replicas": 2, "template": {"metadata": meta, "spec": pod}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": meta,
         "spec": {"selector": {"app": f"app-{index}"}, "ports": [{"port": 80}]}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta,
         "spec": {"template": {"spec": {"containers": _containers(rng, 3)}}}},
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
         "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": {
             "spec": {"containers": _containers(rng, 2), "restartPolicy": "Never"}}}}}},
    ]  # fmt: skip
    body = yaml.dump_all(docs, Dumper=Dumper, sort_keys=False, default_flow_style=False)
    return f"# generated workload {index}\n{body}"


def compose(rng: random.Random, index: int) -> str:
    services = {
        f"svc{i}": {
            "image": image(rng),
            "restart": "always",
            "ports": [f"{8000 + i}:80"],
            "environment": {"MODE": "production", "INDEX": str(index)},
        }
        for i in range(10)
    }
    return "# compose\n" + yaml.dump({"services": services}, Dumper=Dumper, sort_keys=False)


def ecs(rng: random.Random, index: int) -> str:
    containers = [
        {
            "name": f"c{i}",
            "image": image(rng),
            "essential": i == 0,
            "portMappings": [{"containerPort": 8000 + i, "protocol": "tcp"}],
            "environment": [{"name": "MODE", "value": "production"}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {"awslogs-group": f"/ecs/app-{index}", "awslogs-region": "us-east-1"},
            },
        }
        for i in range(10)
    ]
    return json.dumps({"family": f"app-{index}", "containerDefinitions": containers}, indent=2)


def dockerfile(rng: random.Random, index: int) -> str:
    lines = ["# syntax=docker/dockerfile:1", "ARG VERSION=1"]
    for stage in range(8):
        lines += [f"FROM {image(rng)} AS s{stage}", "WORKDIR /src", "RUN make build"]
    lines += [f"COPY --from={image(rng)} /bin/tool /bin/tool", "COPY --from=s0 /out /out"]
    return "\n".join(lines) + "\n"


GENERATORS: list[tuple[str, Callable[[random.Random, int], str], float]] = [
    ("k8s/app-{}.yaml", kubernetes, 0.4),
    ("compose/app-{}/compose.yaml", compose, 0.2),
    ("ecs/task-{}.json", ecs, 0.2),
    ("docker/app-{}/Dockerfile", dockerfile, 0.2),
]


def generate_single(root: Path, megabytes: float, seed: int) -> None:
    """One multi-document manifest of `megabytes`, as `helm template` prints a big chart."""
    rng = random.Random(seed)
    path = root / "k8s" / "all.yaml"
    path.parent.mkdir(parents=True)
    parts, size, index = [], 0, 0
    while size < megabytes * 1e6:
        parts.append(kubernetes(rng, index))
        size += len(parts[-1])
        index += 1
    path.write_text("---\n".join(parts))
    for folder in ("compose", "ecs", "docker"):
        (root / folder).mkdir()
    (root / "rules.yaml").write_text(RULES)


def generate(root: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    weights = [g[2] for g in GENERATORS]
    for index in range(count):
        pattern, make, _ = rng.choices(GENERATORS, weights)[0]
        path = root / pattern.format(index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make(rng, index))
    (root / "rules.yaml").write_text(RULES)


# -- the floor -----------------------------------------------------------------------------


def floor(files: list[Path]) -> float:
    """Load and serialise every file with the parser a structure-aware tool needs."""
    start = time.perf_counter()
    for path in files:
        text = path.read_bytes().decode("utf-8")
        if path.suffix == ".json":
            json.dumps(json.loads(text), indent=2)
        elif path.suffix == ".yaml":
            yaml.dump_all(list(yaml.load_all(text, Loader=Loader)), Dumper=Dumper)
        else:
            "\n".join(text.split("\n"))
    return time.perf_counter() - start


def engine(root: Path, *, write: bool = False) -> tuple[float, dict[str, int]]:
    from ptc.checks.runner import load_valid
    from ptc.rewrite.engine import run
    from ptc.rewrite.files import expand
    from ptc.rewrite.mapping import Mapper, choose_target

    start = time.perf_counter()
    rules = load_valid(root / "rules.yaml").file
    assert rules is not None
    mapper = Mapper.from_file(rules, choose_target(rules, None, None))
    report = run(expand([str(root / d) for d in ("k8s", "compose", "ecs", "docker")]), mapper,
                 write=write)  # fmt: skip
    elapsed = time.perf_counter() - start
    assert not report.failed, report.failed[0].error
    return elapsed, report.counts()


CLI = """
import resource, sys
from ptc.cli import app
try:
    folders = ["k8s", "compose", "ecs", "docker"]
    app(["rewrite-images", "--rules", "rules.yaml", *sys.argv[1:], *folders])
except SystemExit as exc:
    print("exit", exc.code, "boto3 imported:", "boto3" in sys.modules, file=sys.stderr)
    print("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""
PEAKS: dict[str, int] = {}  # options -> peak RSS in KiB of the CLI run


def cli(root: Path, *options: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CLI, *options], cwd=root, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    assert "boto3 imported: False" in done.stderr, done.stderr
    assert done.stderr.split("exit ")[1].split()[0] in ("0", "1"), done.stderr
    peak = int(done.stderr.split("peak ")[1].split()[0])
    PEAKS[" ".join(options)] = max(PEAKS.get(" ".join(options), 0), peak)
    return elapsed


def best(repeat: int, measure: Callable[[], float]) -> float:
    return min(measure() for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000, help="manifests to generate")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="runs per in-process figure")
    parser.add_argument(
        "--single", type=float, default=0, metavar="MB", help="one manifest of MB instead"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ptc-bench-") as tmp:
        tree = Path(tmp) / "tree"
        if args.single:
            generate_single(tree, args.single, args.seed)
        else:
            generate(tree, args.files, args.seed)
        files = sorted(p for p in tree.rglob("*") if p.is_file() and p.name != "rules.yaml")
        size = sum(p.stat().st_size for p in files)
        floor_time = best(args.repeat, lambda: floor(files))
        engine_time, counts = engine(tree, write=False)
        engine_time = min(engine_time, best(max(args.repeat - 1, 1), lambda: engine(tree)[0]))
        rewritten, found = counts["rewritten"], sum(counts.values())

        def fresh_write() -> float:
            copy = Path(tmp) / "copy"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(tree, copy)
            os.sync()  # time our writes, not the flush of the copy's dirty pages
            return engine(copy, write=True)[0]

        write_time = best(args.repeat, fresh_write)

        def fresh_cli() -> float:
            copy = Path(tmp) / "copy"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(tree, copy)
            os.sync()  # time our writes, not the flush of the copy's dirty pages
            return cli(copy, "--write")

        cli_diff_time = best(args.repeat, lambda: cli(tree))
        cli_check_time = best(args.repeat, lambda: cli(tree, "--check"))
        cli_json_time = best(args.repeat, lambda: cli(tree, "--format", "json"))
        cli_time = best(args.repeat, fresh_cli)
        largest = max(p.stat().st_size for p in files)
    rows = [
        ("floor (load + serialise)", floor_time),
        ("engine, report only", engine_time),
        ("engine, --write", write_time),
        ("cli end to end, diff", cli_diff_time),
        ("cli end to end, --check", cli_check_time),
        ("cli end to end, --format json", cli_json_time),
        ("cli end to end, --write", cli_time),
    ]
    print(f"{len(files)} files, {size / 1e6:.1f} MB, {found} references, {rewritten} rewritten")
    for name, seconds in rows:
        print(
            f"  {name:<26} {seconds:7.2f} s  {rewritten / seconds:9,.0f} refs/s"
            f"  {seconds / floor_time:5.2f}x floor"
        )
    budget = 3 * largest / 2**20 + 100
    print(f"peak memory of the cli runs (budget: 3x the largest file + 100 MB = {budget:.0f} MiB):")
    for options, peak in PEAKS.items():
        print(f"  {options or '(diff)':<26} {peak / 1024:7.0f} MiB")


if __name__ == "__main__":
    main()

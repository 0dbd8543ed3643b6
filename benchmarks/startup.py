"""Start-up time of the offline commands, next to the interpreter's own.

    python benchmarks/startup.py [--runs 20] [--file examples/rules.yaml]

Prints a Markdown table (median and fastest wall time of N runs, after one warm-up run each)
and the modules whose import costs `ptc validate` the most (`python -X importtime`).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands(file: str) -> list[tuple[str, list[str]]]:
    python = sys.executable
    commands = [
        ("python -c pass", [python, "-c", "pass"]),
        ("python -m ptc --help", [python, "-m", "ptc", "--help"]),
        (f"python -m ptc validate {file}", [python, "-m", "ptc", "validate", file]),
    ]
    script = Path(python).parent / "ptc"
    if script.exists():  # the console script adds its entry-point shim
        commands.append((f"ptc validate {file}", [str(script), "validate", file]))
    return commands


def _wall_times(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(
            argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        times.append(time.perf_counter() - start)
    return times[1:]  # the first run warms the file cache and the .pyc files


def _import_costs(file: str, top: int) -> list[tuple[int, int, str]]:
    """(cumulative µs, self µs, module) of the costliest imports of `ptc validate`."""
    process = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ptc", "validate", file],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in process.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        if own.strip().isdigit():
            rows.append((int(cumulative), int(own), name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--file", default="examples/rules.yaml")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}, {args.runs} runs each (after one warm-up run)\n")
    print("| Command | Median | Fastest | Over `python -c pass` |")
    print("|---|---:|---:|---:|")
    baseline = None
    for label, argv in _commands(args.file):
        times = _wall_times(argv, args.runs)
        median = statistics.median(times) * 1000
        baseline = median if baseline is None else baseline
        print(
            f"| `{label}` | {median:.0f} ms | {min(times) * 1000:.0f} ms | "
            f"+{median - baseline:.0f} ms |"
        )

    print(f"\nCostliest imports of `ptc validate {args.file}` (python -X importtime):\n")
    print("| Cumulative | Self | Module |")
    print("|---:|---:|---|")
    for cumulative, own, name in _import_costs(args.file, args.top):
        print(f"| {cumulative / 1000:.1f} ms | {own / 1000:.1f} ms | `{name.strip()}` |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

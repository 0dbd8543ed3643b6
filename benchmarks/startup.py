"""Start-up time of the offline commands, next to the interpreter's own.

    python benchmarks/startup.py [--runs 20] [--file examples/rules.yaml] [--before DIR]

Prints a Markdown table (median and fastest wall time of N runs, after one warm-up run each,
and the median over `python -c pass`'s) and the modules whose import costs `ptc validate`
the most (`python -X importtime`). The commands take turns, run after run, so that a machine
shared with other work slows them alike and the ratios hold. `--before DIR` adds the
`python -m ptc` commands run from another checkout (e.g. `git worktree add DIR main`),
side by side in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


Command = tuple[str, list[str], Path]  # label, argv, working directory


def _commands(file: str, before: Path | None) -> list[Command]:
    python = sys.executable
    commands: list[Command] = [
        ("python -c pass", [python, "-c", "pass"], ROOT),
        ("python -m ptc --help", [python, "-m", "ptc", "--help"], ROOT),
        (f"python -m ptc validate {file}", [python, "-m", "ptc", "validate", file], ROOT),
    ]
    script = Path(python).parent / "ptc"
    if script.exists():  # the console script adds its entry-point shim
        commands.append((f"ptc validate {file}", [str(script), "validate", file], ROOT))
    if before is not None:  # `python -m` imports ptc from the working directory first
        copy = before.resolve()
        commands.insert(1, ("before: python -m ptc --help", [python, "-m", "ptc", "--help"], copy))
        argv = [python, "-m", "ptc", "validate", str(ROOT / file)]
        commands.insert(3, (f"before: python -m ptc validate {file}", argv, copy))
    return commands


def _wall_times(commands: list[Command], runs: int) -> dict[str, list[float]]:
    """Each command's times, the commands taking turns; the first round warms the caches."""
    times: dict[str, list[float]] = {label: [] for label, _, _ in commands}
    for round_ in range(runs + 1):
        for label, argv, cwd in commands:
            start = time.perf_counter()
            subprocess.run(
                argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
            )
            if round_:
                times[label].append(time.perf_counter() - start)
    return times


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
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}, {args.runs} runs each (after one warm-up run)\n")
    print("| Command | Median | Fastest | Over `python -c pass` | × `python -c pass` |")
    print("|---|---:|---:|---:|---:|")
    times = _wall_times(_commands(args.file, args.before), args.runs)
    baseline = statistics.median(times["python -c pass"]) * 1000
    for label, runs in times.items():
        median = statistics.median(runs) * 1000
        print(
            f"| `{label}` | {median:.0f} ms | {min(runs) * 1000:.0f} ms | "
            f"+{median - baseline:.0f} ms | {median / baseline:.1f}× |"
        )

    print(f"\nCostliest imports of `ptc validate {args.file}` (python -X importtime):\n")
    print("| Cumulative | Self | Module |")
    print("|---:|---:|---|")
    for cumulative, own, name in _import_costs(args.file, args.top):
        print(f"| {cumulative / 1000:.1f} ms | {own / 1000:.1f} ms | `{name.strip()}` |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Start-up time of the CLI as a ratio against a bare ``python -c pass``.

Each command runs N times as a fresh process (the installed ``reconciler`` script when there
is one, else ``python -m reconciler``); the table shows the median wall time and its ratio
to the median of ``python -c pass`` measured the same way, interleaved to share noise.

    .venv/bin/python bench/startup.py [-n 21] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def environment_note() -> str:
    """common.environment_note, imported late: this script itself stays light."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import environment_note as note

    return note()


def _reconciler() -> list[str]:
    script = Path(sys.executable).parent / "reconciler"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "reconciler"]


def commands() -> dict[str, list[str]]:
    tool = _reconciler()
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "reconciler --help": [*tool, "--help"],
        "reconciler validate (tenant-config/)": [
            *tool, "validate", "-c", str(REPO / "tenant-config"), "--allow-missing-keywords",
        ],
        "reconciler plan --help": [*tool, "plan", "--help"],
    }


def measure(runs: int) -> dict[str, list[float]]:
    cmds = commands()
    times: dict[str, list[float]] = {name: [] for name in cmds}
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTH0_")}
    for _ in range(runs):
        for name, argv in cmds.items():  # interleaved: a noisy moment hits every row alike
            start = time.perf_counter()
            subprocess.run(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=21)
    parser.add_argument("--json", help="write the rows to this file")
    args = parser.parse_args()
    times = measure(args.runs)
    base = statistics.median(times["python -c pass"])
    rows = []
    print(f"$ .venv/bin/python bench/startup.py -n {args.runs} ({environment_note()})")
    print(f"{'command':<40} {'median':>9} {'ratio':>7}   (median of {args.runs} runs)")
    for name, samples in times.items():
        median = statistics.median(samples)
        rows.append({"command": name, "median_s": round(median, 4), "ratio": round(median / base, 2)})
        print(f"{name:<40} {median * 1000:>7.0f}ms {median / base:>6.1f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

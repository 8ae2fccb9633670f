#!/usr/bin/env python3
"""How close does `apply` get to the tenant's rate limit?

    .venv/bin/python bench/apply_rate.py            # everything (~20 min: 2 rps x 1,000 writes is ~8 min, twice)
    .venv/bin/python bench/apply_rate.py --quick    # 40 and 120 writes per tier (~4 min)
    .venv/bin/python bench/apply_rate.py --sizes 50,200 --json results.json

For each rate-limit profile the emulator runs as a subprocess (it does not share the
tool's GIL) with Auth0's published limits:

- `free 2/s burst 2`: Free;
- `non-prod 2/s burst 10`: Enterprise non-production;
- `prod 16/s burst 50 +100 ms`: Enterprise production, with 100 ms added to every response.

Each case applies a plan of exactly N write requests to an empty tenant: N hooks, created
disabled on credentials-exchange, no secrets (one POST each; no hand-overs). The run is a
whole `reconciler apply --yes` in this process: token, read the live tenant (1 GET), plan,
execute with 8 workers. Wall time is measured from the first request to the last answer.

Lower bound: the emulator's bucket starts full, so R rate-limited requests cannot finish
before `(R - burst) / rate` seconds. With latency L and 8 requests in flight, they also need
`R * L / 8`; and the token request, the read and the last write are serial: `3 * L`. So
bound = max((R - burst) / rate, R * L / 8) + 3 * L. The target is wall <= 1.10 x bound,
no failed step, and (few or) no 429s (issue 11 asks for <= 1.05 x at every tier).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    emulator,
    environment_note,
    hook,
    progress,
    run_apply,
    table,
    write_config,
)

PROFILES = {
    "free 2/s burst 2": {"rate_limit": 2, "burst": 2, "latency_ms": 0},
    "non-prod 2/s burst 10": {"rate_limit": 2, "burst": 10, "latency_ms": 0},
    "prod 16/s burst 50 +100 ms": {"rate_limit": 16, "burst": 50, "latency_ms": 100},
}
QUICK_SIZES = "40,120"
TARGET = 1.05
WORKERS = 8


def bound(requests: int, rate: float, burst: int, latency_ms: float) -> float:
    latency = latency_ms / 1000.0
    return max(0.0, (requests - burst) / rate, requests * latency / WORKERS) + 3 * latency


def run_case(emu: Any, profile: dict[str, Any], writes: int, workdir: Path) -> dict[str, Any]:
    emu.reset()  # empty tenant, counters cleared, bucket full
    config = write_config(workdir / f"config-{writes}", [hook(f"bench-{i:05d}") for i in range(writes)])
    run = run_apply(emu.base_url, config, max_workers=WORKERS)
    stats = emu.stats()
    api_requests = run.client["requests"] - run.client["rate_limited"]  # 429s take no token
    low = bound(api_requests, profile["rate_limit"], profile["burst"], profile["latency_ms"])
    live = stats["hooks"]
    return {
        "writes_planned": run.steps,
        "writes": stats["writes"],
        "api_requests": api_requests,
        "wall_s": run.wall,
        "execute_s": run.execute,
        "rps": api_requests / run.wall if run.wall else 0.0,
        "emulator_429": stats["by_status"].get("429", 0),
        "client_429": run.client["rate_limited"],
        "retries": run.client["retries"],
        "failed_steps": len(run.report.failed) + len(run.report.not_run),
        "bound_s": low,
        "ratio": run.wall / low if low else float("nan"),
        "end_state_ok": live == writes and stats["writes"] == writes,
        "max_enabled": max(stats["max_enabled_per_trigger"].values(), default=0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK_SIZES} writes per tier")
    parser.add_argument("--sizes", default=None, help="plan sizes in write requests (default 50,200,1000)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    spec = args.sizes or (QUICK_SIZES if args.quick else "50,200,1000")
    sizes = [int(s) for s in spec.split(",") if s.strip()]

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-apply-rate-") as tmp:
        for name, profile in PROFILES.items():
            with emulator(rate_limit=profile["rate_limit"], burst=profile["burst"],
                          latency_ms=profile["latency_ms"] or None) as emu:
                for writes in sizes:
                    expected = bound(writes + 1, profile["rate_limit"], profile["burst"], profile["latency_ms"])
                    progress(f"[{name}] {writes} writes: running (lower bound ~{expected:.0f} s)...")
                    row = run_case(emu, profile, writes, Path(tmp))
                    row["scenario"] = name
                    results.append(row)
                    progress(f"[{name}] {writes} writes: {row['wall_s']:.1f} s, ratio {row['ratio']:.3f}, "
                             f"429s {row['emulator_429']}, failed {row['failed_steps']}")

    headers = ["scenario", "writes", "API requests", "wall s", "req/s", "429 (emulator/client)",
               "lower bound s", "wall/bound", "failed steps", "end state"]
    rows = [
        [r["scenario"], r["writes"], r["api_requests"], r["wall_s"], r["rps"],
         f"{r['emulator_429']}/{r['client_429']}", r["bound_s"], f"{r['ratio']:.3f}x",
         r["failed_steps"], "ok" if r["end_state_ok"] else "WRONG"]
        for r in results
    ]
    print(f"apply against the emulator ({environment_note()}; {WORKERS} workers)")
    print(table(headers, rows))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    bad = [r for r in results if r["failed_steps"] or not r["end_state_ok"]]
    slow = [r for r in results if r["ratio"] > TARGET]
    if slow:
        print(f"{len(slow)} case(s) slower than {TARGET:.2f} x the lower bound", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())

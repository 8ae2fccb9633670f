#!/usr/bin/env python3
"""`reconciler apply` of N new actions to an empty tenant vs the critical-path lower bound.

    .venv/bin/python bench/actions_apply.py                 # N = 5 and 20 (~1 min)
    .venv/bin/python bench/actions_apply.py --actions 5 10 20 40 --json out.json
    .venv/bin/python bench/actions_apply.py --tier free   # Auth0's free tier: 2/s, burst 2

The desired state is `actions_state.desired(N)` (as in `deploy_cli_actions.py`: actions spread
over post-login, credentials-exchange and pre-user-registration, every third with a dependency,
every ninth with two, all bound). Our tool runs as users run it, `python -m reconciler apply
--yes -c DIR` with a ready token, against an emulator subprocess (plain HTTP on loopback) with
Auth0's prod-tier rate limit (16/s, burst 50, +100 ms latency per request; `--tier free`:
2/s, burst 2, no added latency) and builds of 0.4 s + 1 s per dependency. Target (issue 12):
apply within 1.2x of the bound.

The bound. L = latency (0.1 s), r = refill rate (16/s), b = burst (50), W = 8 requests in
flight (the reconciler's default), B_i = build time of action i (0.4 s + 1 s per dependency),
T = triggers bound (3 once N >= 3). The emulator sleeps L and then handles a request, so:

- critical path: one read of the live state (L); for the slowest action, its create is handled
  at L, its draft is built at L + B_i, a poll handled after that sees `built` (a poll cannot be
  handled earlier than 2L); then deploy (L), one read that the deployed version is live (L),
  and its trigger's bindings PATCH (L):
      critical = L + max(max_i B_i, L) + L + 3L = max(max_i B_i, L) + 5L
- rate-limit bound: the fewest requests are R = 2N + 2T + 3 (per action: create, deploy;
  one list answering every action's build poll and one every live check; per trigger: read
  and PATCH its bindings; one list of actions). A client polling each action alone needs
  R = 4N + 2T + 1;
  the bucket starts full, so the R-th is handled no earlier than (R - b) / r (+ its L), and W
  in flight at L each need R * L / W:
      rate = max((R - b) / r + L, R * L / W)
- bound = max(critical, rate).

Not counted in the bound (the 1.2x allowance must cover them): the lease, reading the hooks,
the read-back after the apply, and the process start (Python start-up and imports).

Measured: "apply s" = the API window (first to last request the emulator finished, sampled
every 20 ms) + L (the first request's own latency); "wall s" = the whole process. The ratio is
apply s / bound. Until `reconciler apply` manages Actions (the run exits 0 and creates none of
the actions), rows read "n/a (reconciler does not manage Actions on this commit)".
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from a0deploy import Sampler, last_error, run_reconciler  # noqa: E402
from actions_state import KEYWORDS, Counters, Want, desired, end_state_problems, write_config  # noqa: E402
from common import emulator, environment_note, progress, table  # noqa: E402

TIERS = {
    "prod": {"rate_limit": 16, "burst": 50, "latency_ms": 100},
    "free": {"rate_limit": 2, "burst": 2, "latency_ms": 0},
}
BUILD = {"build_time": 0.4, "build_time_per_dependency": 1.0}
IN_FLIGHT = 8
TARGET = 1.2
NOT_MANAGED = "n/a (reconciler does not manage Actions on this commit)"


@dataclass(frozen=True)
class Bound:
    critical: float
    rate: float
    requests: int  # R, the fewest requests

    @property
    def seconds(self) -> float:
        return max(self.critical, self.rate)


def bound(want: Want, latency: float, rate: float, burst: int, build_time: float, build_time_per_dependency: float,
          in_flight: int = IN_FLIGHT) -> Bound:
    """The docstring's formula, for one desired state."""
    builds = [build_time + build_time_per_dependency * len(a["dependencies"]) for a in want.actions]
    critical = max(max(builds, default=0.0), latency) + 5 * latency
    requests = 2 * len(want.actions) + 2 * len(want.triggers) + 3
    by_rate = (requests - burst) / rate + latency if rate > 0 else 0.0
    return Bound(critical, max(by_rate, requests * latency / in_flight), requests)


def run(emu: Any, want: Want, workdir: Path, latency: float) -> dict[str, Any]:
    emu.reset()
    config = write_config(workdir / "tenant-config", want)
    before = Counters.of(emu.stats())
    with Sampler(emu, period=0.02) as sampler:
        started = time.perf_counter()
        result = run_reconciler(emu, config, None, KEYWORDS)
        wall = time.perf_counter() - started
        time.sleep(0.1)  # let the sampler see the last request
    spent = Counters.of(emu.stats()) - before
    state = emu.state()
    problems = end_state_problems(state, want)
    created = {a["name"] for a in state.get("actions", [])} & set(want.names())
    return {
        "exit": result.returncode, "wall_s": wall, "apply_s": sampler.window + latency,
        "requests": spent.requests, "writes": spent.writes, "versions_created": spent.versions,
        "429": spent.throttled, "end_state_ok": not problems, "end_state_problems": problems[:5],
        "error": "" if result.returncode == 0 else last_error(result),
        "managed": not (result.returncode == 0 and not created),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, nargs="+", default=[5, 20], metavar="N",
                        help="numbers of new actions to apply (default: 5 20; each within 1..60)")
    parser.add_argument("--tier", choices=sorted(TIERS), default="prod",
                        help="the emulator's rate limit: prod 16/s burst 50 +100 ms (default), free 2/s burst 2")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    if any(not 1 <= n <= 60 for n in args.actions):  # 20 bindings per trigger at most, 3 triggers
        parser.error("each --actions N must be within 1..60")

    profile = TIERS[args.tier]
    latency = profile["latency_ms"] / 1000
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-actions-apply-") as tmp, emulator(**profile, **BUILD) as emu:
        for n in args.actions:
            want = desired(n)
            b = bound(want, latency, profile["rate_limit"], profile["burst"], **BUILD)
            progress(f"apply of {n} new actions ...")
            row = {"actions": n, "bound": asdict(b) | {"seconds": b.seconds}, **run(emu, want, Path(tmp), latency)}
            row["ratio"] = row["apply_s"] / b.seconds if row["managed"] else None
            progress(f"    exit {row['exit']}, apply {row['apply_s']:.2f} s, bound {b.seconds:.2f} s"
                     + ("" if row["managed"] else f" -> {NOT_MANAGED}")
                     + (f" ({row['error']})" if row["error"] else ""))
            results.append(row)

    tier = f"{profile['rate_limit']}/s burst {profile['burst']}" + (f" +{profile['latency_ms']} ms" if profile["latency_ms"] else "")
    print(f"reconciler apply of N new actions, {tier}, builds {BUILD['build_time']} s + "
          f"{BUILD['build_time_per_dependency']} s per dependency ({environment_note()})")
    headers = ["actions", "fewest requests", "critical s", "rate bound s", "bound s", "apply s", "wall s",
               "apply / bound", "requests", "versions", "429", "end state"]
    rows = []
    for r in results:
        b = r["bound"]
        head = [r["actions"], b["requests"], b["critical"], b["rate"], b["seconds"]]
        if not r["managed"]:
            rows.append(head + ["n/a"] * 6 + [NOT_MANAGED])
            continue
        rows.append(head + [r["apply_s"], r["wall_s"], f"{r['ratio']:.2f}x", r["requests"], r["versions_created"],
                            r["429"], "as desired" if r["end_state_ok"] else "NOT as desired"])
    print(table(headers, rows))
    for r in results:
        if r["managed"] and (r["error"] or not r["end_state_ok"]):
            print(f"- {r['actions']} actions: {r['error'] or '; '.join(r['end_state_problems'])}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    checked = [r for r in results if r["managed"]]
    ok = all(r["exit"] == 0 and r["end_state_ok"] and r["ratio"] <= TARGET and math.isfinite(r["ratio"])
             for r in checked)
    print(f"\ntarget apply / bound <= {TARGET}x: "
          + ("not checked, " + NOT_MANAGED if not checked else "ok" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

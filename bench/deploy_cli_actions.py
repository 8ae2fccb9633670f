#!/usr/bin/env python3
"""The reconciler and auth0-deploy-cli 8.44.0 apply the same Actions to the same emulator.

    .venv/bin/python bench/deploy_cli_actions.py              # both rate-limit profiles (~5 min)
    .venv/bin/python bench/deploy_cli_actions.py --quick      # only 16/s burst 50 +100 ms (~2 min)
    .venv/bin/python bench/deploy_cli_actions.py --actions 20 --json results.json

Set-up as in `deploy_cli.py` (hooks): deploy-cli installed into `.bench/` with npm, both tools
run as CLI processes (`a0deploy import` with `AUTH0_INCLUDED_ONLY: ["actions", "triggers"]`,
`python -m reconciler apply --yes -c DIR`) given a ready access token, against one emulator
subprocess over TLS on loopback (verification on). Builds are made realistic but short:
`--build-time 0.4 --build-time-per-dependency 1.0` (a draft is `built` 0.4 s after a write,
1.4 s with one dependency, 2.4 s with two; real tenants take ~0.4 s without dependencies and
5-10 s with them).

The desired state (`actions_state.py`): `--actions` actions (default 10) in deploy-cli's
directory layout, spread over post-login v3, credentials-exchange v2 and pre-user-registration v2,
every third with an npm dependency (every ninth with two), every other one with two secrets
from keywords, all bound, in name order per trigger. Scenarios, each from a freshly seeded
tenant (seeding is not counted; seeded actions are deployed once, version 1):

1. initial apply to an empty tenant;
2. no-op re-run (tenant already as desired): we must create 0 versions and make 0 writes;
3. one action's code changed (`bench-post-login-003`, one dependency);
4. post-login's bindings reversed.

Per run and tool: exit status, wall time of the command, API window (first to last request
the emulator saw), requests, writes, versions created (emulator stats `versions_created`),
429s, and the end state judged from the emulator's tenant whichever tool ran: every action's
deployed code, dependencies, runtime and secrets as desired, the bindings of each trigger in
the desired order (display names too), nothing else bound, no other action.

Targets (issue 12): ours at least 5x less wall time than deploy-cli on the no-op and
one-change runs, 0 versions on the no-op. Until `reconciler apply` manages Actions (its initial
run exits 0 and creates none of the actions), our rows read "n/a (reconciler does not manage
Actions on this commit)" and the targets are not checked.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from a0deploy import DEPLOY_CLI_VERSION, Sampler, last_error, run_deploy_cli, run_reconciler, side_by_side  # noqa: E402
from actions_state import (  # noqa: E402
    KEYWORDS,
    Counters,
    Want,
    desired,
    end_state_problems,
    seed_body,
    with_code_change,
    with_reorder,
    write_config,
)
from common import environment_note, progress, table  # noqa: E402

BUILD = {"build_time": 0.4, "build_time_per_dependency": 1.0}
CHANGED = 3  # the action whose code changes: bench-post-login-003, one dependency
NOT_MANAGED = "n/a (reconciler does not manage Actions on this commit)"
SPEEDUP_TARGET = 5.0


def scenarios(count: int) -> list[dict[str, Any]]:
    d0 = desired(count)
    return [
        {"name": "initial apply (empty tenant)", "seed": None, "want": d0},
        {"name": "no-op re-run", "seed": d0, "want": d0},
        {"name": "one code change", "seed": d0, "want": with_code_change(d0, CHANGED)},
        {"name": "reorder post-login bindings", "seed": d0, "want": with_reorder(d0, "post-login")},
    ]


def not_managed(row: dict[str, Any], want: Want, state: dict[str, Any]) -> bool:
    """Our run succeeded yet created none of the wanted actions: apply ignores Actions here."""
    live = {a["name"] for a in state.get("actions", [])}
    return row["exit"] == 0 and not live & set(want.names())


def run_one(tool: str, a0deploy: str, emu: Any, scenario: dict[str, Any], cert: Path, workdir: Path) -> dict[str, Any]:
    emu.reset()  # back to the start-up options, BUILD included
    if scenario["seed"] is not None:
        emu.seed(**seed_body(scenario["seed"]))
    config = write_config(workdir / "tenant-config", scenario["want"])
    before = Counters.of(emu.stats())
    with Sampler(emu) as sampler:
        started = time.perf_counter()
        if tool == "reconciler":
            result = run_reconciler(emu, config, cert, KEYWORDS)
        else:
            result = run_deploy_cli(a0deploy, emu, config, cert, workdir, included=["actions", "triggers"],
                                    keywords=KEYWORDS)
        wall = time.perf_counter() - started
        time.sleep(0.1)  # let the sampler see the last request
    spent = Counters.of(emu.stats()) - before
    state = emu.state()
    problems = end_state_problems(state, scenario["want"])
    row = {
        "tool": tool, "scenario": scenario["name"], "exit": result.returncode, "wall_s": wall,
        "api_window_s": sampler.window, "requests": spent.requests, "writes": spent.writes,
        "versions_created": spent.versions, "429": spent.throttled, "400": spent.refused, "end_state_ok": not problems,
        "end_state_problems": problems[:5], "error": "" if result.returncode == 0 else last_error(result),
        "managed": True,
    }
    if tool == "reconciler" and scenario["seed"] is None and not_managed(row, scenario["want"], state):
        row["managed"] = False
    return row


def skipped(tool: str, scenario: dict[str, Any]) -> dict[str, Any]:
    return {"tool": tool, "scenario": scenario["name"], "managed": False}


def table_rows(results: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for r in results:
        if not r["managed"]:
            rows.append([r["profile"], r["scenario"], r["tool"]] + ["n/a"] * 8 + [NOT_MANAGED])
            continue
        rows.append([r["profile"], r["scenario"], r["tool"], r["exit"], r["wall_s"], r["api_window_s"], r["requests"],
                     r["writes"], r["versions_created"], r["429"], r["400"],
                     "as desired" if r["end_state_ok"] else "NOT as desired"])
    return rows


def targets(results: list[dict[str, Any]]) -> tuple[list[str], bool]:
    """The issue's targets per profile: lines to print, and whether all that could be checked hold."""
    lines, ok = [], True
    by = {(r["profile"], r["scenario"], r["tool"]): r for r in results}
    for profile in dict.fromkeys(r["profile"] for r in results):
        for scenario in ("no-op re-run", "one code change"):
            ours, theirs = by.get((profile, scenario, "reconciler")), by.get((profile, scenario, "deploy-cli"))
            if ours is None or theirs is None:
                continue
            if not ours["managed"]:
                lines.append(f"- [{profile}] {scenario}: not checked, {NOT_MANAGED}")
                continue
            speedup = theirs["wall_s"] / ours["wall_s"] if ours["wall_s"] else float("inf")
            good = speedup >= SPEEDUP_TARGET and ours["exit"] == 0 and ours["end_state_ok"]
            lines.append(f"- [{profile}] {scenario}: deploy-cli / ours wall = {speedup:.1f}x "
                         f"(target >= {SPEEDUP_TARGET:.0f}x): {'ok' if good else 'MISSED'}")
            ok = ok and good
            if scenario == "no-op re-run":
                zero = ours["versions_created"] == 0 and ours["writes"] == 0
                lines.append(f"- [{profile}] no-op: ours created {ours['versions_created']} versions, "
                             f"{ours['writes']} writes (target 0): {'ok' if zero else 'MISSED'}")
                ok = ok and zero
    return lines, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the 16/s burst 50 +100 ms profile")
    parser.add_argument("--actions", type=int, default=10, help="actions in the desired state (default 10, at least 4)")
    parser.add_argument("--no-install", action="store_true", help="do not run npm install")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    if not 4 <= args.actions <= 60:  # post-login needs two bindings to reorder; 20 per trigger at most
        parser.error("--actions must be within 4..60")

    setup = side_by_side(install=not args.no_install, quick=args.quick)
    if setup is None:
        return 2
    a0deploy, cert = setup.a0deploy, setup.cert
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-deploy-cli-actions-") as tmp:
        for profile_name, emu in setup.emulators(**BUILD):
            ours_managed = True
            for scenario in scenarios(args.actions):
                for tool in ("reconciler", "deploy-cli"):
                    if tool == "reconciler" and not ours_managed:
                        row = skipped(tool, scenario)
                    else:
                        progress(f"[{profile_name}] {scenario['name']}: {tool} ...")
                        workdir = Path(tmp) / tool
                        workdir.mkdir(exist_ok=True)
                        row = run_one(tool, a0deploy, emu, scenario, cert, workdir)
                        ours_managed = ours_managed and row["managed"]
                        progress(f"    exit {row['exit']}, {row['wall_s']:.1f} s, {row['writes']} writes, "
                                 f"{row['versions_created']} versions, end state "
                                 + ("ok" if row["end_state_ok"] else "NOT as desired: " + "; ".join(row["end_state_problems"]))
                                 + (f" ({row['error']})" if row["error"] else "")
                                 + ("" if row["managed"] else f" -> {NOT_MANAGED}"))
                    row["profile"] = profile_name
                    results.append(row)

    print(f"reconciler vs auth0-deploy-cli {DEPLOY_CLI_VERSION}: {args.actions} actions, emulator over TLS on loopback, "
          f"builds {BUILD['build_time']} s + {BUILD['build_time_per_dependency']} s per dependency ({environment_note()})")
    headers = ["profile", "scenario", "tool", "exit", "wall s", "API window s", "requests", "writes", "versions",
               "429", "400", "end state"]
    print(table(headers, table_rows(results)))
    failures = [r for r in results if r.get("error") or (r["managed"] and not r["end_state_ok"])]
    if failures:
        print("\nerrors:")
        for r in failures:
            print(f"- [{r['profile']}] {r['scenario']} / {r['tool']}: {r['error'] or '; '.join(r['end_state_problems'])}")
    lines, ok = targets(results)
    print("\ntargets:")
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    ours = [r for r in results if r["tool"] == "reconciler" and r["managed"]]
    ok = ok and all(r["exit"] == 0 and r["end_state_ok"] for r in ours)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

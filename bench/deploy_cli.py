#!/usr/bin/env python3
"""The reconciler and auth0-deploy-cli 8.44.0 apply the same hooks to the same emulator.

    .venv/bin/python bench/deploy_cli.py               # both rate-limit profiles (~8 min)
    .venv/bin/python bench/deploy_cli.py --quick       # only 16/s burst 50 +100 ms (~3 min)
    .venv/bin/python bench/deploy_cli.py --hooks 40 --json results.json

deploy-cli is installed once into `.bench/node_modules` (gitignored) with
`npm install --prefix .bench auth0-deploy-cli@8.44.0`; if that fails the script says so
and exits 2. Both tools run as what users run, a CLI process (`a0deploy import` and
`python -m reconciler apply --yes`), against one emulator subprocess served over TLS on
loopback (a self-signed certificate made with openssl into `.bench/tls/`, trusted through
`NODE_EXTRA_CA_CERTS` and `SSL_CERT_FILE`: verification stays on).

deploy-cli's config: `{"AUTH0_DOMAIN": "127.0.0.1:PORT", "AUTH0_ACCESS_TOKEN",
"AUTH0_INCLUDED_ONLY": ["hooks"], "AUTH0_ALLOW_DELETE": false, "AUTH0_KEYWORD_REPLACE_MAPPINGS"}`.
Both tools get a ready access token (AUTH0_ACCESS_TOKEN, issued by the emulator's admin
endpoint), so every request counted is a Management API request. deploy-cli spends ~14 s of
CPU (JSON-schema compilation of its whole tenant schema) before its first API request on
the bench machine; the "API window" column leaves that start-up out, "wall s" keeps it.

The desired state: `--hooks` hooks (default 20) spread over the 5 triggers, the first on
each trigger enabled, each with 2 secrets from keywords and one npm dependency. Scenarios,
each from a freshly seeded tenant (seeding is not counted):

1. initial apply to an empty tenant;
2. no-change re-run (tenant already as desired): we must make zero writes;
3. enable hand-over to a NEW hook on pre-user-registration, emulator in `allow` mode
   (counts how many hooks were ever enabled at once);
4. the same in `reject` mode (a second enabled hook is refused with 409);
5. hand-over between two EXISTING hooks, `reject` mode.

Per run: wall time of the command, the API window (first to last request the emulator
saw, sampled every 50 ms), requests (token included), writes, 429s, 409s,
max_enabled_per_trigger, exit status, and whether the tenant ends as desired.
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
from common import (  # noqa: E402
    SCRIPT,
    environment_note,
    progress,
    table,
    write_config,
)

TRIGGERS = ("credentials-exchange", "pre-user-registration", "post-user-registration",
            "post-change-password", "send-phone-message")
KEYWORDS = {"API_KEY": "bench-api-key-value", "REGION": "eu-west-1"}


# -- desired states ------------------------------------------------------------------------


def base_hooks(count: int) -> list[dict[str, Any]]:
    hooks = []
    for i in range(count):
        trigger = TRIGGERS[i % len(TRIGGERS)]
        index = i // len(TRIGGERS)
        name = f"{trigger}-{index}"
        hooks.append({
            "name": name, "triggerId": trigger, "enabled": index == 0,
            "script": f"// {name}\n{SCRIPT}",
            "dependencies": {"axios": "1.6.8"},
            "secrets": {"API_KEY": "##API_KEY##", "REGION": "##REGION##"},
        })
    return hooks


def resolved(hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Hooks with keyword values filled in: how the tenant must look (and how we seed it)."""
    out = []
    for item in hooks:
        secrets = {k: KEYWORDS[v.strip("#")] for k, v in item.get("secrets", {}).items()}
        out.append({**item, "secrets": secrets})
    return out


def handover_to_new(hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    trigger = "pre-user-registration"
    changed = [{**h, "enabled": False} if h["triggerId"] == trigger else h for h in hooks]
    name = f"{trigger}-new"
    changed.append({**changed[1], "name": name, "triggerId": trigger, "enabled": True,
                    "script": f"// {name}\n{SCRIPT}"})
    return changed


def handover_existing(hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    trigger = "pre-user-registration"
    on = [h for h in hooks if h["triggerId"] == trigger]
    if len(on) < 2:
        raise SystemExit("--hooks must be at least 10 (two hooks per trigger)")
    target = on[1]["name"]
    return [{**h, "enabled": h["name"] == target} if h["triggerId"] == trigger else h for h in hooks]


def scenarios(count: int) -> list[dict[str, Any]]:
    d0 = base_hooks(count)
    return [
        {"name": "initial apply (empty tenant)", "seed": [], "want": d0, "mode": "reject"},
        {"name": "no-change re-run", "seed": resolved(d0), "want": d0, "mode": "reject"},
        {"name": "hand-over to a new hook (allow)", "seed": resolved(d0), "want": handover_to_new(d0), "mode": "allow"},
        {"name": "hand-over to a new hook (reject)", "seed": resolved(d0), "want": handover_to_new(d0), "mode": "reject"},
        {"name": "hand-over between existing (reject)", "seed": resolved(d0), "want": handover_existing(d0), "mode": "reject"},
    ]


def end_state_matches(state: dict[str, Any], want: list[dict[str, Any]]) -> bool:
    live = {h["name"]: h for h in state["hooks"]}
    if set(live) != {h["name"] for h in want}:
        return False
    for item in resolved(want):
        got = live[item["name"]]
        if (got["triggerId"], got["enabled"], got["script"], got["dependencies"], got["secrets"]) != (
            item["triggerId"], item["enabled"], item["script"], item.get("dependencies", {}), item["secrets"]
        ):
            return False
    return True


# -- running -------------------------------------------------------------------------------


def run_one(tool: str, a0deploy: str, emu: Any, scenario: dict[str, Any], cert: Path, workdir: Path) -> dict[str, Any]:
    emu.reset()
    emu.configure(enabled_conflict=scenario["mode"])
    if scenario["seed"]:
        emu.seed(scenario["seed"])
    config = write_config(workdir / "tenant-config", scenario["want"])
    with Sampler(emu) as sampler:
        started = time.perf_counter()
        if tool == "reconciler":
            result = run_reconciler(emu, config, cert, KEYWORDS)
        else:
            result = run_deploy_cli(a0deploy, emu, config, cert, workdir, included=["hooks"], keywords=KEYWORDS)
        wall = time.perf_counter() - started
        time.sleep(0.1)  # let the sampler see the last request
    stats = emu.stats()
    return {
        "tool": tool,
        "scenario": scenario["name"],
        "mode": scenario["mode"],
        "exit": result.returncode,
        "wall_s": wall,
        "api_window_s": sampler.window,
        "requests": stats["requests"],
        "writes": stats["writes"],
        "429": stats["by_status"].get("429", 0),
        "409": stats["by_status"].get("409", 0),
        "max_enabled": max(stats["max_enabled_per_trigger"].values(), default=0),
        "end_state_ok": end_state_matches(emu.state(), scenario["want"]),
        "error": "" if result.returncode == 0 else last_error(result),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the 16/s burst 50 +100 ms profile")
    parser.add_argument("--hooks", type=int, default=20, help="hooks in the desired state (default 20, at least 10)")
    parser.add_argument("--no-install", action="store_true", help="do not run npm install")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()

    setup = side_by_side(install=not args.no_install, quick=args.quick)
    if setup is None:
        return 2
    a0deploy, cert = setup.a0deploy, setup.cert
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-deploy-cli-") as tmp:
        for profile_name, emu in setup.emulators():
            for scenario in scenarios(args.hooks):
                for tool in ("reconciler", "deploy-cli"):
                    progress(f"[{profile_name}] {scenario['name']}: {tool} ...")
                    workdir = Path(tmp) / f"{tool}"
                    workdir.mkdir(exist_ok=True)
                    row = run_one(tool, a0deploy, emu, scenario, cert, workdir)
                    row["profile"] = profile_name
                    results.append(row)
                    progress(f"    exit {row['exit']}, {row['wall_s']:.1f} s, {row['writes']} writes, "
                             f"max enabled {row['max_enabled']}, end state {'ok' if row['end_state_ok'] else 'NOT as desired'}"
                             + (f" ({row['error']})" if row["error"] else ""))

    print(f"reconciler vs auth0-deploy-cli {DEPLOY_CLI_VERSION}, {args.hooks} hooks, emulator over TLS on loopback "
          f"({environment_note()})")
    headers = ["profile", "scenario", "tool", "exit", "wall s", "API window s", "requests", "writes",
               "429", "409", "max enabled/trigger", "end state"]
    rows = [[r["profile"], r["scenario"], r["tool"], r["exit"], r["wall_s"], r["api_window_s"], r["requests"],
             r["writes"], r["429"], r["409"], r["max_enabled"], "as desired" if r["end_state_ok"] else "NOT as desired"]
            for r in results]
    print(table(headers, rows))
    failures = [r for r in results if r["error"]]
    if failures:
        print("\nerrors:")
        for r in failures:
            print(f"- [{r['profile']}] {r['scenario']} / {r['tool']}: {r['error']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    ours = [r for r in results if r["tool"] == "reconciler"]
    ok = all(r["exit"] == 0 and r["end_state_ok"] and r["max_enabled"] <= 1 and r["409"] == 0 for r in ours)
    ok = ok and all(r["writes"] == 0 for r in ours if r["scenario"] == "no-change re-run")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

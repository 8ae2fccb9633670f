#!/usr/bin/env python3
"""What the safety model costs in requests and in windows (issue 21), per change scenario.

    .venv/bin/python bench/request_tax.py                   # both tiers, with deploy-cli (~25 min)
    .venv/bin/python bench/request_tax.py --tier prod       # production tier only (~6 min)
    .venv/bin/python bench/request_tax.py --no-deploy-cli   # only our columns (~8 min)
    .venv/bin/python bench/request_tax.py --json out.json

Scenarios, each measured on its own: hooks (12 hooks on 3 triggers, one enabled each, every
hook with a secret) and Actions (15 actions on 4 triggers, as ``actions_state.desired``):
initial apply to an empty tenant, one change (a script / code), reorder (hooks: the enabled
hook of a trigger hands over to another; Actions: post-login's bindings reversed), rename
and move (to another trigger), the last two with ``--allow-delete``. Tiers: free 2/s burst 2,
production 16/s burst 50 +100 ms, on the emulator (a subprocess) with builds of 0.4 s + 1 s
per dependency, served over TLS on loopback (a self-signed certificate, verification on). Each
scenario's starting state is applied first by our tool with the rate limit lifted (so set-up
is quick and every measured run starts with a full bucket), then the change is measured by
``python -m reconciler apply --yes`` (a ready token). The plan of the same change is made
first, only to count its reads; the bucket is then let refill before the apply, as between a
pull request's plan and the merge's apply (without it, the apply's first request met the
plan's empty bucket and drew a 429 that no user run meets).

Side by side, auth0-deploy-cli 8.44.0 (``a0deploy import``, installed into ``.bench/`` by npm;
``AUTH0_ALLOW_DELETE`` as the scenario's ``--allow-delete``) applies the same change to the
same starting state (``deploy_cli_scenarios.py``): its wall time (its ~15-20 s start-up
counts: users wait for it), its API window (first to last request the emulator saw), its
requests, 429s and windows, and whether the tenant ended as desired. Ours is judged the
same way. If deploy-cli cannot be installed, one line says so and our columns still print.

The fewest requests an equally safe apply needs (the bound):

- the writes themselves (the emulator's write count, less the lease's two);
- the polls, shared: one list answering every build and one every live check (Actions only,
  when a version is built);
- the lease's two writes (its marker's create and delete);
- one read to plan (what ``reconciler plan`` of the same change requests, measured);
- a cheap check under the lease that nothing changed: that read without each hook's secrets
  (a list, not every hook's secrets again);
- the re-read of a list the design keeps just before each write that replaces it, so
  another writer's change made since the check stops that write instead of being lost: a
  trigger's hooks before a hooks hand-over's disable/enable pair (another writer's enabled
  hook), a trigger's bindings before an Actions bind (the PATCH rewrites the whole list: a
  binding added by hand would be dropped). The issue's own list leaves these reads out; the
  table prints them ("re-reads"), so the bound without them is "bound" less "re-reads";
- a read-back of only what was written, using what Auth0 answered to each create and update:
  one secrets read per hook whose secrets were written (the answers do not hold them).

Windows, from the emulator's timeline (``GET /__emulator/stats``: ``trigger_timeline``): the
longest time a trigger that ran something ran nothing (hooks and actions together) before it
ran something again, and the longest a logical hook or action (its name; an old one renamed
``-replaced-by-reconciler`` while its replacement is prepared counts as the same) ran on no
trigger before it ran again, in requests (the timeline's request numbers) and seconds. Targets: the hooks
hand-over 1 request; an action never unbound (0).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import actions_state as acts  # noqa: E402
from a0deploy import DEPLOY_CLI_VERSION, Sampler, ensure_certificate, ensure_deploy_cli  # noqa: E402
from common import REPO, emulator, environment_note, progress, table, write_config  # noqa: E402
from deploy_cli_scenarios import NOT_AVAILABLE, deploy_cli_run, end_state  # noqa: E402

from reconciler.resources.common.names import replaced_base  # noqa: E402

TIERS = {
    "free": {"rate_limit": 2, "burst": 2, "latency_ms": 0},
    "prod": {"rate_limit": 16, "burst": 50, "latency_ms": 100},
}
BUILD = {"build_time": 0.4, "build_time_per_dependency": 1.0}
KEYWORDS = {**acts.KEYWORDS, "TOKEN": "bench-hook-token"}
HOOK_TRIGGERS = ("credentials-exchange", "pre-user-registration", "post-user-registration")
HOOKS, ACTIONS = 12, 15
TARGET = 1.1


# -- desired states -----------------------------------------------------------------------

def hooks_state(rename: bool = False, move: bool = False, change: bool = False, handover: bool = False) -> list[dict[str, Any]]:
    hooks = []
    for i in range(HOOKS):
        trigger = HOOK_TRIGGERS[i % len(HOOK_TRIGGERS)]
        name = f"hook-{i:02d}"
        enabled = i < len(HOOK_TRIGGERS)
        if handover and i in (0, 3):  # trigger 0 hands over from hook-00 to hook-03
            enabled = i == 3
        if rename and i == 4:
            name = "hook-04-renamed"
        if move and i == 5:
            trigger = HOOK_TRIGGERS[(i + 1) % len(HOOK_TRIGGERS)]
        script = f"// {name} revision {1 if change and i == 1 else 0}\nmodule.exports = function (a, b, c, d, cb) {{ cb(null, {{}}); }};\n"
        hooks.append({"name": name, "triggerId": trigger, "enabled": enabled, "script": script,
                      "secrets": {"TOKEN": "##TOKEN##"}})
    return hooks


def _renamed(want: acts.Want, index: int) -> acts.Want:
    actions = [copy.deepcopy(a) for a in want.actions]
    old = actions[index]["name"]
    actions[index]["name"] = new = old + "-renamed"
    actions[index]["code"] = actions[index]["code"].replace(old, new)
    triggers = {t: [dict(b, action_name=new) if b["action_name"] == old else dict(b) for b in bs]
                for t, bs in want.triggers.items()}
    return acts.Want(tuple(actions), triggers)


def _moved(want: acts.Want, index: int, to: tuple[str, str]) -> acts.Want:
    """One action moved to another trigger (its binding goes with it, appended there)."""
    actions = [copy.deepcopy(a) for a in want.actions]
    moved = actions[index]
    old_trigger = moved["supported_triggers"][0]["id"]
    moved["supported_triggers"] = [{"id": to[0], "version": to[1]}]
    moved["code"] = acts.code_for(moved["name"], to[0])
    triggers = copy.deepcopy(want.triggers)
    binding = next(b for b in triggers[old_trigger] if b["action_name"] == moved["name"])
    triggers[old_trigger].remove(binding)
    triggers.setdefault(to[0], []).append(binding)
    return acts.Want(tuple(actions), {t: bs for t, bs in triggers.items() if bs})


@dataclass(frozen=True)
class Scenario:
    kind: str  # hooks | actions
    name: str
    before: Any  # None: an empty tenant
    after: Any
    allow_delete: bool = False
    renamed: tuple[str, str] | None = None  # (old name, new name): one logical hook or action


def scenarios() -> list[Scenario]:
    base_hooks = hooks_state()
    base = acts.desired(ACTIONS)
    return [
        Scenario("hooks", "initial", None, base_hooks),
        Scenario("hooks", "one change", base_hooks, hooks_state(change=True)),
        Scenario("hooks", "reorder (hand-over)", base_hooks, hooks_state(handover=True)),
        Scenario("hooks", "rename", base_hooks, hooks_state(rename=True), allow_delete=True,
                 renamed=("hook-04", "hook-04-renamed")),
        Scenario("hooks", "move", base_hooks, hooks_state(move=True), allow_delete=True),
        Scenario("actions", "initial", None, base),
        Scenario("actions", "one change", base, acts.with_code_change(base)),
        Scenario("actions", "reorder", base, acts.with_reorder(base)),
        Scenario("actions", "rename", base, _renamed(base, 1), allow_delete=True,
                 renamed=(base.actions[1]["name"], base.actions[1]["name"] + "-renamed")),
        Scenario("actions", "move", base, _moved(base, 1, ("pre-user-registration", "v2")), allow_delete=True),
        Scenario("actions", "move, deletes off", base, _moved(base, 1, ("pre-user-registration", "v2"))),
    ]


def write(kind: str, directory: Path, state: Any) -> Path:
    if kind == "hooks":
        if directory.exists():
            import shutil

            shutil.rmtree(directory)
        return write_config(directory, state)
    return acts.write_config(directory, state)


# -- running ------------------------------------------------------------------------------

def cli(emu: Any, args: list[str], cert: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AUTH0_DOMAIN=emu.base_url, AUTH0_ACCESS_TOKEN=emu.token(),
               AUTH0_KEYWORD_REPLACE_MAPPINGS=json.dumps(KEYWORDS), SSL_CERT_FILE=str(cert))
    for name in ("AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "reconciler", *args], env=env, capture_output=True, text=True,
                          cwd=str(REPO))


def secrets_written(plan_json: dict[str, Any]) -> int:
    """Hooks whose secrets the plan writes (each needs one read to confirm their names)."""
    return len({s.get("hook") for s in plan_json.get("steps", [])
                if s.get("action") in ("secrets-add", "secrets-update")})


def re_reads(plan_json: dict[str, Any]) -> int:
    """The lists the design reads again just before replacing them: a hooks hand-over's
    trigger (its enable step) and an Actions bind's trigger."""
    return sum(1 for s in plan_json.get("steps", [])
               if s.get("action") == "enable" or (s.get("type") == "bindings" and s.get("operation") == "bind"))


def refill_seconds(tier: str) -> float:
    """How long the tier's bucket takes to fill from empty (and a margin)."""
    return TIERS[tier]["burst"] / TIERS[tier]["rate_limit"] + 0.2


def builds(plan_json: dict[str, Any]) -> bool:
    return any(s.get("type") == "action" and s.get("operation") in ("create", "update", "deploy")
               for s in plan_json.get("steps", []))


def windows(timeline: dict[str, list[dict[str, Any]]], since: float,
            renamed: tuple[str, str] | None = None) -> tuple[int, float, int, float]:
    """(trigger dark requests, seconds; name nowhere requests, seconds), counting only gaps
    that start at or after ``since`` and end (something runs again). A renamed one keeps its
    old name here, so the gap between unbinding the old and binding the new counts."""
    same = {renamed[1]: renamed[0]} if renamed else {}
    trig_req, trig_s = 0, 0.0
    events: list[tuple[int, float, str, list[str]]] = []
    for trigger, entries in timeline.items():
        dark_from: dict[str, Any] | None = None
        was_running = False
        for e in entries:
            running = bool(e.get("hooks")) or bool(e.get("actions"))
            if was_running and not running and e["time"] >= since:
                dark_from = e
            elif running and dark_from is not None:
                trig_req = max(trig_req, e["seq"] - dark_from["seq"])
                trig_s = max(trig_s, e["time"] - dark_from["time"])
                dark_from = None
            was_running = running
            names = [*e.get("hooks", []), *e.get("actions", [])]
            # A replace renames the old one aside while the new is prepared: the same logical one.
            events.append((e["seq"], e["time"], trigger, [same.get(n, replaced_base(n) or n) for n in names]))
    # Per name: on which triggers it runs, replaying every trigger's changes in request order.
    name_req, name_s = 0, 0.0
    where: dict[str, set[str]] = {}
    gone: dict[str, tuple[int, float]] = {}
    for seq, at, trigger, names in sorted(events, key=lambda x: (x[0], x[1])):
        for name in set(where) | set(names):
            places = where.setdefault(name, set())
            before = bool(places)
            (places.add if name in names else places.discard)(trigger)
            if before and not places and at >= since:
                gone[name] = (seq, at)
            elif places and name in gone:
                start = gone.pop(name)
                name_req, name_s = max(name_req, seq - start[0]), max(name_s, at - start[1])
    return trig_req, trig_s, name_req, name_s


def set_up(emu: Any, scenario: Scenario, tier: str, config: Path, cert: Path) -> None:
    """The scenario's starting state, applied by our tool with the rate limit lifted; then
    the tier again (a full bucket) and the changed config written."""
    emu.reset()
    if scenario.before is not None:
        emu.configure(rate_limit=0, latency_ms=0)
        extra = ["--allow-delete"] if scenario.allow_delete else []
        done = cli(emu, ["apply", "-c", str(write(scenario.kind, config, scenario.before)), "--yes", *extra], cert)
        if done.returncode != 0:
            raise SystemExit(f"setting up {scenario.kind} {scenario.name} failed: {done.stdout[-400:]}{done.stderr[-400:]}")
        emu.configure(**TIERS[tier])
    write(scenario.kind, config, scenario.after)


def measure(emu: Any, scenario: Scenario, tier: str, workdir: Path, cert: Path) -> dict[str, Any]:
    config = workdir / "tenant-config"
    extra = ["--allow-delete"] if scenario.allow_delete else []
    set_up(emu, scenario, tier, config, cert)
    start = emu.stats()
    planned = cli(emu, ["plan", "-c", str(config), "--format", "json", *extra], cert)
    after_plan = emu.stats()
    plan_json = json.loads(planned.stdout) if planned.stdout.strip().startswith("{") else {}
    plan_read = after_plan["requests"] - start["requests"]
    time.sleep(refill_seconds(tier))
    live_hooks = hooks_count(start)
    since = time.time()
    with Sampler(emu) as sampler:
        began = time.perf_counter()
        applied = cli(emu, ["apply", "-c", str(config), "--yes", *extra], cert)
        wall = time.perf_counter() - began
        time.sleep(0.1)  # let the sampler see the last request
    end = emu.stats()
    requests = end["requests"] - after_plan["requests"]
    writes = end["writes"] - after_plan["writes"]
    cheap = plan_read - (live_hooks if scenario.kind == "hooks" else 0)
    checks = re_reads(plan_json)
    bound = (writes - 2) + (2 if builds(plan_json) else 0) + 2 + plan_read + cheap + checks + secrets_written(plan_json)
    trig_req, trig_s, name_req, name_s = windows(end["trigger_timeline"], since, scenario.renamed)
    summary = str(plan_json.get("summary", {}).get("text", "")) if isinstance(plan_json.get("summary"), dict) else ""
    return {
        "kind": scenario.kind, "scenario": scenario.name, "exit": applied.returncode,
        "requests": requests, "bound": bound, "ratio": requests / bound if bound else 0.0,
        "plan_read": plan_read, "writes": writes, "re_reads": checks,
        "dark_requests": trig_req, "dark_s": trig_s, "nowhere_requests": name_req, "nowhere_s": name_s,
        "wall_s": wall, "api_s": sampler.window, "429": throttled(end) - throttled(after_plan),
        "result": end_state(scenario.kind, emu.state(), scenario.after, KEYWORDS, scenario.allow_delete),
        "error": "" if applied.returncode == 0 else (applied.stdout + applied.stderr)[-300:],
        "summary": summary,
    }


def measure_deploy_cli(emu: Any, scenario: Scenario, tier: str, workdir: Path, cert: Path,
                       a0deploy: str) -> dict[str, Any]:
    """deploy-cli applying the same change to the same starting state."""
    config = workdir / "tenant-config"
    set_up(emu, scenario, tier, config, cert)
    start = emu.stats()
    since = time.time()
    run = deploy_cli_run(a0deploy, emu, scenario.kind, config, cert, workdir / "deploy-cli", KEYWORDS,
                         scenario.allow_delete)
    end = emu.stats()
    trig_req, trig_s, name_req, name_s = windows(end["trigger_timeline"], since, scenario.renamed)
    return {
        "exit": run.exit, "wall_s": run.wall_s, "api_s": run.api_s, "requests": end["requests"] - start["requests"],
        "writes": end["writes"] - start["writes"], "429": throttled(end) - throttled(start),
        "dark_requests": trig_req, "dark_s": trig_s, "nowhere_requests": name_req, "nowhere_s": name_s,
        "result": end_state(scenario.kind, emu.state(), scenario.after, KEYWORDS, scenario.allow_delete),
        "error": run.error,
    }


def throttled(stats: dict[str, Any]) -> int:
    return int(stats["by_status"].get("429", 0))


def hooks_count(stats: dict[str, Any]) -> int:
    hooks = stats.get("hooks")
    return len(hooks) if isinstance(hooks, (list, dict)) else int(hooks or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=[*TIERS, "both"], default="both")
    parser.add_argument("--only", choices=["hooks", "actions"], help="one kind of scenario")
    parser.add_argument("--no-deploy-cli", action="store_true", help="only our columns")
    parser.add_argument("--no-install", action="store_true", help="do not run npm install")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    tiers = list(TIERS) if args.tier == "both" else [args.tier]
    a0deploy = None if args.no_deploy_cli else ensure_deploy_cli(install=not args.no_install)
    cert, key = ensure_certificate()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-request-tax-") as tmp:
        for tier in tiers:
            with emulator(**TIERS[tier], **BUILD, tls_cert=str(cert), tls_key=str(key)) as emu:
                for scenario in scenarios():
                    if args.only and scenario.kind != args.only:
                        continue
                    progress(f"{tier}: {scenario.kind} {scenario.name} ...")
                    row = {"tier": tier, **measure(emu, scenario, tier, Path(tmp), cert)}
                    if a0deploy is not None:
                        progress(f"{tier}: {scenario.kind} {scenario.name}: deploy-cli ...")
                        row["deploy_cli"] = measure_deploy_cli(emu, scenario, tier, Path(tmp), cert, a0deploy)
                    rows.append(row)
    print_report(rows, args, a0deploy is not None)
    if args.json:
        Path(args.json).write_text(json.dumps({"setup": setup_lines(a0deploy is not None), "rows": rows}, indent=2))
    free = [r for r in rows if r["tier"] == "free"]
    ok = (all(r["ratio"] <= TARGET for r in free) and all(r["exit"] == 0 for r in rows)
          and not any(r["result"].startswith("NOT") for r in rows))
    print(f"\ntarget requests / bound <= {TARGET}x at the free tier: " + ("not run" if not free else "ok" if ok else "MISSED"))
    return 0 if ok else 1


def setup_lines(with_deploy_cli: bool) -> list[str]:
    """What the tables depend on: versions, the tiers' parameters, the scenarios' sizes."""
    tiers = "; ".join(f"{name} = {t['rate_limit']}/s burst {t['burst']}" + (f" +{t['latency_ms']} ms a request"
                      if t["latency_ms"] else "") for name, t in TIERS.items())
    return [
        environment_note() + (f", auth0-deploy-cli {DEPLOY_CLI_VERSION}" if with_deploy_cli else ""),
        f"tiers: {tiers}; emulator over TLS on loopback, builds {BUILD['build_time']} s "
        f"+ {BUILD['build_time_per_dependency']} s per dependency",
        f"hooks: {HOOKS} on {len(HOOK_TRIGGERS)} triggers, one enabled each, each with a secret; "
        f"actions: {ACTIONS} on {len(acts.TRIGGERS)} triggers, all bound",
    ]


def print_report(rows: list[dict[str, Any]], args: argparse.Namespace, with_deploy_cli: bool) -> None:
    flags = " ".join(a for a in sys.argv[1:] if a != "--json" and not a.endswith(".json"))
    print(f"$ .venv/bin/python bench/request_tax.py {flags}".rstrip())
    print("\n".join(setup_lines(with_deploy_cli)))
    print("\nreconciler apply: requests against the fewest an equally safe apply needs, and the windows")
    headers = ["tier", "kind", "scenario", "requests", "bound", "ratio", "re-reads", "ratio without",
               "dark req", "dark s", "unbound req", "unbound s", "wall s", "exit"]
    print(table(headers, [[r["tier"], r["kind"], r["scenario"], r["requests"], r["bound"], f"{r['ratio']:.2f}x",
                           r["re_reads"], f"{r['requests'] / max(1, r['bound'] - r['re_reads']):.2f}x",
                           r["dark_requests"], r["dark_s"], r["nowhere_requests"], r["nowhere_s"], r["wall_s"],
                           r["exit"]] for r in rows]))
    notes: list[str] = []
    if with_deploy_cli:
        print(f"\nside by side with auth0-deploy-cli {DEPLOY_CLI_VERSION}, the same change from the same tenant")
        print(table(*side_by_side(rows, notes)))
    else:
        print("\n" + (NOT_AVAILABLE if not args.no_deploy_cli else "deploy-cli: not run (--no-deploy-cli)"))
    for r in rows:
        if r["scenario"].startswith("move"):
            print(f"- {r['tier']} {r['kind']} {r['scenario']}: our plan says {r['summary'].strip()}")
        if r["error"]:
            print(f"- {r['tier']} {r['kind']} {r['scenario']}: {r['error']!r}")
    for number, note in enumerate(notes, 1):
        print(f"[{number}] {note}")


def side_by_side(rows: list[dict[str, Any]], notes: list[str]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows: wall time, API window, requests and windows of both tools, and each end state."""
    def cell(result: str, exit_status: Any, error: str, where: str) -> str:
        if result.startswith("NOT") or exit_status != 0:
            notes.append(f"{where}: exit {exit_status}; {result}" + (f"; {error}" if error else ""))
            return ("wrong" if result.startswith("NOT") else "as desired") + (
                f", exit {exit_status}" if exit_status != 0 else "") + f" [{len(notes)}]"
        return result

    headers = ["tier", "kind", "scenario", "wall s", "deploy-cli wall s", "deploy-cli / ours", "API s",
               "deploy-cli API s", "requests", "deploy-cli requests", "deploy-cli 429s",
               "deploy-cli dark req / s", "deploy-cli unbound req / s", "end state", "deploy-cli end state"]
    out = []
    for r in rows:
        d = r["deploy_cli"]
        where = f"{r['tier']} {r['kind']} {r['scenario']}"
        out.append([r["tier"], r["kind"], r["scenario"], r["wall_s"], d["wall_s"],
                    f"{d['wall_s'] / r['wall_s']:.1f}x" if r["wall_s"] else "n/a", r["api_s"], d["api_s"],
                    r["requests"], d["requests"], d["429"],
                    f"{d['dark_requests']} / {d['dark_s']:.2f}", f"{d['nowhere_requests']} / {d['nowhere_s']:.2f}",
                    cell(r["result"], r["exit"], "", f"{where}, ours"),
                    cell(d["result"], d["exit"], d["error"], f"{where}, deploy-cli")])
    return headers, out


if __name__ == "__main__":
    raise SystemExit(main())

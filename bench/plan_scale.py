#!/usr/bin/env python3
"""Offline planning at scale: load + validate + diff + plan of 100, 1,000 and 10,000 hooks.

    .venv/bin/python bench/plan_scale.py                 # 100, 1,000, 10,000 hooks (~30 s)
    .venv/bin/python bench/plan_scale.py --sizes 50000   # any sizes
    .venv/bin/python bench/plan_scale.py --profile 10000 # cProfile of one size, top 25 functions

No network. Each size runs in a fresh Python process (clean timings and peak memory): it
writes a deploy-cli config directory (`hooks/<name>.json` + `<name>.js`) to a temp dir and
builds a synthetic live tenant where about half the hooks differ:

- 1/4 have another script, 1/4 other dependencies, 1/16 are missing (created), 1/32 of
  the live hooks are not in the config (orphans; deletes off), each trigger hands its
  enabled hook over to another one; 1 in 10 hooks has 2 secrets from `##KEYWORDS##`.

Stages, timed separately (`time.perf_counter`):

- load: read every metadata file, keyword replacement (`reconciler.resources.hooks.load.read_config`);
- validate: JSON Schema, scripts read, semantic rules, DesiredState built (`validate._check`);
- diff: field changes of every matched hook (`diff.content_changes`, stand-alone: `plan`
  computes them again inside);
- plan: `plan.build_plan` (pairing, diff, ordering, digests), the number that counts;
- render: text and JSON renderings of the plan (shown, not in the total).

total = load + validate + plan. Memory: the child's peak RSS (`ru_maxrss`) and its growth
over the RSS right after imports. Target: 10,000 hooks under 2 s total.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, SCRIPT, environment_note, progress, table  # noqa: E402

TRIGGERS = ("credentials-exchange", "pre-user-registration", "post-user-registration",
            "post-change-password", "send-phone-message")
ENV = {"API_KEY": "bench-key", "REGION": "eu-west-1"}


def synthetic(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(desired hooks for the config directory, live hooks) with about half differing."""
    desired, live = [], []
    for i in range(count):
        trigger = TRIGGERS[i % len(TRIGGERS)]
        name = f"hook-{i:06d}"
        script = f"// {name}\n{SCRIPT}"
        deps = {"axios": "1.6.8"} if i % 3 == 0 else {}
        secrets = {"API_KEY": "##API_KEY##", "REGION": "##REGION##"} if i % 10 == 0 else {}
        # Hook 0..4 are enabled in the config; live has 5..9 enabled: five hand-overs.
        desired.append({"name": name, "triggerId": trigger, "enabled": i < 5, "script": script,
                         "dependencies": deps, "secrets": secrets})
        if i % 16 == 15:
            continue  # not live yet: a create
        live_script = script + "// old version\n" if i % 4 == 1 else script
        live_deps = {"axios": "0.27.2"} if i % 4 == 3 else deps
        live.append({"id": f"live-{i:06d}", "name": name, "triggerId": trigger,
                     "enabled": 5 <= i < 10, "script": live_script, "dependencies": live_deps,
                     "secret_keys": sorted(secrets)})
    for j in range(count // 32):
        live.append({"id": f"orphan-{j:06d}", "name": f"orphan-{j:06d}", "triggerId": TRIGGERS[j % 5],
                     "enabled": False, "script": f"// orphan {j}\n", "dependencies": {}, "secret_keys": []})
    return desired, live


def write_directory(root: Path, hooks: list[dict[str, Any]]) -> Path:
    hooks_dir = root / "hooks"
    hooks_dir.mkdir(parents=True)
    for item in hooks:
        meta = {k: v for k, v in item.items() if k != "script"}
        if not meta["secrets"]:
            del meta["secrets"]
        meta["script"] = f"./{item['name']}.js"
        (hooks_dir / f"{item['name']}.json").write_text(json.dumps(meta, indent=2))
        (hooks_dir / f"{item['name']}.js").write_text(item["script"])
    return root


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def measure(count: int) -> dict[str, Any]:
    """One size, in this (fresh) process."""
    from reconciler.keywords import Keywords
    from reconciler.render.json import render_json
    from reconciler.render.text import render_text
    from reconciler.resources.hooks.diff import content_changes
    from reconciler.resources.hooks.load import read_config
    from reconciler.resources.hooks.model import LiveHook, LiveState
    from reconciler.resources.hooks.planner import build_plan
    from reconciler.resources.hooks.schema import _validator
    from reconciler.resources.hooks.validate import _check
    from reconciler.resources.options import PlanOptions

    _validator()  # compiled once per process: part of start-up, like the imports
    baseline = rss_mb()
    desired_hooks, live_hooks = synthetic(count)
    with tempfile.TemporaryDirectory(prefix="bench-plan-scale-") as tmp:
        config = write_directory(Path(tmp) / "tenant-config", desired_hooks)
        live = LiveState(tuple(
            LiveHook(h["id"], h["name"], h["triggerId"], h["script"], h["enabled"], h["dependencies"],
                     frozenset(h["secret_keys"]))
            for h in live_hooks
        ))
        del desired_hooks, live_hooks

        t0 = time.perf_counter()
        keywords = Keywords.from_env(ENV)
        loaded = read_config(config, keywords)
        t1 = time.perf_counter()
        report = _check(loaded, keywords)
        t2 = time.perf_counter()
    assert report.state is not None, report.problems[:5]
    desired = report.state
    by_name = live.by_name()
    t3 = time.perf_counter()
    differing = sum(1 for h in desired.hooks if h.name in by_name and content_changes(h, by_name[h.name]))
    t4 = time.perf_counter()
    plan = build_plan(desired, live, PlanOptions())
    t5 = time.perf_counter()
    text = render_text(plan)
    rendered_json = render_json(plan)
    t6 = time.perf_counter()
    return {
        "hooks": count,
        "live": len(live.hooks),
        "differing": differing,
        "steps": len(plan.steps),
        "load_s": t1 - t0,
        "validate_s": t2 - t1,
        "diff_s": t4 - t3,
        "plan_s": t5 - t4,
        "render_s": t6 - t5,
        "total_s": (t1 - t0) + (t2 - t1) + (t5 - t4),
        "peak_rss_mb": rss_mb(),
        "rss_growth_mb": rss_mb() - baseline,
        "text_kb": len(text) / 1024,
        "json_kb": len(rendered_json) / 1024,
    }


def profile(count: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    result = measure(count)
    profiler.disable()
    print(json.dumps(result, indent=2))
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one size instead")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return 0
    if args.profile:
        profile(args.profile)
        return 0

    results = []
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        progress(f"{size} hooks ...")
        child = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--one", str(size)],
                               capture_output=True, text=True, cwd=str(REPO))
        if child.returncode != 0:
            print(child.stderr, file=sys.stderr)
            return 1
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))

    print(f"offline plan at scale ({environment_note()}; each size in a fresh process; seconds)")
    headers = ["hooks", "live", "differing", "plan steps", "load", "validate", "diff", "plan",
               "total", "render", "peak RSS MB", "RSS growth MB"]
    rows = [[r["hooks"], r["live"], r["differing"], r["steps"], f"{r['load_s']:.3f}", f"{r['validate_s']:.3f}",
             f"{r['diff_s']:.3f}", f"{r['plan_s']:.3f}", f"{r['total_s']:.3f}", f"{r['render_s']:.3f}",
             f"{r['peak_rss_mb']:.0f}", f"{r['rss_growth_mb']:.0f}"] for r in results]
    print(table(headers, rows))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    slow = [r for r in results if r["hooks"] >= 10000 and r["total_s"] > 2.0]
    if slow:
        print("10,000 hooks took more than 2 s", file=sys.stderr)
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())

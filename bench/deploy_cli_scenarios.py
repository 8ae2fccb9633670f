"""auth0-deploy-cli on `request_tax.py`'s scenarios (not a test module), and one judge of the
tenant a run leaves, whichever tool made it.

- ``deploy_cli_run(...)``: one ``a0deploy import`` of the scenario's config (``AUTH0_INCLUDED_ONLY``
  hooks, or actions and triggers; ``AUTH0_ALLOW_DELETE`` as the scenario's ``--allow-delete``),
  with its wall time, its API window (first to last request the emulator saw) and its exit;
- ``end_state(kind, state, want, allow_delete)``: "as desired" or what differs, from the
  emulator's tenant dump. With deletes off, the old copy of a moved action left in place is
  what the user asked for, so it is named but is no fault;
- ``NOT_AVAILABLE``: the one line the bench prints when deploy-cli cannot be installed.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import actions_state as acts
from a0deploy import DEPLOY_CLI_VERSION, Sampler, last_error, run_deploy_cli

NOT_AVAILABLE = f"auth0-deploy-cli {DEPLOY_CLI_VERSION} could not be installed (npm, Node 20): its columns are left out."
TIMEOUT_S = 600.0  # a deploy-cli that retries 429s for ever still ends the bench
INCLUDED = {"hooks": ["hooks"], "actions": ["actions", "triggers"]}


@dataclass(frozen=True)
class Run:
    exit: int | str  # the exit status, or "timeout"
    wall_s: float  # the whole command: deploy-cli's start-up included
    api_s: float  # first to last request the emulator saw
    error: str


def deploy_cli_run(a0deploy: str, emu: Any, kind: str, config: Path, cert: Path, workdir: Path,
                   keywords: Mapping[str, str], allow_delete: bool) -> Run:
    workdir.mkdir(parents=True, exist_ok=True)
    with Sampler(emu) as sampler:
        started = time.perf_counter()
        try:
            done = run_deploy_cli(a0deploy, emu, config, cert, workdir, included=INCLUDED[kind], keywords=keywords,
                                  allow_delete=allow_delete, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return Run("timeout", time.perf_counter() - started, sampler.window, f"stopped after {TIMEOUT_S:.0f} s")
        wall = time.perf_counter() - started
        time.sleep(0.1)  # let the sampler see the last request
    error = "" if done.returncode == 0 else re.sub(r'\{"id":"[^"]*",?', "{", last_error(done))  # ids differ per run
    return Run(done.returncode, wall, sampler.window, error)


def end_state(kind: str, state: dict[str, Any], want: Any, keywords: Mapping[str, str], allow_delete: bool) -> str:
    """"as desired", "as desired, N old kept (deletes off)", or "NOT as desired: <first difference>"."""
    problems, kept = (_hooks_problems(state, want, keywords) if kind == "hooks"
                      else _actions_problems(state, want, allow_delete))
    if problems:
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        return f"NOT as desired: {problems[0]}{more}"
    return f"as desired, {kept} old kept (deletes off)" if kept else "as desired"


def _actions_problems(state: dict[str, Any], want: acts.Want, allow_delete: bool) -> tuple[list[str], int]:
    problems = acts.end_state_problems(state, want)
    extra = [p for p in problems if "not in the config" in p]
    if allow_delete or not extra:
        return problems, 0
    # Deletes off: an old action left unbound is what was asked; still bound, it runs twice.
    bound_ids = {b["action_id"] for bs in state.get("bindings", {}).values() for b in bs}
    wanted = set(want.names())
    kept = [a for a in state.get("actions", []) if a.get("integration") is None and a["name"] not in wanted]
    still_bound = [a["name"] for a in kept if a["id"] in bound_ids]
    rest = [p for p in problems if p not in extra]
    if still_bound:
        rest.insert(0, f"old action still bound: {still_bound[0]}")
    return rest, len(kept)


def _hooks_problems(state: dict[str, Any], want: list[dict[str, Any]], keywords: Mapping[str, str]) -> tuple[list[str], int]:
    live = {h["name"]: h for h in state.get("hooks", [])}
    problems = []
    missing = [h["name"] for h in want if h["name"] not in live]
    extra = sorted(set(live) - {h["name"] for h in want})
    if missing:
        problems.append(f"{len(missing)} hook(s) missing, e.g. {missing[0]}")
    if extra:
        problems.append(f"{len(extra)} hook(s) not in the config, e.g. {extra[0]}")
    for item in want:
        got = live.get(item["name"])
        if got is None:
            continue
        secrets = {k: keywords.get(v.strip("#"), v) for k, v in item.get("secrets", {}).items()}
        for field, expected in (("triggerId", item["triggerId"]), ("enabled", item["enabled"]),
                                ("script", item["script"]), ("dependencies", item.get("dependencies", {}))):
            if got.get(field) != expected:
                problems.append(f"{item['name']}: {field} differs")
        if got.get("secrets") != secrets:
            problems.append(f"{item['name']}: secrets differ")  # never the values
    return problems, 0

"""Safety under faults and crashes: whatever goes wrong, running `apply` again converges.

Two kinds of seeded, randomised trials against one emulator subprocess in `reject` mode
(a second enabled hook on a trigger is refused with 409):

- fault trials: the emulator answers at random with 429, 500, 503, resets the connection,
  or processes a write and then answers 500 (`500after`: the write happened, the client
  does not know). `apply` runs until it succeeds;
- kill trials: `python -m reconciler apply -c DIR --yes` runs as a real subprocess and is
  SIGKILLed once the emulator has seen a random number of requests (plus a random few
  milliseconds), so it dies at a random point of reading, planning or applying; half the
  trials also have faults. Then `apply` runs until it succeeds.

The re-runs call what `reconciler apply --yes` calls (load, read, plan, execute) in this
process, with the environment passed explicitly, so trials can run in parallel threads,
each with its own emulator (the faults' back-off waits dominate, not CPU).

Every trial then checks, with faults off: the plan shows no changes; the tenant is exactly
as configured (fields, secret values, orphans kept when deletes are off); no hook is
missing, duplicated or left over from a replace; the emulator never saw two hooks enabled
on one trigger and never answered 409. Four scenario shapes: creates with hand-overs,
secret changes (with value detection through the HMAC marker), a triggerId replace with a
freed name reused, and everything at once. Two more shapes are chains of commits applied
one after another (a trial's kill lands in one of them): a triggerId that changes twice
while the first old copy is kept (deletes off), then a cleanup with deletes on; and secret
swaps and value changes at Auth0's cap of 20 keys, with a rename. Each commit must
converge before the next; the last is checked in full.

Trial counts: FAULT_TRIALS (default 12), KILL_TRIALS (default 32); seed: FAULT_SEED;
parallel emulators: FAULT_WORKERS (default 4).
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from reconciler.api.client import ManagementClient
from reconciler.config import connection_from_env, load_settings
from reconciler.emulator.process import EmulatorProcess
from reconciler.errors import ReconcilerError
from reconciler.resources.common.names import replaced_base
from reconciler.resources.common.secrets import is_marker
from reconciler.resources.hooks.export import write_config
from reconciler.resources.hooks.live import read_live_state
from reconciler.resources.hooks.ops import execute
from reconciler.resources.hooks.planner import build_plan
from reconciler.text import step_label
from reconciler.usecases.loading import load_desired, plan_options
from tests.e2e.helpers import live_hooks

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PRE, POST, CRED = "pre-user-registration", "post-user-registration", "credentials-exchange"
PCP, SPM = "post-change-password", "send-phone-message"
FAULTS = "429=0.2,500=0.05,503=0.05,reset=0.02,500after=0.05"
FAULT_TRIALS = int(os.environ.get("FAULT_TRIALS", "12"))
KILL_TRIALS = int(os.environ.get("KILL_TRIALS", "32"))
SEED = int(os.environ.get("FAULT_SEED", "20260611"))
WORKERS = int(os.environ.get("FAULT_WORKERS", "4"))
MAX_APPLIES = 6
VALUES = {"S1": "value-one", "S2": "value-two"}
Step = tuple[list[dict[str, Any]], list[str]]  # (desired config, extra flags)


def h(name: str, trigger: str, enabled: bool = False, script: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "triggerId": trigger, "enabled": enabled, "script": script or f"// {name}\n", **extra}


def keys(names: list[str], value: str) -> dict[str, str]:
    return {name: value for name in names}


K = [f"K{i:02d}" for i in range(24)]

# shape: (live tenant to seed, desired config, extra flags)
SHAPES: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]] = {
    "creates and hand-overs": (
        [h("old-pre", PRE, True, secrets={"A": "a0"}), h("old-cred", CRED, True), h("keep-post", POST, True)],
        [
            h("old-pre", PRE, secrets={"A": "##S1##"}),
            h("new-pre", PRE, True, secrets={"A": "##S1##", "B": "##S2##"}),
            h("old-cred", CRED),
            h("new-cred", CRED, True, dependencies={"axios": "1.6.8"}),
            h("keep-post", POST, True),
            h("extra-1", PCP, secrets={"A": "##S1##"}),
            h("extra-2", SPM, True),
            h("extra-3", PCP, True),
        ],
        [],
    ),
    "secret changes": (
        [
            h("s1", PRE, True, secrets={"KEEP": "old", "DROP": "x"}),
            h("s2", POST, True, secrets={"A": "old"}),
            h("s3", CRED, secrets={"X": "1", "Y": "2"}),
        ],
        [
            h("s1", PRE, True, secrets={"KEEP": "##S1##", "ADD": "##S2##"}),
            h("s2", POST, True, secrets={"A": "##S2##", "B": "##S1##"}),
            h("s3", CRED, True, script="// s3 v2\n", secrets={"X": "##S1##"}),
        ],
        ["--allow-delete"],
    ),
    "replace and name reuse": (
        [
            h("mover", PRE, True, secrets={"A": "old"}),
            h("cred", CRED, True),
            h("shared", POST, True, script="// shared v1\n"),
            h("orphan", PCP, True),
        ],
        [
            h("mover", CRED, True, secrets={"A": "##S1##"}),
            h("cred", CRED),
            h("pre-new", PRE, True),
            h("shared", SPM, True, script="// shared v2\n"),
        ],
        [],
    ),
    "everything at once": (
        [
            h("a-pre", PRE, True, secrets={"K": "old"}),
            h("a-post", POST, True),
            h("a-cred", CRED, True, secrets={"K": "old", "GONE": "x"}),
            h("a-pcp", PCP, True),
            h("a-spm", SPM, True),
            h("mover", POST, secrets={"K": "old"}),
            h("orphan", PRE),
        ],
        [
            h("a-pre", PRE, secrets={"K": "##S1##"}),
            h("b-pre", PRE, True, secrets={"K": "##S1##", "L": "##S2##"}),
            h("a-post", POST),
            h("b-post", POST, True, dependencies={"lodash": "4.17.21"}),
            h("a-cred", CRED, True, secrets={"K": "##S2##"}),
            h("a-pcp", PCP),
            h("b-pcp", PCP, True),
            h("a-spm", SPM, True, script="// a-spm v2\n"),
            h("mover", SPM, secrets={"K": "##S2##"}),
            h("c-1", PRE, secrets={"X": "##S1##"}),
            h("c-2", POST),
            h("c-3", CRED, dependencies={"axios": "1.6.8"}),
            h("c-4", PCP, secrets={"X": "##S2##"}),
        ],
        [],
    ),
}


# chain: (live tenant to seed, commits applied in turn)
CHAINS: dict[str, tuple[list[dict[str, Any]], list[Step]]] = {
    "triggerId changes twice": (
        [h("m", PRE, True, secrets={"A": "old", "OLD": "x"}), h("cred", CRED, True), h("p", POST, True)],
        [
            # The old m keeps running as m-replaced-by-reconciler (it holds OLD).
            ([h("m", CRED, True, secrets={"A": "##S1##", "B": "##S2##"}), h("cred", CRED), h("p", POST, True)], []),
            # Again: the CRED copy holds B, so it is kept as well, under a free name.
            ([h("m", POST, True, secrets={"A": "##S2##"}), h("cred", CRED, True), h("p", POST)], []),
            ([h("m", POST, True, secrets={"A": "##S2##"}), h("cred", CRED, True), h("p", POST)], ["--allow-delete"]),
        ],
    ),
    "secret swaps at the cap": (
        [
            # A hook with 20 keys has no slot for the marker: its values cannot be compared,
            # so they stay the same here (value changes are c19's part).
            h("cap", PRE, True, secrets=keys(K[:20], VALUES["S1"])),
            h("c19", POST, True, secrets=keys(K[:19], "old")),
            h("r1", CRED, True, script="// r\n"),
        ],
        [
            ([
                h("cap", PRE, True, secrets=keys(K[1:21], "##S1##")),  # swap K00 for K20 at 20
                h("c19", POST, True, secrets=keys(K[:19], "##S1##")),  # 19 values and the marker
                h("r1", CRED, True, script="// r\n"),
            ], ["--allow-delete"]),
            ([
                h("cap", PRE, True, secrets=keys(K[2:22], "##S1##")),
                h("c19", POST, True, secrets=keys(K[:19], "##S2##")),  # the marker swaps at 20
                h("r2", CRED, True, script="// r\n"),  # a rename
            ], ["--allow-delete"]),
            ([
                h("cap", PRE, True, script="// cap v2\n", secrets=keys(K[2:22], "##S1##")),
                h("c19", POST, True, secrets=keys(K[:19], "##S1##")),
                h("r2", CRED, True, script="// r\n"),
            ], []),
        ],
    ),
}


def _steps(shape: str) -> tuple[list[dict[str, Any]], list[Step]]:
    if shape in CHAINS:
        return CHAINS[shape]
    seed, want, flags = SHAPES[shape]
    return seed, [(want, flags)]


def _tenant_after(seed: list[dict[str, Any]], steps: list[Step]) -> list[dict[str, Any]]:
    """The config hooks (as seed entries) after ``steps``: what the next commit starts from."""
    for want, flags in steps:
        seed = [{"name": name, **hook} for name, hook in expected_tenant(seed, want, flags).items()]
    return seed


def expected_tenant(seed: list[dict[str, Any]], want: list[dict[str, Any]], flags: list[str]) -> dict[str, dict[str, Any]]:
    """The tenant after a complete apply: name -> {triggerId, enabled, script, dependencies, secrets}."""
    allow_delete = "--allow-delete" in flags
    seeded = {hook["name"]: hook for hook in seed}
    out: dict[str, dict[str, Any]] = {}
    for hook in want:
        secrets = {k: VALUES[v.strip("#")] for k, v in hook.get("secrets", {}).items()}
        before = seeded.get(hook["name"])
        if before is not None and before["triggerId"] == hook["triggerId"] and not allow_delete:
            secrets = {**before.get("secrets", {}), **secrets}  # keys not in the config stay
        out[hook["name"]] = {
            "triggerId": hook["triggerId"], "enabled": hook["enabled"], "script": hook["script"],
            "dependencies": hook.get("dependencies", {}), "secrets": secrets,
        }
    if not allow_delete:
        for name, hook in seeded.items():
            if name not in out:
                out[name] = {
                    "triggerId": hook["triggerId"], "enabled": hook["enabled"], "script": hook["script"],
                    "dependencies": hook.get("dependencies", {}), "secrets": hook.get("secrets", {}),
                }
    return out


@pytest.fixture(scope="module")
def tenants() -> Iterator[queue.Queue[EmulatorProcess]]:
    """WORKERS emulators (reject mode); a trial takes one and gives it back."""
    procs: list[EmulatorProcess] = []
    pool: queue.Queue[EmulatorProcess] = queue.Queue()
    try:
        for _ in range(WORKERS):
            proc = EmulatorProcess({"enabled_conflict": "reject"}, cwd=str(REPO))
            procs.append(proc)
            pool.put(proc)
        yield pool
    finally:
        for proc in procs:
            proc.stop()


def _env(emu: EmulatorProcess) -> dict[str, str]:
    return {**emu.env(), **VALUES, "RECONCILER_SECRETS_HMAC_KEY": "ci-only-test-key"}


def _prepare(emu: EmulatorProcess, tmp: Path, shape: str, faults: str | None, fault_seed: int,
             latency_ms: float = 0, step: int = 0) -> tuple[Path, list[str]]:
    """Seed the shape's tenant, apply its commits before ``step`` cleanly, write ``step``'s."""
    seed, steps = _steps(shape)
    emu.reset()
    emu.seed([dict(hook) for hook in seed])
    for i, (want, flags) in enumerate(steps[:step]):
        config = write_config(tmp / f"config-{i}", want)
        if not _apply(emu, config, flags)[0]:
            raise AssertionError(f"{shape}: commit {i} did not apply cleanly")
    if faults or latency_ms:
        emu.configure(faults=faults or {}, fault_seed=fault_seed, latency_ms=latency_ms)
    want, flags = steps[step]
    config = write_config(tmp / f"config-{step}", want)
    return config, flags


def _next_commits(emu: EmulatorProcess, tmp: Path, shape: str, step: int, faults: str | None) -> tuple[int, list[str]]:
    """Apply a chain's commits after ``step``, with ``faults``, each until it succeeds, and
    check each; returns (the most applies any needed, problems)."""
    seed, steps = _steps(shape)
    most, problems = 0, []
    for i in range(step + 1, len(steps)):
        if faults:
            emu.configure(faults=faults)
        want, flags = steps[i]
        config = write_config(tmp / f"config-{i}", want)
        applies, message = _converge(emu, config, flags)
        most = max(most, applies)
        if applies > MAX_APPLIES:
            problems.append(f"commit {i}: no success in {MAX_APPLIES} applies: {message[-600:]}")
        problems += [f"commit {i}: {p}" for p in _problems(emu, config, shape, i)]
    return most, problems


def _apply(emu: EmulatorProcess, config: Path, flags: list[str], *, dry_run: bool = False) -> tuple[bool, str]:
    """What `reconciler apply -c CONFIG --yes FLAGS` does; (succeeded, message).
    With dry_run: what `plan --detailed-exitcode` checks; (no changes, message)."""
    env = _env(emu)
    try:
        desired = load_desired(str(config), env).desired["hook"]
        options = plan_options(load_settings(env), allow_delete="--allow-delete" in flags)
        with ManagementClient(connection_from_env(env)) as client:
            plan = build_plan(desired, read_live_state(client), options)
            if dry_run:
                return not plan.has_changes, "; ".join(step_label(s) for s in plan.steps)
            report = execute(plan, client, desired)
    except ReconcilerError as error:
        return False, f"error: {error}"
    return report.ok, "; ".join(f"{step_label(f.step)}: {f.message}" for f in report.failed)


def _converge(emu: EmulatorProcess, config: Path, flags: list[str]) -> tuple[int, str]:
    """Run apply until it succeeds; returns (applies run, last message)."""
    message = ""
    for attempt in range(1, MAX_APPLIES + 1):
        ok, message = _apply(emu, config, flags)
        if ok:
            return attempt, message
    return MAX_APPLIES + 1, message


def _problems(emu: EmulatorProcess, config: Path, shape: str, step: int = 0) -> list[str]:
    """Everything wrong with the tenant after convergence (faults off). Before a chain's
    last commit only the config's hooks are checked: old copies may be kept by design."""
    first, steps = _steps(shape)
    seed = _tenant_after(first, steps[:step])
    want, flags = steps[step]
    last = step == len(steps) - 1
    emu.configure(faults={}, latency_ms=0)
    problems: list[str] = []
    unchanged, shown = _apply(emu, config, flags, dry_run=True)
    if not unchanged:
        problems.append(f"the plan after convergence still has changes: {shown[:600]}")
    stats = emu.stats()
    if any(n > 1 for n in stats["max_enabled_per_trigger"].values()) or stats["invariant_violations"]:
        problems.append(f"two hooks enabled at once: {stats['max_enabled_per_trigger']}")
    if stats["by_status"].get("409", 0):
        problems.append(f"{stats['by_status']['409']} answers 409")
    state = emu.state()["hooks"]
    names = [hook["name"] for hook in state]
    if len(names) != len(set(names)):
        problems.append(f"duplicate hooks: {sorted(names)}")
    leftovers = [name for name in names if replaced_base(name)]
    if leftovers and last:
        problems.append(f"left over from a replace: {leftovers}")
    expected = expected_tenant(seed, want, flags)
    live = live_hooks(emu)
    if not last:  # old copies kept while deletes are off go in the chain's last commit
        live = {name: hook for name, hook in live.items() if not replaced_base(name)}
    if set(live) != set(expected):
        problems.append(f"hooks {sorted(live)} != expected {sorted(expected)}")
    for name in set(live) & set(expected):
        got = {**live[name], "secrets": {k: v for k, v in live[name]["secrets"].items() if not is_marker(k)}}
        for field, value in expected[name].items():
            if got[field] != value:
                shown = "(values differ)" if field == "secrets" else f"{got[field]!r} != {value!r}"
                problems.append(f"{name}.{field}: {shown} keys {sorted(got['secrets'])}")
    return problems


def _run_trials(pool: queue.Queue[EmulatorProcess], count: int, trial: Callable[[EmulatorProcess, int], dict[str, Any]]) -> list[dict[str, Any]]:
    def one(index: int) -> dict[str, Any]:
        emu = pool.get()
        try:
            return trial(emu, index)
        finally:
            pool.put(emu)

    with ThreadPoolExecutor(max_workers=WORKERS) as executor:
        return sorted(executor.map(one, range(count)), key=lambda t: t["trial"])


def _report(kind: str, trials: list[dict[str, Any]]) -> None:
    failed = [t for t in trials if t["problems"]]
    applies = [t["applies"] for t in trials]
    print(f"\n{kind}: {len(trials)} trials, {len(failed)} failures; applies to converge: "
          f"max {max(applies)}, mean {sum(applies) / len(applies):.2f}")
    for t in trials:
        print(f"  trial {t['trial']:3d} [{t['shape']}] {t.get('note', '')} applies={t['applies']} "
              f"{'OK' if not t['problems'] else 'FAILED: ' + '; '.join(t['problems'])}")
    assert not failed, f"{len(failed)} of {len(trials)} {kind} failed:\n" + "\n".join(
        f"trial {t['trial']} [{t['shape']}] {t.get('note', '')}: {'; '.join(t['problems'])}" for t in failed
    )


def test_apply_converges_under_random_faults(tenants: queue.Queue[EmulatorProcess], tmp_path: Path) -> None:
    shapes = list(SHAPES) + list(CHAINS)

    def trial(emu: EmulatorProcess, index: int) -> dict[str, Any]:
        rng = random.Random(SEED + index)
        shape = shapes[index % len(shapes)]
        config, flags = _prepare(emu, tmp_path / f"f{index}", shape, FAULTS, rng.randrange(2**31))
        applies, message = _converge(emu, config, flags)
        problems = [] if applies <= MAX_APPLIES else [f"no success in {MAX_APPLIES} applies: {message[-600:]}"]
        faults = emu.stats()["faults"]
        problems += _problems(emu, config, shape)
        later, more = _next_commits(emu, tmp_path / f"f{index}", shape, 0, FAULTS)
        faults = emu.stats()["faults"]
        note = "faults " + ",".join(f"{k}={v}" for k, v in sorted(faults.items()))
        return {"trial": index, "shape": shape, "applies": max(applies, later), "note": note,
                "faults": sum(faults.values()), "problems": problems + more}

    trials = _run_trials(tenants, FAULT_TRIALS, trial)
    assert sum(t["faults"] for t in trials) >= FAULT_TRIALS * 5, "the faults did not fire"
    _report("fault trials", trials)


def _requests(emu: EmulatorProcess) -> int:
    return int(emu.stats()["requests"])


def test_apply_converges_after_sigkill_at_random_points(tenants: queue.Queue[EmulatorProcess], tmp_path: Path) -> None:
    shapes = list(SHAPES) + list(CHAINS)
    emu = tenants.get()
    try:  # requests an uninterrupted apply of each shape's commits makes (token included)
        sizes = {}
        for i, shape in enumerate(shapes):
            for step in range(len(_steps(shape)[1])):
                config, flags = _prepare(emu, tmp_path / f"size-{i}", shape, None, 0, step=step)
                before = emu.stats()
                assert _apply(emu, config, flags)[0]
                stats = emu.stats()
                sizes[shape, step] = (stats["requests"] - before["requests"], stats["writes"] - before["writes"])
    finally:
        tenants.put(emu)

    def trial(emu: EmulatorProcess, index: int) -> dict[str, Any]:
        rng = random.Random(SEED * 7 + index)
        shape = shapes[index % len(shapes)]
        faults = FAULTS if index % 2 else None
        step = rng.randrange(len(_steps(shape)[1]))  # the commit whose apply is killed
        # 15 ms a response: the kill lands within a request or two of the chosen point.
        config, flags = _prepare(emu, tmp_path / f"k{index}", shape, faults, rng.randrange(2**31),
                                 latency_ms=15, step=step)
        size = sizes[shape, step]
        kill_after = _requests(emu) + rng.randint(1, size[0])
        extra_ms = rng.uniform(0, 30)
        env = {**os.environ, **_env(emu), "PYTHONUNBUFFERED": "1"}
        for name in ("AUTH0_ALLOW_DELETE", "AUTH0_KEYWORD_REPLACE_MAPPINGS", "AUTH0_ACCESS_TOKEN"):
            env.pop(name, None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "reconciler", "apply", "-c", str(config), "--yes", *flags],
            env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while proc.poll() is None and _requests(emu) < kill_after and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(extra_ms / 1000)
        at_kill = emu.stats()
        killed = proc.poll() is None
        if killed:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        applies, message = _converge(emu, config, flags)
        problems = [] if applies <= MAX_APPLIES else [f"no success in {MAX_APPLIES} applies: {message[-600:]}"]
        note = (f"commit {step}: killed after {at_kill['requests']} requests in all (~{size[0]} in this apply), "
                f"{at_kill['writes']} writes (~{size[1]})" if killed else f"commit {step}: finished before the kill")
        note += " +faults" if faults else ""
        problems += _problems(emu, config, shape, step)
        emu.configure(latency_ms=0)
        later, more = _next_commits(emu, tmp_path / f"k{index}", shape, step, faults)
        return {"trial": index, "shape": shape, "applies": max(applies, later), "note": note, "killed": killed,
                "problems": problems + more}

    trials = _run_trials(tenants, KILL_TRIALS, trial)
    killed = sum(1 for t in trials if t["killed"])
    assert killed >= KILL_TRIALS * 0.7, f"only {killed} of {KILL_TRIALS} runs were killed mid-way"
    _report("kill trials", trials)

"""One proof run: a hook and its action side by side on generated cases, in one Node process.

The cases, the scripted outbound answers and the coverage are made by ``proof.js`` (next to
the harness); this module fills keyword values in, masks them out of what comes back, and turns
each run's records into comparable effects.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any, Mapping

from reconciler.runner.execute import run_job
from reconciler.runner.node import Node, _wheel_node, find_node
from reconciler.runner.outcome import Effects, effects_of, mask_values
from reconciler.runner.samples import Answers, Sample
from reconciler.runner.targets import KeywordValues, Target

MAX_RUNS = 128
RUN_MS = 1000  # one run's limit: the stubs answer at once, so only a hook that never answers waits it out
PROOF_TIMEOUT = 120.0


@dataclass(frozen=True)
class Run:
    """One case: the hook's and the action's effects (masked)."""

    case: str
    hook: Effects
    action: Effects
    hook_answered: bool = True  # the hook called back (it did not throw, time out or stay silent)
    left_running: int = 0  # outbound calls the hook left in flight when it called back
    cut_off: int = 0  # outbound calls still in flight when the action's handler returned

    @property
    def same(self) -> bool:
        return self.hook == self.action

    def differing(self) -> list[str]:
        mine, theirs = self.hook.to_dict(), self.action.to_dict()
        return [key for key in mine if mine[key] != theirs[key]]

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.case, "differs": self.differing(), "hook": self.hook.to_dict(), "action": self.action.to_dict()}


@dataclass(frozen=True)
class Coverage:
    total: int = 0
    covered: int = 0
    missed_lines: tuple[tuple[int, int], ...] = ()
    error: str | None = None  # why coverage could not be measured

    @property
    def full(self) -> bool:
        return self.error is None and self.covered == self.total

    def missed_text(self) -> str:
        spans = [str(a) if a == b else f"{a}-{b}" for a, b in _merged(self.missed_lines)]
        return ("line " if spans == [spans[0]] and "-" not in spans[0] else "lines ") + ", ".join(spans)


@dataclass(frozen=True)
class ProofRecord:
    runs: tuple[Run, ...]
    coverage: Coverage
    reads: tuple[str, ...] = ()  # the event fields the hook reads
    failed: str | None = None  # the proof itself could not run
    modules: tuple[str, ...] = field(default_factory=tuple)


@functools.lru_cache(maxsize=1)
def proof_node() -> tuple[Node, bool]:
    """The Node.js to prove with, and whether its permission model can allow V8's inspector
    (``--allow-inspector``: coverage without dropping the walls). The PATH one first."""
    default = find_node()
    for path in (default.path, shutil.which("node"), _wheel_node()):
        if path and _allows_inspector(path):
            return (default if path == default.path else _node_at(path)), True
    return default, False


def _allows_inspector(path: str) -> bool:
    try:
        shown = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "--allow-inspector" in shown


def _node_at(path: str) -> Node:
    import re

    version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10, check=False).stdout
    match = re.match(r"v(\d+)\.", version.strip())
    return Node(path, int(match.group(1)) if match else 0)


def run_proof(hook: Target, action: Target, samples: tuple[Sample, ...], answers: tuple[Answers, ...],
              values: KeywordValues, *, max_runs: int = MAX_RUNS) -> ProofRecord:
    """Run ``hook`` and ``action`` on cases generated from ``samples`` (Node required)."""
    node, inspectable = proof_node()
    secrets = {name: values.fill(template) for name, template in hook.secrets.items()}
    job = {
        "kind": "proof",
        "trigger": hook.trigger,
        "code": values.fill(hook.code),
        "action": values.fill(action.code),
        "secrets": secrets,
        "samples": [{"name": s.name, "event": dict(s.event)} for s in samples],
        "scripted": [{"name": a.name, "answers": list(a.answers)} for a in answers],
        "max_runs": max_runs,
        "run_ms": RUN_MS,
    }
    flags = ("--allow-inspector",) if inspectable else ()
    raw = run_job(job, name=hook.name, timeout=PROOF_TIMEOUT, node=node, extra_flags=flags)
    sensitive = {**values.sensitive, **{k: v for k, v in secrets.items() if "##" not in hook.secrets[k]}}
    raw = mask_values(raw, sensitive)
    return _record(raw, samples)


def _record(raw: Mapping[str, Any], samples: tuple[Sample, ...]) -> ProofRecord:
    if raw.get("timed_out"):
        return ProofRecord((), Coverage(error="the proof timed out"), failed="the proof did not finish in time")
    if raw.get("failed") or not isinstance(raw.get("runs"), list):
        reason = str(raw.get("failed") or "no record").splitlines()[0][:200]
        return ProofRecord((), Coverage(error=reason), failed=reason)
    runs = []
    for item in raw["runs"]:
        if not isinstance(item, dict) or not isinstance(item.get("hook"), dict) or not isinstance(item.get("action"), dict):
            continue
        hook, action = item["hook"], item["action"]
        runs.append(Run(str(item.get("case")), effects_of(hook, {}), effects_of(action, {}),
                        isinstance(hook.get("callback"), dict), int(hook.get("left_running") or 0),
                        int(action.get("cut_off") or 0)))
    cov = raw.get("coverage") if isinstance(raw.get("coverage"), dict) else {"error": "no coverage"}
    coverage = Coverage(
        int(cov.get("total") or 0), int(cov.get("covered") or 0),
        tuple((int(a), int(b)) for a, b in cov.get("missed_lines") or ()),
        str(cov["error"]) if cov.get("error") else None,
    )
    reads = tuple(str(r) for r in raw.get("reads") or ())
    return ProofRecord(tuple(runs), coverage, reads)


def _merged(spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out

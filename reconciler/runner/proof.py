"""One proof run: a hook and its action side by side on generated cases, in one Node process.

The cases come from ``cases.py``, the outbound answers from ``outbound.js`` in each run's realm,
the coverage from ``coverage.js`` in the harness; this module fills keyword values in, masks them
out of what comes back, and pairs each case's hook and action effects.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import RunError
from reconciler.runner.cases import Case, generate
from reconciler.runner.execute import Job, run_covered, run_scripts
from reconciler.runner.node import find_node
from reconciler.runner.outcome import Effects, Outcome, mask_values
from reconciler.runner.samples import Answers, Sample
from reconciler.runner.targets import KeywordValues, Target

MAX_RUNS = 64
RUN_TIMEOUT = 20.0  # Auth0's limit for one execution (the runner's clock is virtual)


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


def run_proof(hook: Target, action: Target, samples: tuple[Sample, ...], answers: tuple[Answers, ...],
              values: KeywordValues, *, max_runs: int = MAX_RUNS) -> ProofRecord:
    """Run ``hook`` and ``action`` on cases generated from ``samples`` (Node required): first the
    hook alone on the samples, to learn which fields it reads; then every case, hook and action,
    in one process that measures the hook's coverage."""
    node = find_node()
    code = values.fill(hook.code)
    secrets = {name: values.fill(template) for name, template in hook.secrets.items()}
    action_code = values.fill(action.code)
    sensitive = {**values.sensitive, **{k: v for k, v in secrets.items() if "##" not in hook.secrets[k]}}

    def job(kind: str, source: str, case: Case, extra: Mapping[str, Any]) -> Job:
        return Job(kind, hook.name, hook.trigger, source, dict(case.secrets), Sample(case.name, case.event),
                   sensitive, {**extra, "outbound": dict(case.outbound)})

    try:
        key = _first_key(hook.trigger, code, secrets, samples)
        with _FIRST_LOCK:
            known = _FIRST_PASSES.get(key)
        if known is None:
            first = [job("hook", code, Case(s.name, s.event, secrets), {"record_reads": True}) for s in samples]
            known = _learned(run_scripts(first, timeout=RUN_TIMEOUT, node=node))
        reads, calls_out = list(known[0]), known[1]
        cases = generate(samples, secrets, code, reads, calls_out, answers, max_runs)
        jobs = [j for case in cases for j in (job("hook", code, case, {}), job("action", action_code, case, {}))]
        outcomes, coverage = run_covered(jobs, timeout=RUN_TIMEOUT, node=node)
    except RunError as error:
        return ProofRecord((), Coverage(error=str(error)), failed=str(error))
    runs = []
    for case, hook_run, action_run in zip(cases, outcomes[0::2], outcomes[1::2]):
        runs.append(Run(str(mask_values(case.name, sensitive)), hook_run.effects, action_run.effects,
                        isinstance(hook_run.raw.get("callback"), dict),
                        int(hook_run.raw.get("left_running") or 0), len(action_run.raw.get("cut_off") or ())))
    cov: dict[str, Any] = coverage if isinstance(coverage, dict) else {"error": "a run had to be stopped: no coverage"}
    spans: list[Any] = cov.get("missed_lines") or []
    measured = Coverage(
        int(cov.get("total") or 0), int(cov.get("covered") or 0),
        tuple((int(span[0]), int(span[1])) for span in spans if isinstance(span, list) and len(span) == 2),
        str(cov["error"]) if cov.get("error") else None,
    )
    return ProofRecord(tuple(runs), measured, tuple(reads))


# The first pass (which fields a hook reads, whether it calls out) of hooks run ahead, all in one
# Node process (``first_passes``), by what was run: the filled code, secrets and samples.
_FIRST_PASSES: dict[str, tuple[tuple[str, ...], bool]] = {}
_FIRST_LOCK = threading.Lock()


def _first_key(trigger: str, code: str, secrets: Mapping[str, str], samples: tuple[Sample, ...]) -> str:
    return json.dumps([trigger, code, dict(secrets), [[s.name, s.event] for s in samples]], sort_keys=True, default=str)


def _learned(found: Sequence[Outcome]) -> tuple[tuple[str, ...], bool]:
    reads = sorted({str(r) for o in found for r in o.raw.get("reads") or () if isinstance(r, str)})
    return tuple(reads), any(o.raw.get("requests") for o in found)


def first_passes(hooks: Sequence[tuple[Target, tuple[Sample, ...]]], values: KeywordValues) -> None:
    """The first pass of every hook in ``hooks``, in one Node process (each run in a realm of its
    own, as always), kept for their proofs: a proof then starts one Node process, not two.
    A failure here only means each proof runs its own first pass."""
    jobs: list[Job] = []
    spans: list[tuple[str, int, int]] = []
    for hook, samples in hooks:
        code = values.fill(hook.code)
        secrets = {name: values.fill(template) for name, template in hook.secrets.items()}
        sensitive = {**values.sensitive, **{k: v for k, v in secrets.items() if "##" not in hook.secrets[k]}}
        start = len(jobs)
        jobs += [Job("hook", hook.name, hook.trigger, code, dict(secrets), s, sensitive, {"record_reads": True, "outbound": {}})
                 for s in samples]
        spans.append((_first_key(hook.trigger, code, secrets, samples), start, len(jobs)))
    if not jobs:
        return
    try:
        found = run_scripts(jobs, timeout=RUN_TIMEOUT, node=find_node())
    except RunError:
        return
    with _FIRST_LOCK:
        for key, start, end in spans:
            _FIRST_PASSES[key] = _learned(found[start:end])


def _merged(spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out

"""The proof: a hook and its action, run side by side on generated cases, must have the same
effects in every run, and the runs must reach every block of the hook.

Verdicts: ``ok`` (every run the same, full block coverage of the hook), ``differs`` (a run
whose effects differ), ``unverified`` (the same so far, but some of the hook never ran, or the
hook errors or never answers in every run, or coverage could not be measured).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.runner.proof import ProofRecord, Run, run_proof
from reconciler.runner.samples import Sample, config_answers
from reconciler.runner.targets import KeywordValues, Target, samples_for

OK, DIFFERS, UNVERIFIED = "ok", "differs", "unverified"


@dataclass(frozen=True)
class Verdict:
    verdict: str  # OK | DIFFERS | UNVERIFIED
    why: str  # what was proved, or what was not
    record: ProofRecord

    @property
    def differing(self) -> tuple[Run, ...]:
        return tuple(run for run in self.record.runs if not run.same)

    def hazards(self) -> list[str]:
        """What the action runtime will expose that the runs saw."""
        out = []
        if any(run.left_running for run in self.record.runs):
            out.append("the hook calls back before its outbound calls finish (its webtask went on; an action's "
                       "work ends when its handler returns): the action must await them")
        return out


def events(trigger: str, config: str) -> tuple[Sample, ...]:
    """The trigger's built-in samples and the config's ``tests/events/<trigger>/*.json``."""
    return samples_for(trigger, config)


def prove(hook: Target, action: Target, config: str, values: KeywordValues | None = None) -> Verdict:
    """Run both on the generated cases (Node required: ``NodeNotFound`` otherwise) and judge."""
    record = run_proof(hook, action, events(hook.trigger, config), config_answers(config, hook.trigger),
                       values or KeywordValues())
    return judge(record)


def judge(record: ProofRecord) -> Verdict:
    if record.failed:
        return Verdict(UNVERIFIED, f"the proof could not run ({record.failed})", record)
    runs = record.runs
    for run in runs:
        if not run.same:
            return Verdict(DIFFERS, f"on event {run.case!r} ({', '.join(run.differing())})", record)
    if not any(run.hook_answered for run in runs):
        return Verdict(UNVERIFIED, f"the hook errors or never answers in every run ({len(runs)} runs)", record)
    coverage = record.coverage
    if coverage.error:
        return Verdict(UNVERIFIED, f"same effects in {len(runs)} runs, but the hook's coverage was not measured "
                                   f"({coverage.error})", record)
    if not coverage.full:
        return Verdict(UNVERIFIED, f"{coverage.missed_text()} never ran (same effects in {len(runs)} runs, "
                                   f"{coverage.covered}/{coverage.total} branches of the hook)", record)
    return Verdict(OK, f"same effects in {len(runs)} runs, {coverage.covered}/{coverage.total} branches of the hook", record)

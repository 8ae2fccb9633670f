"""Small wrong variants of a right action, to measure whether the proof catches them.

Each operator makes at most one mutant, at its first place, and only where the proof of the
right action showed the effect it breaks (a claim is only dropped from an action that set one),
so no mutant is an equivalent one by construction: a claim dropped or renamed, a denial turned
into an allow, a scope grant added, a metadata key renamed, an await removed, a status code
changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reconciler.migrate.check import Verdict

Mutant = tuple[str, str]  # (what was changed, the mutated code)
_HANDLER = re.compile(r"exports\.onExecute\w+\s*=")
_HOOK_START = "// ---------------------------------------------------------------- the hook, unchanged"


@dataclass(frozen=True)
class Seen:
    """What the right action did in at least one run of its proof."""

    trigger: str
    claims: bool = False
    denied: bool = False
    user_metadata: bool = False
    app_metadata: bool = False
    left_running: bool = False  # the hook called back before its outbound calls finished

    @classmethod
    def of(cls, trigger: str, verdict: Verdict) -> Seen:
        runs = [run.action for run in verdict.record.runs]
        return cls(trigger, any(r.access_token_claims for r in runs), any(r.denied for r in runs),
                   any(r.user_metadata for r in runs), any(r.app_metadata for r in runs),
                   any(run.left_running for run in verdict.record.runs))


def _first(pattern: str, replace: Callable[[re.Match[str]], str], where: str = "handler") -> Callable[[str], str | None]:
    regex = re.compile(pattern)

    def apply(code: str) -> str | None:
        if where == "handler":
            anchor = _HANDLER.search(code)
            start = anchor.start() if anchor else 0
        else:  # the hook's own code: an adapter's embedded copy, or all of a translation
            start = code.find(_HOOK_START) + 1 if _HOOK_START in code else 0
        match = regex.search(code, start)
        if match is None:
            return None
        return code[: match.start()] + replace(match) + code[match.end():]

    return apply


def _operators(seen: Seen) -> dict[str, Callable[[str], str | None]]:
    ops: dict[str, Callable[[str], str | None]] = {}
    if seen.claims:
        ops["claim dropped"] = _first(r"api\.accessToken\.setCustomClaim\(", lambda m: "(() => {})(")
        ops["claim renamed"] = _first(r"api\.accessToken\.setCustomClaim\(", lambda m: "api.accessToken.setCustomClaim('https://renamed.example/' + ")
    if seen.denied:
        ops["deny turned into allow"] = _first(r"api\.access\.deny\(", lambda m: "(() => {})(")
    if seen.trigger == "credentials-exchange":
        # The hook's answer grants one scope more: the action must not carry it over silently.
        ops["scope grant added"] = _first(
            r"hooks\.answer\('credentials-exchange', error, result,",
            lambda m: "hooks.answer('credentials-exchange', error, result && Object.assign({}, result, "
                      "{ scope: [].concat(result.scope || [], ['admin:all']) }),")
    if seen.user_metadata:
        ops["user metadata key renamed"] = _first(r"api\.user\.setUserMetadata\(", lambda m: "api.user.setUserMetadata('renamed_' + ")
    if seen.app_metadata:
        ops["app metadata key renamed"] = _first(r"api\.user\.setAppMetadata\(", lambda m: "api.user.setAppMetadata('renamed_' + ")
    ops["await removed"] = _first(r"\bawait\s+", lambda m: "")
    if seen.left_running:
        ops["wait for work left running removed"] = _first(r"\bawait work\.settle\(", lambda m: "work.settle(")
    # A status the hook compares an answer with (=== 409, status >= 500).
    ops["status code changed"] = _first(r"((?:[=!]==?|[<>]=?)\s*)([1-5]\d\d)\b", lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", where="hook")
    return ops


def mutants(code: str, seen: Seen) -> Iterator[Mutant]:
    """Every applicable operator's mutant of ``code`` that changes it."""
    for name, operator in _operators(seen).items():
        mutated = operator(code)
        if mutated is not None and mutated != code:
            yield name, mutated

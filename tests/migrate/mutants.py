"""Small wrong variants of a right action, to measure whether the proof catches them.

Each operator makes at most one mutant, at its first place in the action's own handler (after
the embedded Hooks model and hook of an adapter, where the action's decisions are):
a claim dropped or renamed, a denial turned into an allow, a scope change let through, a
metadata key renamed, an await removed, a status code or a comparison changed.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator

Mutant = tuple[str, str]  # (what was changed, the mutated code)
_HANDLER = re.compile(r"exports\.onExecute\w+\s*=")


def _first(pattern: str, replace: Callable[[re.Match[str]], str]) -> Callable[[str, int], str | None]:
    regex = re.compile(pattern)

    def apply(code: str, start: int) -> str | None:
        match = regex.search(code, start)
        if match is None:
            return None
        return code[: match.start()] + replace(match) + code[match.end():]

    return apply


OPERATORS: dict[str, Callable[[str, int], str | None]] = {
    # a claim dropped: the first claim the action sets is not set
    "claim dropped": _first(r"api\.accessToken\.setCustomClaim\(", lambda m: "(() => {})("),
    "claim renamed": _first(r"api\.accessToken\.setCustomClaim\(", lambda m: "api.accessToken.setCustomClaim('https://renamed.example/' + "),
    # a deny turned into an allow
    "deny turned into allow": _first(r"api\.access\.deny\(", lambda m: "(() => {})("),
    # the refusal of a scope change dropped: the action grants what the hook changed
    "scope change let through": _first(r"if \(effects\.scopes !== null\)", lambda m: "if (false)"),
    "user metadata key renamed": _first(r"api\.user\.setUserMetadata\(", lambda m: "api.user.setUserMetadata('renamed_' + "),
    "app metadata key renamed": _first(r"api\.user\.setAppMetadata\(", lambda m: "api.user.setAppMetadata('renamed_' + "),
    "await removed": _first(r"\bawait\s+", lambda m: ""),
    "status code changed": _first(r"(?<![\w.])([1-5]\d\d)(?![\w.])", lambda m: str(int(m.group(1)) + 1)),
    "comparison inverted": _first(r"===", lambda m: "!=="),
}


def mutants(code: str) -> Iterator[Mutant]:
    """Every operator's mutant of ``code`` that changes it."""
    handler = _HANDLER.search(code)
    start = handler.start() if handler else 0
    for name, operator in OPERATORS.items():
        mutated = operator(code, start)
        if mutated is not None and mutated != code:
            yield name, mutated

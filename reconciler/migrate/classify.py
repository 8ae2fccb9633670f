"""One hook, classified statically: translated, adapted, or needing a person, with reasons, lines
and hazards. The one entry point for the migration (``generate``) and the proof (``--check``).

- needs a person: what neither a translation nor an adapter carries over -- a scope change on
  credentials-exchange (``scope_changes``), webtask storage, a require of a local file;
- adapted: the translation cannot map the hook (``translate.CannotTranslate``), or the hook
  leaves work running after its callback (an action would cut it short);
- translated: the handler with every hook parameter renamed to its event field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.migrate.callbacks import callback_uses
from reconciler.migrate.hazards import PENDING_WORK, Hazard, hazards
from reconciler.migrate.jsbindings import bind
from reconciler.migrate.jsparse import Source
from reconciler.migrate.person import person_reason
from reconciler.migrate.requires import packages, requires
from reconciler.migrate.shapes import SHAPES
from reconciler.migrate.translate import CannotTranslate, Parsed, parse_hook, translate_parsed

TRANSLATED, ADAPTED, PERSON = "translated", "adapted", "needs a person"
PENDING = "leaves work running after its callback, which an action would cut short when its handler returns"


@dataclass(frozen=True)
class Reason:
    """Why a hook is adapted or needs a person; ``line`` 0 when no line is to blame."""

    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.text}, on line {self.line}" if self.line else self.text


@dataclass(frozen=True)
class Classification:
    """The static verdict on one hook: what the migration writes and why."""

    trigger: str
    status: str  # TRANSLATED | ADAPTED | PERSON
    reasons: tuple[Reason, ...]  # empty when translated; the first is the verdict's reason
    code: str | None  # the translated code.js (every parameter renamed); None unless translated
    hazards: tuple[Hazard, ...] = ()
    packages: tuple[tuple[str, str | None], ...] = ()  # required npm packages, with pinned versions
    work: int = field(default=0, compare=False)  # syntax-tree nodes visited (bounded by the hook's size)

    @property
    def why(self) -> str:
        return str(self.reasons[0]) if self.reasons else ""

    def to_dict(self) -> dict[str, object]:
        """The verdict as plain data (for JSON reports and benches); the code is left out."""
        return {
            "trigger": self.trigger, "status": self.status,
            "reasons": [{"line": r.line, "text": r.text} for r in self.reasons],
            "hazards": [{"kind": h.kind, "line": h.line, "message": h.message} for h in self.hazards],
            "packages": [{"name": n, "version": v} for n, v in self.packages],
        }


def classify(name: str, trigger: str, text: str, dependencies: Mapping[str, str] | None = None) -> Classification:
    """Classify the hook ``name`` (its source ``text``) on ``trigger``."""
    if trigger not in SHAPES:
        return Classification(trigger, ADAPTED, (Reason(0, f"hooks on {trigger} are not known"),), None)
    try:
        hook: Parsed | None = parse_hook(trigger, text)
        unparsed: CannotTranslate | None = None
    except CannotTranslate as reason:
        hook, unparsed = None, reason
    source = hook.source if hook is not None else Source(text)
    bindings = hook.bindings if hook is not None else bind(source)
    found = requires(source, bindings)
    uses = callback_uses(hook) if hook is not None else None
    callbacks = list(uses.calls) if uses is not None else []
    found_hazards = hazards(source, bindings, hook.handler if hook is not None else None, found, dependencies or {}, callbacks)
    common = {"hazards": found_hazards, "packages": packages(found)}
    person = person_reason(hook, source, bindings, found, callbacks, trigger, uses.passed if uses is not None else None)
    if person is not None:
        return Classification(trigger, PERSON, (Reason(*person),), None, work=source.visited, **common)  # type: ignore[arg-type]
    if hook is None:
        assert unparsed is not None
        return Classification(trigger, ADAPTED, (Reason(unparsed.line, str(unparsed)),), None, work=source.visited, **common)  # type: ignore[arg-type]
    try:
        code = translate_parsed(name, hook)
    except CannotTranslate as reason:
        return Classification(trigger, ADAPTED, (Reason(reason.line, str(reason)),), None, work=source.visited, **common)  # type: ignore[arg-type]
    pending = next((h for h in found_hazards if h.kind == PENDING_WORK), None)
    if pending is not None:
        return Classification(trigger, ADAPTED, (Reason(pending.line, PENDING),), None, work=source.visited, **common)  # type: ignore[arg-type]
    return Classification(trigger, TRANSLATED, (), code, work=source.visited, **common)  # type: ignore[arg-type]

"""What neither a translation nor an adapter can carry over into an action: a person decides.

Webtask storage (Actions keep nothing across executions), a require of a local file (an action is
one file), and on credentials-exchange any change to the token's scopes (``scope_changes``), or
an answer whose scopes cannot be followed. Each with the line to look at.
"""

from __future__ import annotations

from tree_sitter import Node

from reconciler.migrate.hazards import storage_use
from reconciler.migrate.jsbindings import Bindings
from reconciler.migrate.jsparse import Source, line
from reconciler.migrate.requires import LOCAL_PATH, Require
from reconciler.migrate.scope_changes import UNFOLLOWED, scope_change
from reconciler.migrate.shapes import NO_PERSISTENCE
from reconciler.migrate.translate import Parsed


def person_reason(hook: Parsed | None, source: Source, bindings: Bindings, found: tuple[Require, ...],
                  callbacks: list[Node], trigger: str, passed: Node | None = None) -> tuple[int, str] | None:
    """``(line, why)`` when a person must rewrite the hook (line 0: no line to blame), else None.
    ``callbacks`` are the calls of the hook's callback; ``passed`` a use of it that is no call."""
    storage = storage_use(source, bindings)
    if storage is not None:
        return line(storage), NO_PERSISTENCE
    local = next((r for r in found if r.kind == LOCAL_PATH), None)
    if local is not None:
        return local.line, f"requires the file '{local.spec}', which an action (one file) cannot hold"
    if trigger != "credentials-exchange":
        return None
    if hook is None:
        return 0, UNFOLLOWED
    change = scope_change(source, hook.bindings, hook.handler, callbacks, passed)
    return (change.line, change.reason) if change is not None else None


def needs_person(trigger: str, text: str) -> str | None:
    """Why a person must rewrite this hook, or None (a shorthand over ``classify``)."""
    from reconciler.migrate.classify import PERSON, classify

    verdict = classify("hook", trigger, text)
    return verdict.why if verdict.status == PERSON else None

"""One hook in, one action out: translated, adapted, or needing a person, and why.

With Node.js, every translation is run against its hook on the trigger's events; one whose
effects differ is replaced by the adapter (and the adapter is checked the same way).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from reconciler.errors import NodeNotFound
from reconciler.keywords import has_keyword, keywords_in
from reconciler.migrate.adapter import adapter
from reconciler.migrate.check import DIFFERS, Verdict, prove
from reconciler.migrate.classify import ADAPTED, PERSON, TRANSLATED, Classification, classify
from reconciler.migrate.hazards import Hazard
from reconciler.resources.hooks.model import Hook
from reconciler.runner.node import find_node
from reconciler.runner.targets import Target

__all__ = ["ADAPTED", "PERSON", "TRANSLATED", "Migrated", "hook_target", "migrate_hook"]
MAX_DEPENDENCIES = 10
UNVERIFIED = "unverified: Node.js not found"


@dataclass(frozen=True)
class Migrated:
    """The action made from one hook. ``secrets`` are (name, keyword template): never values."""

    hook: Hook
    status: str  # TRANSLATED | ADAPTED | PERSON
    why: str  # empty for a verified translation
    code: str
    dependencies: tuple[tuple[str, str], ...]
    secrets: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()
    hazards: tuple[Hazard, ...] = ()  # found statically in the hook (``hazards``)
    # The proof of exactly this code against the hook (None: not proved); not part of what is written.
    verdict: Verdict | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return self.hook.name

    @property
    def trigger(self) -> str:
        return self.hook.trigger_id

    def as_target(self) -> Target:
        return Target("action", self.name, self.trigger, self.code, dict(self.secrets))


def migrate_hook(hook: Hook, config: str, *, verify: bool = True) -> Migrated:
    notes: list[str] = []
    secrets = _secrets(hook, notes)
    verdict = classify(hook.name, hook.trigger_id, hook.script, dict(hook.dependencies))
    dependencies = _dependencies(hook, verdict, notes)
    hazards = verdict.hazards
    person = verdict.why if verdict.status == PERSON else ""
    if len(dependencies) > MAX_DEPENDENCIES:
        person = f"has {len(dependencies)} dependencies; an action allows {MAX_DEPENDENCIES}"
    if person:
        code = adapter(hook.name, hook.trigger_id, hook.script, person)
        return Migrated(hook, PERSON, person, code, dependencies, secrets, tuple(notes), hazards)
    if verdict.status == TRANSLATED and verdict.code is not None:
        code, status, why = verdict.code, TRANSLATED, ""
    else:
        code, status, why = adapter(hook.name, hook.trigger_id, hook.script, verdict.why), ADAPTED, verdict.why
    migrated = Migrated(hook, status, why, code, dependencies, secrets, tuple(notes), hazards)
    if not verify:
        return migrated
    try:
        find_node()
    except NodeNotFound:
        unverified = UNVERIFIED if status == TRANSLATED else why
        return Migrated(hook, status, unverified, code, dependencies, secrets, tuple(notes), hazards)
    proof = prove(hook_target(hook), migrated.as_target(), config)
    if proof.verdict == DIFFERS and status == TRANSLATED:
        why = f"the translation differs from the hook {proof.why}"
        code = adapter(hook.name, hook.trigger_id, hook.script, why)
        migrated = Migrated(hook, ADAPTED, why, code, dependencies, secrets, tuple(notes), hazards)
        proof = prove(hook_target(hook), migrated.as_target(), config)
    if proof.verdict == DIFFERS:
        why = f"{migrated.why}; the adapter differs from the hook too {proof.why}" if migrated.why else f"the adapter differs from the hook {proof.why}"
        return replace(migrated, status=PERSON, why=why, verdict=proof)
    return replace(migrated, verdict=proof)


def hook_target(hook: Hook) -> Target:
    return Target("hook", hook.name, hook.trigger_id, hook.script, dict(hook.secrets))


def _secrets(hook: Hook, notes: list[str]) -> tuple[tuple[str, str], ...]:
    """The hook's secrets as the same keywords; a literal value is never copied."""
    from reconciler.resources.actions.export import keyword_names

    used = {k[2:-2] for template in hook.secrets.values() for k in keywords_in(template)}
    literal = keyword_names([n for n, t in hook.secrets.items() if not has_keyword(t)], taken=used)
    out = []
    for name, template in hook.secrets.items():
        if has_keyword(template):
            out.append((name, template))
            continue
        keyword = literal[name]  # distinct: "a-b" and "a_b" never share one keyword
        out.append((name, f"##{keyword}##"))
        notes.append(f"secret {name!r} is written literally in the hook's file; the action uses the keyword ##{keyword}##: set it")
    return tuple(out)


def _dependencies(hook: Hook, verdict: Classification, notes: list[str]) -> tuple[tuple[str, str], ...]:
    """The hook's dependencies and its inline ``require('pkg@ver')`` pins, as name/version pairs
    (a package with no version anywhere is an ``unpinned-package`` hazard and gets "latest")."""
    out = dict(hook.dependencies)
    for name, version in verdict.packages:
        if name in out:
            if version and version != out[name]:
                notes.append(f"require('{name}@{version}') differs from the dependency {name} {out[name]}; kept {out[name]}")
            continue
        out[name] = version or "latest"
    return tuple(out.items())

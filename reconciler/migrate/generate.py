"""One hook in, one action out: translated, adapted, or needing a person, and why.

With Node.js, every translation is run against its hook on the trigger's events; one whose
effects differ is replaced by the adapter (and the adapter is checked the same way).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from reconciler.keywords import has_keyword
from reconciler.migrate.adapter import adapter
from reconciler.migrate.check import DIFFERS, Verdict, prove
from reconciler.migrate.requires import rewrite_requires
from reconciler.migrate.person import needs_person
from reconciler.migrate.translate import CannotTranslate, translate
from reconciler.resources.hooks.model import Hook
from reconciler.errors import NodeNotFound
from reconciler.runner.node import find_node
from reconciler.runner.targets import KeywordValues, Target

TRANSLATED, ADAPTED, PERSON = "translated", "adapted", "needs a person"
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
    dependencies = _dependencies(hook, notes)
    person = needs_person(hook.trigger_id, hook.script)
    if len(dependencies) > MAX_DEPENDENCIES:
        person = f"has {len(dependencies)} dependencies; an action allows {MAX_DEPENDENCIES}"
    if person:
        code = adapter(hook.name, hook.trigger_id, hook.script, person)
        return Migrated(hook, PERSON, person, code, dependencies, secrets, tuple(notes))
    try:
        code, status, why = translate(hook.name, hook.trigger_id, hook.script), TRANSLATED, ""
    except CannotTranslate as reason:
        code, status, why = adapter(hook.name, hook.trigger_id, hook.script, str(reason)), ADAPTED, str(reason)
    migrated = Migrated(hook, status, why, code, dependencies, secrets, tuple(notes))
    if not verify:
        return migrated
    try:
        find_node()
    except NodeNotFound:
        unverified = UNVERIFIED if status == TRANSLATED else why
        return Migrated(hook, status, unverified, code, dependencies, secrets, tuple(notes))
    verdict = prove(hook_target(hook), migrated.as_target(), config)
    if verdict.verdict == DIFFERS and status == TRANSLATED:
        why = f"the translation differs from the hook {verdict.why}"
        code = adapter(hook.name, hook.trigger_id, hook.script, why)
        migrated = Migrated(hook, ADAPTED, why, code, dependencies, secrets, tuple(notes))
        verdict = prove(hook_target(hook), migrated.as_target(), config)
    if verdict.verdict == DIFFERS:
        why = f"{migrated.why}; the adapter differs from the hook too {verdict.why}" if migrated.why else f"the adapter differs from the hook {verdict.why}"
        return replace(migrated, status=PERSON, why=why, verdict=verdict)
    return replace(migrated, verdict=verdict)


def hook_target(hook: Hook) -> Target:
    return Target("hook", hook.name, hook.trigger_id, hook.script, dict(hook.secrets))


def _secrets(hook: Hook, notes: list[str]) -> tuple[tuple[str, str], ...]:
    """The hook's secrets as the same keywords; a literal value is never copied."""
    out = []
    for name, template in hook.secrets.items():
        if has_keyword(template):
            out.append((name, template))
            continue
        keyword = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
        if keyword[:1].isdigit():
            keyword = f"_{keyword}"
        out.append((name, f"##{keyword}##"))
        notes.append(f"secret {name!r} is written literally in the hook's file; the action uses the keyword ##{keyword}##: set it")
    return tuple(out)


def _dependencies(hook: Hook, notes: list[str]) -> tuple[tuple[str, str], ...]:
    """The hook's dependencies and its inline ``require('pkg@ver')`` pins, as name/version pairs."""
    out = dict(hook.dependencies)
    _, required = rewrite_requires(hook.script)
    for name, version in required:
        if name in out:
            if version and version != out[name]:
                notes.append(f"require('{name}@{version}') differs from the dependency {name} {out[name]}; kept {out[name]}")
            continue
        if version is None:
            notes.append(f"{name} is required without a version or a dependency entry; pinned to \"latest\": pin a version")
        out[name] = version or "latest"
    return tuple(out.items())

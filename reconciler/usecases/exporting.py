"""``export``: the live hooks, actions and trigger bindings as a config directory.

Each half is read only when the tenant serves it: a tenant without Actions (403
``feature_not_enabled``) exports hooks alone, a tenant without Hooks exports actions alone,
each with a note. Every file either half would replace is checked before anything is
written, so a refused export writes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.config import Settings
from reconciler.errors import AuthError, NothingToExport, ReconcilerError, hooks_unavailable
from reconciler.keywords import KEY, is_credential

if TYPE_CHECKING:
    from reconciler.api.client import ManagementClient


NO_HOOKS = "this tenant has no Hooks"
NO_ACTIONS = "this tenant has no Actions (403 feature_not_enabled)"
NO_ACTIONS_SCOPE = "the client lacks scope read:actions"


@dataclass(frozen=True)
class Exported:
    """One half written: how many, where (``directory``: the export's root)."""

    count: int
    directory: Path
    triggers: int = 0  # actions only: trigger lists written to triggers/triggers.json


@dataclass(frozen=True)
class ExportOutcome:
    hooks: Exported | None  # None: not exported, ``hooks_skipped`` says why
    actions: Exported | None
    hooks_skipped: str | None = None
    actions_skipped: str | None = None
    notes: tuple[str, ...] = ()  # file names, skipped actions and triggers, drafts, renamed secrets
    keywords: tuple[str, ...] = ()  # written as ##KEY## without a value: set before planning
    keyword_notes: tuple[str, ...] = ()  # keywords shared by several hooks or actions
    from_environment: tuple[str, ...] = ()  # variables whose values the live code held: written as ##NAME##


# Variables that configure the machine or the CI, not keyword values: their values (a path, a
# locale, "production") are not secrets, and code holding the same text is left as it is.
_NOT_KEYWORDS = frozenset({
    "PATH", "HOME", "PWD", "OLDPWD", "SHELL", "USER", "LOGNAME", "LANG", "LANGUAGE", "TERM",
    "HOSTNAME", "TMPDIR", "TMP", "TEMP", "EDITOR", "VISUAL", "PAGER", "MAIL", "NODE_ENV", "CI",
    "VIRTUAL_ENV", "COLORTERM", "DISPLAY", "AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_AUDIENCE",
})
_NOT_KEYWORD_PREFIXES = ("LC_", "XDG_", "PYTHON", "RUNNER_", "SSH_", "GITHUB_", "PYTEST_", "NO_COLOR")
# Shorter values are too common to be told from code ("true", a port number).
MIN_ENV_VALUE = 8


def environment_values(settings: Settings) -> dict[str, str]:
    """Values of environment variables that may be keyword values (deploy-cli fills keywords
    from any variable): each is written back as ``##NAME##`` wherever live code holds it, so
    an export never puts one in a file. The mapping's values are handled beside these."""
    out: dict[str, str] = {}
    for name, value in settings.environ.items():
        if not isinstance(value, str) or len(value) < MIN_ENV_VALUE or not re.fullmatch(KEY, name):
            continue
        if name in _NOT_KEYWORDS or (name.startswith(_NOT_KEYWORD_PREFIXES) and not is_credential(name)):
            continue
        out[name] = value
    return out


def _found_in(values: Mapping[str, object], texts: list[str]) -> tuple[str, ...]:
    return tuple(sorted(name for name, value in values.items()
                        if isinstance(value, str) and any(value in text for text in texts)))


def _try(read: Callable[[], Any], unavailable: Callable[[Exception], bool]) -> Any:
    """``read()``, or None when the tenant does not serve that half."""
    try:
        return read()
    except ReconcilerError as error:
        if unavailable(error):
            return None
        raise


def _no_actions(error: Exception) -> bool:
    from reconciler.errors import ActionsUnavailableError

    return isinstance(error, ActionsUnavailableError)


def export_tenant(
    client_factory: Callable[[], AbstractContextManager[ManagementClient]],
    settings: Settings,
    output: str,
    *,
    force: bool = False,
) -> ExportOutcome:
    """Read both halves, refuse existing files (unless ``force``) before writing either, write
    them (known keyword values from ``settings`` go back as ##KEY##) and say what to know."""
    from reconciler.resources.actions import export as actions_export
    from reconciler.resources.actions.live import read_live_actions
    from reconciler.resources.builtin import registry
    from reconciler.resources.export_files import refuse_existing
    from reconciler.resources.hooks import export as hooks_export

    read_hooks = registry().get("hook").read_live
    assert read_hooks is not None
    with client_factory() as client:
        hooks = _try(lambda: read_hooks(client, None), hooks_unavailable)
        try:
            actions, skipped = _try(lambda: read_live_actions(client, (), every_trigger=True), _no_actions), NO_ACTIONS
        except AuthError as error:
            if hooks is None or error.status != 403:
                raise
            # A read:hooks-only client exported hooks before Actions existed: it still does.
            actions, skipped = None, NO_ACTIONS_SCOPE
    if hooks is None and actions is None:
        raise NothingToExport(f"nothing to export: {NO_HOOKS}, and {NO_ACTIONS}")
    if not force:  # both halves checked before either writes
        existing = (hooks_export.existing_files(hooks, output) if hooks is not None else []) + (
            actions_export.existing_files(actions, output) if actions is not None else [])
        refuse_existing(Path(output), existing)
    if actions is not None:
        actions_export.preflight(actions, output, force=force)
    # Every known keyword value is written back as ##KEY##: the mapping's, and the values of
    # environment variables the live code holds (the mapping wins for a shared name).
    from_env = environment_values(settings)
    values = {**from_env, **settings.keyword_mappings}
    texts = [h.script for h in (hooks.hooks if hooks is not None else ())]
    texts += [a.code for a in (actions.actions if actions is not None else ()) if isinstance(a.code, str)]
    found = _found_in({k: v for k, v in from_env.items() if k not in settings.keyword_mappings}, texts)
    hooks_result = hooks_export.export_live(hooks, output, values, force=True) if hooks is not None else None
    actions_result = actions_export.export_actions(actions, output, values, force=True) if actions is not None else None
    return ExportOutcome(
        hooks=Exported(hooks_result.hooks, hooks_result.directory) if hooks_result is not None else None,
        actions=(Exported(actions_result.actions, actions_result.directory, actions_result.triggers)
                 if actions_result is not None else None),
        hooks_skipped=None if hooks_result is not None else NO_HOOKS,
        actions_skipped=None if actions_result is not None else skipped,
        notes=tuple(_notes(hooks_result, actions_result)),
        keywords=tuple(sorted({*(hooks_result.keywords if hooks_result else ()),
                               *(actions_result.keywords if actions_result else ())})),
        keyword_notes=tuple(_keyword_notes(hooks_result, actions_result)),
        from_environment=found,
    )


def _notes(hooks: Any, actions: Any) -> list[str]:
    notes: list[str] = []
    for kind, result in (("hook", hooks), ("action", actions)):
        for name, stem in (result.encoded.items() if result is not None else ()):
            files = f"{stem}.json / {stem}.js" if kind == "hook" else f"{stem}.json / {stem}/code.js"
            notes.append(f"{kind} {name!r} is not a safe file name; written as {files}")
    if actions is None:
        return notes
    notes += [f"marketplace action {name!r} skipped (installed integrations are not managed)"
              for name in actions.marketplace]
    notes += [f"actions named {name!r} skipped: two actions share the name (rename one)"
              for name in actions.duplicates]
    notes += [f"trigger {trigger} left out of triggers.json: it binds an action whose name is not unique"
              for trigger in actions.held_triggers]
    notes += [f"trigger {trigger} is bound through other entities: its bindings are not exported"
              for trigger in actions.entity_bound]
    notes += [f"action {name!r} has draft changes that are not deployed: the export holds the draft, "
              "and applying it deploys that draft" for name in actions.undeployed_drafts]
    for name, renamed in actions.renamed_secrets.items():
        notes += [f"secret {secret!r} of action {name!r} is not a keyword name; its value is ##{keyword}##"
                  for secret, keyword in renamed.items()]
    return notes


def _keyword_notes(hooks: Any, actions: Any) -> list[str]:
    notes: list[str] = []
    for kind, result in (("hooks", hooks), ("actions", actions)):
        for keyword, names in (result.shared_keywords.items() if result is not None else ()):
            notes.append(
                f"##{keyword}## is shared by {kind} {', '.join(names)}: one value for all of them "
                f"(rename the keyword in one {kind[:-1]}'s JSON to give it its own value)"
            )
    both = sorted(set(hooks.keywords) & set(actions.keywords)) if hooks and actions else []
    notes += [f"##{keyword}## is used by hooks and actions alike: one value for both" for keyword in both]
    return notes

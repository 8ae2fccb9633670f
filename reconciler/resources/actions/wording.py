"""The Actions types' words: every ``action.*`` and ``bindings.*`` reason code as one line.

Planner and operations make ``Reason`` data; only this module turns it into prose.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.core.reasons import Reason
from reconciler.text import plural, some_names

_WORDS: dict[str, Callable[..., str]] = {
    "action.excluded": lambda name: f"action {name}: excluded (AUTH0_EXCLUDED_ACTIONS); its config is ignored",
    "action.free_name": lambda trigger: f"free the name for its replacement on {trigger} (keeps running until then)",
    "action.rebuild": lambda: "the last build failed: build the draft again",
    "action.rotate": lambda: "rotate",
    "action.deploy_draft": lambda: "the draft is already written but not deployed (an interrupted run?)",
    "action.delete_not_allowed": lambda: "not in the config; not deleted (pass --allow-delete)",
    "action.bound_unmanaged": lambda trigger: (
        f"bound on {trigger}, a trigger triggers.json does not manage; not unbound or deleted (list {trigger} there)"
    ),
    "action.replaced_kept": lambda name, trigger: (
        f"action {name}: the old action, unbound from {trigger}, is kept under a -replaced-by-reconciler "
        "name until deletes are allowed"
    ),
    "action.secrets_blocked": lambda names: (
        f"not changed: the tenant holds secrets {', '.join(names)} the config lacks, and a secrets update "
        "replaces the whole set; pass --allow-delete (or add them to the config)"
    ),
    "action.secrets_cap": lambda count, cap: f"not changed: {count} secrets, more than Auth0's {cap} per action",
    "action.secrets_kept": lambda name, names: (
        f"action {name}: secrets {', '.join(names)} are not in the config; not deleted (pass --allow-delete)"
    ),
    "action.not_managed": lambda names: (
        "actions are not managed (the config has no actions/ nor triggers/), so live actions bound to "
        f"triggers are left running: {some_names(names)} ({plural(len(names), 'action')}). "
        "To manage them: `reconciler export` writes them as actions/ and triggers/triggers.json"
    ),
    "bindings.trigger_unavailable": lambda trigger: (
        f"trigger {trigger}: the tenant does not offer it for bindings; its list in triggers.json is not applied"
    ),
    "bindings.not_deployed": lambda name, trigger: (
        f"{trigger}: {name} has no deployed version, so it is not bound (Auth0 binds only deployed actions)"
    ),
}


def word(reason: Reason) -> str:
    """``reason`` in words; an unknown code shows as itself (never guessed)."""
    words = _WORDS.get(reason.code)
    return words(**reason.kwargs) if words else reason.code


CODES = frozenset(_WORDS)

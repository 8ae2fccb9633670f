"""The hook type's words: every reason code of ``hook.*`` as one line of text.

Planner and phases make ``Reason`` data; this module alone turns it into prose, so renderers
and tests compare codes and arguments, never sentences.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.core.reasons import WORDED, Reason
from reconciler.text import plural, some_names

_WORDS: dict[str, Callable[..., str]] = {
    "hook.created_disabled": lambda: "created disabled; enabled at the hand-over",
    "hook.free_name": lambda trigger: f"free the name for its replacement on {trigger}",
    "hook.rotate": lambda: "rotate",
    "hook.secret_values_changed": lambda: "secret values changed",
    "hook.make_room": lambda cap: f"make room: Auth0 allows {cap} secrets per hook",
    "hook.fix_enabled": lambda count, trigger: f"fix: {count} hooks enabled on {trigger}",
    "hook.excluded": lambda name: f"{name}: excluded (AUTH0_EXCLUDED_HOOKS); its config is ignored",
    "hook.unknown_trigger": lambda name, trigger: (
        f"{name}: on trigger {trigger}, which this tool does not know; "
        "left alone (never replaced, disabled or deleted)"
    ),
    "hook.secrets_kept": lambda name, keys: (
        f"{name}: secret keys {', '.join(keys)} are not in the config; not deleted (pass --allow-delete)"
    ),
    "hook.name_clash": lambda trigger: (
        f"the name is taken by a live hook on {trigger}, a trigger this tool does not manage; rename one of them"
    ),
    "hook.hand_over_to": lambda name: f"hand over to {name}",
    "hook.take_over_from": lambda name: f"take over from {name}",
    "hook.leftover": lambda: "left over from an interrupted replace",
    "hook.replaced": lambda: "replaced (triggerId changed)",
    "hook.not_managed": lambda names: (
        "hooks are not managed (the config has no hooks/), so live hooks are left running: "
        f"{some_names(names)} ({plural(len(names), 'hook')}). "
        "To retire them once their actions run: `reconciler migrate --retire-hooks --write`, "
        "then plan and apply with --allow-delete"
    ),
    "hook.delete_off": lambda: "not in the config; deletes are off (pass --allow-delete)",
    "hook.replaced_keeps_secrets": lambda name, keys: (
        f"replaced {name}, but keeps running because it holds secret keys "
        f"missing from the config ({', '.join(keys)}); pass --allow-delete"
    ),
    "hook.too_many_secrets": lambda count, cap, kept: (
        f"not changed: needs {count} secret keys, more than Auth0's {cap} per hook, "
        f"because {', '.join(kept)} stay while deletes are off; "
        "pass --allow-delete (or remove keys from the config)"
        if kept
        else f"not changed: the config has {count} secret keys, more than Auth0's {cap}"
    ),
}


def word(reason: Reason | None) -> str:
    """``reason`` in words; an unknown code shows as itself (never guessed)."""
    if reason is None:
        return ""
    if reason.code == WORDED:
        return str(reason.arg("text", ""))
    words = _WORDS.get(reason.code)
    return words(**reason.kwargs) if words else reason.code


CODES = frozenset(_WORDS)

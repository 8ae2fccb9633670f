"""The hook type's words: every reason code of ``hook.*`` as one line of text.

Planner and phases make ``Reason`` data; this module alone turns it into prose, so renderers
and tests compare codes and arguments, never sentences.
"""

from __future__ import annotations

from typing import Callable

from reconciler.core.reasons import Reason

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
}


def word(reason: Reason) -> str:
    """``reason`` in words; an unknown code shows as itself (never guessed)."""
    words = _WORDS.get(reason.code)
    return words(**reason.kwargs) if words else reason.code


def says(code: str, **args: object) -> str:
    """The words of ``Reason.of(code, **args)``: for planner code that stores text."""
    return word(Reason.of(code, **args))


CODES = frozenset(_WORDS)

"""``reconciler run``'s line for people: what one run did, in words, beside the JSON.

Built from the same outcome dict the JSON prints (values already masked there), so the line
can show nothing the JSON does not; every piece passes through :func:`terminal` because a
script chooses its own error messages and claim names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.escape import terminal
from reconciler.text import plural

# Longest piece of script-chosen text kept in the line (an error message, a reason).
_MAX_TEXT = 120


def _short(value: object) -> str:
    text = terminal(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _what_it_did(effects: Mapping[str, Any]) -> list[str]:
    did: list[str] = []
    denied, error = effects.get("denied"), effects.get("error")
    if isinstance(denied, Mapping):
        reason = denied.get("reason") or denied.get("message") or ""
        code = denied.get("code")
        did.append("denied" + (f" ({_short(code)})" if code else "") + (f": {_short(reason)}" if reason else ""))
    if isinstance(error, Mapping):
        did.append(f"threw {_short(error.get('name'))}: {_short(error.get('message'))}")
    if effects.get("timed_out"):
        did.append("timed out")
    elif effects.get("unanswered"):
        did.append("never answered")
    for key, words in (("access_token_claims", "access-token claim"), ("id_token_claims", "ID-token claim"),
                       ("user_metadata", "user_metadata field"), ("app_metadata", "app_metadata field")):
        value = effects.get(key)
        if isinstance(value, Mapping) and value:
            did.append(f"set {plural(len(value), words)}")
    if effects.get("scopes") is not None:
        did.append("changed the scopes")
    requests = effects.get("requests")
    if isinstance(requests, list) and requests:
        did.append(f"tried {plural(len(requests), 'outbound request')}")
    return did or ["allowed, no changes"]


def summary_line(outcome: Mapping[str, Any]) -> str:
    """``hook add-api-claims on credentials-exchange (event partner-client): denied (invalid_scope): ...``"""
    effects = outcome.get("effects")
    did = _what_it_did(effects if isinstance(effects, Mapping) else {})
    where = f"{_short(outcome.get('kind'))} {_short(outcome.get('name'))} on {_short(outcome.get('trigger'))}"
    return f"{where} (event {_short(outcome.get('event'))}): {'; '.join(did)}"

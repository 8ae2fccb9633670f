"""What a script did, as effects a hook and its action can be compared on.

A hook answers through its callback (claims in a token, metadata in ``{user: ...}``, an
error that blocks); an action calls ``api`` methods. Both map to the same ``Effects``, so
``migrate --check`` compares like with like. Requests the script tried to send are part of
the effects; console output is not (wording may differ).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from reconciler.secret_forms import pattern

# Triggers where an error from a hook (or api.access.deny in an action) refuses the request.
DENYING_TRIGGERS = ("credentials-exchange", "pre-user-registration")


@dataclass(frozen=True)
class Effects:
    denied: Mapping[str, Any] | None = None
    error: Mapping[str, Any] | None = None
    access_token_claims: Mapping[str, Any] = field(default_factory=dict)
    id_token_claims: Mapping[str, Any] = field(default_factory=dict)
    scopes: tuple[str, ...] | None = None  # the token's scopes, when the script changed them
    user_metadata: Mapping[str, Any] = field(default_factory=dict)
    app_metadata: Mapping[str, Any] = field(default_factory=dict)
    requests: tuple[Mapping[str, Any], ...] = ()
    unanswered: bool = False  # a hook that never called back, an action that never settled
    timed_out: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["scopes"] = list(self.scopes) if self.scopes is not None else None
        data["requests"] = list(self.requests)
        return data


@dataclass(frozen=True)
class Outcome:
    """One run: which script, on which sample, what it did; ``raw`` is the harness's record."""

    kind: str
    name: str
    trigger: str
    sample: str
    effects: Effects
    raw: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        raw = self.raw
        return {
            "kind": self.kind,
            "name": self.name,
            "trigger": self.trigger,
            "event": self.sample,
            "effects": self.effects.to_dict(),
            "callback": raw.get("callback") if self.kind == "hook" else None,
            "api_calls": raw.get("api_calls", []) if self.kind == "action" else None,
            "modules": raw.get("modules", []),
            "logs": raw.get("logs", []),
        }


def effects_of(raw: Mapping[str, Any], event: Mapping[str, Any]) -> Effects:
    """The effects of one harness record (hook or action)."""
    given = raw.get("requests")
    requests: list[Any] = given if isinstance(given, list) else []
    # An action's calls still in flight when its handler returned never happened (a proof says which).
    cut_off = {i for i in raw.get("cut_off") or () if isinstance(i, int)} if raw.get("kind") == "action" else set()
    base: dict[str, Any] = {
        "requests": tuple(_list([r for i, r in enumerate(requests) if i not in cut_off])),
        "timed_out": bool(raw.get("timed_out")),
    }
    thrown = raw.get("thrown")
    if isinstance(thrown, dict):
        base["error"] = {"name": str(thrown.get("name")), "message": str(thrown.get("message"))}
    if raw.get("kind") == "hook":
        return Effects(**base, **_hook_effects(raw, event))
    return Effects(**base, **_action_effects(raw))


def _hook_effects(raw: Mapping[str, Any], event: Mapping[str, Any]) -> dict[str, Any]:
    """The hook's answer as the Hooks model (``hooks_model.js``) read it: Python does not
    interpret the callback a second time."""
    answer = raw.get("answer")
    if not isinstance(raw.get("callback"), dict) or not isinstance(answer, dict):
        return {"unanswered": not raw.get("thrown") and not raw.get("timed_out")}
    out: dict[str, Any] = {}
    denied, error = answer.get("denied"), answer.get("error")
    if isinstance(denied, dict):
        out["denied"] = _denial(raw.get("trigger"), code=denied.get("code"), reason=denied.get("reason"),
                                user_message=denied.get("user_message"))
        return out
    if isinstance(error, dict):
        out["error"] = {"name": str(error.get("name", "Error")), "message": str(error.get("message"))}
        return out
    for key, field_name in (("claims", "access_token_claims"), ("user_metadata", "user_metadata"),
                            ("app_metadata", "app_metadata")):
        if isinstance(answer.get(key), dict):
            out[field_name] = dict(answer[key])
    if isinstance(answer.get("scopes"), list):
        out["scopes"] = tuple(str(s) for s in answer["scopes"])
    return out


_SETTERS = ("api.accessToken.setCustomClaim", "api.idToken.setCustomClaim", "api.user.setUserMetadata",
            "api.user.setAppMetadata")


def _action_effects(raw: Mapping[str, Any]) -> dict[str, Any]:
    trigger = raw.get("trigger")
    out: dict[str, Any] = {
        "access_token_claims": {},
        "id_token_claims": {},
        "user_metadata": {},
        "app_metadata": {},
        "unanswered": raw.get("completed") is False,
    }
    scopes: list[str] | None = None
    for call in _list(raw.get("api_calls")):
        given = list(call.get("args") or [])
        name, args = call.get("call"), given + [None, None]
        if name in _SETTERS and len(given) < 2:
            continue  # set to undefined: nothing set
        if name == "api.accessToken.setCustomClaim":
            out["access_token_claims"][str(args[0])] = args[1]
        elif name == "api.idToken.setCustomClaim":
            out["id_token_claims"][str(args[0])] = args[1]
        elif name == "api.user.setUserMetadata":
            out["user_metadata"][str(args[0])] = args[1]
        elif name == "api.user.setAppMetadata":
            out["app_metadata"][str(args[0])] = args[1]
        elif name in ("api.accessToken.addScope", "api.accessToken.removeScope"):
            scopes = scopes if scopes is not None else []
            if name.endswith("addScope") and args[0] not in scopes:
                scopes.append(str(args[0]))
            elif name.endswith("removeScope") and args[0] in scopes:
                scopes.remove(args[0])
        elif name == "api.access.deny" and out.get("denied") is None:
            if trigger == "credentials-exchange":
                out["denied"] = _denial(trigger, code=args[0], reason=args[1])
            else:
                out["denied"] = _denial(trigger, reason=args[0], user_message=args[1])
        elif name == "api.validation.error" and out.get("denied") is None:
            out["denied"] = _denial(trigger, code=args[0], reason=args[1])
    if scopes is not None:
        out["scopes"] = tuple(scopes)
    return out


def _denial(trigger: Any, *, code: Any = None, reason: Any = None, user_message: Any = None) -> dict[str, Any]:
    # A plain Error from a credentials-exchange hook reached the client as invalid_request.
    if trigger == "credentials-exchange":
        return {"code": str(code or "invalid_request"), "reason": str(reason)}
    return {"reason": str(reason), "user_message": None if user_message is None else str(user_message)}


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def mask_values(data: Any, values: Mapping[str, str]) -> Any:
    """``data`` with every known sensitive value replaced by its ``##KEY##`` keyword, in every
    form it may have taken (as is, JSON-escaped, URL-encoded, base64: ``secret_forms``)."""
    compiled = pattern({key: value for key, value in values.items() if value})
    if compiled is None:
        return data
    regex, owner = compiled

    def mask(value: Any) -> Any:
        if isinstance(value, str):
            return regex.sub(lambda m: f"##{owner[m.group(0)]}##", value)
        if isinstance(value, dict):
            return {mask(k): mask(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(mask(v) for v in value)
        return value

    return mask(data)

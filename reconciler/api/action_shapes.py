"""Shape checks for the Actions answers (an action, a version, a binding, a trigger), and the
request bodies the Actions endpoints send.

Each check returns the object it was given (a dict, unchanged) or raises a one-line
BadResponseError naming the request. Only what the tool reads is checked, and only against
what a real tenant answers (Management API v2, recorded 2026-08): keys the server leaves out when
they would be empty (``dependencies``, ``secrets``, ``runtime`` on a marketplace action) may
be absent; keys the tool never reads (``current_version``, timestamps, ``modules``) are not
checked at all, so a newer server that adds fields still works.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from .responses import bad, expect_count, expect_dict, expect_str, kind_of

# Build states of a draft [spec ActionBuildStatusEnum]: every one but these two is "still going".
BUILT = "built"
FAILED = "failed"

Pair = tuple[str, str]


def _label(value: dict[str, Any], kind: str) -> str:
    return f"{kind} {str(value.get('id'))[:40]!r}"


def _expect_list(response: httpx.Response, value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad(response, f"{what} is {kind_of(value)}, not a list")
    return value


def _optional_list(response: httpx.Response, data: dict[str, Any], key: str, label: str) -> list[Any]:
    value = data.get(key)
    return [] if value is None else _expect_list(response, value, f"{label} field {key!r}")


def _expect_bool(response: httpx.Response, data: dict[str, Any], key: str, label: str) -> None:
    if key in data and not isinstance(data[key], bool):
        raise bad(response, f"{label} field {key!r} is {kind_of(data[key])}, not a boolean")


def check_triggers_field(response: httpx.Response, value: Any, label: str) -> list[dict[str, Any]]:
    """``supported_triggers``: ``[{id, version}]`` (the API allows one; a list is accepted)."""
    items = [] if value is None else _expect_list(response, value, f"{label} field 'supported_triggers'")
    for i, item in enumerate(items):
        what = f"{label} supported_triggers[{i}]"
        entry = expect_dict(response, item, what)
        expect_str(response, entry.get("id"), f"{what}.id", empty=False)
        expect_str(response, entry.get("version"), f"{what}.version")
    return items


def _check_draft_parts(response: httpx.Response, data: dict[str, Any], label: str) -> None:
    """The parts an action draft and a version share: code, runtime, dependencies, secret names."""
    for key in ("code", "runtime", "status"):
        if data.get(key) is not None:
            expect_str(response, data[key], f"{label} field {key!r}")
    for i, dep in enumerate(_optional_list(response, data, "dependencies", label)):
        what = f"{label} dependencies[{i}]"
        entry = expect_dict(response, dep, what)
        expect_str(response, entry.get("name"), f"{what}.name", empty=False)
        if entry.get("version") is not None:  # blank = latest [doc]
            expect_str(response, entry["version"], f"{what}.version")
    for i, secret in enumerate(_optional_list(response, data, "secrets", label)):
        what = f"{label} secrets[{i}]"
        entry = expect_dict(response, secret, what)
        expect_str(response, entry.get("name"), f"{what}.name", empty=False)
        if entry.get("updated_at") is not None:
            expect_str(response, entry["updated_at"], f"{what}.updated_at")
    check_triggers_field(response, data.get("supported_triggers"), label)


def check_version(response: httpx.Response, value: Any, what: str = "the version") -> dict[str, Any]:
    """A version (the deploy answer, GET versions, an action's ``deployed_version``)."""
    version = expect_dict(response, value, what)
    expect_str(response, version.get("id"), f"{what}'s id", empty=False)
    label = what if what.startswith(("deployed_version", "action ")) else _label(version, "version")
    _check_draft_parts(response, version, label)
    _expect_bool(response, version, "deployed", label)
    if version.get("number") is not None:
        expect_count(response, version["number"], f"{label} field 'number'")
    return version


def check_action(response: httpx.Response, value: Any, what: str = "the action") -> dict[str, Any]:
    """An action object (GET, list item, the POST/PATCH answer)."""
    action = expect_dict(response, value, what)
    expect_str(response, action.get("id"), f"{what}'s id", empty=False)
    label = _label(action, "action")
    expect_str(response, action.get("name"), f"{label} field 'name'", empty=False)
    _check_draft_parts(response, action, label)
    _expect_bool(response, action, "all_changes_deployed", label)
    if action.get("deployed_version") is not None:
        check_version(response, action["deployed_version"], f"{label} deployed_version")
    if action.get("errors") is not None:
        _expect_list(response, action["errors"], f"{label} field 'errors'")
    return action


def check_binding(response: httpx.Response, value: Any, what: str) -> dict[str, Any]:
    """A binding: the action it runs (``action.id``, ``action.name``) and its display name.
    The binding's own ``id`` is not required: it changes on every PATCH and is never used."""
    binding = expect_dict(response, value, what)
    action = expect_dict(response, binding.get("action"), f"{what}.action")
    expect_str(response, action.get("id"), f"{what}.action.id", empty=False)
    expect_str(response, action.get("name"), f"{what}.action.name", empty=False)
    if binding.get("display_name") is not None:
        expect_str(response, binding["display_name"], f"{what}.display_name")
    return binding


def check_trigger(response: httpx.Response, value: Any, what: str) -> dict[str, Any]:
    """An entry of ``GET /actions/triggers``."""
    trigger = expect_dict(response, value, what)
    expect_str(response, trigger.get("id"), f"{what}.id", empty=False)
    expect_str(response, trigger.get("version"), f"{what}.version", empty=False)
    for key in ("status", "default_runtime", "binding_policy"):
        if trigger.get(key) is not None:
            expect_str(response, trigger[key], f"{what}.{key}")
    for i, runtime in enumerate(_optional_list(response, trigger, "runtimes", what)):
        expect_str(response, runtime, f"{what}.runtimes[{i}]")
    return trigger


def build_message(action: dict[str, Any]) -> str:
    """The build's own words about a failure, if the answer carries any (``errors[].msg``, as
    versions document it [spec ActionError]); "" when it does not (no recording shows one)."""
    found = []
    for item in action.get("errors") or ():
        if isinstance(item, dict) and isinstance(item.get("msg"), str) and item["msg"].strip():
            found.append(item["msg"].strip())
    return "; ".join(found)


def is_marketplace(action: dict[str, Any]) -> bool:
    """An installed integration (deploy-cli's test: ``integration`` present) [spec][sdk]."""
    return action.get("integration") is not None or bool(action.get("installed_integration_id"))


def dependency_pairs(obj: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """``((name, version), ...)`` in server order; ``registry_url`` dropped (it disappears from
    a built draft [rec 2023])."""
    return tuple((str(d["name"]), str(d.get("version") or "")) for d in obj.get("dependencies") or ())


def secret_stamps(obj: dict[str, Any]) -> dict[str, str]:
    """Secret name -> ``updated_at`` ("" when absent). Values are write-only: never returned."""
    return {str(s["name"]): str(s.get("updated_at") or "") for s in obj.get("secrets") or ()}


def draft_is_deployed(action: dict[str, Any]) -> bool | None:
    """Whether the deployed version holds exactly the draft: code, runtime, dependencies, and
    the same secrets written at the same time (every PATCH that sends secrets stamps them all,
    and a version keeps the stamps it was deployed with [rec]). None: nothing deployed.

    This is read from ``deployed_version``, not from ``all_changes_deployed`` alone, so an
    interrupted apply (PATCH done, deploy not) shows up as a difference."""
    live = action.get("deployed_version")
    if not isinstance(live, dict):
        return None
    if (action.get("code") or "") != (live.get("code") or ""):
        return False
    if (action.get("runtime") or "") != (live.get("runtime") or ""):
        return False
    if sorted(dependency_pairs(action)) != sorted(dependency_pairs(live)):
        return False
    draft, deployed = secret_stamps(action), secret_stamps(live)
    if draft.keys() != deployed.keys():
        return False
    return all(not draft[k] or not deployed[k] or draft[k] == deployed[k] for k in draft)


# -- request bodies (what the API is sent) -------------------------------------------------


def trigger_body(trigger: Pair) -> dict[str, str]:
    trigger_id, version = trigger
    return {"id": trigger_id, "version": version}


def triggers_of(action: dict[str, Any]) -> list[dict[str, str]]:
    return [{"id": t["id"], "version": t["version"]} for t in action.get("supported_triggers") or ()]


def dependencies_body(dependencies: Iterable[Pair]) -> list[dict[str, str]]:
    return [{"name": name, "version": version} for name, version in dependencies]


def secrets_body(secrets: Mapping[str, str]) -> list[dict[str, str]]:
    """The complete set, each with its value: a secret without a value is never sent
    (undocumented what the API does with one). Errors name the secret, never the value."""
    out = []
    for name in sorted(secrets):
        value = secrets[name]
        if not isinstance(name, str) or not name or not isinstance(value, str) or not value:
            raise ValueError(f"secret {str(name)[:128]!r} has no value: the whole set must be sent with values")
        out.append({"name": name, "value": value})
    return out


def binding_ref(action_id: str, display_name: str | None) -> dict[str, Any]:
    ref: dict[str, Any] = {"ref": {"type": "action_id", "value": action_id}}
    if display_name:
        ref["display_name"] = display_name
    return ref

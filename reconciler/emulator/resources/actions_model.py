"""Actions data the emulator serves and checks: the 2026 trigger list, limits, request
validation and the response shapes (keys in the recorded order).

Sources: Auth0's Management API v2 reference (https://auth0.com/docs/api/management/v2/actions)
and a real tenant's answers. Texts marked [?] in the comments
are not published by Auth0; they are our choice, kept stable for tests.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from reconciler.emulator.errors import ApiError, api_error, bad_body, bad_query
from reconciler.emulator.validation import json_type

MAX_ACTIONS = 100
MAX_BINDINGS = 20
MAX_SECRETS = 30
MAX_DEPENDENCIES = 10
MAX_CODE_BYTES = 100 * 1024
MAX_SECRET_NAME = 128
MAX_SECRET_VALUE = 4096
MAX_VERSIONS = 50
MAX_PER_PAGE = 100  # [?] no documented maximum; deploy-cli uses 100
DEFAULT_PER_PAGE = 20


def _t(trigger: str, version: str, status: str, runtimes: list[str], default: str, policy: str = "trigger-bound",
       compatible: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"id": trigger, "version": version, "status": status, "runtimes": runtimes, "default_runtime": default,
            "binding_policy": policy, "compatible_triggers": compatible or []}


_MODERN = ["node18-actions", "node22"]
# GET /actions/triggers of a 2026-08 tenant (auth0-deploy-cli e2e recording), in its order.
TRIGGERS: list[dict[str, Any]] = [
    _t("post-login", "v3", "CURRENT", _MODERN, "node22", compatible=[{"id": "post-login", "version": "v2"}]),
    _t("post-login", "v1", "DEPRECATED", ["node22"], "node12"),
    _t("post-login", "v2", "DEPRECATED", ["node18", "node22"], "node16"),
    _t("credentials-exchange", "v2", "CURRENT", _MODERN, "node22"),
    _t("credentials-exchange", "v1", "DEPRECATED", ["node22"], "node12"),
    _t("pre-user-registration", "v2", "CURRENT", _MODERN, "node22"),
    _t("pre-user-registration", "v1", "DEPRECATED", ["node22"], "node12"),
    _t("post-user-registration", "v1", "DEPRECATED", ["node22"], "node12"),
    _t("post-user-registration", "v2", "CURRENT", _MODERN, "node22"),
    _t("post-change-password", "v1", "DEPRECATED", ["node22"], "node12"),
    _t("post-change-password", "v2", "CURRENT", _MODERN, "node22"),
    _t("send-phone-message", "v2", "CURRENT", _MODERN, "node22"),
    _t("send-phone-message", "v1", "DEPRECATED", ["node22"], "node12"),
    _t("password-reset-post-challenge", "v1", "CURRENT", _MODERN, "node22"),
    _t("custom-phone-provider", "v1", "CURRENT", _MODERN, "node22"),
    _t("custom-email-provider", "v1", "CURRENT", _MODERN, "node22"),
    _t("custom-token-exchange", "v1", "CURRENT", ["node18", "node22"], "node22", "entity-bound"),
    _t("event-stream", "v1", "CURRENT", ["node22"], "node22", "entity-bound"),
    _t("password-hash-migration", "v1", "CURRENT", ["node22"], "node22", "entity-bound"),
    _t("mcp-tool", "v1", "CURRENT", ["node22"], "node22", "entity-bound"),
]
TRIGGER_IDS = tuple(dict.fromkeys(t["id"] for t in TRIGGERS))
_BY_KEY = {(t["id"], t["version"]): t for t in TRIGGERS}
STATUSES = ("pending", "building", "packaged", "built", "retrying", "failed")


def trigger(trigger_id: str, version: str) -> dict[str, Any] | None:
    return _BY_KEY.get((trigger_id, version))


def now_iso() -> str:
    """RFC3339 with nanoseconds, as the real API stamps (`2026-05-29T10:45:58.888947671Z`)."""
    ns = time.time_ns()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 1_000_000_000)) + f".{ns % 1_000_000_000:09d}Z"


def new_id() -> str:
    return str(uuid.uuid4())


def not_found() -> ApiError:
    return api_error(404, "That action does not exist.")


def feature_not_enabled() -> ApiError:
    return api_error(403, "Actions are not enabled for this tenant.", "feature_not_enabled")  # text [?]


# ---- request validation ----------------------------------------------------------------
_CREATE = ("name", "supported_triggers", "code", "dependencies", "runtime", "secrets", "modules", "deploy")
_UPDATE = ("name", "supported_triggers", "code", "dependencies", "runtime", "secrets", "modules")


def _expect(value: Any, kind: str, prop: str) -> None:
    ok = {"string": isinstance(value, str), "array": isinstance(value, list), "object": isinstance(value, dict),
          "boolean": isinstance(value, bool)}[kind]
    if not ok:
        raise bad_body(f"'Expected type {kind} but found type {json_type(value)}' on property {prop}")


def _check_triggers(value: Any) -> dict[str, Any]:
    _expect(value, "array", "supported_triggers")
    if len(value) < 1:
        raise bad_body("'Array is too short (0), minimum 1' on property supported_triggers")
    if len(value) > 1:
        raise bad_body("'an action can only target a single trigger at a time' on property supported_triggers")
    item = value[0]
    _expect(item, "object", "supported_triggers[0]")
    extra = [k for k in item if k not in ("id", "version")]
    if extra:
        raise bad_body(f"'Additional properties not allowed: {','.join(extra)}' on property supported_triggers[0]")
    for key in ("id", "version"):
        if key not in item:
            raise bad_body(f"'Missing required property: {key}' on property supported_triggers[0]")
        _expect(item[key], "string", f"supported_triggers[0].{key}")
    if item["id"] not in TRIGGER_IDS:
        raise bad_body(f"'No enum match for: \"{item['id']}\"' on property supported_triggers[0].id")
    found = trigger(item["id"], item["version"])
    if found is None:
        raise api_error(400, f"version {item['version']} of trigger {item['id']} does not exist", "invalid_body")  # [?]
    return found


def _check_dependencies(value: Any) -> None:
    _expect(value, "array", "dependencies")
    if len(value) > MAX_DEPENDENCIES:
        raise bad_body(f"'Array is too long ({len(value)}), maximum {MAX_DEPENDENCIES}' on property dependencies")
    for i, dep in enumerate(value):
        _expect(dep, "object", f"dependencies[{i}]")
        extra = [k for k in dep if k not in ("name", "version", "registry_url")]
        if extra:
            raise bad_body(f"'Additional properties not allowed: {','.join(extra)}' on property dependencies[{i}]")
        for key in ("name", "version"):
            if key not in dep:
                raise bad_body(f"'Missing required property: {key}' on property dependencies[{i}]")
        for key, val in dep.items():
            _expect(val, "string", f"dependencies[{i}].{key}")
        if not dep["name"]:
            raise bad_body(f"'String is too short (0 chars), minimum 1' on property dependencies[{i}].name")


def _check_secrets(value: Any) -> None:
    _expect(value, "array", "secrets")
    if len(value) > MAX_SECRETS:
        raise bad_body(f"'Array is too long ({len(value)}), maximum {MAX_SECRETS}' on property secrets")
    seen: set[str] = set()
    for i, sec in enumerate(value):
        _expect(sec, "object", f"secrets[{i}]")  # extra keys tolerated (go-auth0 sends updated_at back)
        if "name" not in sec:
            raise bad_body(f"'Missing required property: name' on property secrets[{i}]")
        _expect(sec["name"], "string", f"secrets[{i}].name")
        if not 1 <= len(sec["name"]) <= MAX_SECRET_NAME:
            raise bad_body(f"'secret name must be 1 to {MAX_SECRET_NAME} characters' on property secrets[{i}].name")
        if sec["name"] in seen:
            raise bad_body(f"'duplicate secret name {sec['name']}' on property secrets[{i}].name")
        seen.add(sec["name"])
        if "value" in sec:
            _expect(sec["value"], "string", f"secrets[{i}].value")
            if len(sec["value"]) > MAX_SECRET_VALUE:
                raise bad_body(f"'secret value must be at most {MAX_SECRET_VALUE} characters' on property secrets[{i}].value")


def _check_code(value: Any) -> None:
    _expect(value, "string", "code")
    size = len(value.encode("utf-8"))
    if size > MAX_CODE_BYTES:
        raise bad_body(f"'code is {size} bytes, maximum {MAX_CODE_BYTES}' on property code")


def check_runtime(runtime: str, trig: dict[str, Any]) -> None:
    # The default runtime is accepted too: deprecated versions default to one they no longer
    # list (post-login v2: node16), and 2023 clients send it back (go-auth0 Update).
    if runtime not in trig["runtimes"] and runtime != trig["default_runtime"]:
        raise api_error(400, f"runtime not supported for version {trig['version']} of this trigger, supported runtimes: "
                        f"{', '.join(trig['runtimes'])}", "invalid_body")


def validate_action(body: Any, create: bool) -> dict[str, Any] | None:
    """Checks a create/update body; returns the trigger it names (or None if it names none)."""
    if not isinstance(body, dict):
        raise bad_body(f"'Expected type object but found type {json_type(body)}'")
    allowed = _CREATE if create else _UPDATE
    extra = [k for k in body if k not in allowed]
    if extra:
        raise bad_body(f"'Additional properties not allowed: {','.join(extra)}'")
    for key in ("name", "supported_triggers") if create else ():
        if key not in body:
            raise bad_body(f"'Missing required property: {key}'")
    if not create and not body:
        raise bad_body("'Too few properties defined (0), minimum 1'")
    if "name" in body:
        _expect(body["name"], "string", "name")
        if not body["name"].strip():
            raise bad_body("'String is too short (0 chars), minimum 1' on property name")
    trig = _check_triggers(body["supported_triggers"]) if "supported_triggers" in body else None
    if "code" in body:
        _check_code(body["code"])
    if "dependencies" in body:
        _check_dependencies(body["dependencies"])
    if "secrets" in body:
        _check_secrets(body["secrets"])
    if "runtime" in body:
        _expect(body["runtime"], "string", "runtime")
    if "modules" in body:
        _expect(body["modules"], "array", "modules")
    if "deploy" in body:
        _expect(body["deploy"], "boolean", "deploy")
    return trig


def query_page(q: dict[str, list[str]]) -> tuple[int, int]:
    def num(name: str, default: int, lo: int, hi: int | None) -> int:
        if name not in q:
            return default
        raw = q[name][-1]
        try:
            value = int(raw)
        except ValueError:
            raise bad_query(f"'Expected type integer but found type string' on property {name}") from None
        if value < lo or (hi is not None and value > hi):
            raise bad_query(f"'Value {value} is out of range {lo}..{hi if hi is not None else ''}' on property {name}")
        return value

    return num("page", 0, 0, None), num("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)


def page_body(key: str, items: list[Any], page: int, per_page: int) -> dict[str, Any]:
    """A list page as recorded: zero-valued keys left out (`{"actions":[],"per_page":50}`);
    `total` is the whole count, omitted when the page is empty (`{"bindings":[],"page":1,...}`)."""
    shown = items[page * per_page : (page + 1) * per_page]
    body: dict[str, Any] = {key: shown}
    if shown:
        body["total"] = len(items)
    if page:
        body["page"] = page
    body["per_page"] = per_page
    return body

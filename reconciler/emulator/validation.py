"""Request validation with the messages Auth0's (z-schema based) validator gives.

The rules mirror `hooks-openapi.json`: CreateHookRequestContent, UpdateHookRequestContent,
the secrets request bodies and the list query string.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reconciler.emulator.errors import ApiError, api_error, bad_body, bad_query

NAME_PATTERN = r"^[a-zA-Z0-9]([ \-a-zA-Z0-9]*[a-zA-Z0-9])?$"
_NAME_RE = re.compile(NAME_PATTERN)
TRIGGERS = (
    "credentials-exchange",
    "pre-user-registration",
    "post-user-registration",
    "post-change-password",
    "send-phone-message",
)
MAX_SECRETS = 20

_DESCRIPTIONS = {
    "name": "Name of this hook.",
    "script": "Code to be executed when this hook runs.",
    "enabled": "Whether this hook will be executed (true) or ignored (false).",
    "dependencies": "Dependencies of this hook used by webtask server.",
    "triggerId": "Execution stage of this rule. Can be `credentials-exchange`, `pre-user-registration`, "
    "`post-user-registration`, `post-change-password`, or `send-phone-message`.",
}
_CREATE_PROPS = ("name", "script", "enabled", "dependencies", "triggerId")
_TOO_FEW = "'Too few properties defined (0), minimum 1'"
_UPDATE_PROPS = ("name", "script", "enabled", "dependencies")


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _on(prop: str) -> str:
    desc = _DESCRIPTIONS.get(prop.split(".")[0])
    return f" on property {prop} ({desc})" if desc else f" on property {prop}"


def _type_error(expected: str, value: Any, prop: str | None = None) -> ApiError:
    where = _on(prop) if prop else ""
    return bad_body(f"'Expected type {expected} but found type {json_type(value)}'{where}")


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError):
        raise api_error(400, "Invalid request payload JSON format") from None


def _check_props(body: dict[str, Any], allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
    extra = [k for k in body if k not in allowed]
    if extra:
        raise bad_body(f"'Additional properties not allowed: {','.join(extra)}'")
    for key in required:
        if key not in body:
            raise bad_body(f"'Missing required property: {key}'")


def _check_name(value: Any) -> None:
    if not isinstance(value, str):
        raise _type_error("string", value, "name")
    if not _NAME_RE.match(value):
        raise bad_body(f"'String does not match pattern {NAME_PATTERN}: {value}'{_on('name')}")


def _check_script(value: Any) -> None:
    if not isinstance(value, str):
        raise _type_error("string", value, "script")
    if len(value) < 1:
        raise bad_body(f"'String is too short ({len(value)} chars), minimum 1'{_on('script')}")


def _check_enabled(value: Any) -> None:
    if not isinstance(value, bool):
        raise _type_error("boolean", value, "enabled")


def _check_dependencies(value: Any) -> None:
    if not isinstance(value, dict):
        raise _type_error("object", value, "dependencies")
    for pkg, version in value.items():
        if not isinstance(version, str):
            raise _type_error("string", version, f"dependencies.{pkg}")


def _check_trigger(value: Any) -> None:
    if not isinstance(value, str):
        raise _type_error("string", value, "triggerId")
    if value not in TRIGGERS:
        raise bad_body(f"'No enum match for: \"{value}\"'{_on('triggerId')}")


_CHECKS = {
    "name": _check_name,
    "script": _check_script,
    "enabled": _check_enabled,
    "dependencies": _check_dependencies,
    "triggerId": _check_trigger,
}


def _validate_hook(body: Any, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _type_error("object", body)
    _check_props(body, allowed, required)
    if not body:  # only reachable with nothing required (an update)
        raise bad_body(_TOO_FEW)
    for key in allowed:
        if key in body:
            _CHECKS[key](body[key])
    return body


def validate_create(body: Any) -> dict[str, Any]:
    return _validate_hook(body, _CREATE_PROPS, ("name", "script", "triggerId"))


def validate_update(body: Any) -> dict[str, Any]:
    return _validate_hook(body, _UPDATE_PROPS, ())


def validate_secrets_map(body: Any) -> dict[str, str]:
    if not isinstance(body, dict):
        raise _type_error("object", body)
    if len(body) < 1:
        raise bad_body(_TOO_FEW)
    if len(body) > MAX_SECRETS:
        raise bad_body(f"'Too many properties defined ({len(body)}), maximum {MAX_SECRETS}'")
    for key, value in body.items():
        if not isinstance(value, str):
            raise bad_body(f"'Expected type string but found type {json_type(value)}' on property {key}")
    return body


def validate_secret_names(body: Any) -> list[str]:
    if not isinstance(body, list):
        raise _type_error("array", body)
    if len(body) < 1:
        raise bad_body("'Array is too short (0), minimum 1'")
    for i, item in enumerate(body):
        if not isinstance(item, str):
            raise bad_body(f"'Expected type string but found type {json_type(item)}' on property [{i}]")
    return body


_QUERY_DESC = {
    "page": "Page index of the results to return. First page is 0.",
    "per_page": "Number of results per page.",
    "include_totals": "Return results inside an object that contains the total result count (true) or as a direct array of results (false, default).",
    "enabled": "Optional filter on whether a hook is enabled (true) or disabled (false).",
    "fields": "Comma-separated list of fields to include in the result. Leave empty to retrieve all fields.",
    "include_fields": "Whether specified fields are to be included (true) or excluded (false).",
    "triggerId": "Retrieves hooks that match the trigger",
}


def _q_on(name: str) -> str:
    return f" on property {name} ({_QUERY_DESC[name]})" if name in _QUERY_DESC else f" on property {name}"


def query_bool(query: dict[str, list[str]], name: str) -> bool | None:
    if name not in query:
        return None
    value = query[name][-1]
    if value in ("true", "false"):
        return value == "true"
    raise bad_query(f"'Expected type boolean but found type string'{_q_on(name)}")


def query_int(query: dict[str, list[str]], name: str, minimum: int, maximum: int | None = None) -> int | None:
    if name not in query:
        return None
    value = query[name][-1]
    try:
        number = int(value)
    except ValueError:
        raise bad_query(f"'Expected type integer but found type string'{_q_on(name)}") from None
    if number < minimum:
        raise bad_query(f"'Value {number} is less than minimum {minimum}'{_q_on(name)}")
    if maximum is not None and number > maximum:
        raise bad_query(f"'Value {number} is greater than maximum {maximum}'{_q_on(name)}")
    return number


def query_trigger(query: dict[str, list[str]]) -> str | None:
    if "triggerId" not in query:
        return None
    value = query["triggerId"][-1]
    if value not in TRIGGERS:
        raise bad_query(f"'No enum match for: \"{value}\"'{_q_on('triggerId')}")
    return value

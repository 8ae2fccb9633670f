"""Reading and checking the project's own API contract (`tests/emulator/contract/*.yaml`).

The contract says what the Auth0 Management API does, distilled from Auth0's OpenAPI
subsets and recorded exchanges (`../shared/auth0-api`, not needed here): per endpoint the
request shape, and per exchange the status, the response keys in order and their JSON types,
chosen values, and headers. Every file has this form:

    shapes:                       # named shapes, used as "$name"
      hook: {id: ulid, name: string, ...}
    requests:                     # the body each endpoint accepts ({id}: any path segment)
      POST /api/v2/hooks: {name: string, script: string, "enabled?": boolean}
                                  # "key?" (quoted in YAML's flow style): may be absent
    scenarios:                    # each on an empty tenant, steps in order
      - name: what it shows
        options: {hooks_enabled: false}   # emulator options for this scenario
        steps:
          - send: POST /api/v2/hooks      # <hook> in a path or body: a value saved earlier
            json: {...}                   # or raw: "text" (with content_type:)
            invalid: true                 # the body breaks the request shape on purpose
            token: none | bogus | expired | [scopes...]   # default: every scope
            status: 201
            shape: $hook                  # the whole body; absent: body not checked
            values: {enabled: false, hooks.0.name: a}      # dotted paths, exact values
            count: {hooks: 2, "": 3}      # array lengths ("": the body itself)
            headers: {x-ratelimit-limit: digits}           # a type name or the exact text
            save: {hook: id}              # remember body["id"] as <hook>
                                          # (<client_id>, <client_secret>: the emulator's)
          - advance: <action>             # manual builds: until the draft is built
    every_response:               # (common.yaml) what every API and token answer carries
      headers: {...}

A shape is a type name (string, boolean, integer, number, null, object, array, any, ulid,
uuid, time, digits), "$name", a mapping (exactly these keys in this order; "key?" may be
absent; "*": any other key, with that shape), `[]` (an empty array) or `[shape]` (an array
whose items all have that shape), or `{}` (an empty object). Answers keep the shape's key
order; request bodies are checked without order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONTRACT_DIR = Path(__file__).resolve().parent / "contract"

_PATTERNS = {
    "ulid": re.compile(r"[0-9A-HJKMNP-TV-Z]{26}"),
    "uuid": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    "time": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z"),
    "digits": re.compile(r"\d+"),
}
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "boolean": (bool,), "integer": (int,), "number": (int, float),
    "null": (type(None),), "object": (dict,), "array": (list,),
}
TYPE_NAMES = frozenset(_JSON_TYPES) | frozenset(_PATTERNS) | {"any"}
PLACEHOLDER = re.compile(r"<(\w+)>")


class ContractError(AssertionError):
    """A response (or a request the fixture sends) does not match the contract."""


def _type_name(value: Any) -> str:
    for name in ("boolean", "integer", "number", "string", "null", "object", "array"):
        if isinstance(value, _JSON_TYPES[name]) and not (name in ("integer", "number") and isinstance(value, bool)):
            return name
    return type(value).__name__


def check_shape(value: Any, shape: Any, shapes: dict[str, Any], where: str = "body", *, ordered: bool = True) -> None:
    """Raise ContractError naming the first place ``value`` differs from ``shape``
    (``ordered``: keys in the shape's order, as answers are; requests need not be)."""
    if isinstance(shape, str) and shape.startswith("$"):
        if shape[1:] not in shapes:
            raise ContractError(f"{where}: the contract names no shape {shape}")
        check_shape(value, shapes[shape[1:]], shapes, where, ordered=ordered)
    elif isinstance(shape, str):
        _check_type(value, shape, where)
    elif isinstance(shape, dict):
        _check_object(value, shape, shapes, where, ordered)
    elif isinstance(shape, list):
        if not isinstance(value, list):
            raise ContractError(f"{where}: {_type_name(value)}, expected an array")
        if not shape and value:
            raise ContractError(f"{where}: {len(value)} items, expected an empty array")
        for i, item in enumerate(value):
            check_shape(item, shape[0], shapes, f"{where}[{i}]", ordered=ordered)
    else:
        raise ContractError(f"{where}: the contract's shape {shape!r} is not a shape")


def _check_type(value: Any, name: str, where: str) -> None:
    if name not in TYPE_NAMES:
        raise ContractError(f"{where}: the contract names no type {name!r}")
    if name == "any":
        return
    if name in _PATTERNS:
        if not isinstance(value, str) or not _PATTERNS[name].fullmatch(value):
            raise ContractError(f"{where}: {value!r} is not a {name}")
        return
    ok = isinstance(value, _JSON_TYPES[name]) and not (name in ("integer", "number") and isinstance(value, bool))
    if not ok:
        raise ContractError(f"{where}: {_type_name(value)}, expected {name}")


def _check_object(value: Any, shape: dict[str, Any], shapes: dict[str, Any], where: str, ordered: bool) -> None:
    if not isinstance(value, dict):
        raise ContractError(f"{where}: {_type_name(value)}, expected an object")
    named = {key.rstrip("?"): sub for key, sub in shape.items() if key != "*"}
    required = [key for key in shape if key != "*" and not key.endswith("?")]
    missing = [key for key in required if key not in value]
    if missing:
        raise ContractError(f"{where}: missing key {missing[0]!r} (has {list(value)})")
    extra = [key for key in value if key not in named]
    if extra and "*" not in shape:
        raise ContractError(f"{where}: unexpected key {extra[0]!r} (expected {list(named)})")
    order = [key for key in value if key in named]
    expected = [key for key in named if key in value]
    if ordered and order != expected:
        raise ContractError(f"{where}: keys in the order {order}, expected {expected}")
    for key, sub in value.items():
        check_shape(sub, named[key] if key in named else shape["*"], shapes, f"{where}.{key}", ordered=ordered)


def at(body: Any, path: str) -> Any:
    """``body`` at a dotted path (``hooks.0.name``); a missing step raises ContractError."""
    value = body
    for part in path.split(".") if path else ():
        try:
            value = value[int(part)] if isinstance(value, list) else value[part]
        except (KeyError, IndexError, TypeError, ValueError):
            raise ContractError(f"body has nothing at {path!r}") from None
    return value


def fill(template: Any, saved: dict[str, str]) -> Any:
    """``template`` with every ``<name>`` replaced by the value saved under that name."""
    if isinstance(template, str):
        def one(match: re.Match[str]) -> str:
            if match.group(1) not in saved:
                raise ContractError(f"<{match.group(1)}> was never saved by an earlier step")
            return saved[match.group(1)]

        return PLACEHOLDER.sub(one, template)
    if isinstance(template, dict):
        return {fill(k, saved): fill(v, saved) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, saved) for v in template]
    return template


def check_header(headers: Any, name: str, expected: str, where: str) -> None:
    got = headers.get(name)
    if got is None:
        raise ContractError(f"{where}: no {name} header")
    if expected in _PATTERNS:
        _check_type(got, expected, f"{where}: header {name}")
    elif got != str(expected):
        raise ContractError(f"{where}: header {name} is {got!r}, expected {expected!r}")


@dataclass(frozen=True)
class Endpoint:
    method: str
    pattern: re.Pattern[str]
    body: Any

    @staticmethod
    def parse(key: str, body: Any) -> Endpoint:
        method, _, template = key.partition(" ")
        regex = "".join("[^/?]+" if part.startswith("{") else re.escape(part)
                        for part in re.split(r"(\{\w+\})", template))
        return Endpoint(method, re.compile(regex + r"(\?.*)?"), body)


@dataclass(frozen=True)
class ContractFile:
    name: str
    shapes: dict[str, Any]
    requests: tuple[Endpoint, ...]
    scenarios: tuple[dict[str, Any], ...]
    every_response: dict[str, Any]

    def request_shape(self, method: str, path: str) -> Any:
        for endpoint in self.requests:
            if endpoint.method == method and endpoint.pattern.fullmatch(path):
                return endpoint.body
        raise ContractError(f"{method} {path}: the contract lists no request shape for this endpoint")


def load(path: Path) -> ContractFile:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return ContractFile(
        name=path.stem,
        shapes=data.get("shapes") or {},
        requests=tuple(Endpoint.parse(k, v) for k, v in (data.get("requests") or {}).items()),
        scenarios=tuple(data.get("scenarios") or ()),
        every_response=data.get("every_response") or {},
    )


def contract_files() -> list[ContractFile]:
    return [load(p) for p in sorted(CONTRACT_DIR.glob("*.yaml"))]

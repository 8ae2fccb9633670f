"""Reading and checking the project's own API contract (`tests/emulator/contract/*.yaml`),
and running its scenarios against a target that answers like the Management API: the
emulator (`tests/emulator/test_emulator_contract_fixture.py`) or an in-memory fake
(`tests/api/test_hooks_tenant_contract.py`).

The contract says what the Auth0 Management API does, distilled from Auth0's OpenAPI
subsets and recorded exchanges (`../shared/auth0-api`, not needed here): per endpoint the
request shape, and per exchange the status, the response keys in order and their JSON types,
chosen values, and headers. Every file has this form:

    shapes:                       # named shapes, used as "$name"
      hook: {id: ulid, name: string, ...}
    requests:                     # the body each endpoint accepts ({id}: any path segment)
      POST /api/v2/hooks: {name: string, script: string, "enabled?": boolean}
    responses:                    # the body every answer of an endpoint and status has
      POST /api/v2/hooks 201: $hook     # (checked on every step, and on the recordings)
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
uuid, time, digits), "$name", ``{one_of: [shapes]}`` (any of them), a mapping (exactly these keys in this order; "key?" may be
absent; "*": any other key, with that shape), `[]` (an empty array) or `[shape]` (an array
whose items all have that shape), or `{}` (an empty object). Answers keep the shape's key
order; request bodies are checked without order.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import yaml

CONTRACT_DIR = Path(__file__).resolve().parent / "emulator" / "contract"

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
    if isinstance(shape, dict) and list(shape) == ["one_of"]:
        errors = []
        for option in shape["one_of"]:
            try:
                check_shape(value, option, shapes, where, ordered=ordered)
                return
            except ContractError as error:
                errors.append(str(error))
        raise ContractError(f"{where}: matches none of its shapes ({'; '.join(errors)})")
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
class Answer:
    endpoint: Endpoint
    status: int

    @staticmethod
    def parse(key: str, shape: Any) -> Answer:
        line, _, status = key.rpartition(" ")
        return Answer(Endpoint.parse(line, shape), int(status))


@dataclass(frozen=True)
class ContractFile:
    name: str
    shapes: dict[str, Any]
    requests: tuple[Endpoint, ...]
    responses: tuple[Answer, ...]
    scenarios: tuple[dict[str, Any], ...]
    every_response: dict[str, Any]

    def request_shape(self, method: str, path: str) -> Any:
        for endpoint in self.requests:
            if endpoint.method == method and endpoint.pattern.fullmatch(path):
                return endpoint.body
        raise ContractError(f"{method} {path}: the contract lists no request shape for this endpoint")

    def response_shape(self, method: str, path: str, status: int) -> Any | None:
        """The shape every answer of this endpoint and status has (None: none listed)."""
        for answer in self.responses:
            e = answer.endpoint
            if e.method == method and answer.status == status and e.pattern.fullmatch(path):
                return e.body
        return None


def load(path: Path) -> ContractFile:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return ContractFile(
        name=path.stem,
        shapes=data.get("shapes") or {},
        requests=tuple(Endpoint.parse(k, v) for k, v in (data.get("requests") or {}).items()),
        responses=tuple(Answer.parse(k, v) for k, v in (data.get("responses") or {}).items()),
        scenarios=tuple(data.get("scenarios") or ()),
        every_response=data.get("every_response") or {},
    )


def contract_files() -> list[ContractFile]:
    return [load(p) for p in sorted(CONTRACT_DIR.glob("*.yaml"))]


# ---- running scenarios -----------------------------------------------------------------------
class Target(Protocol):
    """What a scenario needs of the server it runs against."""

    client_id: str
    client_secret: str

    def token(self, scopes: list[str] | None = None) -> str: ...
    def expire_tokens(self) -> int | None: ...
    def advance_builds(self, action_id: str | None = None, steps: int = 1) -> dict[str, Any]: ...


class Run:
    """One scenario's steps against one target, with the values its steps saved."""

    def __init__(self, target: Target, contract: ContractFile, http: httpx.Client, every_response: dict[str, Any]):
        self.target, self.contract, self.http, self.every_response = target, contract, http, every_response
        self.saved: dict[str, str] = {"client_id": target.client_id, "client_secret": target.client_secret}
        self.token = target.token()

    def auth(self, token: Any) -> dict[str, str]:
        if token is None:
            return {"Authorization": f"Bearer {self.token}"}
        if token == "none":
            return {}
        if token == "bogus":
            return {"Authorization": "Bearer not-a-token-the-server-issued"}
        if token == "expired":
            value = self.target.token()
            self.target.expire_tokens()
            self.token = self.target.token()  # later steps keep a good one
            return {"Authorization": f"Bearer {value}"}
        return {"Authorization": f"Bearer {self.target.token(list(token))}"}

    def advance(self, action_id: str) -> None:
        for _ in range(10):
            if self.target.advance_builds(action_id)["statuses"].get(action_id) == "built":
                return
        raise ContractError(f"the build of {action_id} never finished")

    def scenario(self, scenario: dict[str, Any]) -> None:
        for n, step in enumerate(scenario["steps"]):
            self.step(step, f"{scenario['name']} #{n} {step.get('send') or 'advance'}")

    def step(self, step: dict[str, Any], where: str) -> None:
        if "advance" in step:
            self.advance(fill(step["advance"], self.saved))
            return
        method, _, path = step["send"].partition(" ")
        path = fill(path, self.saved)
        headers = self.auth(step.get("token"))
        content = b""
        if "json" in step:
            body = fill(step["json"], self.saved)
            if not step.get("invalid"):
                check_shape(body, self.contract.request_shape(method, path), self.contract.shapes,
                            f"{where} request", ordered=False)
            content = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif "raw" in step:
            content = step["raw"].encode()
            headers["Content-Type"] = step.get("content_type", "application/json")
        resp = self.http.request(method, path, content=content, headers=headers)
        self.check(step, method, path, resp, where)

    def check(self, step: dict[str, Any], method: str, path: str, resp: httpx.Response, where: str) -> None:
        if resp.status_code != step["status"]:
            raise ContractError(f"{where}: status {resp.status_code}, expected {step['status']}: {resp.text[:300]}")
        for name, expected in {**self.every_response.get("headers", {}), **step.get("headers", {})}.items():
            check_header(resp.headers, name, expected, where)
        if not resp.content:
            if "shape" in step or "values" in step:
                raise ContractError(f"{where}: empty body, expected one")
            return
        if not resp.headers.get("content-type", "").startswith("application/json"):
            raise ContractError(f"{where}: content-type {resp.headers.get('content-type')!r}")
        body = resp.json()
        listed = self.contract.response_shape(method, path, resp.status_code)
        if listed is not None:
            check_shape(body, listed, self.contract.shapes, f"{where} (as the endpoint answers)")
        if "shape" in step:
            check_shape(body, step["shape"], self.contract.shapes, where)
        for key, expected in (step.get("values") or {}).items():
            got = at(body, str(key))
            if got != fill(expected, self.saved):
                raise ContractError(f"{where}: {key} is {got!r}, expected {expected!r}")
        for key, length in (step.get("count") or {}).items():
            items = at(body, str(key))
            if not isinstance(items, list) or len(items) != length:
                count = len(items) if isinstance(items, list) else "no"
                raise ContractError(f"{where}: {key or 'body'} has {count} items, expected {length}")
        for name, key in (step.get("save") or {}).items():
            self.saved[name] = str(at(body, key))

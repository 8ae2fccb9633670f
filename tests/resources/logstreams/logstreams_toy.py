"""A test-only resource type, ``log-stream`` (a toy of Auth0's log streams), registered from
the tests to show what a new type needs: its own package's worth of code (here, this one
module) plus a conformance sample, and nothing else.

A config holds ``log-streams/<name>.json``: ``{"name", "type": "http", "status":
"active"|"paused", "sink": {"httpEndpoint": "https://..."}}``. The type cannot change once
created (a skipped change says so); a live stream not in the config is left in place (or
deleted with --allow-delete). The emulator serves ``/api/v2/log-streams[/{id}]``.

Registered from the tests for a block (``REGISTRY.registered(LOG_STREAMS)``; the
conformance sample names ``LOG_STREAMS``), it is planned, applied, rendered, exported and
served by the emulator through the registry like a built-in type.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.api.client import ManagementClient
from reconciler.core.changes import Change, ChangeKind, FieldChange
from reconciler.core.digest import digest
from reconciler.core.plan import Plan
from reconciler.core.planner import TypePlan
from reconciler.core.reasons import Reason
from reconciler.core.steps import Phase, Step
from reconciler.emulator.errors import api_error, bad_body
from reconciler.emulator.jsonutil import json_bytes
from reconciler.emulator.options import EmulatorOptions
from reconciler.emulator.resources import Context, Request, Response, Route
from reconciler.emulator.validation import parse_json
from reconciler.keywords import Keywords
from reconciler.problems import Problem, error
from reconciler.resources.base import EmulatorPart, Export, ResourceType, TypeExported, TypeLoad
from reconciler.resources.options import PlanOptions

NAME = "log-stream"
FOLDER = "log-streams"
NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")
STATUSES = ("active", "paused")
TYPES = ("http",)
SCOPES = {"GET": "read:log_streams", "POST": "create:log_streams", "PATCH": "update:log_streams",
          "DELETE": "delete:log_streams"}


# ---- model ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stream:
    name: str
    type: str
    status: str
    endpoint: str
    source: str = ""  # the file it came from (messages only)

    def to_config(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "status": self.status, "sink": {"httpEndpoint": self.endpoint}}


@dataclass(frozen=True)
class LiveStream:
    id: str
    name: str
    type: str
    status: str
    endpoint: str


@dataclass(frozen=True)
class Streams:
    streams: tuple[Stream, ...]


@dataclass(frozen=True)
class LiveStreams:
    streams: tuple[LiveStream, ...]


@dataclass(frozen=True)
class Body:
    """What a step sends: the stream's fields (create), the changed ones (update), or none."""

    stream_id: str | None = None
    fields: tuple[tuple[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"stream_id": self.stream_id, "fields": {k: v for k, v in self.fields}}


# ---- loading -------------------------------------------------------------------------------
def _stream(path: Path, problems: list[Problem]) -> Stream | None:
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.append(error(where, "(file)", f"not readable JSON ({type(exc).__name__})"))
        return None
    if not isinstance(data, dict):
        problems.append(error(where, "(file)", "must be a JSON object"))
        return None
    unknown = sorted(set(data) - {"name", "type", "status", "sink"})
    if unknown:
        problems.append(error(where, unknown[0], "is not a log stream field"))
    name, kind, status, sink = data.get("name"), data.get("type"), data.get("status", "active"), data.get("sink")
    if not isinstance(name, str) or not NAME_RE.match(name):
        problems.append(error(where, "name", "must be lower-case letters, digits and dashes"))
    if kind not in TYPES:
        problems.append(error(where, "type", f"must be one of {', '.join(TYPES)}"))
    if status not in STATUSES:
        problems.append(error(where, "status", f"must be one of {', '.join(STATUSES)}"))
    endpoint = sink.get("httpEndpoint") if isinstance(sink, dict) else None
    if not isinstance(endpoint, str) or not endpoint.startswith("https://") or len(endpoint) > 2000:
        problems.append(error(where, "sink.httpEndpoint", "must be an https:// URL"))
    if problems:
        return None
    return Stream(str(name), str(kind), str(status), str(endpoint), where)


def load(config: str | Path) -> tuple[Streams | None, list[Problem]]:
    """The config's log streams (None: it has no log-streams/), and every problem."""
    folder = Path(config) / FOLDER
    if not folder.is_dir():
        return None, []
    problems: list[Problem] = []
    streams = [s for p in sorted(folder.glob("*.json")) if (s := _stream(p, problems)) is not None]
    names = [s.name for s in streams]
    problems += [error(str(folder), "name", f"{n} is defined twice") for n in sorted({n for n in names if names.count(n) > 1})]
    return (None if problems else Streams(tuple(streams))), problems


def load_type(config: str | os.PathLike[str], keywords: Keywords, /, *, offline: bool = False) -> TypeLoad[Streams]:
    """The type's ``load``: its state goes into ``Desired`` under its name."""
    streams, problems = load(Path(config))
    return TypeLoad(streams, tuple(problems))


# ---- live ----------------------------------------------------------------------------------
def read_live(client: ManagementClient, desired: Streams | None = None) -> LiveStreams:
    # No endpoints object attaches to the client for a new type: the generic request.
    items = client.send("GET", f"/api/v2/{FOLDER}").json()
    if not isinstance(items, list):
        raise ValueError(f"GET /api/v2/{FOLDER}: not a list")
    return LiveStreams(tuple(
        LiveStream(str(i["id"]), str(i["name"]), str(i["type"]), str(i["status"]), str(i["sink"]["httpEndpoint"]))
        for i in items
    ))


# ---- planning ------------------------------------------------------------------------------
def plan(desired: Streams, live: LiveStreams, options: PlanOptions) -> TypePlan:
    by_name = {s.name: s for s in live.streams}
    steps: list[Step] = []
    changes: list[Change] = []
    warnings: list[Reason] = []

    def step(key: str, operation: str, body: Body, phase: Phase = Phase.PREPARE) -> None:
        steps.append(Step(len(steps), NAME, key, operation, body, phase=phase))

    for want in desired.streams:
        have = by_name.get(want.name)
        if have is None:
            step(want.name, "create", Body(None, (("name", want.name), ("type", want.type), ("status", want.status),
                                                  ("sink", (("httpEndpoint", want.endpoint),)))))
            changes.append(Change(NAME, want.name, ChangeKind.CREATE, (
                FieldChange("type", None, want.type), FieldChange("status", None, want.status),
                FieldChange("sink.httpEndpoint", None, want.endpoint))))
            continue
        if have.type != want.type:
            changes.append(Change(NAME, want.name, ChangeKind.UPDATE, (FieldChange("type", have.type, want.type),),
                                  skipped=Reason.of(f"{NAME}.type_fixed", before=have.type, after=want.type)))
            continue
        fields = [FieldChange(k, before, after) for k, before, after in (
            ("status", have.status, want.status), ("sink.httpEndpoint", have.endpoint, want.endpoint)) if before != after]
        if fields:
            sent = tuple((f.field, f.after) for f in fields if f.field == "status")
            if any(f.field == "sink.httpEndpoint" for f in fields):
                sent += (("sink", (("httpEndpoint", want.endpoint),)),)
            step(want.name, "update", Body(have.id, sent))
            changes.append(Change(NAME, want.name, ChangeKind.UPDATE, tuple(fields)))
    wanted = {s.name for s in desired.streams}
    unmanaged = []
    for have in live.streams:
        if have.name in wanted:
            continue
        if options.allow_delete:
            step(have.name, "delete", Body(have.id), Phase.REMOVE)
            changes.append(Change(NAME, have.name, ChangeKind.DELETE))
        else:
            unmanaged.append(have.name)
            warnings.append(Reason.of(f"{NAME}.delete_off", name=have.name))
    return TypePlan(NAME, tuple(steps), (), tuple(changes), tuple(warnings), (
        ("config_digest", digest([s.to_config() for s in desired.streams])),
        ("live_fingerprint", digest([vars(s) for s in live.streams])),
        ("unmanaged", tuple(unmanaged)),
    ))


# ---- apply and verify ----------------------------------------------------------------------
def _plain(fields: Any) -> dict[str, Any]:
    return {k: _plain(v) if isinstance(v, tuple) and v and isinstance(v[0], tuple) else v for k, v in fields}


class Operations:
    def __init__(self, client: ManagementClient, desired: Streams):
        self.client = client

    def guard(self, step: Step, results: Any) -> None:
        return None

    def run(self, step: Step, results: Any) -> Any:
        body: Body = step.payload
        if step.operation == "create":
            return self.client.send("POST", f"/api/v2/{FOLDER}", json=_plain(body.fields)).json()["id"]
        if step.operation == "update":
            return self.client.send("PATCH", f"/api/v2/{FOLDER}/{body.stream_id}", json=_plain(body.fields)).json()["id"]
        self.client.send("DELETE", f"/api/v2/{FOLDER}/{body.stream_id}", not_found_done=True)
        return None

    def done(self, step: Step, started: Any, results: Any) -> bool:
        return True


def operations(client: ManagementClient, desired: Streams) -> Operations:
    return Operations(client, desired)


def verify(applied: Plan, state: tuple[Streams, LiveStreams]) -> tuple[str, ...]:
    desired, live = state
    have = {s.name: s for s in live.streams}
    lacking = []
    for want in desired.streams:
        got = have.get(want.name)
        if got is None:
            lacking.append(f"log stream {want.name}: missing after apply")
        elif (got.type, got.status, got.endpoint) != (want.type, want.status, want.endpoint):
            lacking.append(f"log stream {want.name}: differs from the config after apply")
    return tuple(lacking)


# ---- export and words ----------------------------------------------------------------------
@dataclass(frozen=True)
class Exported:
    count: int
    directory: Path


def export(live: LiveStreams, directory: Any, values: Any = None, *, force: bool = False) -> Exported:
    folder = Path(directory) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for s in live.streams:
        target = folder / f"{s.name}.json"
        if target.exists() and not force:
            raise FileExistsError(target)
        config = Stream(s.name, s.type, s.status, s.endpoint).to_config()
        target.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return Exported(len(live.streams), folder)


_WORDS: dict[str, Callable[..., str]] = {
    f"{NAME}.type_fixed": lambda before, after: f"not changed: a log stream's type cannot change ({before} -> {after}); "
                                                "delete it and create it again",
    f"{NAME}.delete_off": lambda name: f"log stream {name} is not in the config; not deleted (pass --allow-delete)",
}


def words(reason: Reason) -> str:
    found = _WORDS.get(reason.code)
    return found(**reason.kwargs) if found else reason.code


def _existing(live: LiveStreams, output: str) -> list[Path]:
    folder = Path(output) / FOLDER
    return [folder / f"{s.name}.json" for s in live.streams if (folder / f"{s.name}.json").exists()]


def _write(live: LiveStreams, output: str, values: Mapping[str, object]) -> TypeExported:
    done = export(live, output, values, force=True)
    return TypeExported(f"Exported {done.count} log streams to {done.directory}")


# ---- the emulator's routes -----------------------------------------------------------------
class LogStreamsRoutes:
    """``/api/v2/log-streams[/{id}]`` on the emulator's resource protocol."""

    prefix = FOLDER
    seeds: tuple[str, ...] = ()

    def __init__(self, context: Context):
        self.lock = context.lock
        self.streams: dict[str, dict[str, Any]] = {}

    def match(self, method: str, parts: list[str]) -> Route | None:
        if len(parts) == 1 and method in ("GET", "POST") or len(parts) == 2 and method in ("GET", "PATCH", "DELETE"):
            return Route(SCOPES[method], self._handle)
        return None

    def _handle(self, req: Request) -> Response:
        with self.lock:
            if len(req.parts) == 1 and req.method == "GET":
                return Response(200, json_bytes(list(self.streams.values())))
            if len(req.parts) == 1:
                return Response(201, json_bytes(self._create(parse_json(req.body))))
            stream = self.streams.get(req.parts[1])
            if stream is None:
                raise api_error(404, "The log stream does not exist.")
            if req.method == "GET":
                return Response(200, json_bytes(stream))
            if req.method == "DELETE":
                del self.streams[stream["id"]]
                return Response(204)
            return Response(200, json_bytes(self._update(stream, parse_json(req.body))))

    def _create(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or set(body) - {"name", "type", "status", "sink"} or "name" not in body:
            raise bad_body("'name, type and sink required; nothing else'")
        if any(s["name"] == body["name"] for s in self.streams.values()):
            raise api_error(409, "A log stream with the same name already exists.", "conflict")
        made = {"id": f"lst_{uuid.uuid4().hex[:16]}", "name": body["name"], "type": body.get("type", "http"),
                "status": body.get("status", "active"), "sink": dict(body.get("sink") or {})}
        self.streams[made["id"]] = made
        return made

    def _update(self, stream: dict[str, Any], body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not body or set(body) - {"status", "sink"}:
            raise bad_body("'only status and sink change'")
        stream.update(body)
        return stream

    def snapshot(self) -> dict[str, Any]:
        return {FOLDER: list(self.streams.values())}

    def load(self, data: dict[str, Any]) -> None:
        self.streams = {s["id"]: dict(s) for s in data.get(FOLDER, [])}

    def seed(self, body: dict[str, Any]) -> dict[str, Any]:
        return {}

    def reset(self) -> None:
        self.streams.clear()

    def stats(self) -> dict[str, Any]:
        return {}

    def configure(self, options: EmulatorOptions) -> None:
        return None


# ---- the type -----------------------------------------------------------------------------
# Typed by its states: mypy --strict checks every function here against the seam.
LOG_STREAMS: ResourceType[Streams, LiveStreams] = ResourceType(
    name=NAME, noun="log streams", one="log stream", load=load_type,
    read_live=read_live, plan=plan, operations=operations, verify=verify, words=words,
    folders=(FOLDER,), layout=(f"{FOLDER}/<name>.json",),
    export=Export(read=read_live, existing=_existing, texts=lambda live: [], write=_write,
                  unserved="this tenant has no log streams"),
    emulator=EmulatorPart(FOLDER, tuple(SCOPES.values()), LogStreamsRoutes),
)

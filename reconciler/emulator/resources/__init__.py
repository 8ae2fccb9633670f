"""One module of routes per resource type; the app core (`app.py`) knows none of them: each
type brings its routes through the registry (``ResourceType.emulator``, an ``EmulatorPart``
that builds its `Resource` from a `Context`), so a new type's package serves itself.

A resource serves the paths under `/api/v2/<prefix>/...` and owns its part of the tenant:

    match(method, parts) -> Route | None   parts: the path after /api/v2, split on "/"
    snapshot() / load(data)                its keys of the state file and GET /__emulator/state
    seeds                                  the keys of POST /__emulator/seed it understands
    seed(body) -> dict                     what it seeded of them
    reset(), stats() -> dict, configure(options)

All resources share one lock and one `persist()` (so the state file is always a whole tenant)
and one `Timeline` (per-trigger history across resource types).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from reconciler.emulator.options import EmulatorOptions


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    reset: bool = False  # close the connection without answering


@dataclass(frozen=True)
class Request:
    method: str
    parts: list[str]
    query: str
    headers: Any
    body: bytes


@dataclass(frozen=True)
class Route:
    scope: str | None  # the scope the token needs (checked by the app before `handler` runs)
    handler: Callable[[Request], Response]


@dataclass(frozen=True)
class Context:
    """What the app gives a type's routes: the start-up options, the one tenant lock, the
    state file's ``persist()``, and the type's line of the timeline (``observe`` its per-trigger
    contribution after each write; ``history()`` what it contributed so far)."""

    options: EmulatorOptions
    lock: threading.RLock
    persist: Callable[[], None]
    observe: Callable[[dict[str, list[str]]], None]
    history: Callable[[], dict[str, list[dict[str, Any]]]]


class Resource(Protocol):
    prefix: str
    seeds: tuple[str, ...]

    def match(self, method: str, parts: list[str]) -> Route | None: ...
    def snapshot(self) -> dict[str, Any]: ...
    def load(self, data: dict[str, Any]) -> None: ...
    def seed(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def reset(self) -> None: ...
    def stats(self) -> dict[str, Any]: ...
    def configure(self, options: EmulatorOptions) -> None: ...

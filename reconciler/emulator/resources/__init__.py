"""One module of routes per resource type; the app core (`app.py`) knows none of them.

A resource serves the paths under `/api/v2/<prefix>/...` and owns its part of the tenant:

    match(method, parts) -> Route | None   parts: the path after /api/v2, split on "/"
    snapshot() / load(data)                its keys of the state file and GET /__emulator/state
    seed(body) -> dict                     the keys of POST /__emulator/seed it understands
    reset(), stats() -> dict, configure(options)

All resources share one lock and one `persist()` (so the state file is always a whole tenant)
and one `Timeline` (per-trigger history across resource types).
"""

from __future__ import annotations

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


class Resource(Protocol):
    prefix: str

    def match(self, method: str, parts: list[str]) -> Route | None: ...
    def snapshot(self) -> dict[str, Any]: ...
    def load(self, data: dict[str, Any]) -> None: ...
    def seed(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def reset(self) -> None: ...
    def stats(self) -> dict[str, Any]: ...
    def configure(self, options: EmulatorOptions) -> None: ...

"""Shared pytest fixtures: a real Auth0 emulator subprocess for end-to-end tests.

Every emulator here is `python -m reconciler emulator --port 0 ...` in its own process,
reached over real HTTP. A handle (`reconciler.emulator.process.EmulatorProcess`) has:

    .base_url                  "http://127.0.0.1:PORT" (use as AUTH0_DOMAIN)
    .client_id, .client_secret credentials POST /oauth/token accepts
    .env()                     {"AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"} for the CLI
    .stats()                   GET /__emulator/stats: requests, writes, by_status, by_method,
                               max_enabled_per_trigger, invariant_violations, rate_limited, faults,
                               enabled_per_trigger, hooks
    .reset()                   empty tenant + counters, back to the start-up options
    .seed(hooks)               insert hooks directly (bypasses the one-enabled-per-trigger rule,
                               not counted as writes); each {name, script, triggerId, enabled?,
                               dependencies?, secrets?, id?}; returns the created hooks;
                               validate=False also skips the API's field rules (hostile names)
    .state()                   the whole tenant including secret VALUES (to check what apply wrote)
    .configure(**opts)         change enabled_conflict / faults / latency_ms / rate_limit / burst /
                               retry_after / token_ttl / scopes / fault_seed until the next reset()
    .token(scopes=None)        a ready access token (AUTH0_ACCESS_TOKEN), no rate limit used
    .expire_tokens()           make every issued token expired (test token refresh)
    .restart()                 stop + start on the same port with the same options (with state=FILE
                               the tenant survives; tokens do not)
    .stop()

Fixtures:
    emulator          function-scoped, default options (rate limit 50/s burst 50, reject mode).
                      Cheap: one session-wide process, reset() before each test.
    emulator_factory  call with option keywords (the CLI flags, `_` for `-`) for a dedicated
                      process, e.g. emulator_factory(enabled_conflict="auto-disable", rate_limit=0,
                      faults="500after=0.2", fault_seed=1, retry_after=True, state=tmp_path / "t.json").
                      All processes it started are stopped at the end of the test.
    emulator_path     the directory with the recorded real API exchanges
                      (../shared/auth0-api next to the repo), or None when absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.process import EmulatorProcess
from tests.shared_api import API_DIR as AUTH0_API_DIR

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def emulator_path() -> Path | None:
    return AUTH0_API_DIR.resolve() if AUTH0_API_DIR.is_dir() else None


@pytest.fixture(scope="session")
def _session_emulator() -> Iterator[EmulatorProcess]:
    proc = EmulatorProcess({}, cwd=str(REPO))
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def emulator(_session_emulator: EmulatorProcess) -> EmulatorProcess:
    if not _session_emulator.alive():  # a test stopped it: bring it back
        _session_emulator.start()
    _session_emulator.reset()
    return _session_emulator


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., EmulatorProcess]]:
    started: list[EmulatorProcess] = []

    def factory(**options: Any) -> EmulatorProcess:
        proc = EmulatorProcess(options, cwd=str(REPO))
        started.append(proc)
        return proc

    try:
        yield factory
    finally:
        for proc in started:
            proc.stop()

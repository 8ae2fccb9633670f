"""An in-process emulator (``reconciler.emulator.start``) shared by the use-case tests,
reset to an empty tenant with its start-up options before each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reconciler.api.client import ManagementClient
from reconciler.config import Settings
from reconciler.emulator.server import RunningEmulator, start


@pytest.fixture(scope="module")
def _emulator() -> Iterator[RunningEmulator]:
    emu = start(port=0)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emu(_emulator: RunningEmulator) -> RunningEmulator:
    _emulator.reset()
    return _emulator


def settings_for(emu: RunningEmulator, **more: Any) -> Settings:
    return Settings(domain=emu.base_url, client_id=emu.client_id, client_secret=emu.client_secret, **more)


@pytest.fixture
def settings(emu: RunningEmulator) -> Settings:
    return settings_for(emu)


@pytest.fixture
def client_factory(settings: Settings) -> Callable[[], ManagementClient]:
    return lambda: ManagementClient(settings.connection())

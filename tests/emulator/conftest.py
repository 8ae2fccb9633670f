"""Fixtures for the emulator's own tests: an authorised httpx client on top of `emulator`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.emulator.process import EmulatorProcess
from tests.emulator.emulator_testlib import Api, make_api


@pytest.fixture
def api(emulator: EmulatorProcess) -> Iterator[Api]:
    client = make_api(emulator)
    yield client
    client.close()

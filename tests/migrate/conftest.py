"""Migration tests run real Node.js where they compare hooks and actions; without it they skip, saying why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.runner.conftest import node  # noqa: F401  (the same skip-with-reason fixture)

EXAMPLE = Path(__file__).resolve().parents[2] / "tenant-config"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example tenant's config."""
    target = tmp_path / "tenant-config"
    shutil.copytree(EXAMPLE, target)
    return target

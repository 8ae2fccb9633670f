"""The package type-checks: mypy over ``reconciler/`` reports nothing (the settings are in
pyproject.toml). Skipped only where mypy is not installed (``pip install -e '.[test]'`` has it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_reports_no_errors() -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (it comes with the [test] extra)")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "reconciler"], cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]

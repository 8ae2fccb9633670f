"""The use-case package: importing it stays light (the CLI starts fast), and no module grows
past the size we keep."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import reconciler.usecases as usecases

PACKAGE = Path(usecases.__file__).parent


def test_importing_the_use_cases_loads_neither_httpx_nor_the_emulator() -> None:
    code = ("import sys, reconciler.usecases\n"
            "print(','.join(m for m in ('httpx', 'reconciler.emulator', 'reconciler.emulator.server') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_no_module_over_400_lines_and_none_reads_the_process_environment() -> None:
    for module in sorted(PACKAGE.glob("*.py")):
        text = module.read_text()
        assert len(text.splitlines()) < 400, module.name
        assert "os.environ" not in text and "getenv" not in text and "getpass" not in text, module.name

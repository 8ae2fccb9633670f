"""The use-case package: the old import paths still give the same objects, importing it
stays light (the CLI starts fast), and no module grows past the size we keep."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import reconciler.usecases as usecases
from reconciler.usecases import applying, loading, planning

PACKAGE = Path(usecases.__file__).parent


def test_every_public_name_is_re_exported_and_the_old_path_is_the_same_module() -> None:
    from reconciler import reconcile

    assert reconcile is usecases
    for name in usecases.__all__:
        assert getattr(usecases, name) is not None, name
    assert usecases.load_desired is loading.load_desired and usecases.make_plan is planning.make_plan
    assert usecases.apply_plan is applying.apply_plan


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

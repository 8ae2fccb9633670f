"""The emulator as a process: it goes away promptly when its parent does (stdin EOF) or asks
(SIGTERM), so no test and no CI job leaves one behind."""

from __future__ import annotations

import subprocess

from reconciler.emulator.process import EmulatorProcess


def test_stdin_eof_ends_the_emulator() -> None:
    handle = EmulatorProcess({})
    proc = handle.proc
    assert proc is not None and proc.stdin is not None
    handle.stats()  # it is serving
    proc.stdin.close()  # what the parent dying looks like
    try:
        assert proc.wait(timeout=10) == 0
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("the emulator kept running after its stdin closed") from None
    finally:
        handle.stop()


def test_sigterm_ends_the_emulator_with_status_0() -> None:
    handle = EmulatorProcess({})
    proc = handle.proc
    assert proc is not None
    handle.stop()  # SIGTERM, then a kill only after 10 s
    assert proc.returncode == 0

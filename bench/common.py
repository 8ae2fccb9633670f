"""Shared helpers for the benchmark scripts in bench/ (not a test module).

- ``REPO`` and ``sys.path`` set up so ``python bench/x.py`` works from anywhere;
- ``emulator(**options)``: the Auth0 emulator as a subprocess (so it does not share the
  tool's GIL), a context manager;
- ``write_config(dir, hooks)``: a deploy-cli style ``tenant-config/`` directory;
- ``run_apply(base_url, config)``: one full ``reconciler apply`` in this process (token,
  read, plan, execute) with its timings and client counters;
- ``table(headers, rows)``: a plain-text table.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from reconciler.api.client import ManagementClient  # noqa: E402
from reconciler.config import connection_from_env, load_settings  # noqa: E402
from reconciler.core.executor import ApplyReport  # noqa: E402
from reconciler.emulator.process import EmulatorProcess  # noqa: E402
from reconciler.resources.hooks.export import write_config  # noqa: E402, F401 (re-exported for the bench scripts)
from reconciler.resources.hooks.live import read_live_state  # noqa: E402
from reconciler.resources.hooks.ops import execute  # noqa: E402
from reconciler.resources.hooks.planner import build_plan  # noqa: E402
from reconciler.usecases.loading import load_desired, plan_options  # noqa: E402

SCRIPT = "module.exports = function (client, scope, audience, context, cb) {\n  cb(null, {});\n};\n"
CRED = "credentials-exchange"
PRE = "pre-user-registration"


@contextlib.contextmanager
def emulator(**options: Any) -> Iterator[EmulatorProcess]:
    """``reconciler emulator`` as a subprocess; options are its flags with ``_`` for ``-``."""
    proc = EmulatorProcess({k: v for k, v in options.items() if v is not None}, cwd=str(REPO))
    try:
        yield proc
    finally:
        proc.stop()


def hook(name: str, trigger: str = CRED, enabled: bool = False, script: str | None = None,
         **extra: Any) -> dict[str, Any]:
    return {"name": name, "triggerId": trigger, "enabled": enabled,
            "script": script if script is not None else f"// {name}\n{SCRIPT}", **extra}


@dataclass
class ApplyRun:
    wall: float  # seconds: token + read + plan + execute
    read: float
    execute: float
    steps: int
    report: ApplyReport
    client: dict[str, int] = field(default_factory=dict)  # ManagementClient.stats


def run_apply(base_url: str, config: Path, *, max_workers: int = 8, env: dict[str, str] | None = None,
              allow_delete: bool = False) -> ApplyRun:
    """One ``reconciler apply --yes`` in this process, timed from the first request."""
    environment = dict(env or {})
    loaded = load_desired(str(config), environment)
    connection = connection_from_env(environment, domain=base_url, client_id="emulator",
                                     client_secret="emulator-secret")
    options = plan_options(load_settings(environment), allow_delete=allow_delete)
    started = time.perf_counter()
    with ManagementClient(connection, max_workers=max_workers) as client:
        live = read_live_state(client)
        read_done = time.perf_counter()
        plan = build_plan(loaded.desired["hook"], live, options)
        report = execute(plan, client, loaded.desired["hook"], max_workers=max_workers)
        finished = time.perf_counter()
        stats = client.stats.snapshot()
    return ApplyRun(finished - started, read_done - started, finished - read_done, len(plan.steps),
                    report, stats)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown-compatible plain-text table."""
    text_rows = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text_rows)) if text_rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if _numeric(c) else c.ljust(w)
                                 for c, w in zip(cells, widths)) + " |"

    out = [line(list(headers)), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in text_rows]
    return "\n".join(out)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _numeric(text: str) -> bool:
    try:
        float(text.rstrip("x%s"))
        return True
    except ValueError:
        return False


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def environment_note() -> str:
    """What a printed table depends on besides the code: the commit, Python, Node (the
    runner and deploy-cli use it), the OS, the CPUs and their load, so a reader can
    reproduce it."""
    import platform

    node = _output(["node", "--version"]) or "not installed"
    return (f"commit {commit_note()}, python {platform.python_version()}, node {node}, "
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, load {_load()}")


def _load() -> str:
    """The 1-minute load average when the table was printed: other jobs on the CPUs slow a
    run down, and the machine this was measured on is shared."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def commit_note() -> str:
    """The checkout's short commit, "+changes" when tracked files differ from it."""
    head = _output(["git", "-C", str(REPO), "rev-parse", "--short=9", "HEAD"]) or "unknown"
    dirty = _output(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"])
    return head + ("+changes" if dirty else "")


def _output(command: list[str]) -> str:
    import subprocess

    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""

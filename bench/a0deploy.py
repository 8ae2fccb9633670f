"""Running the two CLIs side by side (not a test module): auth0-deploy-cli installed into
`.bench/`, a self-signed certificate for the emulator's TLS, one `a0deploy import` or one
`python -m reconciler apply --yes` as a subprocess given a ready token, and a sampler of the
emulator's request counter (the "API window": first to last request the emulator saw).

Shared by `deploy_cli.py` (hooks) and `deploy_cli_actions.py` / `actions_apply.py` (Actions).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import REPO, emulator, progress

DEPLOY_CLI_VERSION = "8.44.0"
CACHE = REPO / ".bench"
A0DEPLOY = CACHE / "node_modules" / ".bin" / "a0deploy"
TLS = CACHE / "tls"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Auth0's prod tier and its non-prod tier; --quick keeps only the first
PROFILES = {
    "16/s burst 50 +100 ms": {"rate_limit": 16, "burst": 50, "latency_ms": 100},
    "2/s burst 10": {"rate_limit": 2, "burst": 10, "latency_ms": 0},
}


@dataclass(frozen=True)
class SideBySide:
    """What both comparison scripts need before their first run."""

    a0deploy: str
    cert: Path
    key: Path
    profiles: dict[str, dict[str, Any]]

    def emulators(self, **options: Any) -> Iterator[tuple[str, Any]]:
        """(profile name, emulator over TLS with that rate limit and `options`), one after the other."""
        for name, profile in self.profiles.items():
            with emulator(rate_limit=profile["rate_limit"], burst=profile["burst"],
                          latency_ms=profile["latency_ms"] or None, tls_cert=str(self.cert),
                          tls_key=str(self.key), **options) as emu:
                yield name, emu


def side_by_side(install: bool, quick: bool) -> SideBySide | None:
    """deploy-cli installed, the certificate made, the profiles chosen; None (said) if impossible."""
    a0deploy = ensure_deploy_cli(install)
    if a0deploy is None:
        print(f"auth0-deploy-cli {DEPLOY_CLI_VERSION} could not be installed: no comparison made.", file=sys.stderr)
        return None
    cert, key = ensure_certificate()
    profiles = {k: v for k, v in PROFILES.items() if not quick or v["rate_limit"] > 2}
    return SideBySide(a0deploy, cert, key, profiles)


def ensure_deploy_cli(install: bool) -> str | None:
    """Path of a0deploy, installing it if needed; None (and a message) if impossible."""
    if not A0DEPLOY.exists() and install:
        npm = shutil.which("npm")
        if npm is None:
            progress("npm is not on PATH: cannot install auth0-deploy-cli")
            return None
        progress(f"installing auth0-deploy-cli@{DEPLOY_CLI_VERSION} into {CACHE} ...")
        result = subprocess.run([npm, "install", "--prefix", str(CACHE), f"auth0-deploy-cli@{DEPLOY_CLI_VERSION}"],
                                capture_output=True, text=True)
        if result.returncode != 0:
            progress(f"npm install failed ({result.returncode}):\n{result.stderr[-2000:]}")
            return None
    if not A0DEPLOY.exists():
        progress(f"auth0-deploy-cli is not installed at {A0DEPLOY}")
        return None
    package = json.loads((CACHE / "node_modules" / "auth0-deploy-cli" / "package.json").read_text())
    if package.get("version") != DEPLOY_CLI_VERSION:
        progress(f"found auth0-deploy-cli {package.get('version')}, expected {DEPLOY_CLI_VERSION}")
        return None
    return str(A0DEPLOY)


def ensure_certificate() -> tuple[Path, Path]:
    cert, key = TLS / "cert.pem", TLS / "key.pem"
    if not (cert.exists() and key.exists()):
        TLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )
    return cert, key


class Sampler:
    """Polls the emulator's stats to find when API requests start and stop arriving."""

    def __init__(self, emu: Any, period: float = 0.05) -> None:
        self.emu, self.period = emu, period
        self.first: float | None = None
        self.last: float | None = None
        self._stop = threading.Event()
        self._seen = emu.stats()["requests"]
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            count = self.emu.stats()["requests"]
            now = time.perf_counter()
            if count != self._seen:
                self._seen = count
                self.first = self.first if self.first is not None else now
                self.last = now
            self._stop.wait(self.period)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def window(self) -> float:
        return (self.last - self.first) if self.first is not None and self.last is not None else 0.0


def run_reconciler(emu: Any, config: Path, cert: Path | None, keywords: Mapping[str, str],
                   extra_args: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """`python -m reconciler apply -c CONFIG --yes` with a ready token (no client credentials)."""
    env = dict(os.environ, AUTH0_DOMAIN=emu.base_url, AUTH0_ACCESS_TOKEN=emu.token(),
               AUTH0_KEYWORD_REPLACE_MAPPINGS=json.dumps(dict(keywords)))
    if cert is not None:
        env["SSL_CERT_FILE"] = str(cert)
    for name in ("AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "reconciler", "apply", "-c", str(config), "--yes", *extra_args],
                          env=env, capture_output=True, text=True, cwd=str(REPO))


def run_deploy_cli(a0deploy: str, emu: Any, config: Path, cert: Path, workdir: Path, *,
                   included: Sequence[str], keywords: Mapping[str, str], allow_delete: bool = False,
                   timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    """`a0deploy import` of CONFIG with a ready token, only the `included` resource types
    (raises subprocess.TimeoutExpired after `timeout` seconds)."""
    settings = {
        "AUTH0_DOMAIN": f"127.0.0.1:{emu.port}",
        "AUTH0_ACCESS_TOKEN": emu.token(),
        "AUTH0_INCLUDED_ONLY": list(included),
        "AUTH0_ALLOW_DELETE": allow_delete,
        "AUTH0_KEYWORD_REPLACE_MAPPINGS": dict(keywords),
    }
    config_file = workdir / "deploy-cli-config.json"
    config_file.write_text(json.dumps(settings, indent=2))
    env = dict(os.environ, NODE_EXTRA_CA_CERTS=str(cert))
    env.pop("AUTH0_DEBUG", None)
    return subprocess.run([a0deploy, "import", "--config_file", str(config_file), "--input_file", str(config)],
                          env=env, capture_output=True, text=True, cwd=str(workdir), timeout=timeout)


def last_error(result: subprocess.CompletedProcess[str]) -> str:
    """The gist of a failure: the tool's error lines and the API's message, on one line."""
    lines = [ANSI.sub("", line).strip() for line in (result.stdout + "\n" + result.stderr).splitlines()]
    picked = [re.sub(r"^\S+Z - error: ", "", line) for line in lines
              if line.startswith("error:") or " - error: " in line or line.startswith('"message"')
              or line.startswith("Status code")]
    text = " / ".join(picked or [line for line in lines if line][-1:])
    return text[:300]

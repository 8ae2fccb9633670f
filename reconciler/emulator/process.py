"""Run the emulator as a real subprocess (`python -m reconciler emulator --port 0 ...`).

Used by the shared pytest fixtures (`tests/conftest.py`) and the benchmark:

    from reconciler.emulator.process import spawn
    emu = spawn(enabled_conflict="allow", rate_limit=0)
    emu.base_url, emu.client_id, emu.client_secret
    emu.stats(); emu.reset(); emu.seed([...]); emu.stop()

Option keywords are the CLI flags with `_` for `-` (`enabled_conflict="allow"`,
`retry_after=True`, `faults="500=0.1"` or `{"500": 0.1}`, `state="/tmp/t.json"`).
Only the standard library is used for the admin calls.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any, cast


def options_to_args(options: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for key, value in options.items():
        if key in ("actions_enabled", "actions") and value is not None:  # a --x/--no-x pair
            args.append("--actions" if value else "--no-actions")
            continue
        if key in ("hooks_enabled", "hooks") and value is not None:
            args.append("--hooks" if value else "--no-hooks")
            continue
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if flag in ("--state-file",):
            flag = "--state"
        if value is True:
            args.append(flag)
        elif isinstance(value, dict):
            args += [flag, ",".join(f"{k}={v}" for k, v in value.items())]
        elif isinstance(value, (list, tuple, set, frozenset)):
            args += [flag, " ".join(str(v) for v in value)]
        else:
            args += [flag, str(value)]
    return args


class EmulatorProcess:
    """A `reconciler emulator` subprocess and a small client for its admin endpoints."""

    def __init__(self, options: dict[str, Any] | None = None, *, python: str | None = None,
                 startup_timeout: float = 20.0, cwd: str | None = None):
        self.options = dict(options or {})
        self.options.setdefault("port", 0)
        self.client_id = str(self.options.get("client_id", "emulator"))
        self.client_secret = str(self.options.get("client_secret", "emulator-secret"))
        self.python = python or sys.executable
        self.startup_timeout = startup_timeout
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self.base_url = ""
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as this object: stderr_text() reads it after stop())
        self.start()

    # ---- lifecycle ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def start(self) -> None:
        # --exit-on-stdin-eof: we hold the write end of its stdin, so if this process dies
        # (even by SIGKILL) the emulator sees EOF and exits instead of lingering.
        cmd = [self.python, "-m", "reconciler", "emulator", "--exit-on-stdin-eof", *options_to_args(self.options)]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.PIPE,
                                     cwd=self.cwd, env=env)
        assert self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + self.startup_timeout
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(remaining):
                self._fail("did not print its URL in time")
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                self._fail("exited before printing its URL")
            line += chunk
        sel.close()
        first = line.split(b"\n", 1)[0].decode()
        self.base_url = first.rsplit(" ", 1)[-1].strip()
        if not self.base_url.startswith(("http://", "https://")):
            self._fail(f"unexpected first line {first!r}")

    def _fail(self, why: str) -> None:
        self.stop()
        raise RuntimeError(f"emulator {why}: {self.stderr_text().strip()[-2000:]}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for pipe in (proc.stdout, proc.stdin):
            if pipe:
                try:
                    pipe.close()
                except OSError:
                    pass

    def restart(self, same_port: bool = True) -> None:
        """Stop and start again with the same options (and port, so base_url is kept)."""
        port = self.port
        self.stop()
        if same_port:
            self.options["port"] = port
        self.start()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- admin + helpers ---------------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        ctx = None
        if self.base_url.startswith("https://"):
            import ssl

            ctx = ssl._create_unverified_context()
        try:
            with urllib.request.urlopen(req, timeout=30, context=ctx) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path} -> {exc.code}: {exc.read().decode(errors='replace')}") from None
        return json.loads(raw) if raw else None

    def stats(self) -> dict[str, Any]:
        return cast("dict[str, Any]", self._call("GET", "/__emulator/stats"))

    def reset(self) -> None:
        self._call("POST", "/__emulator/reset", {})

    def seed(self, hooks: list[dict[str, Any]] | None = None, *, validate: bool = True, **more: Any) -> Any:
        """seed(hooks) -> the created hooks; seed(actions=[...], bindings={...}) -> everything created.
        ``validate=False`` plants hooks the API would refuse (hostile names, for tests)."""
        body = dict(more, **({"hooks": hooks} if hooks is not None else {}), validate=validate)
        out = self._call("POST", "/__emulator/seed", body)
        return out["hooks"] if hooks is not None and not more else out

    def advance_builds(self, action_id: str | None = None, steps: int = 1) -> dict[str, Any]:
        """With manual_builds=True: move action drafts' builds on by `steps` phases."""
        body: dict[str, Any] = {"steps": steps}
        if action_id:
            body["action_id"] = action_id
        return cast("dict[str, Any]", self._call("POST", "/__emulator/builds", body))

    def state(self) -> dict[str, Any]:
        """The whole tenant, secret values included (tests only)."""
        return cast("dict[str, Any]", self._call("GET", "/__emulator/state"))

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change run-time options (enabled_conflict, faults, latency_ms, rate_limit, ...) until reset()."""
        return cast("dict[str, Any]", self._call("POST", "/__emulator/config", changes))

    def token(self, scopes: list[str] | None = None) -> str:
        """A valid access token (issued directly, not rate limited)."""
        answer = self._call("POST", "/__emulator/token", {"scopes": scopes} if scopes is not None else {})
        return cast(str, answer["access_token"])

    def expire_tokens(self) -> int:
        return cast(int, self._call("POST", "/__emulator/expire-tokens", {})["expired"])

    def env(self) -> dict[str, str]:
        """Environment for running the reconciler against this emulator."""
        return {
            "AUTH0_DOMAIN": self.base_url,
            "AUTH0_CLIENT_ID": self.client_id,
            "AUTH0_CLIENT_SECRET": self.client_secret,
        }


def spawn(**options: Any) -> EmulatorProcess:
    return EmulatorProcess(options)

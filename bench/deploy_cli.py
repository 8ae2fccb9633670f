#!/usr/bin/env python3
"""The reconciler and auth0-deploy-cli 8.44.0 apply the same hooks to the same emulator.

    .venv/bin/python bench/deploy_cli.py               # both rate-limit profiles (~8 min)
    .venv/bin/python bench/deploy_cli.py --quick       # only 16/s burst 50 +100 ms (~3 min)
    .venv/bin/python bench/deploy_cli.py --hooks 40 --json results.json

deploy-cli is installed once into `.bench/node_modules` (gitignored) with
`npm install --prefix .bench auth0-deploy-cli@8.44.0`; if that fails the script says so
and exits 2. Both tools run as what users run, a CLI process (`a0deploy import` and
`python -m reconciler apply --yes`), against one emulator subprocess served over TLS on
loopback (a self-signed certificate made with openssl into `.bench/tls/`, trusted through
`NODE_EXTRA_CA_CERTS` and `SSL_CERT_FILE`: verification stays on).

deploy-cli's config: `{"AUTH0_DOMAIN": "127.0.0.1:PORT", "AUTH0_ACCESS_TOKEN",
"AUTH0_INCLUDED_ONLY": ["hooks"], "AUTH0_ALLOW_DELETE": false, "AUTH0_KEYWORD_REPLACE_MAPPINGS"}`.
Both tools get a ready access token (AUTH0_ACCESS_TOKEN, issued by the emulator's admin
endpoint), so every request counted is a Management API request. deploy-cli spends ~14 s of
CPU (JSON-schema compilation of its whole tenant schema) before its first API request on
the bench machine; the "API window" column leaves that start-up out, "wall s" keeps it.

The desired state: `--hooks` hooks (default 20) spread over the 5 triggers, the first on
each trigger enabled, each with 2 secrets from keywords and one npm dependency. Scenarios,
each from a freshly seeded tenant (seeding is not counted):

1. initial apply to an empty tenant;
2. no-change re-run (tenant already as desired): we must make zero writes;
3. enable hand-over to a NEW hook on pre-user-registration, emulator in `allow` mode
   (counts how many hooks were ever enabled at once);
4. the same in `reject` mode (a second enabled hook is refused with 409);
5. hand-over between two EXISTING hooks, `reject` mode.

Per run: wall time of the command, the API window (first to last request the emulator
saw, sampled every 50 ms), requests (token included), writes, 429s, 409s,
max_enabled_per_trigger, exit status, and whether the tenant ends as desired.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    REPO,
    SCRIPT,
    emulator,
    environment_note,
    progress,
    table,
    write_config,
)

DEPLOY_CLI_VERSION = "8.44.0"
CACHE = REPO / ".bench"
A0DEPLOY = CACHE / "node_modules" / ".bin" / "a0deploy"
TLS = CACHE / "tls"
TRIGGERS = ("credentials-exchange", "pre-user-registration", "post-user-registration",
            "post-change-password", "send-phone-message")
KEYWORDS = {"API_KEY": "bench-api-key-value", "REGION": "eu-west-1"}
PROFILES = {
    "16/s burst 50 +100 ms": {"rate_limit": 16, "burst": 50, "latency_ms": 100},
    "2/s burst 10": {"rate_limit": 2, "burst": 10, "latency_ms": 0},
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# -- setup ---------------------------------------------------------------------------------


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


# -- desired states ------------------------------------------------------------------------


def base_hooks(count: int) -> list[dict[str, Any]]:
    hooks = []
    for i in range(count):
        trigger = TRIGGERS[i % len(TRIGGERS)]
        index = i // len(TRIGGERS)
        name = f"{trigger}-{index}"
        hooks.append({
            "name": name, "triggerId": trigger, "enabled": index == 0,
            "script": f"// {name}\n{SCRIPT}",
            "dependencies": {"axios": "1.6.8"},
            "secrets": {"API_KEY": "##API_KEY##", "REGION": "##REGION##"},
        })
    return hooks


def resolved(hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Hooks with keyword values filled in: how the tenant must look (and how we seed it)."""
    out = []
    for item in hooks:
        secrets = {k: KEYWORDS[v.strip("#")] for k, v in item.get("secrets", {}).items()}
        out.append({**item, "secrets": secrets})
    return out


def handover_to_new(hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    trigger = "pre-user-registration"
    changed = [{**h, "enabled": False} if h["triggerId"] == trigger else h for h in hooks]
    name = f"{trigger}-new"
    changed.append({**changed[1], "name": name, "triggerId": trigger, "enabled": True,
                    "script": f"// {name}\n{SCRIPT}"})
    return changed


def handover_existing(hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    trigger = "pre-user-registration"
    on = [h for h in hooks if h["triggerId"] == trigger]
    if len(on) < 2:
        raise SystemExit("--hooks must be at least 10 (two hooks per trigger)")
    target = on[1]["name"]
    return [{**h, "enabled": h["name"] == target} if h["triggerId"] == trigger else h for h in hooks]


def scenarios(count: int) -> list[dict[str, Any]]:
    d0 = base_hooks(count)
    return [
        {"name": "initial apply (empty tenant)", "seed": [], "want": d0, "mode": "reject"},
        {"name": "no-change re-run", "seed": resolved(d0), "want": d0, "mode": "reject"},
        {"name": "hand-over to a new hook (allow)", "seed": resolved(d0), "want": handover_to_new(d0), "mode": "allow"},
        {"name": "hand-over to a new hook (reject)", "seed": resolved(d0), "want": handover_to_new(d0), "mode": "reject"},
        {"name": "hand-over between existing (reject)", "seed": resolved(d0), "want": handover_existing(d0), "mode": "reject"},
    ]


def end_state_matches(state: dict[str, Any], want: list[dict[str, Any]]) -> bool:
    live = {h["name"]: h for h in state["hooks"]}
    if set(live) != {h["name"] for h in want}:
        return False
    for item in resolved(want):
        got = live[item["name"]]
        if (got["triggerId"], got["enabled"], got["script"], got["dependencies"], got["secrets"]) != (
            item["triggerId"], item["enabled"], item["script"], item.get("dependencies", {}), item["secrets"]
        ):
            return False
    return True


# -- running -------------------------------------------------------------------------------


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

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def window(self) -> float:
        return (self.last - self.first) if self.first is not None and self.last is not None else 0.0


def run_reconciler(emu: Any, config: Path, cert: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AUTH0_DOMAIN=emu.base_url, AUTH0_ACCESS_TOKEN=emu.token(), SSL_CERT_FILE=str(cert),
               AUTH0_KEYWORD_REPLACE_MAPPINGS=json.dumps(KEYWORDS))
    for name in ("AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "reconciler", "apply", "-c", str(config), "--yes"],
                          env=env, capture_output=True, text=True, cwd=str(REPO))


def run_deploy_cli(a0deploy: str, emu: Any, config: Path, cert: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    settings = {
        "AUTH0_DOMAIN": f"127.0.0.1:{emu.port}",
        "AUTH0_ACCESS_TOKEN": emu.token(),
        "AUTH0_INCLUDED_ONLY": ["hooks"],
        "AUTH0_ALLOW_DELETE": False,
        "AUTH0_KEYWORD_REPLACE_MAPPINGS": KEYWORDS,
    }
    config_file = workdir / "deploy-cli-config.json"
    config_file.write_text(json.dumps(settings, indent=2))
    env = dict(os.environ, NODE_EXTRA_CA_CERTS=str(cert))
    env.pop("AUTH0_DEBUG", None)
    return subprocess.run([a0deploy, "import", "--config_file", str(config_file), "--input_file", str(config)],
                          env=env, capture_output=True, text=True, cwd=str(workdir))


def last_error(result: subprocess.CompletedProcess[str]) -> str:
    """The gist of a failure: the tool's error lines and the API's message, on one line."""
    lines = [ANSI.sub("", line).strip() for line in (result.stdout + "\n" + result.stderr).splitlines()]
    picked = [re.sub(r"^\S+Z - error: ", "", line) for line in lines
              if line.startswith("error:") or " - error: " in line or line.startswith('"message"')
              or line.startswith("Status code")]
    text = " / ".join(picked or [line for line in lines if line][-1:])
    return text[:300]


def run_one(tool: str, a0deploy: str, emu: Any, scenario: dict[str, Any], cert: Path, workdir: Path) -> dict[str, Any]:
    emu.reset()
    emu.configure(enabled_conflict=scenario["mode"])
    if scenario["seed"]:
        emu.seed(scenario["seed"])
    config = write_config(workdir / "tenant-config", scenario["want"])
    with Sampler(emu) as sampler:
        started = time.perf_counter()
        if tool == "reconciler":
            result = run_reconciler(emu, config, cert)
        else:
            result = run_deploy_cli(a0deploy, emu, config, cert, workdir)
        wall = time.perf_counter() - started
        time.sleep(0.1)  # let the sampler see the last request
    stats = emu.stats()
    return {
        "tool": tool,
        "scenario": scenario["name"],
        "mode": scenario["mode"],
        "exit": result.returncode,
        "wall_s": wall,
        "api_window_s": sampler.window,
        "requests": stats["requests"],
        "writes": stats["writes"],
        "429": stats["by_status"].get("429", 0),
        "409": stats["by_status"].get("409", 0),
        "max_enabled": max(stats["max_enabled_per_trigger"].values(), default=0),
        "end_state_ok": end_state_matches(emu.state(), scenario["want"]),
        "error": "" if result.returncode == 0 else last_error(result),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the 16/s burst 50 +100 ms profile")
    parser.add_argument("--hooks", type=int, default=20, help="hooks in the desired state (default 20, at least 10)")
    parser.add_argument("--no-install", action="store_true", help="do not run npm install")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()

    a0deploy = ensure_deploy_cli(install=not args.no_install)
    if a0deploy is None:
        print(f"auth0-deploy-cli {DEPLOY_CLI_VERSION} could not be installed: no comparison made.", file=sys.stderr)
        return 2
    cert, key = ensure_certificate()
    profiles = {k: v for k, v in PROFILES.items() if not args.quick or v["rate_limit"] > 2}
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-deploy-cli-") as tmp:
        for profile_name, profile in profiles.items():
            with emulator(rate_limit=profile["rate_limit"], burst=profile["burst"],
                          latency_ms=profile["latency_ms"] or None, tls_cert=str(cert), tls_key=str(key)) as emu:
                for scenario in scenarios(args.hooks):
                    for tool in ("reconciler", "deploy-cli"):
                        progress(f"[{profile_name}] {scenario['name']}: {tool} ...")
                        workdir = Path(tmp) / f"{tool}"
                        workdir.mkdir(exist_ok=True)
                        row = run_one(tool, a0deploy, emu, scenario, cert, workdir)
                        row["profile"] = profile_name
                        results.append(row)
                        progress(f"    exit {row['exit']}, {row['wall_s']:.1f} s, {row['writes']} writes, "
                                 f"max enabled {row['max_enabled']}, end state {'ok' if row['end_state_ok'] else 'NOT as desired'}"
                                 + (f" ({row['error']})" if row["error"] else ""))

    print(f"reconciler vs auth0-deploy-cli {DEPLOY_CLI_VERSION}, {args.hooks} hooks, emulator over TLS on loopback "
          f"({environment_note()})")
    headers = ["profile", "scenario", "tool", "exit", "wall s", "API window s", "requests", "writes",
               "429", "409", "max enabled/trigger", "end state"]
    rows = [[r["profile"], r["scenario"], r["tool"], r["exit"], r["wall_s"], r["api_window_s"], r["requests"],
             r["writes"], r["429"], r["409"], r["max_enabled"], "as desired" if r["end_state_ok"] else "NOT as desired"]
            for r in results]
    print(table(headers, rows))
    failures = [r for r in results if r["error"]]
    if failures:
        print("\nerrors:")
        for r in failures:
            print(f"- [{r['profile']}] {r['scenario']} / {r['tool']}: {r['error']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    ours = [r for r in results if r["tool"] == "reconciler"]
    ok = all(r["exit"] == 0 and r["end_state_ok"] and r["max_enabled"] <= 1 and r["409"] == 0 for r in ours)
    ok = ok and all(r["writes"] == 0 for r in ours if r["scenario"] == "no-change re-run")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

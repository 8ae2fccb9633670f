"""Running one script in Node: a temporary directory, Node's permission model, and limits.

The process gets an empty environment (nothing of ours, no credentials), may read and write
only its own temporary directory, has a wall-clock limit, a file-size limit and a memory cap,
and every sensitive value is masked out of what it reports before anyone sees it.
"""

from __future__ import annotations

import json
import resource
import secrets as token_source
import signal
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from reconciler.errors import RunError
from reconciler.runner.node import Node, find_node
from reconciler.runner.outcome import Outcome, effects_of, mask_values
from reconciler.runner.samples import Sample

DEFAULT_TIMEOUT = 20.0  # Auth0's own limit for one execution
MAX_OUTPUT_BYTES = 4 * 1024 * 1024
# The harness and the modules it loads from its own directory.
RUNNER_SCRIPTS = ("harness.js", "hooks_model.js", "outbound.js", "proof.js")


def run_script(
    *,
    kind: str,
    name: str,
    trigger: str,
    code: str,
    secrets: Mapping[str, str],
    sample: Sample,
    sensitive: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    node: Node | None = None,
) -> Outcome:
    """Run a hook (``kind="hook"``) or an action's code on one event.

    ``sensitive`` maps keyword names to values that must not appear in the outcome (the
    secrets and every keyword value filled into the code); they are shown as ``##KEY##``.
    """
    job = {
        "kind": kind,
        "trigger": trigger,
        "code": code,
        "secrets": dict(secrets),
        "event": dict(sample.event),
    }
    raw = run_job(job, name=name, timeout=timeout, node=node)
    raw = mask_values(raw, sensitive if sensitive is not None else secrets)
    return Outcome(kind, name, trigger, sample.name, effects_of(raw, sample.event), raw)


def run_job(job: dict[str, Any], *, name: str, timeout: float = DEFAULT_TIMEOUT, node: Node | None = None,
            extra_flags: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run the harness on ``job`` in a fresh Node process and return its record (not masked)."""
    node = node or find_node()
    nonce = token_source.token_hex(16)
    job = {**job, "timeout_ms": int(timeout * 1000), "nonce": nonce}
    kind, trigger = str(job.get("kind")), str(job.get("trigger"))
    with tempfile.TemporaryDirectory(prefix="reconciler-run-") as tmp:
        harness = Path(tmp) / "harness.js"
        for script in RUNNER_SCRIPTS:
            (Path(tmp) / script).write_text(resources.files("reconciler.runner").joinpath(script).read_text("utf-8"), "utf-8")
        command = [node.path, *node.sandbox_flags(readable=tmp, writable=tmp), *extra_flags, str(harness)]
        try:
            done = subprocess.run(
                command,
                input=json.dumps(job).encode(),
                capture_output=True,
                cwd=tmp,
                env={"HOME": tmp, "TZ": "UTC", "LANG": "C.UTF-8"},
                timeout=timeout + 2,
                preexec_fn=_limits(timeout),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"kind": kind, "trigger": trigger, "timed_out": True}
        except OSError as error:
            raise RunError(f"cannot start {node.path}: {error.strerror}") from None
        return _read_outcome(done, nonce, name, kind, trigger)


def _limits(timeout: float) -> Any:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_OUTPUT_BYTES, MAX_OUTPUT_BYTES))
        cpu = int(timeout) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    return apply


def _read_outcome(
    done: subprocess.CompletedProcess[bytes], nonce: str, name: str, kind: str, trigger: str
) -> dict[str, Any]:
    """The harness's record: the line it marked with this run's nonce (a script printing its
    own JSON cannot forge it: the nonce lives only in the harness's module scope)."""
    out = done.stdout[-MAX_OUTPUT_BYTES:].decode("utf-8", "replace")
    for line in reversed(out.splitlines()):
        if line.startswith(nonce):
            try:
                record = json.loads(line[len(nonce):])
            except json.JSONDecodeError:
                break
            if isinstance(record, dict):
                return record
    if done.returncode in (-signal.SIGKILL, -signal.SIGXCPU):
        return {"kind": kind, "trigger": trigger, "timed_out": True}  # the CPU limit stopped it
    reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
    raise RunError(f"{name}: the Node.js process ended without an outcome ({reason[0][:200]})")

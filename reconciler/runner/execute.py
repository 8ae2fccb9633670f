"""Running scripts in Node: an isolated process, a realm per run, a record read as it streams.

The process (see ``node.py`` for the walls and why Node) gets an empty environment but for
``HOME``, ``TZ`` and ``LANG``, its own temporary directory, rlimits on data, address space, CPU
and files, and a wall-clock deadline per run after which its whole process group is killed.
Its stdout is the record (``harness.js`` documents the protocol); it is read incrementally and
bounded, as is stderr, so a flood cannot grow this process. Every sensitive value is masked out
of what comes back, in every form ``secret_forms`` knows, before console lines are cut.
"""

from __future__ import annotations

import json
import os
import resource
import secrets as token_source
import selectors
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from reconciler.errors import RunError
from reconciler.runner.node import Node, find_node
from reconciler.runner.outcome import Outcome, effects_of, mask_values
from reconciler.runner.samples import Sample

DEFAULT_TIMEOUT = 20.0  # Auth0's own limit for one execution
STARTUP_ALLOWANCE = 10.0  # seconds for Node to start before the first run's clock begins
GRACE = 2.0  # wall-clock seconds past a run's time limit before the process is killed
MAX_RECORD_BYTES = 32 * 1024 * 1024  # all of stdout, for one process
MAX_STDERR_BYTES = 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024  # the harness's events are far smaller (16 K characters of data)
STDERR_KEPT = 4096
MAX_LOG_CHARS = 256  # Auth0 keeps 256 characters of each console.log line
MAX_FILE_BYTES = 4 * 1024 * 1024
MEMORY_BYTES = 512 * 1024 * 1024  # heap and off-heap (Buffers) together: RLIMIT_DATA
ADDRESS_SPACE_BYTES = 4 * 1024 * 1024 * 1024
_LISTS = {"module": "modules", "request": "requests", "api_call": "api_calls", "log": "logs", "read": "reads"}
# What an "end" event may say: the answer, and for a proof the Hooks model's reading of it and
# the outbound calls left in flight (by their place among the run's requests).
_END_KEYS = ("callback", "completed", "thrown", "timed_out", "answer", "left_running", "cut_off")


@dataclass(frozen=True)
class Job:
    """One script on one event. ``sensitive`` maps keyword names to values masked as ``##KEY##``."""

    kind: str
    name: str
    trigger: str
    code: str
    secrets: Mapping[str, str]
    sample: Sample
    sensitive: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # more fields of the run (a proof's outbound answers)


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
    job = Job(kind, name, trigger, code, dict(secrets), sample, dict(sensitive if sensitive is not None else secrets))
    return run_scripts([job], timeout=timeout, node=node)[0]


def run_scripts(jobs: Sequence[Job], *, timeout: float = DEFAULT_TIMEOUT, node: Node | None = None,
                inspector: bool = False) -> list[Outcome]:
    """Run several scripts in one Node process, one after the other (a run that has to be
    killed ends that process; the rest go on in a new one). ``inspector``: see ``Node.command``."""
    return run_covered(jobs, timeout=timeout, node=node, inspector=inspector, coverage=False)[0]


def run_covered(jobs: Sequence[Job], *, timeout: float = DEFAULT_TIMEOUT, node: Node | None = None,
                inspector: bool = True, coverage: bool = True) -> tuple[list[Outcome], dict[str, Any] | None]:
    """``run_scripts``, and V8's block coverage of the hook (``coverage.js``) when ``coverage``:
    None if a run had to be killed (its process took the coverage with it)."""
    node = node or find_node()
    records: list[dict[str, Any]] = []
    measured: dict[str, Any] | None = None
    processes = 0
    while len(records) < len(jobs):
        got, measured = _run_process(node, jobs[len(records):], timeout, inspector, coverage)
        records += got
        processes += 1
    return [_outcome(job, record) for job, record in zip(jobs, records)], (measured if processes == 1 else None)


def _outcome(job: Job, raw: dict[str, Any]) -> Outcome:
    raw = mask_values(raw, job.sensitive)
    raw["logs"] = [line[:MAX_LOG_CHARS] for line in raw.get("logs", [])]
    return Outcome(job.kind, job.name, job.trigger, job.sample.name, effects_of(raw, job.sample.event), raw)


def _new_record(job: Job) -> dict[str, Any]:
    return {"kind": job.kind, "trigger": job.trigger, "requests": [], "modules": [], "logs": [], "api_calls": [], "reads": []}


def _run_process(node: Node, jobs: Sequence[Job], timeout: float, inspector: bool = False,
                 coverage: bool = False) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The records of the runs this process finished: all of them, or those before one that
    was killed at its deadline (recorded as timed out, with what it did until then); and the
    coverage the harness took after the last run, when asked."""
    nonce = token_source.token_hex(16)
    lines = [json.dumps({"nonce": nonce, "coverage": coverage})] + [
        json.dumps({**dict(job.extra), "id": i, "kind": job.kind, "trigger": job.trigger, "code": job.code,
                    "secrets": dict(job.secrets), "event": dict(job.sample.event), "timeout_ms": int(timeout * 1000)})
        for i, job in enumerate(jobs)
    ]
    with tempfile.TemporaryDirectory(prefix="reconciler-run-") as tmp:
        for source in resources.files("reconciler.runner").iterdir():  # harness.js and the realm it loads
            if source.name.endswith(".js"):
                (Path(tmp) / source.name).write_text(source.read_text("utf-8"), "utf-8")
        command = node.command(str(Path(tmp) / "harness.js"), tmp, inspector=inspector)
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp,
                env={"HOME": tmp, "TZ": "UTC", "LANG": "C.UTF-8"}, start_new_session=True,
                preexec_fn=_limits(timeout * len(jobs) + STARTUP_ALLOWANCE),
            )
        except OSError as error:
            raise RunError(f"cannot start {node.path}: {error.strerror}") from None
        reader = _Reader(process, nonce, jobs, timeout)
        try:
            reader.send(("\n".join(lines) + "\n").encode())
            return reader.read(), reader.coverage
        finally:
            _kill(process)


class _Reader:
    """Reads one harness process's stdout and stderr as they come, within bounds."""

    def __init__(self, process: subprocess.Popen[bytes], nonce: str, jobs: Sequence[Job], timeout: float) -> None:
        self.process, self.prefix, self.jobs, self.timeout = process, f"{nonce} ".encode(), jobs, timeout
        self.records: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = _new_record(jobs[0])
        self.pending = b""
        self.stdout_bytes = 0
        self.stderr_bytes = 0
        self.stderr_tail = b""
        self.done = False
        self.ready = False  # Node has started and read its input: the first run's clock starts
        self.coverage: dict[str, Any] | None = None  # a proof's, after the last run

    @property
    def name(self) -> str:
        return self.jobs[min(len(self.records), len(self.jobs) - 1)].name

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(data)
            self.process.stdin.close()
        except BrokenPipeError:
            pass  # Node is gone already: its exit says why

    def read(self) -> list[dict[str, Any]]:
        assert self.process.stdout is not None and self.process.stderr is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ, "stdout")
        selector.register(self.process.stderr, selectors.EVENT_READ, "stderr")
        deadline = time.monotonic() + STARTUP_ALLOWANCE + self.timeout + GRACE
        open_streams = 2
        while open_streams and not self.done:
            left = deadline - time.monotonic()
            if left <= 0:
                return self._killed_at_deadline()
            for key, _ in selector.select(timeout=min(left, 1.0)):
                chunk = os.read(key.fileobj.fileno(), 65536)  # type: ignore[union-attr]
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                ended, ready = len(self.records), self.ready
                if key.data == "stdout":
                    self._stdout(chunk)
                else:
                    self._stderr(chunk)
                if len(self.records) > ended or self.ready != ready:  # a run's clock starts now
                    deadline = time.monotonic() + self.timeout + GRACE
        selector.close()
        if self.done:
            return self.records
        returncode = self.process.wait()
        if self.records and self.current is None:
            return self.records
        if returncode in (-signal.SIGKILL, -signal.SIGXCPU):  # the CPU limit stopped it
            return self._killed_at_deadline()
        raise RunError(f"{self.name}: the Node.js process ended without an outcome ({self._stderr_reason(returncode)})")

    def _killed_at_deadline(self) -> list[dict[str, Any]]:
        _kill(self.process)
        if self.current is None:  # every run had ended; only the goodbye was late
            return self.records
        record = self.current
        record["timed_out"] = True
        return [*self.records, record]

    def _stdout(self, chunk: bytes) -> None:
        self.stdout_bytes += len(chunk)
        if self.stdout_bytes > MAX_RECORD_BYTES:
            self._stop(f"the Node.js process wrote more than {MAX_RECORD_BYTES // (1024 * 1024)} MiB")
        # Split on b"\n" only: U+2028, U+2029 and U+0085 inside a line are text, not line ends.
        *complete, self.pending = (self.pending + chunk).split(b"\n")
        for line in complete:
            self._event(line)
        if len(self.pending) > MAX_LINE_BYTES:
            self._stop("a line of more than 1 MiB from the Node.js process")

    def _stderr(self, chunk: bytes) -> None:
        self.stderr_bytes += len(chunk)
        self.stderr_tail = (self.stderr_tail + chunk)[-STDERR_KEPT:]
        if self.stderr_bytes > MAX_STDERR_BYTES:
            self._stop(f"the Node.js process wrote more than {MAX_STDERR_BYTES // 1024} KiB to stderr")

    def _event(self, line: bytes) -> None:
        if not line.startswith(self.prefix):
            self._stop("unexpected output from the Node.js process")
        try:
            event = json.loads(line[len(self.prefix):])
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._stop("unreadable output from the Node.js process")
        if not isinstance(event, dict):
            self._stop("unreadable output from the Node.js process")
        kind, data = event.get("event"), event.get("data")
        if kind == "done":
            self.done = True
            return
        if kind == "ready":
            self.ready = True
            return
        if kind == "coverage" and event.get("run") is None and self.current is None:
            self.coverage = data if isinstance(data, dict) else {"error": "unreadable coverage"}
            return
        if kind == "host_error":
            self._stop(f"the runner failed ({printable(str(data))[:200]})")
        if self.current is None or event.get("run") != len(self.records):
            self._stop("output for a run that is not running")
        assert self.current is not None
        if kind in _LISTS:
            self.current[_LISTS[kind]].append(data)
        elif kind == "end" and isinstance(data, dict):
            self.current.update({k: v for k, v in data.items() if k in _END_KEYS})
            self.records.append(self.current)
            self.current = _new_record(self.jobs[len(self.records)]) if len(self.records) < len(self.jobs) else None
        else:
            self._stop(f"unknown event {printable(str(kind))[:40]!r} from the Node.js process")

    def _stop(self, why: str) -> None:
        _kill(self.process)
        raise RunError(f"{self.name}: {why}; stopped")

    def _stderr_reason(self, returncode: int) -> str:
        lines = [line.strip() for line in self.stderr_tail.decode("utf-8", "replace").split("\n") if line.strip()]
        fatal = [line for line in lines if "FATAL ERROR" in line or "out of memory" in line]  # V8's own verdict, not a frame
        chosen = fatal[0] if fatal else lines[-1] if lines else f"exit status {returncode}"
        return printable(chosen)[:200]


def printable(text: str) -> str:
    """``text`` safe for a terminal: control, format and separator characters escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """The whole process group (``unshare``, Node, anything Node left behind)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    process.wait()
    for stream in (process.stdout, process.stderr, process.stdin):
        if stream is not None and not stream.closed:
            stream.close()


def _limits(cpu_seconds: float) -> Any:
    def apply() -> None:
        for limit, value in (
            (resource.RLIMIT_FSIZE, MAX_FILE_BYTES),
            (resource.RLIMIT_CPU, int(cpu_seconds) + 2),
            (resource.RLIMIT_DATA, MEMORY_BYTES),
            (resource.RLIMIT_AS, ADDRESS_SPACE_BYTES),
            (resource.RLIMIT_CORE, 0),
            (resource.RLIMIT_NOFILE, 256),
        ):
            resource.setrlimit(limit, (value, value))

    return apply

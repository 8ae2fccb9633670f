"""The generic executor: runs a plan's steps as a dependency graph.

It knows no resource type. Each step gives a ``Job`` (its scheduling facts) and a runner
(the resource type's operations) carries it out:

- independent steps run concurrently, up to ``max_workers`` (the API client paces them);
- ``last`` jobs (the remove phase) start only when every other job has succeeded;
- on the first failure, or when ``stop`` is set (Ctrl-C, a lost lease), no new job starts;
- a strict pair (``follows``): the follower runs in the same worker right after its
  leader, and always runs once its leader succeeded, even while stopping, so a started
  hand-over is never left half done;
- ``guard`` runs just before a step (hooks re-read the trigger before an enable) and may
  refuse it by raising;
- a step with a ``wait`` is polled after its request until done, bounded by its timeout.

What was done and what was not is reported; a re-run converges.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from reconciler.core.steps import Job, Schedulable
from reconciler.errors import ApplyError, ReconcilerError

S = TypeVar("S", bound=Schedulable)

# Threads for steps waiting on the server at once, beside the request workers.
MAX_POLLING_THREADS = 128


class Results:
    """What earlier steps returned (a created resource's id, say), by step index."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[int, Any] = {}

    def put(self, index: int, value: Any) -> None:
        with self._lock:
            self._values[index] = value

    def get(self, index: int | None) -> Any:
        with self._lock:
            return self._values.get(index) if index is not None else None


class Runner(Protocol[S]):  # type: ignore[misc]
    """A resource type's operations, as the executor calls them."""

    def guard(self, step: S, results: Results) -> None: ...
    def run(self, step: S, results: Results) -> Any: ...
    def done(self, step: S, started: Any, results: Results) -> bool: ...


@dataclass(frozen=True)
class StepFailure(Generic[S]):
    step: S
    message: str


@dataclass
class ApplyReport(Generic[S]):
    done: list[S] = field(default_factory=list)
    failed: list[StepFailure[S]] = field(default_factory=list)
    not_run: list[S] = field(default_factory=list)
    interrupted: bool = False  # stopped by ``stop`` rather than by a failure

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_run


StepCallback = Callable[[Any, str], None]  # (step, "start" | "done" | "failed")


def execute(
    steps: Sequence[S],
    runner: Runner[S],
    *,
    max_workers: int = 8,
    on_step: StepCallback | None = None,
    stop: threading.Event | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    job_of: Callable[[S], Job] | None = None,
) -> ApplyReport[S]:
    """Run every step with ``runner``. Setting ``stop`` lets steps in flight and started
    strict pairs finish, and starts nothing new. ``job_of``: the scheduling facts of a step
    when the step alone cannot tell them (default: ``step.job()``)."""
    run = _Run(steps, runner, max_workers, on_step or (lambda step, event: None), sleep, clock, job_of)
    return run.run(stop or threading.Event())


class _Run(Generic[S]):
    """One execution: a ready queue fed by dependency counts (Kahn's algorithm), so each
    step is looked at a bounded number of times however large the plan."""

    def __init__(
        self, steps: Sequence[S], runner: Runner[S], max_workers: int, on_step: StepCallback,
        sleep: Callable[[float], None], clock: Callable[[], float],
        job_of: Callable[[S], Job] | None,
    ) -> None:
        self.steps: Mapping[int, S] = {step.index: step for step in steps}
        job_of = job_of or (lambda step: step.job())  # type: ignore[attr-defined]
        self.jobs: Mapping[int, Job] = {step.index: job_of(step) for step in steps}
        self.runner = runner
        self.results = Results()
        self.max_workers = max(1, max_workers)
        self.on_step, self.sleep, self.clock = on_step, sleep, clock
        self.lock = threading.Condition()
        self.report: ApplyReport[S] = ApplyReport()
        self.stopped = False
        self.pending = set(self.steps)  # not claimed by a worker yet
        self.running = 0  # steps sending requests: at most ``max_workers``
        self.polling = 0  # steps waiting on the server (a build): they hold no request slot
        self.waiting = {i: len(set(job.after)) for i, job in self.jobs.items()}
        self.dependents: dict[int, list[int]] = defaultdict(list)
        for job in self.jobs.values():
            for before in set(job.after):
                self.dependents[before].append(job.index)
        self.before_last = sum(1 for job in self.jobs.values() if not job.last)
        self.held: list[int] = []  # ``last`` jobs ready but for the barrier
        self.ready: list[tuple[bool, int]] = []  # heap: ``first`` jobs first, then by index
        self.follower = {job.follows: i for i, job in self.jobs.items() if job.follows is not None}
        for index, count in self.waiting.items():
            if count == 0:
                self._release(index)

    # -- scheduling (all under self.lock) ---------------------------------------------

    def _release(self, index: int) -> None:
        job = self.jobs[index]
        if job.last and self.before_last:
            self.held.append(index)
        else:
            heapq.heappush(self.ready, (not job.first, index))

    def _claim(self, index: int) -> None:
        self.pending.discard(index)
        self.running += 1

    def _finish(self, index: int) -> int | None:
        """Record a success; return the follower if this worker should run it now."""
        if not self.jobs[index].last:
            self.before_last -= 1
            if self.before_last == 0:
                for held in self.held:
                    self._release(held)
                self.held.clear()
        follower = self.follower.get(index)
        handed = None
        for dependent in self.dependents[index]:
            self.waiting[dependent] -= 1
            if self.waiting[dependent] == 0:
                if dependent == follower:
                    handed = dependent  # even when stopped: a started pair is finished
                else:
                    self._release(dependent)
        if handed is not None:
            self._claim(handed)
        return handed

    def run(self, stop: threading.Event) -> ApplyReport[S]:
        # A polled step (an Actions build) sleeps between its polls without holding one of the
        # ``max_workers`` request slots, so 20 builds wait side by side rather than 8 at a time;
        # the pool has a thread for each of them (the rate limiter still paces every request).
        polled = sum(1 for job in self.jobs.values() if job.wait is not None)
        threads = self.max_workers + min(polled, MAX_POLLING_THREADS)
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="apply") as pool, self.lock:
            while True:
                if stop.is_set() and not self.stopped:
                    self.stopped = self.report.interrupted = True
                while self.ready and not self.stopped and self.running < self.max_workers:
                    _, index = heapq.heappop(self.ready)
                    self._claim(index)
                    pool.submit(self._work, index)
                if not self.running and not self.polling:
                    break  # all done, or stopped and drained
                # A timeout, so a stop set from a signal handler is seen promptly.
                self.lock.wait(0.2)
        self.report.not_run = [self.steps[i] for i in sorted(self.pending)]
        self.report.done.sort(key=lambda s: s.index)
        return self.report

    def _work(self, index: int | None) -> None:
        while index is not None:
            ok = self._run_step(self.steps[index])
            with self.lock:
                self.running -= 1
                if ok:
                    index = self._finish(index)
                else:
                    self.stopped = True
                    index = None
                self.lock.notify_all()

    # -- one step ---------------------------------------------------------------------

    def _run_step(self, step: S) -> bool:
        try:
            # Inside the try: a callback that raises must fail the step, not kill the worker
            # (which would leave the run waiting for it forever).
            self.on_step(step, "start")
            self.runner.guard(step, self.results)
            started = self.runner.run(step, self.results)
            self._wait(step, started)
            self.results.put(step.index, started)
        except ReconcilerError as error:
            return self._failed(step, str(error))
        except Exception as error:  # an unexpected bug must still stop the run cleanly
            return self._failed(step, f"{error.__class__.__name__}: {error}")
        with self.lock:
            self.report.done.append(step)
        self.on_step(step, "done")
        return True

    def _failed(self, step: S, message: str) -> bool:
        with self.lock:
            self.report.failed.append(StepFailure(step, message))
        self.on_step(step, "failed")
        return False

    def _wait(self, step: S, started: Any) -> None:
        """Poll an asynchronous step until done; bounded by its ``wait.timeout``. While it
        waits, its request slot is free for other steps."""
        wait = self.jobs[step.index].wait
        if wait is None:
            return
        with self.lock:
            self.running -= 1
            self.polling += 1
            self.lock.notify_all()
        try:
            self._poll(step, started, wait)
        finally:
            with self.lock:
                self.polling -= 1
                self.running += 1

    def _poll(self, step: S, started: Any, wait: Any) -> None:
        deadline = self.clock() + wait.timeout
        while not self.runner.done(step, started, self.results):
            if self.clock() >= deadline:
                raise ApplyError(f"step {step.index + 1}: not finished after {wait.timeout:g}s")
            self.sleep(max(0.0, min(wait.interval, deadline - self.clock())))


class Dispatch:
    """A runner for a plan of several resource types: each step goes to its type's runner."""

    def __init__(self, runners: Mapping[str, Runner[Any]]) -> None:
        self.runners = dict(runners)

    def _of(self, step: Any) -> Runner[Any]:
        runner = self.runners.get(step.type)
        if runner is None:
            raise ApplyError(f"step {step.index + 1}: no operations for resource type {step.type!r}")
        return runner

    def guard(self, step: Any, results: Results) -> None:
        self._of(step).guard(step, results)

    def run(self, step: Any, results: Results) -> Any:
        return self._of(step).run(step, results)

    def done(self, step: Any, started: Any, results: Results) -> bool:
        return self._of(step).done(step, started, results)

    def undo(self, step: Any, results: Results) -> None:
        """Reverse a step that succeeded (a cutover's disable whose bind failed), when its
        type can; else :class:`ApplyError`."""
        undo = getattr(self._of(step), "undo", None)
        if undo is None:
            raise ApplyError(f"step {step.index + 1}: type {step.type!r} cannot undo it")
        undo(step, results)

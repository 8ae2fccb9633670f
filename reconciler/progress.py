"""Apply progress: a live bar on a terminal, plain lines in CI logs (as Terraform does); on a
terminal the same lines print above the bar, so the list of what was done stays.

Off a terminal every finished request gets one line with its elapsed time, and while
requests are in flight a "Still running" line appears at least every ``interval`` seconds,
so a CI job that waits on a slow or rate-limited tenant never looks hung. On a terminal the
bar names the step that just finished. Both are driven by ``apply.execute``'s ``on_step``
callback, which worker threads call concurrently.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from reconciler.text import step_label

if TYPE_CHECKING:
    from reconciler.core.executor import StepCallback
    from reconciler.core.steps import Step

STILL_RUNNING_EVERY = 10.0  # seconds, Terraform's interval


Notes = Mapping[tuple[str, str, str], str]  # (type, key, operation) -> words after the step


def _name(step: Step, notes: Notes | None = None) -> str:
    note = (notes or {}).get((getattr(step, "type", "hook"), step.key, step.operation))
    return f"{step_label(step)} ({note})" if note else step_label(step)


class LineReporter:
    """The CI form: one line per finished step, and ``tick()`` for the still-running line."""

    def __init__(self, total: int, *, echo: Callable[[str], None] = click.echo,
                 clock: Callable[[], float] = time.monotonic, notes: Notes | None = None) -> None:
        self.total = total
        self.notes = notes  # a cutover's two requests say so (``resources.cutover.step_notes``)
        self._echo, self._clock = echo, clock
        self._lock = threading.Lock()
        self._started_at = clock()
        self._running: dict[int, tuple[Step, float]] = {}
        self._finished = 0

    def on_step(self, step: Step, event: str) -> None:
        with self._lock:
            if event == "start":
                self._running[step.index] = (step, self._clock())
                return
            _, began = self._running.pop(step.index, (step, self._clock()))
            self._finished += 1
            outcome = "done" if event == "done" else "FAILED"
            self._echo(
                f"[{self._finished}/{self.total}] {_name(step, self.notes)}: {outcome} after {self._clock() - began:.1f}s"
            )

    def tick(self) -> None:
        """One "Still running" line naming what is in flight (nothing when nothing is)."""
        with self._lock:
            if not self._running:
                return
            now = self._clock()
            running = sorted(self._running.values(), key=lambda item: item[1])
            shown = ", ".join(f"{_name(step, self.notes)} ({now - began:.0f}s)" for step, began in running[:5])
            more = f" and {len(running) - 5} more" if len(running) > 5 else ""
            self._echo(
                f"Still running... [{now - self._started_at:.0f}s elapsed, "
                f"{self._finished}/{self.total} done] {shown}{more}"
            )


@contextmanager
def _ticking(reporter: LineReporter, interval: float) -> Iterator[None]:
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(interval):
            reporter.tick()

    thread = threading.Thread(target=run, name="apply-still-running", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextmanager
def progress_bar(
    total: int, *, enabled: bool | None = None, color: bool = True, interval: float = STILL_RUNNING_EVERY,
    notes: Notes | None = None,
) -> Iterator[StepCallback]:
    """Yields the ``on_step`` callback for ``apply.execute``. ``enabled``: draw the bar (default:
    when stdout is a terminal); otherwise print lines. ``notes``: words after some steps' names."""
    if total == 0:
        yield lambda step, event: None
        return
    if enabled is None:
        enabled = sys.stdout.isatty()
    if not enabled:
        reporter = LineReporter(total, notes=notes)
        with _ticking(reporter, interval):
            yield reporter.on_step
        return
    with _bar(total, color, notes) as on_step:
        yield on_step


@contextmanager
def _bar(total: int, color: bool, notes: Notes | None) -> Iterator[StepCallback]:
    # rich loads only here: start-up of every other command stays fast.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[bold]Applying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=False, no_color=not color),
        transient=False,
    )
    task = progress.add_task("", total=total)
    lock = threading.Lock()
    # The same lines as off a terminal, printed above the bar: when the bar is gone, the
    # list of what the apply did stays on the screen. No markup: step names come from configs.
    lines = LineReporter(total, echo=lambda line: progress.console.print(line, markup=False, highlight=False),
                         notes=notes)

    def on_step(step: Step, event: str) -> None:
        lines.on_step(step, event)
        if event == "start":
            return
        with lock:
            word = "done" if event == "done" else "failed"
            progress.update(task, advance=1, description=f"{word}: {_name(step, notes)}")

    with progress:
        yield on_step

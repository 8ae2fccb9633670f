"""A live progress bar for apply: shown on a terminal, silent otherwise (CI logs stay clean)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reconciler.apply import StepCallback
from reconciler.plan import Step


@contextmanager
def progress_bar(total: int, *, enabled: bool | None = None) -> Iterator[StepCallback]:
    """Yields the ``on_step`` callback for ``apply.execute``."""
    if enabled is None:
        enabled = sys.stdout.isatty()
    if not enabled or total == 0:
        yield lambda step, event: None
        return
    progress = Progress(
        TextColumn("[bold]Applying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=False),
        transient=False,
    )
    task = progress.add_task("", total=total)

    def on_step(step: Step, event: str) -> None:
        if event == "start":
            progress.update(task, description=f"{step.action} {step.hook}")
        else:
            progress.advance(task)

    with progress:
        yield on_step

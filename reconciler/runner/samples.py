"""Events to run scripts on: built-in samples per trigger, the config's own, or a file.

Events are in the Actions shape (Auth0's event object); the harness derives a hook's
arguments from the same event, so a hook and its action are fed identical input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from reconciler.errors import EventError

MAX_EVENT_BYTES = 256 * 1024


@dataclass(frozen=True)
class Sample:
    name: str
    event: Mapping[str, Any]


@lru_cache(maxsize=1)
def _builtin() -> dict[str, tuple[Sample, ...]]:
    data = json.loads(resources.files("reconciler.runner").joinpath("samples.json").read_text("utf-8"))
    return {trigger: tuple(Sample(s["name"], s["event"]) for s in items) for trigger, items in data.items()}


def builtin_samples(trigger: str) -> tuple[Sample, ...]:
    return _builtin().get(trigger, ())


def read_event(path: str | Path) -> Sample:
    """One event from a JSON file: an object, at most 256 kB."""
    file = Path(path)
    try:
        if not file.is_file():
            raise EventError(f"{file}: not a regular file")
        if file.stat().st_size > MAX_EVENT_BYTES:
            raise EventError(f"{file}: event file is larger than {MAX_EVENT_BYTES // 1024} kB")
        data = json.loads(file.read_text("utf-8"))
    except OSError as error:
        raise EventError(f"{file}: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EventError(f"{file}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise EventError(f"{file}: an event must be a JSON object, got {type(data).__name__}")
    return Sample(file.stem, data)


def config_samples(config_dir: str | Path, trigger: str) -> tuple[Sample, ...]:
    """The config's own events for a trigger: ``tests/events/<trigger>/*.json``, each of which
    must stay inside the config once symlinks are resolved (a config is someone else's input:
    a link to ``~/.aws/credentials`` is not an event)."""
    root = Path(config_dir).resolve()
    folder = Path(config_dir) / "tests" / "events" / trigger
    if not folder.is_dir():
        return ()
    samples = []
    for path in sorted(folder.glob("*.json")):
        if not path.resolve().is_relative_to(root):
            raise EventError(f"{path}: links outside the config directory; event files must be inside it")
        samples.append(read_event(path))
    return tuple(samples)

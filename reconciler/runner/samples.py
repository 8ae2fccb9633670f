"""Events to run scripts on: built-in samples per trigger, the config's own, or a file.

Events are in the Actions shape (Auth0's event object); the harness derives a hook's
arguments from the same event, so a hook and its action are fed identical input.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

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


def _read_json(file: Path, what: str) -> Any:
    """A JSON file of at most 256 kB, or one ``EventError`` line naming it."""
    try:
        if not file.is_file():
            raise EventError(f"{file}: not a regular file")
        if file.stat().st_size > MAX_EVENT_BYTES:
            raise EventError(f"{file}: {what} file is larger than {MAX_EVENT_BYTES // 1024} kB")
        return json.loads(file.read_text("utf-8"))
    except OSError as error:
        raise EventError(f"{file}: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EventError(f"{file}: not valid JSON ({error})") from None


def read_event(path: str | Path) -> Sample:
    """One event from a JSON file: an object, at most 256 kB."""
    file = Path(path)
    data = _read_json(file, "event")
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


MAX_ANSWERS = 50


@dataclass(frozen=True)
class Answers:
    """Scripted answers for a proof's outbound calls: ``[{"url", "status", "body"} | {"url", "error"}]``."""

    name: str
    answers: tuple[Mapping[str, Any], ...]


def read_answers(path: str | Path) -> Answers:
    """One ``tests/answers/<trigger>/<name>.json``: ``{"answers": [...]}``, checked field by field."""
    file = Path(path)
    data = _read_json(file, "answers")
    items = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(items, list) or len(items) > MAX_ANSWERS:
        raise EventError(f"{file}: answers: must be a list of at most {MAX_ANSWERS} objects")
    for i, item in enumerate(items):
        where = f"{file}: answers[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("url"), str) or not item["url"]:
            raise EventError(f"{where}.url: must be a non-empty string (a part of the called URL)")
        if "error" in item:
            if not isinstance(item["error"], str) or len(item["error"]) > 64:
                raise EventError(f"{where}.error: must be an error code such as ECONNREFUSED")
        elif not isinstance(item.get("status", 200), int) or not 100 <= item.get("status", 200) <= 599:
            raise EventError(f"{where}.status: must be an HTTP status, 100-599")
    return Answers(file.stem, tuple(items))


def config_answers(config_dir: str | Path, trigger: str) -> tuple[Answers, ...]:
    """The config's scripted answers for a trigger: ``tests/answers/<trigger>/*.json``."""
    root = Path(config_dir).resolve()
    folder = Path(config_dir) / "tests" / "answers" / trigger
    if not folder.is_dir():
        return ()
    answers = []
    for path in sorted(folder.glob("*.json")):
        if not path.resolve().is_relative_to(root):
            raise EventError(f"{path}: links outside the config directory; answers files must be inside it")
        answers.append(read_answers(path))
    return tuple(answers)

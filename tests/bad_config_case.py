"""One bad-config case, ready to run: what the corpus runner (``bad_config_corpus.py``) and
each kind's generated cases (``resources/<kind>/bad_configs_generated.py``) hand over."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class BadConfig:
    name: str
    config: Path  # what to pass to -c
    expect: tuple[str, ...]  # substrings the output must contain
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()

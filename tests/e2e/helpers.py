"""Helpers for end-to-end tests: write a config directory, run the CLI against an emulator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from click.testing import CliRunner

from reconciler.cli import cli


@dataclass
class Run:
    exit_code: int
    output: str


def run_cli(args: list[str], env: Mapping[str, str]) -> Run:
    result = CliRunner().invoke(cli, args, env=dict(env), catch_exceptions=False)
    return Run(result.exit_code, result.output)


def live_hooks(emulator: Any) -> dict[str, dict[str, Any]]:
    """The tenant as the emulator holds it (with secret values), keyed by hook name."""
    state = emulator.state()
    hooks = state["hooks"] if isinstance(state, dict) else state
    if isinstance(hooks, dict):
        hooks = list(hooks.values())
    return {hook["name"]: hook for hook in hooks}

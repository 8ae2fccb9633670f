"""Helpers for end-to-end tests: write a config directory, run the CLI against an emulator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.lease import LEASE_NAME


@dataclass
class Run:
    exit_code: int
    output: str


def run_cli(args: list[str], env: Mapping[str, str | None]) -> Run:
    result = CliRunner().invoke(cli, args, env=dict(env), catch_exceptions=False)
    return Run(result.exit_code, result.output)


def live_hooks(emulator: Any, *, with_lease: bool = False) -> dict[str, dict[str, Any]]:
    """The tenant as the emulator holds it (with secret values), keyed by hook name.

    The apply lease's marker hook is tooling, not config: left out unless ``with_lease``
    (a SIGKILLed apply leaves it behind until it expires)."""
    state = emulator.state()
    hooks = state["hooks"] if isinstance(state, dict) else state
    if isinstance(hooks, dict):
        hooks = list(hooks.values())
    return {hook["name"]: hook for hook in hooks if with_lease or hook["name"] != LEASE_NAME}

"""The command line: thin click commands that parse, call the use cases, print, and exit.

The commands live in ``reconciler.commands`` (one module per group of commands); this module
only assembles them. Start-up matters (every CI step and shell completion starts a process),
so only click and the settings are imported here; each command imports what it uses.
"""

from __future__ import annotations

import click

from reconciler import __version__
from reconciler.commands.config import schema, validate
from reconciler.commands.github import comment
from reconciler.commands.reconcile import apply, plan
from reconciler.commands.export import export
from reconciler.commands.tenant import demo, unlock
from reconciler.commands.tools import migrate, run_command
from reconciler.terminal import Lazy, ReconcilerGroup, no_color_option


@click.group(cls=ReconcilerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@no_color_option
def cli() -> None:
    """Declarative GitOps reconciler for Auth0 Actions and Hooks."""


# The emulator's server takes ~50 ms to import: only `reconciler emulator` pays for it.
cli.add_command(Lazy("emulator", "reconciler.emulator.command:emulator",
                      "Run a local emulator of the Auth0 Management API (Actions and Hooks)."))
for _command in (validate, schema, comment, plan, apply, unlock, export, demo, run_command, migrate):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="reconciler")

"""The command line: thin click commands that parse, call one function, print, and exit."""

from __future__ import annotations

import click

from reconciler import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
def cli() -> None:
    """Declarative GitOps reconciler for Auth0 Hooks."""


from reconciler.emulator.command import emulator as _emulator_command  # noqa: E402

cli.add_command(_emulator_command)


def main() -> None:
    cli(prog_name="reconciler")

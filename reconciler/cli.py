"""The command line: thin click commands that parse, call the use cases, print, and exit.

The commands live in ``reconciler.commands`` (one module per group of commands); this module
only assembles them. Start-up matters (every CI step and shell completion starts a process),
so only click is imported here; each command's module loads when that command runs.
"""

from __future__ import annotations

import click

from reconciler import __version__
from reconciler.terminal import Lazy, ReconcilerGroup, no_color_option


@click.group(cls=ReconcilerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@no_color_option
def cli() -> None:
    """Declarative GitOps reconciler for Auth0 Actions and Hooks."""


# The emulator's server takes ~50 ms to import: only `reconciler emulator` pays for it.
cli.add_command(Lazy("emulator", "reconciler.emulator.command:emulator",
                      short_help="Run a local emulator of the Auth0 Management API (Actions and Hooks)."))
# Each command's module loads only when that command runs (or shows its own --help); the
# list shows the first paragraph of its docstring, which tests/test_cli_terminal.py keeps equal.
COMMANDS = {
    "validate": ("reconciler.commands.config:validate",
                 "Check the config offline, like `terraform validate`: JSON Schema and semantic rules."),
    "schema": ("reconciler.commands.config:schema",
               "Print a JSON Schema for editors: hook metadata (default), an action, or triggers.json."),
    "comment": ("reconciler.commands.github:comment",
                "Post the saved plan as one sticky pull-request comment (edited in place on re-runs)."),
    "plan": ("reconciler.commands.reconcile:plan", "Show what apply would change."),
    "apply": ("reconciler.commands.reconcile:apply",
              "Plan and apply the config, or apply a saved PLAN_FILE if it is still exactly what the "
              "config and the tenant produce."),
    "show": ("reconciler.commands.reconcile:show",
             "Print a saved plan (`plan --out FILE`), as `terraform show` does."),
    "unlock": ("reconciler.commands.tenant:unlock",
               "Remove the tenant lease left by a killed apply (like `terraform force-unlock`)."),
    "export": ("reconciler.commands.export:export",
               "Write the live actions, trigger bindings and hooks as a config directory (secrets as "
               "##KEY## keywords)."),
    "demo": ("reconciler.commands.tenant:demo",
             "Plan and apply CONFIG against a throwaway local emulator: no tenant needed."),
    "run": ("reconciler.commands.tools:run_command",
            "Run a hook or an action of the config locally in Node.js (offline) and print what it did."),
    "migrate": ("reconciler.commands.tools:migrate",
                "Hooks to Actions: a diff of the new actions and bindings (stdout), one report line per "
                "hook (stderr)."),
}
for _name, (_target, _summary) in COMMANDS.items():
    cli.add_command(Lazy(_name, _target, summary=_summary))


def main() -> None:
    cli(prog_name="reconciler")

"""What every command's ``--help`` ends with: the environment it reads and an example.

Kept in one table so every command has both (a test walks the command list), and so a
command module only declares its flags. ``finish_help`` is applied by the command group
when a command is resolved, which also gives every command ``--no-color``.
"""

from __future__ import annotations

import click

from reconciler.variables import CONNECTION_VARS, KEYWORD_VARS, PLAN_VARS, TERMINAL_VARS

ENVIRONMENT_HEADING = "Environment"
EXAMPLES_HEADING = "Examples"

# The variables each command reads. Flags win over them, and they win over --config-file.
ENVIRONMENT: dict[str, tuple[str, ...]] = {
    "validate": (*KEYWORD_VARS, *TERMINAL_VARS),
    "schema": TERMINAL_VARS,
    "plan": (*CONNECTION_VARS, *KEYWORD_VARS, *PLAN_VARS, *TERMINAL_VARS),
    "apply": (*CONNECTION_VARS, *KEYWORD_VARS, *PLAN_VARS, *TERMINAL_VARS),
    "comment": ("GITHUB_TOKEN (or the variable named by --token-env)", "GITHUB_REPOSITORY",
                "GITHUB_EVENT_PATH", "GITHUB_API_URL", "GITHUB_SHA", "GITHUB_SERVER_URL", "GITHUB_RUN_ID",
                "AUTH0_DOMAIN (the tenant's host, named in a comment without a plan)", *TERMINAL_VARS),
    "show": TERMINAL_VARS,
    "unlock": (*CONNECTION_VARS, *TERMINAL_VARS),
    "export": (*CONNECTION_VARS, *KEYWORD_VARS, *TERMINAL_VARS),  # known values go back as ##KEY##
    "demo": (*KEYWORD_VARS, *TERMINAL_VARS),
    # run and migrate never take keyword values from the environment by themselves: the
    # scripts they run get dummies unless a flag names a keyword to fill for real.
    "run": ("AUTH0_KEYWORD_REPLACE_MAPPINGS (only keywords a flag names)", "RECONCILER_RUN_KEYWORDS",
            "RECONCILER_RUNNER_WITHOUT_NAMESPACES", *TERMINAL_VARS),
    "migrate": ("AUTH0_KEYWORD_REPLACE_MAPPINGS (only keywords a flag names)", "RECONCILER_RUNNER_WITHOUT_NAMESPACES", *TERMINAL_VARS),
    "emulator": TERMINAL_VARS,
}

EXAMPLES: dict[str, tuple[str, ...]] = {
    "validate": ("reconciler validate -c tenant-config --strict",
                 "reconciler validate --require-keywords   # in a CI job that has the keyword values"),
    "schema": ("reconciler schema action > .vscode/action.schema.json",),
    "plan": ("reconciler plan -c tenant-config",
             "reconciler plan --out plan.json --format markdown   # save it for `apply plan.json`",
             "reconciler plan --detailed-exitcode                 # exit 2 when there are changes"),
    "apply": ("reconciler apply                 # plan, ask 'yes', apply",
              "reconciler apply plan.json --yes # apply a saved, reviewed plan exactly"),
    "show": ("reconciler show plan.json", "reconciler show plan.json --format markdown"),
    "comment": ("reconciler comment --tenant prod --plan plan.json",
                "reconciler comment --tenant prod --plan plan.json --dry-run   # print the body"),
    "unlock": ("reconciler unlock        # asks before removing the lease a killed apply left",
               "reconciler unlock --yes"),
    "export": ("reconciler export -o exported-config",),
    "demo": ("reconciler demo",),
    "run": ("reconciler run add-profile-claims",
            "reconciler run add-profile-claims --event my-event.json",
            "reconciler run notify-slack-on-signup --answers slack-down.json   # its outbound calls answered so",
            "reconciler run add-api-claims --keyword-value CLAIM_NAMESPACE   # its real value, masked"),
    "migrate": ("reconciler migrate                 # show the actions each hook becomes",
                "reconciler migrate --check         # prove each action behaves as its hook",
                "reconciler migrate --write --check # write them, then prove what was written"),
    "emulator": ("reconciler emulator --port 8787",
                 "AUTH0_DOMAIN=http://127.0.0.1:8787 AUTH0_CLIENT_ID=emulator AUTH0_CLIENT_SECRET=emulator-secret reconciler plan"),
}


def _section(heading: str, lines: tuple[str, ...]) -> str:
    # \b keeps click from re-wrapping the block.
    return "\b\n" + heading + ":\n  " + "\n  ".join(lines)


def finish_help(command: click.Command, no_color: click.Option) -> click.Command:
    """Give ``command`` ``--no-color`` and an epilog naming its environment and examples
    (once; a command's own environment epilog is replaced by the table's)."""
    if getattr(command, "_manual_done", False):
        return command
    name = command.name or ""
    if not any("--no-color" in getattr(param, "opts", ()) for param in command.params):
        command.params.append(no_color)
    sections = []
    if name in ENVIRONMENT:
        has_file = any("--config-file" in getattr(param, "opts", ()) for param in command.params)
        order = "flags win over it, and it wins over --config-file" if has_file else "flags win over it"
        sections.append(_section(f"{ENVIRONMENT_HEADING} ({order})", ENVIRONMENT[name]))
    elif command.epilog:
        sections.append(command.epilog)
    if name in EXAMPLES:
        sections.append(_section(EXAMPLES_HEADING, EXAMPLES[name]))
    command.epilog = "\n\n".join(sections) or None
    command._manual_done = True  # type: ignore[attr-defined]  # a marker on click's object
    return command

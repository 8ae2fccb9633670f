"""``export``: the live hooks, actions and trigger bindings as a config directory.

Each half is read only when the tenant serves it: a tenant without Actions (403
``feature_not_enabled``) exports hooks alone, a tenant without Hooks exports actions alone,
each with a note. Every file either half would replace is checked before anything is written,
so a refused export writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from reconciler.commands.common import client_for, connection_options, fail, report_errors
from reconciler.config import CONNECTION_VARS, TERMINAL_VARS
from reconciler.errors import AuthError, ReconcilerError, hooks_unavailable
from reconciler.terminal import env_help, run_settings


NO_HOOKS = "this tenant has no Hooks"
NO_ACTIONS = "this tenant has no Actions (403 feature_not_enabled)"
NO_ACTIONS_SCOPE = "the client lacks scope read:actions"


def _try(read: Callable[[], Any], unavailable: Callable[[Exception], bool]) -> Any:
    """``read()``, or None when the tenant does not serve that half."""
    try:
        return read()
    except ReconcilerError as error:
        if unavailable(error):
            return None
        raise


def _no_hooks(error: Exception) -> bool:
    return hooks_unavailable(error)


def _no_actions(error: Exception) -> bool:
    from reconciler.api.action_errors import ActionsUnavailableError

    return isinstance(error, ActionsUnavailableError)


@click.command(epilog=env_help(*CONNECTION_VARS, *TERMINAL_VARS))
@click.option("-o", "--output", default="exported-config", show_default=True, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace files that already exist in OUTPUT (hooks/, actions/, triggers/).")
@connection_options
@report_errors
def export(output: str, force: bool, domain: str | None, client_id: str | None, audience: str | None,
           config_file: str | None) -> None:
    """Write the live hooks, actions and trigger bindings as a config directory (secrets as
    ##KEY## keywords)."""
    from reconciler.resources.actions import export as actions_export
    from reconciler.resources.actions.live import read_live_actions
    from reconciler.resources.export_files import refuse_existing
    from reconciler.resources.hooks import export as hooks_export
    from reconciler.usecases import read_live

    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience)
    with client_for(settings) as client:
        hooks = _try(lambda: read_live(client), _no_hooks)
        try:
            actions, skipped = _try(lambda: read_live_actions(client, (), every_trigger=True), _no_actions), NO_ACTIONS
        except AuthError as error:
            if hooks is None or error.status != 403:
                raise
            # A read:hooks-only client exported hooks before Actions existed: it still does.
            actions, skipped = None, NO_ACTIONS_SCOPE
    if hooks is None and actions is None:
        fail(f"nothing to export: {NO_HOOKS}, and {NO_ACTIONS}")
    if not force:  # both halves checked before either writes
        existing = (hooks_export.existing_files(hooks, output) if hooks is not None else []) + (
            actions_export.existing_files(actions, output) if actions is not None else [])
        refuse_existing(Path(output), existing)
    if actions is not None:
        actions_export.preflight(actions, output, force=force)
    values = settings.keyword_mappings  # known keyword values are written back as ##KEY##
    hooks_result = hooks_export.export_live(hooks, output, values, force=True) if hooks is not None else None
    actions_result = actions_export.export_actions(actions, output, values, force=True) if actions is not None else None
    if hooks_result is not None:
        click.echo(f"Exported {hooks_result.hooks} hooks to {hooks_result.directory}/hooks")
    else:
        click.echo(f"note: {NO_HOOKS}: exported actions only")
    if actions_result is not None:
        click.echo(f"Exported {actions_result.actions} actions to {actions_result.directory}/actions and "
                   f"{actions_result.triggers} trigger lists to {actions_result.directory}/triggers/triggers.json")
    else:
        click.echo(f"note: {skipped}: exported hooks only")
    _notes(hooks_result, actions_result)


def _notes(hooks: Any, actions: Any) -> None:
    for kind, result in (("hook", hooks), ("action", actions)):
        for name, stem in (result.encoded.items() if result is not None else ()):
            files = f"{stem}.json / {stem}.js" if kind == "hook" else f"{stem}.json / {stem}/code.js"
            click.echo(f"note: {kind} {name!r} is not a safe file name; written as {files}")
    if actions is not None:
        for name in actions.marketplace:
            click.echo(f"note: marketplace action {name!r} skipped (installed integrations are not managed)")
        for name in actions.duplicates:
            click.echo(f"note: actions named {name!r} skipped: two actions share the name (rename one)")
        for trigger in actions.held_triggers:
            click.echo(f"note: trigger {trigger} left out of triggers.json: it binds an action whose name is not unique")
        for trigger in actions.entity_bound:
            click.echo(f"note: trigger {trigger} is bound through other entities: its bindings are not exported")
        for name in actions.undeployed_drafts:
            click.echo(f"note: action {name!r} has draft changes that are not deployed: the export holds the draft, "
                       "and applying it deploys that draft")
        for name, renamed in actions.renamed_secrets.items():
            for secret, keyword in renamed.items():
                click.echo(f"note: secret {secret!r} of action {name!r} is not a keyword name; its value is ##{keyword}##")
    keywords = sorted({*(hooks.keywords if hooks else ()), *(actions.keywords if actions else ())})
    if keywords:
        click.echo(
            "Secret values cannot be read from Auth0. Before planning, set these variables "
            "(or put them in AUTH0_KEYWORD_REPLACE_MAPPINGS): " + ", ".join(keywords)
        )
    for kind, result in (("hooks", hooks), ("actions", actions)):
        for keyword, names in (result.shared_keywords.items() if result is not None else ()):
            click.echo(
                f"note: ##{keyword}## is shared by {kind} {', '.join(names)}: one value for all of them "
                f"(rename the keyword in one {kind[:-1]}'s JSON to give it its own value)"
            )
    both = sorted(set(hooks.keywords) & set(actions.keywords)) if hooks and actions else []
    for keyword in both:
        click.echo(f"note: ##{keyword}## is used by hooks and actions alike: one value for both")


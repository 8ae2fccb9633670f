"""Terminal manners shared by every command: the command group, settings, colour, help.

- Usage errors exit 1 (click uses 2, which ``plan --detailed-exitcode`` means "changes").
- Commands listed in ``--help`` load their module only when run (start-up time).
- ``--no-color`` / ``NO_COLOR``; click then strips colour, as it does off a terminal.
- ``run_settings``: the run's one :class:`Settings`, built from flags, ``--config-file`` and
  the process environment (the only place outside tests that reads it).
- The apply confirmation asks for the word ``yes``, as Terraform does.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from reconciler.errors import ApiError, ReconcilerError

if TYPE_CHECKING:  # the settings load when a command runs, not for --help
    from reconciler.config import Settings

_NO_COLOR = "reconciler.no_color"
_SETTINGS = "reconciler.settings"


class ReconcilerGroup(click.Group):
    """Usage errors exit 1, not click's 2: with ``--detailed-exitcode`` 2 means only "changes
    present", and a typo in a flag must never look like that."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:
            error.exit_code = 1  # type: ignore[misc]  # per instance on purpose: click types it ClassVar
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            error.exit_code = 1  # type: ignore[misc]  # per instance on purpose: click types it ClassVar
            raise

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if isinstance(command, Lazy):
            command = command.load()
        if command is not None:
            from reconciler.commands.manual import finish_help  # only for the command being run

            command = finish_help(command, _no_color_param())
        return name, command, rest


def _no_color_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_NO_COLOR] = True  # meta is shared with the subcommand's context
        ctx.color = False


no_color_option = click.option(
    "--no-color", is_flag=True, expose_value=False, callback=_no_color_flag,
    help="No colour (also NO_COLOR=1). Colour is only ever used on a terminal.",
)


def _no_color_param() -> click.Option:
    """A fresh ``--no-color`` option for a command that did not declare one."""
    holder = no_color_option(lambda: None)
    param: click.Option = holder.__click_params__[0]  # type: ignore[attr-defined]
    return param


def env_help(*names: str) -> str:
    """The epilog of a command's --help: the environment variables it reads."""
    return "\b\nEnvironment (flags win over it, and it wins over --config-file):\n  " + "\n  ".join(names)


def config_file_option(function: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--config-file", "--config_file", "config_file", type=click.Path(dir_okay=False),
        help="auth0-deploy-cli's config.json (AUTH0_DOMAIN, AUTH0_KEYWORD_REPLACE_MAPPINGS, "
        "AUTH0_ALLOW_DELETE, ...); environment variables override its keys.",
    )(function)


def run_settings(**flags: Any) -> Settings:
    """The run's one Settings, from flags, --config-file and the environment; applies its colour choice."""
    from reconciler.config import load_settings
    from reconciler.resources.builtin import registry

    ctx = click.get_current_context()
    # The composition root: each registered type's AUTH0_EXCLUDED_<TYPE>, read by settings.
    settings = load_settings(os.environ, no_color=bool(ctx.meta.get(_NO_COLOR)),
                             exclusions=registry().exclusion_settings(), **flags)
    if settings.color is False:
        ctx.color = False
    ctx.meta[_SETTINGS] = settings  # for error hints
    return settings


def runner_opt_ins() -> tuple[tuple[str, ...], bool]:
    """What the environment opts into when scripts run: keyword names `run` may fill with real
    values (``RECONCILER_RUN_KEYWORDS``, comma-separated) and running without Linux namespaces
    (``RECONCILER_RUNNER_WITHOUT_NAMESPACES=1``, the reduced guarantee the README describes)."""
    from reconciler.runner.node import WITHOUT_NAMESPACES

    names = tuple(n.strip() for n in os.environ.get("RECONCILER_RUN_KEYWORDS", "").split(",") if n.strip())
    return names, os.environ.get(WITHOUT_NAMESPACES) == "1"


def tls_hint(error: ReconcilerError) -> str:
    """A host given without a scheme gets https; when TLS fails, say what to try."""
    ctx = click.get_current_context(silent=True)
    settings = ctx.meta.get(_SETTINGS) if ctx else None
    text = str(error).lower()
    if not (isinstance(error, ApiError) and error.status == 0 and settings is not None):
        return ""
    if settings.domain_has_scheme or not any(w in text for w in ("ssl", "tls", "certificate", "handshake")):
        return ""
    host = (settings.domain or "").strip().rstrip("/")
    return (f" (TLS failed: AUTH0_DOMAIN {host!r} was taken as https://{host}; "
            f"for a local emulator use http://{host})")


class Lazy(click.Command):
    """Stands for a command in the command list; its module loads only when it is run.
    ``summary`` is the command's help as the list shortens it; ``short_help`` is shown whole."""

    def __init__(self, name: str, target: str, *, summary: str | None = None, short_help: str | None = None) -> None:
        super().__init__(name, help=summary, short_help=short_help)
        self.target = target

    def load(self) -> click.Command:
        module, _, attr = self.target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command


def interactive() -> bool:
    return sys.stdin.isatty()


def confirm_apply(yes: bool, tenant: str = "") -> None:
    """Terraform's question, naming the tenant: only the word ``yes`` approves."""
    if yes:
        return
    if not interactive():
        raise ReconcilerError("not a terminal: pass --yes to apply without confirmation")
    where = f" to {click.style(tenant, bold=True)}" if tenant else ""
    click.echo(f"\nDo you want to apply these actions{where}?\n  Only 'yes' will be accepted to approve.\n")
    answer = click.prompt("  Enter a value", default="", show_default=False)
    if answer.strip() != "yes":
        raise ReconcilerError("apply cancelled: nothing was changed")

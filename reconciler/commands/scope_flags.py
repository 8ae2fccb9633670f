"""``--only TYPE`` and ``--target NAME``, shared by ``plan`` and ``apply`` (Terraform's
``-target``, deploy-cli's AUTH0_INCLUDED_ONLY). The values are checked by the use cases:
``--only`` before anything is read, ``--target`` against the config and the tenant."""

from __future__ import annotations

from collections.abc import Callable

import click

ONLY_HELP = (
    "Plan (and apply) only this resource type: actions (with their trigger bindings) or hooks; "
    "repeatable. Other types are not read nor written, and the plan says so."
)
TARGET_HELP = (
    "Plan (and apply) only this resource and what it needs to be applied safely (its trigger "
    "lists, a hook hand-over, a cutover): TYPE:NAME (actions:NAME, hooks:NAME) or a NAME "
    "unambiguous across types; repeatable. For exceptional situations: the rest of the tenant "
    "is not compared."
)


def scope_flags(function: Callable[..., None]) -> Callable[..., None]:
    function = click.option("--target", "targets", multiple=True, metavar="NAME", help=TARGET_HELP)(function)
    function = click.option("--only", "only", multiple=True, metavar="TYPE", help=ONLY_HELP)(function)
    return function

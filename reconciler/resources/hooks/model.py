"""The data every stage passes along: hooks as desired (from git) and as live (from Auth0).

Frozen dataclasses with mapping fields exposed as read-only ``MappingProxyType`` views, so a
stage can never mutate what an earlier stage produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from reconciler.resources.common.templates import fill

TRIGGERS: tuple[str, ...] = (
    "credentials-exchange",
    "pre-user-registration",
    "post-user-registration",
    "post-change-password",
    "send-phone-message",
)

# Server-side rule for hook names (Management API v2).
NAME_PATTERN = r"^[a-zA-Z0-9]([ \-a-zA-Z0-9]*[a-zA-Z0-9])?$"

MAX_SECRETS = 20


def frozen_map(values: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """A read-only, key-sorted copy (sorted so equal maps render and hash alike)."""
    return MappingProxyType(dict(sorted((values or {}).items())))


@dataclass(frozen=True)
class Hook:
    """One hook as the config wants it.

    ``secrets`` holds real values (after keyword replacement); it never leaves the process
    except towards the Management API. ``script`` is the *template*: its keywords stay as
    written, and ``script_values`` (as secret as ``secrets``) fills them only on the way to
    the API (``filled_script``). ``unknown_keywords`` had no value (a plan made with
    ``--allow-missing-keywords``): they match whatever the live script holds.
    ``source`` is the metadata file, for error messages.
    """

    name: str
    trigger_id: str
    script: str
    enabled: bool = False
    dependencies: Mapping[str, str] = field(default_factory=frozen_map)
    secrets: Mapping[str, str] = field(default_factory=frozen_map, repr=False)
    source: str = ""
    script_values: Mapping[str, object] = field(default_factory=frozen_map, repr=False)
    unknown_keywords: frozenset[str] = frozenset()
    # "secrets": "@@KEY@@" planned without KEY's value: the keys are unknown, so the plan
    # leaves the live ones as they are (review only).
    secrets_from: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "dependencies", frozen_map(self.dependencies))
        object.__setattr__(self, "secrets", frozen_map(self.secrets))
        object.__setattr__(self, "script_values", MappingProxyType(dict(sorted(self.script_values.items()))))
        object.__setattr__(self, "unknown_keywords", frozenset(self.unknown_keywords))

    @property
    def filled_script(self) -> str:
        """The script as the Management API gets it. Never display or store this."""
        return fill(self.script, self.script_values)


@dataclass(frozen=True)
class LiveHook:
    """One hook as the tenant has it. Secret values are write-only in Auth0: keys only."""

    id: str
    name: str
    trigger_id: str
    script: str
    enabled: bool
    dependencies: Mapping[str, str] = field(default_factory=frozen_map)
    secret_keys: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "dependencies", frozen_map(self.dependencies))
        object.__setattr__(self, "secret_keys", frozenset(self.secret_keys))


@dataclass(frozen=True)
class DesiredState:
    """The hooks of a config directory or YAML file."""

    hooks: tuple[Hook, ...]
    source: str = ""
    # False when the config has no hooks/ (nor a YAML `hooks:`): live hooks are left alone,
    # unread and unplanned, whatever AUTH0_ALLOW_DELETE says (deploy-cli's rule).
    manages_hooks: bool = True

    def by_name(self) -> dict[str, Hook]:
        return {hook.name: hook for hook in self.hooks}


@dataclass(frozen=True)
class LiveState:
    """Every hook in the tenant, with its secret keys."""

    hooks: tuple[LiveHook, ...]
    # A config that does not manage hooks (no hooks/): the live hooks' names only, shown as
    # not managed so a plan never says the tenant matches while hooks still run.
    outside: tuple[str, ...] = ()

    def by_name(self) -> dict[str, LiveHook]:
        return {hook.name: hook for hook in self.hooks}

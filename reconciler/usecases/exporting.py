"""``export``: every registered type's live state (hooks, actions and trigger bindings) as a
config directory.

Each type is read only when the tenant serves it: a tenant without Actions (403
``feature_not_enabled``) exports hooks alone, a tenant without Hooks exports actions alone,
each with a note. Every file any type would replace is checked before anything is written,
so a refused export writes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.config import Settings
from reconciler.errors import AuthError, NothingToExport
from reconciler.keywords import KEY, is_credential
from reconciler.resources.base import Export, ResourceType, TypeExported

if TYPE_CHECKING:
    from reconciler.api.client import ManagementClient


@dataclass(frozen=True)
class ExportedType:
    """One type's part of an export: what it wrote, or why it wrote nothing."""

    name: str
    noun: str  # "hooks"
    written: TypeExported | None
    skipped: str | None = None  # None: written


@dataclass(frozen=True)
class ExportOutcome:
    parts: tuple[ExportedType, ...]  # every type that exports, in planning order
    notes: tuple[str, ...] = ()  # file names, skipped actions and triggers, drafts, renamed secrets
    keywords: tuple[str, ...] = ()  # written as ##KEY## without a value: set before planning
    keyword_notes: tuple[str, ...] = ()  # keywords shared by several hooks or actions
    from_environment: tuple[str, ...] = ()  # variables whose values the live code held: written as ##NAME##

    def part(self, name: str) -> ExportedType:
        return next(part for part in self.parts if part.name == name)


# Variables that configure the machine or the CI, not keyword values: their values (a path, a
# locale, "production") are not secrets, and code holding the same text is left as it is.
_NOT_KEYWORDS = frozenset({
    "PATH", "HOME", "PWD", "OLDPWD", "SHELL", "USER", "LOGNAME", "LANG", "LANGUAGE", "TERM",
    "HOSTNAME", "TMPDIR", "TMP", "TEMP", "EDITOR", "VISUAL", "PAGER", "MAIL", "NODE_ENV", "CI",
    "VIRTUAL_ENV", "COLORTERM", "DISPLAY", "AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_AUDIENCE",
})
_NOT_KEYWORD_PREFIXES = ("LC_", "XDG_", "PYTHON", "RUNNER_", "SSH_", "GITHUB_", "PYTEST_", "NO_COLOR")
# Shorter values are too common to be told from code ("true", a port number).
MIN_ENV_VALUE = 8


def environment_values(settings: Settings) -> dict[str, str]:
    """Values of environment variables that may be keyword values (deploy-cli fills keywords
    from any variable): each is written back as ``##NAME##`` wherever live code holds it, so
    an export never puts one in a file. The mapping's values are handled beside these."""
    out: dict[str, str] = {}
    for name, value in settings.environ.items():
        if not isinstance(value, str) or len(value) < MIN_ENV_VALUE or not re.fullmatch(KEY, name):
            continue
        if name in _NOT_KEYWORDS or (name.startswith(_NOT_KEYWORD_PREFIXES) and not is_credential(name)):
            continue
        out[name] = value
    return out


def _found_in(values: Mapping[str, object], texts: list[str]) -> tuple[str, ...]:
    return tuple(sorted(name for name, value in values.items()
                        if isinstance(value, str) and any(value in text for text in texts)))


def _read(client: ManagementClient, exporters: list[tuple[ResourceType[Any, Any], Export[Any]]]) -> list[tuple[Any, str | None]]:
    """Each type's live state, or None and why it was skipped."""
    read: list[tuple[Any, str | None]] = []
    for _, export in exporters:
        try:
            live = export.read(client)
        except AuthError as error:
            # A read:hooks-only client exported hooks before Actions existed: it still does.
            if not export.scope_note or error.status != 403 or all(got is None for got, _ in read):
                raise
            read.append((None, export.scope_note))
            continue
        read.append((live, None if live is not None else export.unserved))
    return read


def export_tenant(
    client_factory: Callable[[], AbstractContextManager[ManagementClient]],
    settings: Settings,
    output: str,
    *,
    force: bool = False,
) -> ExportOutcome:
    """Read every type, refuse existing files (unless ``force``) before writing any, write
    them (known keyword values from ``settings`` go back as ##KEY##) and say what to know."""
    from reconciler.resources.builtin import registry
    from reconciler.resources.export_files import refuse_existing

    exporters = [(resource, resource.export) for resource in registry() if resource.export is not None]
    with client_factory() as client:
        read = _read(client, exporters)
    if all(live is None for live, _ in read):
        raise NothingToExport("nothing to export: " + ", and ".join(str(why) for _, why in read))
    found = [(resource, export, live) for (resource, export), (live, _) in zip(exporters, read, strict=True)
             if live is not None]
    if not force:  # every type checked before any writes
        refuse_existing(Path(output), [path for _, export, live in found for path in export.existing(live, output)])
    for _, export, live in found:
        if export.preflight is not None:
            export.preflight(live, output, force)
    # Every known keyword value is written back as ##KEY##: the mapping's, and the values of
    # environment variables the live code holds (the mapping wins for a shared name).
    from_env = environment_values(settings)
    values = {**from_env, **settings.keyword_mappings}
    texts = [text for _, export, live in found for text in export.texts(live)]
    written = {resource.name: (resource, export.write(live, output, values)) for resource, export, live in found}
    parts = tuple(ExportedType(resource.name, resource.noun, written[resource.name][1] if resource.name in written else None,
                               None if resource.name in written else why)
                  for (resource, _), (_, why) in zip(exporters, read, strict=True))
    return ExportOutcome(
        parts=parts,
        notes=tuple(note for _, done in written.values() for note in done.notes),
        keywords=tuple(sorted({keyword for _, done in written.values() for keyword in done.keywords})),
        keyword_notes=tuple(_keyword_notes(list(written.values()))),
        from_environment=_found_in({k: v for k, v in from_env.items() if k not in settings.keyword_mappings}, texts),
    )


def _keyword_notes(written: list[tuple[ResourceType[Any, Any], TypeExported]]) -> list[str]:
    notes: list[str] = []
    for resource, done in written:
        one = resource.one or resource.noun.removesuffix("s")
        for keyword, names in done.shared_keywords.items():
            notes.append(
                f"##{keyword}## is shared by {resource.noun} {', '.join(names)}: one value for all of them "
                f"(rename the keyword in one {one}'s JSON to give it its own value)"
            )
    users: dict[str, list[str]] = {}
    for resource, done in written:
        for keyword in set(done.keywords):
            users.setdefault(keyword, []).append(resource.noun)
    for keyword in sorted(users):
        if len(users[keyword]) > 1:
            every = "both" if len(users[keyword]) == 2 else "all"
            notes.append(f"##{keyword}## is used by {' and '.join(users[keyword])} alike: one value for {every}")
    return notes

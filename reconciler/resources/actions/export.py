"""The tenant's Actions written in auth0-deploy-cli's directory layout (what ``a0deploy export``
writes, so the result is read unchanged by both tools)::

    actions/<name>.json       {name, code: "./actions/<name>/code.js", runtime, status,
                               dependencies, secrets, supported_triggers, deployed}
    actions/<name>/code.js
    triggers/triggers.json    {"<trigger id>": [{action_name, display_name}, ...], ...}

As deploy-cli does: ``deployed`` is "deployed or all changes deployed", ``status`` is written
(and ignored on import), marketplace actions are skipped, secret values (write-only in Auth0)
are not exported. Unlike it:

- each secret's value is a ``##KEYWORD##`` (the secret's name, made a keyword name if it is
  not one), so the export plans as is once the variables are set;
- every value of ``keyword_mappings`` in the code is written back as its ``##KEY##``;
- triggers.json lists every trigger the tenant binds through this API, ``[]`` included, in the
  tenant's order (deploy-cli leaves out empty ones); entity-bound triggers are bound through
  other entities and are not written;
- a bound action is exported ``deployed: true`` (only deployed actions can be bound, and the
  config would not validate otherwise);
- names from the server do not choose paths: a name that is not a plain file name gets an
  encoded stem (``action-<hash>``), its real name kept in the JSON; nothing is written outside
  ``<directory>/actions`` and ``<directory>/triggers``, and nothing is replaced without ``force``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.keywords import KEY
from reconciler.resources.actions.live import LiveAction, LiveActions
from reconciler.resources.actions.load import ACTIONS_DIR, TRIGGERS_DIR
from reconciler.resources.common.secrets import user_keys
from reconciler.resources.common.templates import masked
from reconciler.resources.export_files import make_dir, refuse_existing, safe_stems, write_new

TRIGGERS_FILE = "triggers.json"
_KEYWORD = re.compile(KEY)


@dataclass(frozen=True)
class ActionsExportResult:
    directory: Path
    actions: int
    triggers: int  # trigger lists written to triggers.json
    keywords: tuple[str, ...]
    shared_keywords: Mapping[str, tuple[str, ...]]  # keyword -> the actions that share it (2+)
    encoded: Mapping[str, str]  # action name -> the safe file stem used instead
    renamed_secrets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # action -> secret -> keyword
    marketplace: tuple[str, ...] = ()  # skipped: installed integrations
    duplicates: tuple[str, ...] = ()  # skipped: two custom actions hold the name
    held_triggers: tuple[str, ...] = ()  # left out: the list binds a skipped duplicate
    undeployed_drafts: tuple[str, ...] = ()  # bound, with a draft newer than the live version
    entity_bound: tuple[str, ...] = ()  # triggers of exported actions bound elsewhere


@dataclass(frozen=True)
class _Layout:
    actions: tuple[LiveAction, ...]
    stems: Mapping[str, str]
    triggers: Mapping[str, list[dict[str, str]]]
    held: tuple[str, ...]
    duplicates: tuple[str, ...]


def _layout(live: LiveActions) -> _Layout:
    duplicates = live.duplicate_names()
    actions = tuple(sorted((a for a in live.custom() if a.name not in duplicates), key=lambda a: a.name))
    triggers: dict[str, list[dict[str, str]]] = {}
    held: list[str] = []
    for trigger in dict.fromkeys(t.id for t in live.triggers if t.bindable):  # the tenant's order
        bound = live.bindings.get(trigger)
        if bound is None:
            continue  # not read: never written as "nothing bound"
        if any(b.action_name in duplicates for b in bound):
            held.append(trigger)  # by name it would bind either: leave the trigger unmanaged
            continue
        triggers[trigger] = [{"action_name": b.action_name, "display_name": b.display_name} for b in bound]
    stems = safe_stems((a.name for a in actions), "action")
    return _Layout(actions, stems, triggers, tuple(held), tuple(sorted(duplicates)))


def existing_files(live: LiveActions, directory: str | Path) -> list[Path]:
    """What exporting ``live`` to ``directory`` would replace (``--force`` needed)."""
    layout = _layout(live)
    actions_dir = Path(directory) / ACTIONS_DIR
    paths: list[Path] = []
    for stem in layout.stems.values():
        folder = actions_dir / stem
        paths.append(actions_dir / f"{stem}.json")
        # A link or a file where the code folder goes is replaced, never written through.
        paths.append(folder if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir())
                     else folder / "code.js")
    if live.triggers:
        paths.append(Path(directory) / TRIGGERS_DIR / TRIGGERS_FILE)
    return [path for path in paths if os.path.lexists(path)]


def keyword_names(secret_names: list[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """secret name -> its keyword: the name itself when it is a keyword name, else the name
    with every other character made ``_``; distinct within the action and from ``taken``
    (``a-b`` and ``a_b`` get ``a_b_2`` and ``a_b``)."""
    out: dict[str, str] = {}
    taken = set(taken)
    for name in sorted(secret_names, key=lambda n: (not _KEYWORD.fullmatch(n), n)):
        keyword = name
        if not _KEYWORD.fullmatch(name):
            keyword = re.sub(r"[^A-Za-z0-9_]", "_", name)
            keyword = keyword if _KEYWORD.fullmatch(keyword) else "_" + keyword
        base, n = keyword, 2
        while keyword in taken:
            keyword, n = f"{base}_{n}", n + 1
        taken.add(keyword)
        out[name] = keyword
    return out


def _document(action: LiveAction, stem: str, secrets: Mapping[str, str], deployed: bool) -> dict[str, Any]:
    # deploy-cli's key order (src/context/directory/handlers/actions.ts, mapToAction).
    return {
        "name": action.name,
        "code": f"./{ACTIONS_DIR}/{stem}/code.js",
        "runtime": action.runtime,
        "status": action.status,
        "dependencies": [{"name": n, "version": v} for n, v in action.dependencies],
        "secrets": [{"name": name, "value": f"##{secrets[name]}##"} for name in sorted(secrets)],
        "supported_triggers": [{"id": i, "version": v} for i, v in action.supported_triggers],
        "deployed": deployed,
    }


def _json(data: Any) -> str:
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # a lone surrogate from the server: escaped, as JSON.stringify does
        return json.dumps(data, indent=2) + "\n"


def export_actions(
    live: LiveActions, directory: str | Path, values: Mapping[str, object] | None = None, *, force: bool = False,
) -> ActionsExportResult:
    """Write ``live`` under ``directory``; ``values`` (keyword -> value) are masked back to ``##KEY##``."""
    preflight(live, directory, force=force)
    layout = _layout(live)
    actions_dir, triggers_dir = Path(directory) / ACTIONS_DIR, Path(directory) / TRIGGERS_DIR
    bound = {b["action_name"] for bindings in layout.triggers.values() for b in bindings}
    users: dict[str, list[str]] = {}
    renamed: dict[str, dict[str, str]] = {}
    drafts: list[str] = []
    if layout.actions:
        make_dir(actions_dir)
    for action in layout.actions:
        stem = layout.stems[action.name]
        secrets = keyword_names(sorted(user_keys(action.secret_names)))
        for secret, keyword in secrets.items():
            users.setdefault(keyword, []).append(action.name)
            if secret != keyword:
                renamed.setdefault(action.name, {})[secret] = keyword
        deployed = action.all_changes_deployed or action.draft_is_deployed is True or action.name in bound
        if action.name in bound and action.draft_is_deployed is False:
            drafts.append(action.name)
        make_dir(actions_dir / stem, replace_link=True)
        try:
            write_new(actions_dir / stem / "code.js", masked(action.code, values or {}))
            write_new(actions_dir / f"{stem}.json", _json(_document(action, stem, secrets, deployed)))
        except (OSError, UnicodeEncodeError) as error:
            reason = getattr(error, "strerror", None) or "the code is not valid UTF-8"
            raise ReconcilerError(f"{actions_dir}: cannot write {stem} ({reason})") from None
    if live.triggers:
        make_dir(triggers_dir)
        try:
            write_new(triggers_dir / TRIGGERS_FILE, _json(layout.triggers))
        except OSError as error:
            raise ReconcilerError(f"{triggers_dir}: cannot write {TRIGGERS_FILE} ({error.strerror})") from None
    return ActionsExportResult(
        directory=Path(directory),
        actions=len(layout.actions),
        triggers=len(layout.triggers),
        keywords=tuple(sorted(users)),
        shared_keywords={k: tuple(names) for k, names in sorted(users.items()) if len(names) > 1},
        encoded={name: stem for name, stem in layout.stems.items() if stem != name},
        renamed_secrets=renamed,
        marketplace=tuple(sorted({a.name for a in live.actions if a.marketplace})),
        duplicates=layout.duplicates,
        held_triggers=layout.held,
        undeployed_drafts=tuple(drafts),
        entity_bound=tuple(sorted({
            a.trigger_id for a in layout.actions
            if a.trigger_id and any(t.id == a.trigger_id and not t.bindable for t in live.triggers)
        })),
    )


def preflight(live: LiveActions, directory: str | Path, *, force: bool) -> None:
    """Fail before any write: files to replace without ``force``, or a triggers/ folder that
    holds another .json file."""
    if not force:
        refuse_existing(Path(directory), existing_files(live, directory))
    if live.triggers:
        _check_triggers_dir(Path(directory) / TRIGGERS_DIR)


def _check_triggers_dir(triggers_dir: Path) -> None:
    """Only the first .json file (by name) in triggers/ is read, by deploy-cli and by us: another
    one there would hide or be hidden by triggers.json, so it is never left beside it."""
    try:
        others = sorted(e.name for e in os.scandir(triggers_dir)
                        if e.name.lower().endswith(".json") and e.name != TRIGGERS_FILE and not e.name.startswith("."))
    except FileNotFoundError:
        return
    except OSError as error:
        raise ReconcilerError(f"{triggers_dir}: cannot be read ({error.strerror})") from None
    if others:
        raise ReconcilerError(
            f"{triggers_dir}: holds {others[0]}, and only the first .json file there is read: "
            "remove it or export to a new directory (-o)"
        )

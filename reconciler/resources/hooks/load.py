"""Read a tenant config (auth0-deploy-cli directory or YAML layout) into per-hook documents.

Reading never raises for bad input: every problem becomes a ``Problem`` anchored to a file.
Turning documents into ``Hook`` objects happens only after validation (``validate.check``).

Metadata is parsed once, with keywords kept as strings ("raw": what git holds, e.g. literal
secrets); keyword values are then filled into the parsed strings (what Auth0 will get), so no
value can change the file's structure or lose a newline, a quote or a backslash. Scripts stay
templates (``reconciler.resources.hooks.templates``): their keyword values travel beside them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Iterator


from reconciler.keywords import MAPPINGS_VAR, MISSING, Keywords, credential_message, is_credential, keywords_in, mask, replace_in_data
from reconciler.resources.hooks.model import Hook
from reconciler.problems import Problem, error, unset
from reconciler.resources.hooks.parse import (  # noqa: F401  (MAX_* and _kind_bare: their old home)
    MAX_DEPTH, MAX_NODES, _DROP, _kind_bare, _parse_json, _parse_yaml, _plain, _shape_problem,
)
from reconciler.resources.hooks.templates import fill, keys_in

MAX_SCRIPT_BYTES = 100 * 1024  # Auth0 Actions' cap; Hooks publish none, so use the nearest real one
MAX_METADATA_BYTES = 1024 * 1024  # a hook's metadata is a few hundred bytes; refuse nonsense early
METADATA_SUFFIXES = (".json", ".yaml", ".yml")

@dataclass(frozen=True)
class Source:
    """One hook's metadata, as read from its file."""

    path: str  # the metadata file, as the user would write it (for messages and Hook.source)
    prefix: str  # "" in the directory layout; "hooks[3]." in the YAML layout
    base_dir: Path  # `script` is relative to this
    display_base: str  # `base_dir` as the user would write it
    root: str  # real path of the config directory: nothing is read from outside it
    data: Any  # after keyword replacement (scripts excepted: they stay templates)
    raw: Any  # before replacement: keywords visible as strings
    unresolved: frozenset[str] = frozenset()  # fields holding an unresolved keyword
    base_real: str = ""  # real path of base_dir (resolved once per config, not per hook)

    def field(self, name: str) -> str:
        return f"{self.prefix}{name}" if name else (self.prefix.rstrip(".") or "(file)")


@dataclass(frozen=True)
class Loaded:
    sources: tuple[Source, ...]
    problems: tuple[Problem, ...]
    source: str  # the config path as given
    # False for a config without hooks/ (or a YAML file without `hooks:`): hooks are then not
    # managed at all, as in deploy-cli: not read, not planned, never deleted.
    manages_hooks: bool = True


@dataclass(frozen=True)
class Script:
    text: str | None  # the template (keywords as written); None when unusable
    problems: tuple[Problem, ...] = ()
    values: dict[str, object] = field(default_factory=dict, repr=False)  # its keywords' values
    unknown: frozenset[str] = frozenset()  # keywords filled by fill_missing: values unknown


def read_config(config: str | os.PathLike[str], keywords: Keywords) -> Loaded:
    """All hook documents in ``config`` (a directory or a YAML file), and the problems met."""
    given = Path(config)
    shown = os.fspath(config)
    try:
        if not given.exists():
            return Loaded((), (error(shown, "(config)", "does not exist"),), shown)
        if given.is_dir():
            return _read_directory(given, keywords)
        if given.suffix.lower() in (".yaml", ".yml"):
            return _read_yaml_file(given, keywords)
        return Loaded(
            (),
            (error(shown, "(config)", "must be a directory (with hooks/) or a .yaml/.yml file"),),
            shown,
        )
    except OSError as exc:
        return Loaded((), (error(shown, "(config)", f"cannot be read: {_os_reason(exc)}"),), shown)


def _read_directory(config: Path, keywords: Keywords) -> Loaded:
    from reconciler.resources.actions.load import present as actions_present  # the other resource type

    hooks_dir = config / "hooks"
    if not hooks_dir.is_dir():
        if not hooks_dir.exists() and actions_present(config):
            return Loaded((), (), str(config), manages_hooks=False)  # an Actions-only config
        msg = (
            "has no hooks/ directory, nor actions/ or triggers/ (expected auth0-deploy-cli's layout: "
            "hooks/<name>.json next to <name>.js, actions/<name>.json, triggers/triggers.json)"
        )
        return Loaded((), (error(config, "hooks", msg),), str(config))
    root = os.path.realpath(config)
    hooks_real = os.path.realpath(hooks_dir)
    sources: list[Source] = []
    problems: list[Problem] = []
    for path in config_files(hooks_dir, METADATA_SUFFIXES, root, hooks_real, problems):
        doc = read_config_file(path, keywords, problems)
        if doc is not None:
            sources.append(
                Source(str(path), "", hooks_dir, str(hooks_dir), root, doc.data, doc.raw, doc.unresolved_under(""), hooks_real)
            )
    return Loaded(tuple(sources), tuple(problems), str(config))


def config_files(folder: Path, suffixes: tuple[str, ...], root: str, folder_real: str,
                 problems: list[Problem]) -> Iterator[Path]:
    """The files of ``folder`` named like config files that are safe to read, by name; the
    problem of every other such entry goes to ``problems``."""
    for entry in listed(folder, suffixes):
        path = folder / entry.name
        try:
            usable, problem = check_entry(entry, path, root, folder_real)
        except OSError as exc:
            problems.append(error(str(path), "(file)", f"cannot be read: {_os_reason(exc)}"))
            continue
        problems.extend([problem] if problem else [])
        if usable:
            yield path


def read_config_file(path: Path, keywords: Keywords, problems: list[Problem]) -> _Document | None:
    """One metadata file parsed and checked, or None (its problems go to ``problems``)."""
    try:
        doc = _read_document(path, str(path), keywords)
    except OSError as exc:
        problems.append(error(str(path), "(file)", f"cannot be read: {_os_reason(exc)}"))
        return None
    problems.extend(doc.problems)
    return doc if doc.ok else None


def listed(folder: Path, suffixes: tuple[str, ...]) -> list[os.DirEntry[str]]:
    """The entries of ``folder`` named like config files (by suffix, not hidden), by name."""
    return sorted(
        (entry for entry in os.scandir(folder)
         if entry.name.lower().endswith(suffixes) and not entry.name.startswith(".")),
        key=lambda entry: entry.name,
    )


def check_entry(entry: os.DirEntry[str], path: Path, root: str, folder_real: str) -> tuple[bool, Problem | None]:
    """Whether a directory entry named like a config file is a file to read inside ``root``, and
    the problem when it is not. Anything named like metadata that cannot be read as a regular
    file is an error: skipping it would count the resource as removed (and delete it with
    deletes on)."""
    if entry.is_symlink() and not path.exists():
        return False, error(path, "(file)", "is a broken symlink")
    if (entry.is_symlink() or not _inside(folder_real, root)) and not _inside(os.path.realpath(path), root):
        return False, error(path, "(file)", "is a symlink that resolves outside the config directory")
    if not entry.is_file():
        what = "a directory" if entry.is_dir() else _file_kind_bare(os.stat(path).st_mode)
        return False, error(path, "(file)", f"is {what}, not a metadata file (rename or remove it)")
    return True, None


def _read_yaml_file(config: Path, keywords: Keywords) -> Loaded:
    shown = str(config)
    doc = _read_document(config, shown, keywords, only_under="hooks")
    if not doc.ok:
        return Loaded((), tuple(doc.problems), shown)
    problems = list(doc.problems)
    if not isinstance(doc.data, dict) or "hooks" not in doc.data:
        if isinstance(doc.data, dict) and ("actions" in doc.data or "triggers" in doc.data):
            return Loaded((), tuple(problems), shown, manages_hooks=False)  # an Actions-only file
        msg = "has no top-level `hooks:` list, nor `actions:` or `triggers:` (auth0-deploy-cli YAML format)"
        problems.append(error(shown, "hooks", msg))
        return Loaded((), tuple(problems), shown)
    hooks = doc.data["hooks"]
    raw_hooks = doc.raw.get("hooks") if isinstance(doc.raw, dict) else None
    if hooks is None:
        hooks = []  # `hooks:` with nothing under it: no hooks wanted
    if not isinstance(hooks, list):
        problems.append(error(shown, "hooks", f"must be a list of hooks, got {_kind_bare(hooks)}"))
        return Loaded((), tuple(problems), shown)
    aligned = isinstance(raw_hooks, list) and len(raw_hooks) == len(hooks)
    root = os.path.dirname(os.path.realpath(config))
    sources = []
    for i, item in enumerate(hooks):
        prefix = f"hooks[{i}]."
        raw = raw_hooks[i] if aligned else None  # type: ignore[index]
        sources.append(
            Source(shown, prefix, config.parent, str(config.parent), root, item, raw, doc.unresolved_under(prefix), root)
        )
    return Loaded(tuple(sources), tuple(problems), shown)


@dataclass
class _Document:
    data: Any = None
    raw: Any = None
    ok: bool = False
    problems: list[Problem] = field(default_factory=list)
    unresolved_fields: set[str] = field(default_factory=set)

    def unresolved_under(self, prefix: str) -> frozenset[str]:
        return frozenset(f[len(prefix):] for f in self.unresolved_fields if f.startswith(prefix))


def _read_document(path: Path, shown: str, keywords: Keywords, only_under: str | None = None) -> _Document:
    """Read, keyword-replace and parse one metadata (or single-file YAML) document."""
    doc = _Document()
    # Opened without blocking and checked on the open descriptor: a file swapped for a FIFO
    # or a device after the directory was listed is refused, never read (or waited on).
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            doc.problems.append(error(shown, "(file)", f"is {_file_kind_bare(st.st_mode)}, not a metadata file"))
            return doc
        if st.st_size > MAX_METADATA_BYTES:
            doc.problems.append(error(shown, "(file)", f"is {st.st_size} bytes; metadata over {MAX_METADATA_BYTES} bytes is refused"))
            return doc
        data = f.read(MAX_METADATA_BYTES + 1)
    if len(data) > MAX_METADATA_BYTES:
        doc.problems.append(error(shown, "(file)", f"is over {MAX_METADATA_BYTES} bytes; metadata that large is refused"))
        return doc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        doc.problems.append(error(shown, "(file)", f"is not valid UTF-8 (byte {exc.start})"))
        return doc
    is_json = path.suffix.lower() == ".json"
    parse = _parse_json if is_json else _parse_yaml

    found = keywords_in(text)
    raw_text = mask(text, json_aware=is_json) if found else text
    raw, problem = parse(raw_text, shown)
    if problem is not None:
        doc.problems.append(problem)
        return doc
    shape = _shape_problem(raw)
    if shape is not None:
        doc.problems.append(error(shown, "(file)", shape))
        return doc
    if not is_json:  # JSON is plain data already, and has no aliases
        plain_problems: list[Problem] = []
        raw = _plain(raw, "", shown, plain_problems)
        raw = None if raw is _DROP else raw
        doc.problems.extend(plain_problems)
    resolved = raw
    if found:
        resolved, unresolved = replace_in_data(raw, keywords.lookup, yaml_quotes=not is_json)
        for key, fields in sorted(unresolved.items()):
            if only_under is not None:
                fields = [f for f in fields if f == only_under or f.startswith((only_under + ".", only_under + "["))]
                if not fields:
                    continue  # e.g. in the YAML file's `clients:` section: not ours to judge
            doc.unresolved_fields.update(fields)
            doc.problems.append((error if is_credential(key) else unset)(shown, fields[0], _unresolved(text, key)))
    doc.data, doc.raw = resolved, raw
    doc.ok = True
    return doc


def read_script(source: Source, script: str, keywords: Keywords) -> Script:
    """The hook's script text after keyword replacement, or the reasons it can't be used."""
    meta, fld = source.path, source.field("script")
    if "\n" in script or script.lstrip().startswith(("module.exports", "function", "async ")):
        msg = "must be the path of the .js file (e.g. \"./my-hook.js\"), not the code itself"
        return Script(None, (error(meta, fld, msg),))
    if os.path.isabs(script) or PurePosixPath(script).is_absolute() or PureWindowsPath(script).anchor:
        return Script(None, (error(meta, fld, f"must be a relative path, got the absolute path {script!r}"),))
    shown = os.path.normpath(os.path.join(source.display_base, script))
    base = source.base_real or os.path.realpath(source.base_dir)
    lexical = os.path.normpath(os.path.join(base, script))
    if not _inside(lexical, source.root):
        return Script(None, (error(meta, fld, f"{script!r} points outside the config directory"),))
    try:
        # realpath costs a syscall per path component: only pay it when a symlink could be
        # involved (a link itself, or a path through subdirectories that might be links).
        st = os.lstat(lexical)
        resolved = lexical
        if stat.S_ISLNK(st.st_mode) or os.path.dirname(lexical) != base:
            resolved = os.path.realpath(lexical)
            if not _inside(resolved, source.root):
                msg = f"{script!r} is a symlink that resolves outside the config directory"
                return Script(None, (error(meta, fld, msg),))
            st = os.stat(resolved)
    except FileNotFoundError:
        return Script(None, (error(meta, fld, f"script file not found: {shown}"),))
    except OSError as exc:
        return Script(None, (error(meta, fld, f"script file {shown} cannot be read: {_os_reason(exc)}"),))
    if not stat.S_ISREG(st.st_mode):
        return Script(None, (error(meta, fld, f"script {shown} is not a regular file"),))
    if st.st_size > MAX_SCRIPT_BYTES:
        return Script(None, (error(shown, fld, f"is {st.st_size} bytes; the limit is {MAX_SCRIPT_BYTES} bytes (100 kB)"),))
    try:
        with open(resolved, "rb") as f:
            data = f.read()
    except OSError as exc:
        return Script(None, (error(meta, fld, f"script file {shown} cannot be read: {_os_reason(exc)}"),))
    if b"\0" in data:
        return Script(None, (error(shown, fld, "is a binary file, not JavaScript source"),))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Script(None, (error(shown, fld, f"is not valid UTF-8 (byte {exc.start})"),))
    if not text.strip():
        return Script(None, (error(shown, fld, "is empty"),))
    # The script stays a template; its keywords' values travel beside it (model.Hook).
    values: dict[str, object] = {}
    unknown: set[str] = set()
    problems: tuple[Problem, ...] = ()
    for key in sorted(keys_in(text)):
        given = keywords.given(key)
        value = keywords.lookup(key)
        if value is MISSING:
            problems += ((error if is_credential(key) else unset)(shown, fld, _unresolved(text, key)),)
            continue
        values[key] = value
        if not given:
            unknown.add(key)  # a dummy from fill_missing: compared as "anything"
    size = len(fill(text, values).encode("utf-8"))
    if size > MAX_SCRIPT_BYTES:
        problems += (error(shown, fld, f"is {size} bytes after keyword replacement; the limit is {MAX_SCRIPT_BYTES} bytes (100 kB)"),)
    return Script(text, problems, values, frozenset(unknown))


def build_hook(
    source: Source, script: str, values: dict[str, object] | None = None, unknown: frozenset[str] = frozenset()
) -> Hook:
    """A Hook from a document that passed validation; ``script`` is the template."""
    data = source.data
    return Hook(
        name=data["name"],
        trigger_id=data["triggerId"],
        script=script,
        enabled=data.get("enabled", False),
        dependencies=data.get("dependencies") or {},
        secrets=data.get("secrets") or {},
        source=source.path,
        script_values=values or {},
        unknown_keywords=unknown,
    )


def _file_kind_bare(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _unresolved(text: str, key: str) -> str:
    """The message for keyword ``key`` of ``text`` having no value: as written, and where."""
    at = min((i for i in (text.find(f"##{key}##"), text.find(f"@@{key}@@")) if i >= 0), default=0)
    line = text.count("\n", 0, at) + 1
    written = f"##{key}##" if f"##{key}##" in text else f"@@{key}@@"
    if is_credential(key):
        return credential_message(written, line)
    return f"unresolved keyword {written} (line {line}): set {key} in {MAPPINGS_VAR} or the environment"


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__

"""Read a tenant config (auth0-deploy-cli directory or YAML layout) into per-hook documents.

Reading never raises for bad input: every problem becomes a ``Problem`` anchored to a file.
Turning documents into ``Hook`` objects happens only after validation (``validate.check``).

Metadata is parsed once, with keywords kept as strings ("raw": what git holds, e.g. literal
secrets); keyword values are then filled into the parsed strings (what Auth0 will get), so no
value can change the file's structure or lose a newline, a quote or a backslash. Scripts stay
templates (``reconciler.resources.hooks.templates``): their keyword values travel beside them.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml

from reconciler.text import join_path as _join, kind_of
from reconciler.keywords import MAPPINGS_VAR, MISSING, Keywords, keywords_in, mask, replace_in_data
from reconciler.resources.hooks.model import Hook
from reconciler.problems import Problem, error, unset
from reconciler.resources.hooks.templates import fill, keys_in

MAX_SCRIPT_BYTES = 100 * 1024  # Auth0 Actions' cap; Hooks publish none, so use the nearest real one
MAX_METADATA_BYTES = 1024 * 1024  # a hook's metadata is a few hundred bytes; refuse nonsense early
MAX_NODES = 100_000  # YAML aliases can expand exponentially ("billion laughs"): stop walking early
MAX_DEPTH = 64  # a hook's metadata is 3 levels deep; deeper input only exhausts the stack
METADATA_SUFFIXES = (".json", ".yaml", ".yml")

# The C loader is the same safe loader (plain data only), just faster; PyYAML without libyaml
# falls back to the pure-Python one.
_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _DuplicateKey(Exception):
    def __init__(self, key: object, mark: Any) -> None:
        super().__init__(key)
        self.key, self.mark = key, mark


class _StrictLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """The safe loader, refusing duplicate keys (as JSON metadata does) instead of keeping the last."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue  # `<<: *base` merges; keys written next to it override on purpose
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:
                    continue  # unhashable: the constructor reports it
                if duplicate:
                    raise _DuplicateKey(key, key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)


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
    entries = sorted(
        (entry for entry in os.scandir(hooks_dir)
         if entry.name.lower().endswith(METADATA_SUFFIXES) and not entry.name.startswith(".")),
        key=lambda entry: entry.name,
    )
    for entry in entries:
        path = hooks_dir / entry.name
        shown = str(path)
        try:
            usable, problem = check_entry(entry, path, root, hooks_real)
            problems.extend([problem] if problem else [])
            if not usable:
                continue
            doc = _read_document(path, shown, keywords)
        except OSError as exc:
            problems.append(error(shown, "(file)", f"cannot be read: {_os_reason(exc)}"))
            continue
        problems.extend(doc.problems)
        if doc.ok:
            sources.append(
                Source(shown, "", hooks_dir, str(hooks_dir), root, doc.data, doc.raw, doc.unresolved_under(""), hooks_real)
            )
    return Loaded(tuple(sources), tuple(problems), str(config))


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
            doc.problems.append(unset(shown, fields[0], _unresolved(text, key)))
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
            problems += (unset(shown, fld, _unresolved(text, key)),)
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


# --- parsing -------------------------------------------------------------------------------


def _parse_json(text: str, shown: str) -> tuple[Any, Problem | None]:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items):
            seen: set[str] = set()
            duplicates.extend(k for k, _ in items if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        return out

    try:
        value = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        # exc.msg never quotes the document, so no secret value can leak through it.
        return None, error(shown, "(file)", f"is not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})")
    except RecursionError:
        return None, error(shown, "(file)", "is nested too deeply")
    if duplicates:
        keys = ", ".join(sorted({repr(k) for k in duplicates}))
        return None, error(shown, "(file)", f"has duplicate keys {keys}: only one value of each may be given")
    return value, None


def _yaml_too_deep(text: str) -> bool:
    """Nesting deeper than MAX_DEPTH, found from the event stream (iterative, so it cannot
    overflow): composing such a document recurses in C and would crash the interpreter."""
    if max(text.count("["), text.count("{"), text.count("- "), text.count("\n")) <= MAX_DEPTH:
        return False  # cannot be that deep: the common case costs nothing
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return True
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return False  # the real parse reports it
    return False


def _parse_yaml(text: str, shown: str) -> tuple[Any, Problem | None]:
    if _yaml_too_deep(text):
        return None, error(shown, "(file)", f"is nested more than {MAX_DEPTH} levels deep")
    try:
        return yaml.load(text, Loader=_StrictLoader), None  # noqa: S506 - a safe loader
    except _DuplicateKey as exc:
        where = f" (line {exc.mark.line + 1} column {exc.mark.column + 1})" if exc.mark is not None else ""
        key = repr(exc.key) if isinstance(exc.key, (str, int, float, bool)) else "(a complex key)"
        return None, error(shown, "(file)", f"has duplicate keys {key}{where}: only one value of each may be given")
    except yaml.constructor.ConstructorError as exc:
        tag = _tag_of(exc)
        where = _mark(exc)
        if tag:
            return None, error(shown, "(file)", f"YAML tag {tag} is not allowed: only plain data is read{where}")
        return None, error(shown, "(file)", f"is not valid YAML: {exc.problem}{where}")
    except yaml.YAMLError as exc:
        # Only the problem and position: a snippet of the line could show a secret value.
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or "cannot be parsed"
        return None, error(shown, "(file)", f"is not valid YAML: {problem}{_mark(exc)}")
    except RecursionError:
        return None, error(shown, "(file)", "is nested too deeply")


def _tag_of(exc: yaml.constructor.ConstructorError) -> str | None:
    problem = exc.problem or ""
    if "tag" in problem and "'" in problem:
        return "'" + problem.split("'")[1].replace("tag:yaml.org,2002:", "!!") + "'"
    return None


def _mark(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return f" (line {mark.line + 1} column {mark.column + 1})"
    position = getattr(exc, "position", None)
    return f" (character {position})" if position is not None else ""


_DROP = object()  # a value already reported: left out so the schema doesn't report it again


def _plain(value: Any, path: str, shown: str, problems: list[Problem]) -> Any:
    """JSON-shaped data only: YAML dates, binary, sets and non-string keys become problems.

    Only called on data ``_shape_problem`` accepted: bounded in depth and size."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append(error(shown, path or "(file)", f"has a key of type {_kind_bare(key)}; keys must be strings (quote it)"))
                continue
            item = _plain(item, _join(path, key), shown, problems)
            if item is not _DROP:
                out[key] = item
        return out
    if isinstance(value, list):
        items = (_plain(item, f"{path}[{i}]", shown, problems) for i, item in enumerate(value))
        return [None if item is _DROP else item for item in items]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    problems.append(error(shown, path or "(file)", f"is a YAML {_kind_bare(value)}, not plain data: quote it"))
    return _DROP


def _shape_problem(value: Any) -> str | None:
    """Too deep or too large to walk (walked without recursion, so it cannot overflow)."""
    stack = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            return f"expands to more than {MAX_NODES} values (YAML aliases?)"
        if depth > MAX_DEPTH:
            return f"is nested more than {MAX_DEPTH} levels deep"
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return None


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
    return f"unresolved keyword {written} (line {line}): set {key} in {MAPPINGS_VAR} or the environment"


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _kind_bare(value: Any) -> str:
    return kind_of(value, article=False)

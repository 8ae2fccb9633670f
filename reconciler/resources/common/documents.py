"""Reading a type's config documents as hostile input: listing a folder's files (symlinks,
special files, size caps), one document read, keyword-replaced and parsed (``Document``), and a
script file named by a document (``read_script``: the template plus its keywords' values).

Reading never raises for bad input: every problem becomes a ``Problem`` anchored to a file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from reconciler.keywords import MISSING, Keywords, credential_message, is_credential, keywords_in, mask, replace_in_data
from reconciler.problems import Problem, error, unset
from reconciler.resources.common.parse import DROP, parse_json, parse_yaml, plain_data, shape_problem
from reconciler.resources.common.templates import fill, keys_in
from reconciler.variables import MAPPINGS_VAR

MAX_SCRIPT_BYTES = 100 * 1024  # Auth0 Actions' cap; Hooks publish none, so use the nearest real one
MAX_METADATA_BYTES = 1024 * 1024  # metadata is a few hundred bytes; refuse nonsense early


@dataclass(frozen=True)
class Source:
    """One resource's document (a hook's or an action's metadata, the triggers), as read from its file."""

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
class Script:
    text: str | None  # the template (keywords as written); None when unusable
    problems: tuple[Problem, ...] = ()
    values: dict[str, object] = field(default_factory=dict, repr=False)  # its keywords' values
    unknown: frozenset[str] = frozenset()  # keywords filled by fill_missing: values unknown


def config_files(folder: Path, suffixes: tuple[str, ...], root: str, folder_real: str,
                 problems: list[Problem]) -> Iterator[Path]:
    """The files of ``folder`` named like config files that are safe to read, by name; the
    problem of every other such entry goes to ``problems``."""
    for entry in listed(folder, suffixes):
        path = folder / entry.name
        try:
            usable, problem = check_entry(entry, path, root, folder_real)
        except OSError as exc:
            problems.append(error(str(path), "(file)", f"cannot be read: {os_reason(exc)}"))
            continue
        problems.extend([problem] if problem else [])
        if usable:
            yield path


def read_config_file(path: Path, keywords: Keywords, problems: list[Problem]) -> Document | None:
    """One metadata file parsed and checked, or None (its problems go to ``problems``)."""
    try:
        doc = read_document(path, str(path), keywords)
    except OSError as exc:
        problems.append(error(str(path), "(file)", f"cannot be read: {os_reason(exc)}"))
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
    if (entry.is_symlink() or not inside(folder_real, root)) and not inside(os.path.realpath(path), root):
        return False, error(path, "(file)", "is a symlink that resolves outside the config directory")
    if not entry.is_file():
        what = "a directory" if entry.is_dir() else file_kind(os.stat(path).st_mode)
        return False, error(path, "(file)", f"is {what}, not a metadata file (rename or remove it)")
    return True, None


@dataclass
class Document:
    data: Any = None
    raw: Any = None
    ok: bool = False
    problems: list[Problem] = field(default_factory=list)
    unresolved_fields: set[str] = field(default_factory=set)

    def unresolved_under(self, prefix: str) -> frozenset[str]:
        return frozenset(f[len(prefix):] for f in self.unresolved_fields if f.startswith(prefix))


def read_document(path: Path, shown: str, keywords: Keywords, only_under: str | None = None) -> Document:
    """Read, keyword-replace and parse one metadata (or single-file YAML) document."""
    doc = Document()
    # Opened without blocking and checked on the open descriptor: a file swapped for a FIFO
    # or a device after the directory was listed is refused, never read (or waited on).
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            doc.problems.append(error(shown, "(file)", f"is {file_kind(st.st_mode)}, not a metadata file"))
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
    parse = parse_json if is_json else parse_yaml

    found = keywords_in(text)
    raw_text = mask(text, json_aware=is_json) if found else text
    raw, problem = parse(raw_text, shown)
    if problem is not None:
        doc.problems.append(problem)
        return doc
    shape = shape_problem(raw)
    if shape is not None:
        doc.problems.append(error(shown, "(file)", shape))
        return doc
    if not is_json:  # JSON is plain data already, and has no aliases
        plain_problems: list[Problem] = []
        raw = plain_data(raw, "", shown, plain_problems)
        raw = None if raw is DROP else raw
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
            doc.problems.append((error if is_credential(key) else unset)(shown, fields[0], unresolved_message(text, key)))
    doc.data, doc.raw = resolved, raw
    doc.ok = True
    return doc


def read_script(source: Source, script: str, keywords: Keywords) -> Script:
    """The script file named by ``source``'s ``script`` field: the template (keywords as
    written) with its keywords' values beside it, or the reasons it can't be used."""
    meta, fld = source.path, source.field("script")
    if "\n" in script or script.lstrip().startswith(("module.exports", "function", "async ")):
        msg = "must be the path of the .js file (e.g. \"./my-hook.js\"), not the code itself"
        return Script(None, (error(meta, fld, msg),))
    if os.path.isabs(script) or PurePosixPath(script).is_absolute() or PureWindowsPath(script).anchor:
        return Script(None, (error(meta, fld, f"must be a relative path, got the absolute path {script!r}"),))
    shown = os.path.normpath(os.path.join(source.display_base, script))
    base = source.base_real or os.path.realpath(source.base_dir)
    lexical = os.path.normpath(os.path.join(base, script))
    if not inside(lexical, source.root):
        return Script(None, (error(meta, fld, f"{script!r} points outside the config directory"),))
    try:
        # realpath costs a syscall per path component: only pay it when a symlink could be
        # involved (a link itself, or a path through subdirectories that might be links).
        st = os.lstat(lexical)
        resolved = lexical
        if stat.S_ISLNK(st.st_mode) or os.path.dirname(lexical) != base:
            resolved = os.path.realpath(lexical)
            if not inside(resolved, source.root):
                msg = f"{script!r} is a symlink that resolves outside the config directory"
                return Script(None, (error(meta, fld, msg),))
            st = os.stat(resolved)
    except FileNotFoundError:
        return Script(None, (error(meta, fld, f"script file not found: {shown}"),))
    except OSError as exc:
        return Script(None, (error(meta, fld, f"script file {shown} cannot be read: {os_reason(exc)}"),))
    if not stat.S_ISREG(st.st_mode):
        return Script(None, (error(meta, fld, f"script {shown} is not a regular file"),))
    if st.st_size > MAX_SCRIPT_BYTES:
        return Script(None, (error(shown, fld, f"is {st.st_size} bytes; the limit is {MAX_SCRIPT_BYTES} bytes (100 kB)"),))
    try:
        with open(resolved, "rb") as f:
            data = f.read()
    except OSError as exc:
        return Script(None, (error(meta, fld, f"script file {shown} cannot be read: {os_reason(exc)}"),))
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
            problems += ((error if is_credential(key) else unset)(shown, fld, unresolved_message(text, key)),)
            continue
        values[key] = value
        if not given:
            unknown.add(key)  # a dummy from fill_missing: compared as "anything"
    size = len(fill(text, values).encode("utf-8"))
    if size > MAX_SCRIPT_BYTES:
        problems += (error(shown, fld, f"is {size} bytes after keyword replacement; the limit is {MAX_SCRIPT_BYTES} bytes (100 kB)"),)
    return Script(text, problems, values, frozenset(unknown))


def file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def unresolved_message(text: str, key: str) -> str:
    """The message for keyword ``key`` of ``text`` having no value: as written, and where."""
    at = min((i for i in (text.find(f"##{key}##"), text.find(f"@@{key}@@")) if i >= 0), default=0)
    line = text.count("\n", 0, at) + 1
    written = f"##{key}##" if f"##{key}##" in text else f"@@{key}@@"
    if is_credential(key):
        return credential_message(written, line)
    return f"unresolved keyword {written} (line {line}): set {key} in {MAPPINGS_VAR} or the environment"


def os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__

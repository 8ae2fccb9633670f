"""File writing shared by the exporters (hooks, Actions): safe file names for names that come
from the server, the "never overwrite without --force" check, and writes that never follow a
symlink.

A server name is used as a file name only when it is a plain name on every OS; anything else
(``../x``, a slash, NUL, a leading dot, a Windows device name, a case-insensitive clash, ...)
gets an encoded stem (``<prefix>-<hash>``) and keeps its real name inside the JSON.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from reconciler.errors import ReconcilerError

# Auth0's own rule for hook names (letters, digits, spaces, '-'), plus '_' and '.' inside.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,98}[A-Za-z0-9_-])?")
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{p}{n}" for p in ("COM", "LPT") for n in "123456789\u00b9\u00b2\u00b3"}
)


def file_stem(name: str) -> str | None:
    """``name`` itself when it is safe as a file name on every OS, else None."""
    if not _PLAIN_NAME.fullmatch(name) or ".." in name:
        return None
    if name.split(".")[0].rstrip(" ").upper() in _WINDOWS_DEVICES:
        return None
    return name


def safe_stems(names: Iterable[str], prefix: str) -> dict[str, str]:
    """A distinct, safe stem per name; distinct even on case-insensitive file systems."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names)):
        stem = file_stem(name)
        if stem is None or stem.lower() in taken:
            stem = f"{prefix}-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        taken.add(stem.lower())
        stems[name] = stem
    return stems


def refuse_existing(folder: Path, paths: Iterable[Path]) -> None:
    """Fail (one line, naming up to three) when any of ``paths`` already exists, symlinks too."""
    existing = [os.path.relpath(path, folder) for path in paths if os.path.lexists(path)]
    if existing:
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise ReconcilerError(
            f"{folder}: would overwrite {', '.join(existing[:3])}{more}; "
            "pass --force to replace them, or export to a new directory (-o)"
        )


def make_dir(path: Path, *, replace_link: bool = False) -> None:
    """``path`` as a real directory. ``replace_link``: a symlink (or file) there is removed
    rather than written through (the caller has checked --force)."""
    try:
        if replace_link and (path.is_symlink() or (os.path.lexists(path) and not path.is_dir())):
            path.unlink()
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReconcilerError(f"{path}: cannot create directory ({error.strerror})") from None


def write_new(path: Path, text: str) -> None:
    """Replace whatever is at ``path`` (a symlink is removed, never followed) with ``text``."""
    if os.path.lexists(path):
        path.unlink()
    # Exclusive create: if something appears in between, fail rather than write through it.
    with open(path, "x", encoding="utf-8", newline="") as handle:
        handle.write(text)

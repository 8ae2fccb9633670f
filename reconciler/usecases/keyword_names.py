"""The keyword report of a config (``core.keyword_report``): which keywords it uses, what a
base config used, the digest of its files as written, and keyed marks of the values.

Names come from loading the config with no values and placeholders for all (the loader
records every keyword it had to fill), so they are exactly the keywords a plan would need.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path

from reconciler.core.keyword_report import KeywordReport
from reconciler.errors import ReconcilerError
from reconciler.keywords import MISSING, Keywords, as_text
from reconciler.usecases.loading import load_desired, placeholder

# Beyond this the template digest is not made (the loader refuses far smaller configs).
_MAX_TEMPLATE_BYTES = 64 * 1024 * 1024


def keywords_used(config: str) -> tuple[str, ...]:
    """The keyword names ``config`` refers to (sorted). Raises as loading does."""
    return load_desired(config, {}, fill_missing=placeholder).filled_keywords


def base_keywords(config: str) -> tuple[str, ...] | None:
    """The keywords a base config used: none when it did not exist; None when it cannot be
    read (then nothing is compared)."""
    if not os.path.exists(config):
        return ()
    try:
        return keywords_used(config)
    except ReconcilerError:
        return None


def template_digest(config: str) -> str | None:
    """sha256 over a config directory's files as written (keywords unreplaced: no value goes
    in). None for a single YAML file, whose scripts live beside other files."""
    root = Path(config)
    if not root.is_dir():
        return None
    digest, total = hashlib.sha256(), 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        total += len(data)
        if total > _MAX_TEMPLATE_BYTES:
            return None
        name = path.relative_to(root).as_posix().encode()
        digest.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big") + data)
    return "sha256:" + digest.hexdigest()


def keyword_report(
    config: str, env: Mapping[str, object], hmac_key: bytes | None, *, base: str | None = None
) -> KeywordReport:
    """``config``'s report; with ``base`` (the config at a base commit) what differs from it."""
    used = keywords_used(config)
    marks: tuple[tuple[str, str], ...] = ()
    key_mark = None
    if hmac_key:
        key_mark = hmac.new(hmac_key, b"reconciler keyword marks", hashlib.sha256).hexdigest()[:16]
        values = Keywords.from_env(env)
        marks = tuple(
            (name, hmac.new(hmac_key, b"keyword\0" + name.encode() + b"\0" + as_text(value).encode(),
                            hashlib.sha256).hexdigest())
            for name in used
            if (value := values.lookup(name)) is not MISSING
        )
    report = KeywordReport(used, None, (), template_digest(config), key_mark, marks)
    if base is None:
        return report
    before = base_keywords(base)
    return report if before is None else report.against(before)

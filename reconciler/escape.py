"""Strings from a config or a tenant (action names allow anything but NUL; scripts, dependency
strings, secret key names) escaped for the medium they land in.

- Markdown (the pull-request comment, the job summary): a name is one line, so it cannot leave
  a ``<summary>`` or an alert, start a heading or fake a summary line. Names go in code
  (``html_code`` inside HTML, ``md_code`` in markdown), where GitHub renders no link, image
  or @-mention; other text (``md_text``) has markdown's punctuation as HTML entities, which
  both markdown and HTML show as plain characters, and an invisible word joiner breaks
  @-mentions and bare-URL autolinks.
- Terminals: control characters (C0, C1, line and paragraph separators, bidirectional
  overrides) are shown as ``\\xNN`` / ``\\uNNNN`` escapes, so nothing from the data can clear a
  screen, set a title, hide text, move the cursor or reorder a line (``terminal``).
- JSON (``json_text``): ``json.dumps`` escapes C0 itself; the other invisible characters
  above are written as ``\\uXXXX``, the same string to any JSON reader, so JSON shown on a
  terminal or in a job log cannot move the cursor or reorder a line either.
"""

from __future__ import annotations

import dataclasses
import enum
import html
import json
import re
from typing import Any

# Invisible or line-breaking characters that reach neither a terminal nor a markdown line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]")
_BACKTICKS = re.compile(r"`+")
# Without brackets there is no link and no image; as entities, markdown and HTML both show them
# as plain characters. (Emphasis and the like only change how text looks, not what it says.)
_MD_SYNTAX = {"[": "&#91;", "]": "&#93;"}
_AUTOLINK = re.compile(r"(?i)(:)(//)|\b(www)(\.)")
_JOINER = "\u2060"  # WORD JOINER: invisible, and not a character a mention or URL may hold


def one_line(text: object) -> str:
    """``text`` on one line: control characters and every kind of line break become spaces."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def html_code(text: object) -> str:
    """A name inside HTML (``<summary>``) as code: GitHub links and mentions nothing in code."""
    return f"<code>{html.escape(one_line(text), quote=False)}</code>"


def md_code(text: object) -> str:
    """A name in markdown: an inline code span no backtick in ``text`` can close early."""
    text = one_line(text)
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def md_text(text: object) -> str:
    """Text safe both in markdown prose and inside HTML: one line, no tag, no markdown syntax,
    no @-mention, no autolink."""
    plain = _AUTOLINK.sub(lambda m: _JOINER.join(g for g in m.groups() if g), one_line(text))
    escaped = "".join(_MD_SYNTAX.get(c) or html.escape(c, quote=False) for c in plain)
    if escaped.startswith(("#", ">", "|", "-", "+", "*", "=")):  # would start a block (a heading, a quote...)
        escaped = f"&#{ord(escaped[0])};" + escaped[1:]
    return escaped.replace("@", "@" + _JOINER)


def md_fence(text: str, info: str) -> str:
    """A fenced block longer than any backtick run inside, so ``` in a script cannot close it;
    control characters shown as escapes (a diff's lines stay lines)."""
    text = terminal(text, keep_newlines=True)
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text.rstrip(chr(10))}\n{ticks}"


# What ``json.dumps(ensure_ascii=False)`` leaves raw of ``_CONTROL``: all of it but C0.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]")


def json_text(value: Any, **dumps: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, **dumps)`` with every invisible or
    line-breaking character as a ``\\uXXXX`` escape (they occur only inside strings)."""
    text = json.dumps(value, ensure_ascii=False, **dumps)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``keep_newlines``: "\\n"
    stays a line break, for diffs)."""
    return (_CONTROL_BUT_NEWLINE if keep_newlines else _CONTROL).sub(_visible, str(text))


def terminal_safe(value: Any, *, multiline: bool = False) -> Any:
    """``value`` (a plan, a change, ...) with ``terminal`` applied to every string it holds;
    a field named ``diff`` keeps its line breaks. Unchanged parts are the same objects."""
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return terminal(value, keep_newlines=multiline)
    if type(value) in (tuple, list):
        items = [terminal_safe(v) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else type(value)(items)
    if isinstance(value, dict):
        cleaned = {terminal_safe(k): terminal_safe(v) for k, v in value.items()}
        return value if cleaned == value else cleaned
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = terminal_safe(old, multiline=f.name == "diff")
            if new is not old:
                changed[f.name] = new
        return dataclasses.replace(value, **changed) if changed else value
    return value

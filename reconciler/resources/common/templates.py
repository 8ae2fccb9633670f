"""Scripts as templates: inside the tool a script keeps its ``##KEY##``/``@@KEY@@`` keywords.

A keyword value used in a script is as secret as one under ``secrets``, so plans, plan
files, comments and exports hold the template, never the filled text. Values are filled
only on the way to the API (the executor). A live script, which holds values, is compared
with the filled template, and shown with the known values put back as their keywords.

A keyword whose value is unknown (``--allow-missing-keywords``: a read-only CI job, a fork's
pull request) matches whatever the live script holds at its place, so missing values never
look like drift. The match is a regular expression built from the template: literal text
escaped, each unknown keyword a lazy group (a second use of the same keyword must repeat
what the first matched).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from reconciler.keywords import _PLAIN, as_json, as_text
from reconciler.secret_forms import forms as secret_forms

SENSITIVE_VALUE = "(sensitive)"
# Stands for a live line that may hold a keyword value nobody here knows (see ``LiveView``).
HIDDEN_LINE = "<live line not shown: planned without keyword values>"
# A known value not used by the template is masked from this length on (shorter ones, such as
# "1", would garble the code around them and protect nothing).
MIN_MASKED = 4


@dataclass(frozen=True)
class LiveView:
    """How live code may be shown next to its template.

    ``known``: every keyword value this run has (the whole mapping, not only the keywords the
    template uses: a pull request may drop a keyword from the template, and the live side
    still holds its value), masked back to its keyword in every spelling. ``complete``:
    False when keyword values may be missing (``--allow-missing-keywords``): then any live
    value could be on any line, so a live line is shown only when it is a line of the
    template; others stand as ``HIDDEN_LINE``.
    """

    known: tuple[tuple[str, object], ...] = field(default=(), repr=False)
    complete: bool = True


FULL_VIEW = LiveView()


def _key(m: re.Match[str]) -> tuple[str, str]:
    """(kind, key): kind "t" for ``##K##`` (text), "j" for ``@@K@@`` / ``"@@K@@"`` (JSON)."""
    if m.group("string") is not None:
        return "t", m.group("string")
    return "j", m.group("quoted") or m.group("array")


def _has_keywords(text: str) -> bool:
    return ("##" in text or "@@" in text) and _PLAIN.search(text) is not None


def keys_in(template: str) -> frozenset[str]:
    if "##" not in template and "@@" not in template:
        return frozenset()
    return frozenset(_key(m)[1] for m in _PLAIN.finditer(template))


def _render(kind: str, value: object) -> str:
    return as_text(value) if kind == "t" else as_json(value)


def fill(template: str, values: Mapping[str, object]) -> str:
    """The script as the API gets it. A keyword without a value is left as written."""
    if "##" not in template and "@@" not in template:
        return template

    def sub(m: re.Match[str]) -> str:
        kind, key = _key(m)
        return _render(kind, values[key]) if key in values else m.group(0)

    return _PLAIN.sub(sub, template)


def pattern(template: str, values: Mapping[str, object], wildcards: Collection[str]) -> re.Pattern[str]:
    """A regex matching every filling of ``template`` whose ``wildcards`` may hold anything."""
    parts: list[str] = []
    seen: set[str] = set()
    at = 0
    for m in _PLAIN.finditer(template):
        parts.append(re.escape(template[at : m.start()]))
        at = m.end()
        kind, key = _key(m)
        if key in wildcards or key not in values:
            group = f"{kind}_{key}"
            parts.append(f"(?P={group})" if group in seen else f"(?P<{group}>.*?)")
            seen.add(group)
        else:
            parts.append(re.escape(_render(kind, values[key])))
    parts.append(re.escape(template[at:]))
    return re.compile("".join(parts), re.DOTALL)


def matches(template: str, values: Mapping[str, object], unknown: Collection[str], live: str) -> bool:
    """True when ``live`` is what ``template`` produces (unknown keywords match anything)."""
    used = keys_in(template)
    if not used or not (used & set(unknown)):
        return fill(template, values) == live
    return pattern(template, values, unknown).fullmatch(live) is not None


def shown_live(
    template: str, values: Mapping[str, object], live: str, view: LiveView = FULL_VIEW
) -> tuple[str, tuple[str, ...]]:
    """``live`` as it may be displayed next to ``template``, and the keywords whose value differs.

    When ``live`` has the template's shape (only keyword values differ), it is shown as the
    template itself, and the differing keywords are named (never their values). Otherwise
    every known value is put back as its keyword, each live line that fits a template line
    (keywords as wildcards) is shown as that template line, and, with values missing
    (``view.complete`` False), every other line is hidden.
    """
    used = keys_in(template)
    if used:
        shape = pattern(template, {}, used).fullmatch(live)
        if shape is not None:
            differ = set()
            for group, text in shape.groupdict().items():
                kind, key = group.split("_", 1)
                if key not in values or text != _render(kind, values[key]):
                    differ.add(key)
            return template, tuple(sorted(differ))
    shown = _mask_values(template, values, view.known, live)
    if used:
        shown = _mask_lines(template, shown)
    if not view.complete:
        shown = _hide_unexplained(template, shown)
    return shown, ()


def _mask_values(
    template: str, values: Mapping[str, object], known: Iterable[tuple[str, object]], live: str
) -> str:
    forms: dict[str, str] = {}
    for m in _PLAIN.finditer(template):
        kind, key = _key(m)
        if key in values:
            forms.setdefault(as_text(values[key]), f"##{key}##")
            if kind == "j":
                forms.setdefault(as_json(values[key]), f"@@{key}@@")
    for key, value in list(values.items()) + list(known):
        if value is None:
            continue
        text = as_text(value)
        if len(text) < MIN_MASKED:
            continue
        forms.setdefault(as_json(value), f"@@{key}@@")
        for form in secret_forms(text):  # JSON-escaped, URL-encoded, base64 too
            forms.setdefault(form, f"##{key}##")
    return _replace_all(live, forms)


def _hide_unexplained(template: str, live: str) -> str:
    """Each live line that is not a line of the template replaced by ``HIDDEN_LINE``: without
    the values, nothing else tells a value from code."""
    lines = set(template.splitlines())
    out: list[str] = []
    for line in live.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append(line if body in lines or not body.strip() else HIDDEN_LINE + line[len(body):])
    return "".join(out)


def _replace_all(text: str, forms: Mapping[str, str]) -> str:
    """Every occurrence of a key of ``forms`` replaced, in one pass (longest first), so a
    keyword put in never has a value replaced inside it."""
    needles = sorted((f for f in forms if f), key=len, reverse=True)
    if not needles:
        return text
    return re.sub("|".join(map(re.escape, needles)), lambda m: forms[m.group(0)], text)


def _mask_lines(template: str, live: str) -> str:
    lines = [line for line in template.splitlines() if _has_keywords(line)]
    if not lines:
        return live
    patterns = [(pattern(line, {}, keys_in(line)), line) for line in dict.fromkeys(lines)]
    out: list[str] = []
    for line in live.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        for regex, template_line in patterns:
            if regex.fullmatch(body):
                line = template_line + line[len(body):]
                break
        out.append(line)
    return "".join(out)


def masked(text: str, values: Mapping[str, object], keys: Iterable[str] | None = None) -> str:
    """``text`` with the values of ``keys`` (default: all) replaced by their ``##KEY##``.

    Filling the result gives ``text`` back, so an export that masks stays deployable.
    """
    wanted = values.keys() if keys is None else keys
    forms: dict[str, str] = {}
    for key in sorted(wanted):
        if key in values and values[key] is not None:
            value = values[key]
            forms.setdefault(as_text(value), f"##{key}##")
            if isinstance(value, str) and as_json(value) != f'"{value}"':
                forms.setdefault(as_json(value), f"@@{key}@@")  # the escaped spelling
    return _replace_all(text, forms)

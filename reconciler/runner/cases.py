"""The cases a proof runs: the samples, then each read field varied, and outbound answers scripted.

Pure: from the samples, the secrets, the hook's source, the fields the hook read (event paths,
``secrets.X`` for a secret) and whether it called out, the list of cases, at most ``max_runs``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.runner.samples import Answers, Sample

MODES = ("ok", "4xx", "5xx", "network-error", "timeout")
MAX_LITERALS = 16
MAX_WORDS = 28
_ABSENT = object()


@dataclass(frozen=True)
class Case:
    name: str
    event: Mapping[str, Any]
    secrets: Mapping[str, str]
    outbound: Mapping[str, Any] = field(default_factory=dict)  # {"mode", "scripted"} for outbound.js


def literals(code: str) -> list[str]:
    """The hook's string literals (comments skipped) and object keys: what its conditions compare with."""
    found: set[str] = set()
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            i = code.find("\n", i)
            if i < 0:
                break
            continue
        if code.startswith("/*", i):
            i = code.find("*/", i + 2)
            if i < 0:
                break
            i += 2
            continue
        if c in "'\"`":
            j, text = i + 1, ""
            ok = True
            while j < n and code[j] != c and not (c != "`" and code[j] == "\n"):
                if code[j] == "\\":
                    text += code[j + 1:j + 2]
                    j += 2
                    continue
                if c == "`" and code.startswith("${", j):
                    ok = False
                text += code[j]
                j += 1
            if ok and 0 < len(text) <= 60 and not re.match(r"^(\.{0,2}/|node:)", text) \
                    and not re.match(r"^[a-z0-9@/._-]+@[\d.^~x*]+$", text, re.I):
                found.add(text)
            i = j + 1
            continue
        i += 1
    found.update(re.findall(r"[{,]\s*([A-Za-z_][\w-]{0,30})\s*:(?!:)", code))
    return sorted(found, key=lambda t: (len(t), t))[:MAX_LITERALS]


def property_names(code: str) -> list[str]:
    """Names the hook reads as properties (``.score``): a response body made of them."""
    return list(dict.fromkeys(re.findall(r"\.\s*([A-Za-z_$][\w$]*)", code)))[:40]


def statuses(code: str) -> list[int]:
    """HTTP statuses the hook compares an answer with (``=== 409``, ``>= 500``)."""
    found = [int(a or b) for a, b in re.findall(r"(?:[=!]==?|[<>]=?)\s*([1-5]\d\d)\b|\b([1-5]\d\d)\s*(?:[=!]==?|[<>]=?)", code)]
    return [s for s in dict.fromkeys(found) if s not in (200, 404, 500)][:6]


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str) and len(value) <= 80:
        out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)


def values_for(base: Any, words: list[str], email: bool) -> list[Any]:
    """Values to try at one field: absent, empty, and built from ``words``."""
    out: list[Any] = [_ABSENT]
    if isinstance(base, list):
        out.append([])
        out += [base + [w] for w in words if w not in base]
        out += [[x for x in base if x != item] for item in base]
    elif isinstance(base, bool):
        out.append(not base)
    elif isinstance(base, (int, float)):
        out += [0, base + 1, -1]
    elif isinstance(base, dict):
        out.append({})
    else:
        out += ["", "x"]
        for word in words:
            out.append(word)
            if email or re.match(r"^[\w-]+(\.[\w-]+)+$", word):
                out.append(f"someone@{word}")
        if isinstance(base, str):
            out.append(base.upper())
    return out


def _get(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    node = data
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if value is _ABSENT:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = copy.deepcopy(value)


def generate(samples: tuple[Sample, ...], secrets: Mapping[str, str], code: str, reads: list[str],
             calls_out: bool, answers: tuple[Answers, ...], max_runs: int) -> list[Case]:
    cases = [Case(s.name, s.event, secrets) for s in samples]
    if calls_out:
        for s in samples:
            cases += [Case(f"{s.name} [outbound {mode}]", s.event, secrets, {"mode": mode}) for mode in MODES[1:]]
        for status in statuses(code):
            cases += [Case(f"{s.name} [outbound {status}]", s.event, secrets,
                           {"scripted": [{"url": "", "status": status, "body": {}}]}) for s in samples]
        names = property_names(code)
        for label, value in (("true", True), ("100", 100)):
            body = {n: value for n in names}
            cases += [Case(f"{s.name} [outbound 200, every field {label}]", s.event, secrets,
                           {"scripted": [{"url": "", "status": 200, "body": body}]}) for s in samples]
    for scripted in answers:
        cases += [Case(f"{s.name} [answers {scripted.name}]", s.event, secrets, {"scripted": list(scripted.answers)})
                  for s in samples]
    pool: list[str] = []
    _strings(dict(secrets), pool)
    for s in samples:
        _strings(dict(s.event), pool)
    words = list(dict.fromkeys(literals(code) + pool))[:MAX_WORDS]
    # A field, not an element: "accessToken.scope.0" is the list "accessToken.scope".
    fields = sorted({re.sub(r"(\.\d+)(\..*)?$", "", r) for r in reads if r and r != "secrets"})
    queues = []
    for name in fields:
        queue = []
        for s in samples:
            base = _get({"secrets": dict(secrets)}, name) if name.startswith("secrets.") else _get(dict(s.event), name)
            queue += [(s, name, v) for v in values_for(base, words, "email" in name.lower())]
        queues.append(queue)
    seen = {json.dumps([dict(secrets), c.event], sort_keys=True, default=str) for c in cases}
    while len(cases) < max_runs and any(queues):
        for queue in queues:
            if len(cases) >= max_runs or not queue:
                continue
            sample, name, value = queue.pop(0)
            holder = {"secrets": copy.deepcopy(dict(secrets)), "event": copy.deepcopy(dict(sample.event))}
            _set(holder, name if name.startswith("secrets.") else f"event.{name}", value)
            key = json.dumps([holder["secrets"], holder["event"]], sort_keys=True, default=str)
            if key in seen:
                continue
            seen.add(key)
            # A secret's value is never shown: only which one was varied.
            shown = "varied" if name.startswith("secrets.") else "absent" if value is _ABSENT else json.dumps(value)[:40]
            cases.append(Case(f"{sample.name} [{name} = {shown}]", holder["event"], holder["secrets"]))
            if calls_out and len(cases) < max_runs:
                cases.append(Case(f"{sample.name} [{name} = {shown}, outbound 5xx]", holder["event"], holder["secrets"], {"mode": "5xx"}))
    return cases[:max_runs]

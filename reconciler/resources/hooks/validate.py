"""Validation: the JSON Schema plus the rules a schema can't express, all problems at once.

``check()`` never raises for bad input and never touches the network: it returns a
``Report`` whose ``state`` is the DesiredState only when there are no errors.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from reconciler.text import join_path as _join, kind_of as _kind
from reconciler.keywords import KeywordError, Keywords, MAPPINGS_VAR, has_keyword
from reconciler.resources.hooks.load import Loaded, Source, build_hook, read_config, read_script
from reconciler.resources.hooks.templates import keys_in
from reconciler.resources.hooks.model import MASKED_SECRET, TRIGGERS, DesiredState, Hook
from reconciler.problems import NOTE, UNSET, WARNING, Problem, error, warning

if TYPE_CHECKING:  # jsonschema loads only when a hook fails the fast check (start-up time)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

__all__ = ["Problem", "Report", "check", "schema", "schema_text"]

SCHEMA_FILE = Path(__file__).parent / "hook.schema.json"  # symlink to schemas/hook.schema.json
_KEYWORD = re.compile(r"unresolved keyword (?:##|@@)(\w+)(?:##|@@)")


@dataclass(frozen=True)
class Report:
    state: DesiredState | None  # None when errors prevent building it
    problems: tuple[Problem, ...]
    filled_keywords: tuple[str, ...] = ()  # keywords given a dummy value by fill_missing
    hooks_checked: int = 0  # hook documents read (with ``offline``, some are not built)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == WARNING)

    @property
    def notes(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == NOTE)

    @property
    def unset_keywords(self) -> tuple[str, ...]:
        """Keywords without a value (notes with ``offline``), as written."""
        found = (_KEYWORD.search(p.message) for p in self.problems if p.severity in (UNSET, NOTE))
        return tuple(sorted({m.group(1) for m in found if m}))

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)


def schema_text() -> str:
    """The hook JSON Schema exactly as shipped (what `reconciler schema` prints)."""
    for candidate in (SCHEMA_FILE, Path(__file__).parents[3] / "schemas" / "hook.schema.json"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError("hook.schema.json is missing from the reconciler package")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(schema_text())


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    # Compiled once per process: building a validator per hook would dominate load time.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def check(
    config: str | os.PathLike[str],
    env: Mapping[str, object] | None = None,
    *,
    fill_missing: Callable[[str], str] | None = None,
    offline: bool = False,
) -> Report:
    """Load and validate ``config``; every problem found, and the DesiredState if none is an error.

    ``offline`` (``reconciler validate``, like ``terraform validate``): a keyword without a
    value is a note, not an error; hooks whose metadata needs one are checked, not built.
    ``env``: where keyword values come from (``Settings.keyword_source()`` in the CLI); never
    the process environment implicitly."""
    env = {} if env is None else env
    try:
        keywords = Keywords.from_env(env, fill_missing)
    except KeywordError as exc:
        return Report(None, (error(MAPPINGS_VAR, "(environment)", str(exc)),))
    try:
        report = _check(read_config(config, keywords), keywords, offline)
        return _with_actions(report, config, keywords, offline)
    except OSError as exc:  # a file vanished or became unreadable mid-run: still no traceback
        reason = exc.strerror or type(exc).__name__
        where = exc.filename or os.fspath(config)
        return Report(None, (error(where, "(file)", f"cannot be read: {reason}"),), keywords.filled)


def _check(loaded: Loaded, keywords: Keywords, offline: bool = False) -> Report:
    problems: list[Problem] = list(loaded.problems)
    hooks: list[Hook] = []
    for source in loaded.sources:
        hook_problems = list(_schema_problems(source))
        script = source.data.get("script") if isinstance(source.data, dict) else None
        result = None
        if isinstance(script, str) and script and "script" not in source.unresolved:
            result = read_script(source, script, keywords)
            hook_problems.extend(result.problems)
        hook_problems.extend(_secret_problems(source))
        if offline:  # unset keywords become notes; the script's count as unknown values
            hook_problems = _soften(hook_problems)
        problems.extend(hook_problems)
        if result is not None and result.text is not None and not any(p.is_error for p in hook_problems) and not source.unresolved:
            unknown = result.unknown | (keys_in(result.text) - set(result.values))
            hooks.append(build_hook(source, result.text, result.values, unknown))
    problems.extend(_duplicate_names(loaded.sources))
    problems.extend(_enabled_per_trigger(loaded.sources))
    if offline:
        problems = _soften(problems)
    problems = list(dict.fromkeys(problems))  # one message per fact
    ok = not any(p.is_error for p in problems)
    state = DesiredState(tuple(hooks), loaded.source, manages_hooks=loaded.manages_hooks) if ok else None
    return Report(state, tuple(problems), keywords.filled, len(loaded.sources))


def _soften(problems: Iterable[Problem]) -> list[Problem]:
    return [dataclasses.replace(p, severity=NOTE) if p.severity == UNSET else p for p in problems]


def _with_actions(report: Report, config: str | os.PathLike[str], keywords: Keywords, offline: bool = False) -> Report:
    """The hooks report plus the Actions part of the config (reconciler.resources.actions)."""
    from reconciler.resources import actions  # imported here: it reuses this module's helpers

    desired, found = actions.check(config, keywords)
    if offline:
        found = tuple(_soften(found))
    problems = tuple(dict.fromkeys((*report.problems, *found)))
    ok = not any(p.is_error for p in problems) and report.state is not None
    state = replace(report.state, actions=desired) if ok and report.state is not None else None
    return Report(state, problems, keywords.filled, report.hooks_checked)


# --- JSON Schema ---------------------------------------------------------------------------


def _schema_problems(source: Source) -> Iterable[Problem]:
    fast = _fast_check()
    if fast is not None and fast(source.data):
        return  # valid: skip jsonschema, which is ~10x slower, and only needed for messages
    seen: set[str] = set()
    for err in _validator().iter_errors(source.data):
        for field, message in _describe(err, _hide_value(source.raw, list(err.absolute_path))):
            if field in seen:
                continue  # one message per field: "must be a string" says enough
            if any(field == u or field.startswith(u + ".") for u in source.unresolved):
                continue  # already reported as an unresolved keyword
            seen.add(field)
            yield error(source.path, source.field(field), message)


# The fast path is built from the schema itself (no second copy of the rules to drift), and
# only when every keyword the schema uses is one it knows; tests check it agrees with
# jsonschema on the whole bad-config corpus.
_ANNOTATIONS = {"$schema", "$id", "title", "description", "default", "examples"}
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}
Check = Callable[[Any], bool]


@lru_cache(maxsize=1)
def _fast_check() -> Check | None:
    return compile_fast(schema())


def compile_fast(node: Any) -> Check | None:
    """A yes/no validator for the subset of JSON Schema our schemas use, else None."""
    if node is True or node == {}:
        return lambda v: True
    if node is False:
        return lambda v: False
    if not isinstance(node, dict):
        return None
    known = {"type", "enum", "pattern", "minLength", "maxLength", "maxProperties", "required",
             "properties", "additionalProperties", "propertyNames", "items", "minItems", "maxItems"}
    if set(node) - known - _ANNOTATIONS:
        return None
    checks: list[Check] = []
    if "type" in node:
        if not isinstance(node["type"], str) or node["type"] not in _TYPES:
            return None
        checks.append(_TYPES[node["type"]])
    if "enum" in node:
        options = [(type(o), o) for o in node["enum"]]
        checks.append(lambda v: any(type(v) is t and v == o for t, o in options))
    strings: list[Check] = []
    if "pattern" in node:
        regex = re.compile(node["pattern"])
        strings.append(lambda v: regex.search(v) is not None)
    if "minLength" in node:
        low = node["minLength"]
        strings.append(lambda v: len(v) >= low)
    if "maxLength" in node:
        high = node["maxLength"]
        strings.append(lambda v: len(v) <= high)
    if strings:
        checks.append(lambda v: not isinstance(v, str) or all(c(v) for c in strings))
    arrays: list[Check] = []
    if "minItems" in node:
        fewest = node["minItems"]
        arrays.append(lambda v: len(v) >= fewest)
    if "maxItems" in node:
        most_items = node["maxItems"]
        arrays.append(lambda v: len(v) <= most_items)
    if "items" in node:
        item_check = compile_fast(node["items"])
        if item_check is None:
            return None
        arrays.append(lambda v: all(item_check(x) for x in v))  # type: ignore[misc]
    if arrays:
        checks.append(lambda v: not isinstance(v, list) or all(c(v) for c in arrays))
    objects: list[Check] = []
    if "maxProperties" in node:
        most = node["maxProperties"]
        objects.append(lambda v: len(v) <= most)
    if "required" in node:
        required = list(node["required"])
        objects.append(lambda v: all(k in v for k in required))
    props = {k: compile_fast(sub) for k, sub in node.get("properties", {}).items()}
    extra = compile_fast(node.get("additionalProperties", True))
    names = compile_fast(node.get("propertyNames", True))
    if None in props.values() or extra is None or names is None:
        return None

    def members(v: dict[str, Any]) -> bool:
        for key, item in v.items():
            if not names(key):  # type: ignore[misc]
                return False
            check = props.get(key, extra)
            if not check(item):  # type: ignore[misc]
                return False
        return True

    objects.append(members)
    checks.append(lambda v: not isinstance(v, dict) or all(c(v) for c in objects))
    return lambda v: all(c(v) for c in checks)


def _hide_value(raw: Any, parts: list[Any]) -> bool:
    """True when the value at ``parts`` came from a keyword (or is under `secrets`): never quote it."""
    if parts[:1] == ["secrets"]:
        return True
    value = raw
    for part in parts:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return True  # not in git as such: it came out of a keyword
    return _mentions_keyword(value)


def _mentions_keyword(value: Any) -> bool:
    if isinstance(value, str):
        return has_keyword(value)
    if isinstance(value, dict):
        return any(_mentions_keyword(k) or _mentions_keyword(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions_keyword(v) for v in value)
    return False


def _describe(err: ValidationError, secret: bool) -> Iterable[tuple[str, str]]:
    """(field, message) pairs in the user's terms. Quotes the value only when ``secret`` is False."""
    path = _dotted(err.absolute_path)
    kind = err.validator
    value = err.instance
    if kind == "required":
        for name in err.validator_value:
            if isinstance(value, dict) and name not in value:
                yield _join(path, name), "is required"
    elif kind == "additionalProperties" and isinstance(value, dict):
        allowed = list(err.schema.get("properties", {}))
        for name in value:
            if name not in allowed:
                hint = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
                also = f"; did you mean {hint[0]!r}?" if hint else f" (allowed: {', '.join(allowed)})"
                yield _join(path, name), f"unknown field{also}"
    elif kind == "type":
        what = "a JSON object of hook fields" if not path else _article(err.validator_value)
        yield path, f"must be {what}, got {_kind(value)}"
    elif kind == "enum":
        shown = "" if secret else f", got {json.dumps(value)}"
        yield path, f"must be one of: {', '.join(map(str, err.validator_value))}{shown}"
    elif kind == "pattern" and "propertyNames" in err.schema_path:
        what = "an npm package name" if path.startswith("dependencies") else "a valid key"
        yield path, f"key {'(from a keyword)' if secret else repr(value)} is not {what}"
    elif kind == "pattern" and path == "name":
        yield path, (
            f"{'the value' if secret else repr(value)} is not a valid hook name: use letters, digits, "
            "spaces and hyphens, starting and ending with a letter or digit"
        )
    elif kind == "maxProperties":
        noun = "secrets" if path == "secrets" else "entries"
        limit = f"Auth0 allows at most {err.validator_value} per hook" if path == "secrets" else f"at most {err.validator_value} allowed"
        yield path, f"has {len(value)} {noun}; {limit}"
    elif kind == "minLength":
        yield path, ("has an empty key" if "propertyNames" in err.schema_path else "must not be empty")
    elif kind == "maxLength":
        yield path, f"is longer than {err.validator_value} characters"
    else:
        yield path, (f"is invalid ({kind})" if secret else err.message)


def _dotted(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else _join(out, str(part))
    return out


def _article(json_type: Any) -> str:
    if isinstance(json_type, list):
        return " or ".join(map(_article, json_type))
    return {"object": "an object", "array": "an array", "integer": "an integer"}.get(json_type, f"a {json_type}")


# --- secrets -------------------------------------------------------------------------------


def _secret_problems(source: Source) -> Iterable[Problem]:
    data, raw = source.data, source.raw
    secrets = data.get("secrets") if isinstance(data, dict) else None
    if not isinstance(secrets, dict):
        return
    raw_secrets = raw.get("secrets") if isinstance(raw, dict) else None
    for key, value in secrets.items():
        field = source.field(f"secrets.{key}")
        if not isinstance(value, str) or f"secrets.{key}" in source.unresolved:
            continue
        if value == MASKED_SECRET:
            yield error(
                source.path,
                field,
                f"is {MASKED_SECRET}, the placeholder auth0-deploy-cli exports; applying it would "
                f'overwrite the real secret. Write "##{key}##" and supply {key} via '
                f"{MAPPINGS_VAR} or the environment",
            )
            continue
        raw_value = raw_secrets.get(key) if isinstance(raw_secrets, dict) else None
        literal = isinstance(raw_value, str) and not has_keyword(raw_value)
        if value == "" and not literal:
            yield error(source.path, field, "is empty after keyword replacement (is the variable set?)")
        elif literal:
            yield warning(
                source.path,
                field,
                f'secret value is written literally in the config; write "##{key}##" and supply '
                f"the value via {MAPPINGS_VAR} or the environment",
            )


# --- rules across hooks --------------------------------------------------------------------


def _named(sources: Iterable[Source]) -> list[tuple[str, Source]]:
    return [(s.data["name"], s) for s in sources if isinstance(s.data, dict) and isinstance(s.data.get("name"), str)]


def _where(source: Source) -> str:
    return f"{source.path}, {source.prefix.rstrip('.')}" if source.prefix else source.path


def _duplicate_names(sources: Iterable[Source]) -> Iterable[Problem]:
    first: dict[str, Source] = {}
    for name, source in _named(sources):
        if name in first:
            yield error(
                source.path,
                source.field("name"),
                f"duplicate hook name {name!r}: also in {_where(first[name])}; names must be unique in the tenant",
            )
        else:
            first[name] = source


def _enabled_per_trigger(sources: Iterable[Source]) -> Iterable[Problem]:
    by_trigger: dict[str, list[tuple[str, Source]]] = {}
    for name, source in _named(sources):
        trigger = source.data.get("triggerId")
        if source.data.get("enabled") is True and trigger in TRIGGERS:
            by_trigger.setdefault(trigger, []).append((name, source))
    for trigger, hooks in by_trigger.items():
        if len(hooks) > 1:
            listed = ", ".join(f"{name!r} ({_where(s)})" for name, s in hooks)
            yield error(
                hooks[0][1].path,
                hooks[0][1].field("enabled"),
                f"{len(hooks)} hooks are enabled on trigger {trigger}: {listed}; "
                "Auth0 allows only one enabled hook per trigger",
            )



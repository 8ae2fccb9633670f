"""Parsing a config document (a hook's or an action's metadata, triggers, a YAML config) as hostile input: JSON and YAML (plain data only, no duplicate
keys, bounded depth and size), every failure a ``Problem`` naming the file and position,
never a snippet of the text (it could hold a secret value)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from reconciler.problems import Problem, error
from reconciler.text import join_path as _join
from reconciler.text import kind_of, lone_surrogate_at

MAX_NODES = 100_000  # YAML aliases can expand exponentially ("billion laughs"): stop walking early
MAX_DEPTH = 64  # a hook's or action's metadata is 3-4 levels deep; deeper input only exhausts the stack

# The C loader is the same safe loader (plain data only), just faster; PyYAML without libyaml
# falls back to the pure-Python one.
_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _DuplicateKey(Exception):
    def __init__(self, key: object, mark: Any) -> None:
        super().__init__(key)
        self.key, self.mark = key, mark


class _StrictLoader(_SafeLoader):  # type: ignore[misc]
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


# --- parsing -------------------------------------------------------------------------------


def parse_json(text: str, shown: str) -> tuple[Any, Problem | None]:
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
    return _unicode_only(value, shown)


def _unicode_only(value: Any, shown: str) -> tuple[Any, Problem | None]:
    """``value``, or a problem naming the field holding a lone surrogate (JSON's ``\\ud800``,
    YAML's ``"\\uD800"``), which no output, digest or request could take."""
    found = lone_surrogate_at(value, "")
    if found is None:
        return value, None
    return None, error(shown, found.lstrip(".").replace(" (a key)", "") or "(file)",
                       "is not Unicode text (a lone surrogate)" + (" in a key" if found.endswith("(a key)") else ""))


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
    except yaml.YAMLError as exc:
        # libyaml 0.2.5+ (in PyYAML 6.0.3+ wheels) has its own nesting limit and stops the
        # stream before our count gets there: report it in the same words. Anything else the
        # real parse reports.
        return _is_nesting_limit(exc)
    return False


def _is_nesting_limit(exc: yaml.YAMLError) -> bool:
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    return "nesting depth" in str(problem)


def parse_yaml(text: str, shown: str) -> tuple[Any, Problem | None]:
    if _yaml_too_deep(text):
        return None, error(shown, "(file)", f"is nested more than {MAX_DEPTH} levels deep")
    try:
        return _unicode_only(yaml.load(text, Loader=_StrictLoader), shown)  # noqa: S506 - a safe loader
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


DROP = object()  # a value already reported: left out so the schema doesn't report it again


def plain_data(value: Any, path: str, shown: str, problems: list[Problem]) -> Any:
    """JSON-shaped data only: YAML dates, binary, sets and non-string keys become problems.

    Only called on data ``shape_problem`` accepted: bounded in depth and size."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append(error(shown, path or "(file)", f"has a key of type {kind_bare(key)}; keys must be strings (quote it)"))
                continue
            item = plain_data(item, _join(path, key), shown, problems)
            if item is not DROP:
                out[key] = item
        return out
    if isinstance(value, list):
        items = (plain_data(item, f"{path}[{i}]", shown, problems) for i, item in enumerate(value))
        return [None if item is DROP else item for item in items]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    problems.append(error(shown, path or "(file)", f"is a YAML {kind_bare(value)}, not plain data: quote it"))
    return DROP


def shape_problem(value: Any) -> str | None:
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


def kind_bare(value: Any) -> str:
    return kind_of(value, article=False)

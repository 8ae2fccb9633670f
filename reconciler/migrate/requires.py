"""``require(...)`` as Hooks allowed it, and the plain ``require('pkg')`` Actions need.

Hooks resolved ``require('pkg@1.2.3')`` and, from the webtask's own folder,
``require('./node_modules/pkg@1.2.3')``; an action resolves a package by its plain name from its
dependency list. Each such require becomes ``require('pkg')`` plus a dependency entry. A require of
any other path has no action equivalent (an action is one file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from reconciler.migrate.jsbindings import Bindings, bind
from reconciler.migrate.jsparse import Source, apply_edits, field, line, same, string_value

# Node's core modules need no dependency entry (Node 22's module.builtinModules, top level).
CORE = frozenset(
    ["assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants", "crypto", "dgram", "diagnostics_channel", "dns", "domain", "events", "fs", "http", "http2", "https", "inspector", "module", "net", "os", "path", "perf_hooks", "process", "punycode", "querystring", "readline", "repl", "stream", "string_decoder", "sys", "timers", "tls", "trace_events", "tty", "url", "util", "v8", "vm", "wasi", "worker_threads", "zlib"]
)
_PINNED = re.compile(r"^(@[^/@]+/[^/@]+|[^/@.][^@/]*)@([^/]+)(/.*)?$")
_NODE_MODULES = re.compile(r"^(?:\.{1,2}/)*node_modules/")

PACKAGE, CORE_MODULE, NODE_MODULES_PATH, LOCAL_PATH = "package", "core", "node_modules path", "local path"


@dataclass(frozen=True)
class Require:
    """One ``require('<spec>')`` of the hook."""

    spec: str  # as written
    name: str  # the package (or core module, or path) it means
    version: str | None  # the version pinned in the spec
    plain: str  # the spec an action needs: the package and any subpath, without version or path
    kind: str  # PACKAGE | CORE_MODULE | NODE_MODULES_PATH | LOCAL_PATH
    line: int
    start: int  # byte range of the string literal
    end: int
    quote: str


def split_pin(spec: str) -> tuple[str, str | None]:
    """``"axios@1.6.8"`` -> ``("axios", "1.6.8")``; ``"axios"`` -> ``("axios", None)``."""
    match = _PINNED.match(spec)
    return (match.group(1), match.group(2)) if match else (spec, None)


def is_package(name: str) -> bool:
    """An npm package (not a core module, not a path)."""
    bare = name.removeprefix("node:").split("/")[0]
    return not name.startswith((".", "/", "node:")) and bare not in CORE


def requires(source: Source, bindings: Bindings) -> tuple[Require, ...]:
    """Every ``require('literal')`` call to the global ``require``, in source order."""
    out = []
    for reference in bindings.references:
        if source.of(reference) != "require" or bindings.of(reference) is not None:
            continue
        call = reference.parent
        if call is None or call.type != "call_expression" or not same(field(call, "function"), reference):
            continue
        arguments = [a for a in field(call, "arguments").named_children if a.type != "comment"]  # type: ignore[union-attr]
        spec = string_value(arguments[0], source) if len(arguments) == 1 else None
        if spec is not None:
            out.append(_require(spec, arguments[0], source))
    return tuple(out)


def _require(spec: str, literal: Node, source: Source) -> Require:
    quote = source.of(literal)[0]
    stripped = _NODE_MODULES.sub("", spec, count=1)
    in_node_modules = stripped != spec
    if spec.startswith((".", "/")) and not in_node_modules:
        kind = LOCAL_PATH
    elif in_node_modules:
        kind = NODE_MODULES_PATH
    else:
        kind = PACKAGE if is_package(spec) else CORE_MODULE
    match = _PINNED.match(stripped)
    name, version, subpath = (match.group(1), match.group(2), match.group(3) or "") if match else (_package_of(stripped), None, "")
    plain = name + subpath if match else stripped
    if kind == LOCAL_PATH:
        name, plain = spec, spec
    return Require(spec, name, version, plain, kind, line(literal), literal.start_byte, literal.end_byte, quote)


def _package_of(spec: str) -> str:
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") else parts[0]


def require_edits(found: tuple[Require, ...]) -> list[tuple[int, int, str]]:
    """The byte edits that make each pinned or node_modules require plain."""
    return [(r.start, r.end, f"{r.quote}{r.plain}{r.quote}") for r in found
            if r.kind in (PACKAGE, NODE_MODULES_PATH) and r.plain != r.spec]


def packages(found: tuple[Require, ...]) -> tuple[tuple[str, str | None], ...]:
    """The npm packages required, as ``(name, pinned version or None)``, in order of appearance."""
    out: dict[str, str | None] = {}
    for r in found:
        if r.kind in (PACKAGE, NODE_MODULES_PATH) and is_package(r.name):
            out[r.name] = out.get(r.name) or r.version
    return tuple(out.items())


def rewrite_requires(text: str) -> tuple[str, tuple[tuple[str, str | None], ...]]:
    """The source with every ``require('pkg@ver')`` (and node_modules path) made plain, and the
    packages it requires as ``(name, pinned version or None)`` in order of appearance."""
    source = Source(text)
    found = requires(source, bind(source))
    return apply_edits(source.data, require_edits(found)), packages(found)

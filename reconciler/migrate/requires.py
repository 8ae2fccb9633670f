"""``require('pkg@1.2.3')`` as Hooks allowed it, and the plain ``require('pkg')`` Actions need."""

from __future__ import annotations

import re

from reconciler.migrate.jstokens import IDENT, STRING, Token, TokenizeError, code, tokenize

# Node's core modules need no dependency entry (Node 22's module.builtinModules, top level).
CORE = frozenset(
    "assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns "
    "domain events fs http http2 https inspector module net os path perf_hooks process punycode querystring "
    "readline repl stream string_decoder sys timers tls trace_events tty url util v8 vm wasi worker_threads zlib".split()
)
_PINNED = re.compile(r"^(@[^/@]+/[^/@]+|[^/@.][^@]*)@(.+)$")


def split_pin(spec: str) -> tuple[str, str | None]:
    """``"axios@1.6.8"`` -> ``("axios", "1.6.8")``; ``"axios"`` -> ``("axios", None)``."""
    match = _PINNED.match(spec)
    return (match.group(1), match.group(2)) if match else (spec, None)


def is_package(name: str) -> bool:
    """An npm package (not a core module, not a relative path)."""
    bare = name.removeprefix("node:").split("/")[0]
    return not name.startswith((".", "/", "node:")) and bare not in CORE


def rewrite_requires(source: str, tokens: list[Token] | None = None) -> tuple[str, tuple[tuple[str, str | None], ...]]:
    """The source with every ``require('pkg@ver')`` made plain, and the packages it requires
    as ``(name, pinned version or None)`` in order of appearance."""
    try:
        edits, found = require_edits(tokens if tokens is not None else tokenize(source))
    except TokenizeError:  # the translation reports it; the adapter keeps the source as it is
        return source, ()
    return apply_edits(source, edits), found


def require_edits(tokens: list[Token]) -> tuple[list[tuple[int, int, str]], tuple[tuple[str, str | None], ...]]:
    """The edits that unpin each ``require('pkg@ver')``, and the packages required."""
    significant = code(tokens)
    edits: list[tuple[int, int, str]] = []
    found: dict[str, str | None] = {}
    for i, token in enumerate(significant[:-3]):
        if not (token.kind == IDENT and token.text == "require" and significant[i + 1].is_("(")
                and significant[i + 2].kind == STRING and significant[i + 3].is_(")")):
            continue
        literal = significant[i + 2]
        quote, spec = literal.text[0], literal.text[1:-1]
        name, version = split_pin(spec)
        if is_package(name):
            found[name] = found.get(name) or version
        if version is not None:
            edits.append((literal.start, literal.end, f"{quote}{name}{quote}"))
    return edits, tuple(found.items())


def apply_edits(source: str, edits: list[tuple[int, int, str]]) -> str:
    """``source`` with each ``(start, end, text)`` replacement made (ranges must not overlap)."""
    out, last = [], 0
    for start, end, text in sorted(edits):
        out.append(source[last:start])
        out.append(text)
        last = end
    out.append(source[last:])
    return "".join(out)

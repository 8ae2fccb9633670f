"""The rules a translated action shares with the Hooks model, as the model's own JavaScript text.

``hooks_model.js`` (the runner's model, embedded whole in every adapter) marks the functions a
translation needs as well -- claim names, registration metadata, the unprefixed user id, error
answers -- with a "Shared with translations" comment. The translator embeds exactly those
functions, found by name in the model's syntax tree, so each rule is written once.
"""

from __future__ import annotations

import textwrap
from functools import cache
from importlib import resources

from reconciler.migrate.jsparse import Source, field

SHARED_MARK = "Shared with translations"


def hooks_model_source() -> str:
    """The Hooks runtime model the runner uses, pasted into every adapter (one source of truth)."""
    return resources.files("reconciler.runner").joinpath("hooks_model.js").read_text("utf-8")


@cache
def shared_functions() -> dict[str, str]:
    """Name -> text (dedented) of each function the model marks as shared with translations."""
    source = Source(hooks_model_source())
    source.check()
    out: dict[str, str] = {}
    for node in source.walk(source.root):
        if node.type != "function_declaration":
            continue
        name, comment = field(node, "name"), node.prev_named_sibling
        if name is None or comment is None or comment.type != "comment":
            continue
        # The mark opens the comment block just above the function (several `//` lines).
        block = comment
        while block.prev_named_sibling is not None and block.prev_named_sibling.type == "comment" \
                and block.prev_named_sibling.end_point.row == block.start_point.row - 1:
            block = block.prev_named_sibling
        if SHARED_MARK not in source.of(block):
            continue
        indent = " " * node.start_point.column
        out[source.of(name)] = textwrap.dedent(indent + source.of(node))
    return out


def model_functions(*names: str) -> str:
    """The model's text of the shared functions ``names``, in that order, as action code."""
    shared = shared_functions()
    missing = [n for n in names if n not in shared]
    if missing:
        raise LookupError(f"hooks_model.js marks no shared function {', '.join(missing)}")
    return "".join(f"\n// From the Hooks model (reconciler/runner/hooks_model.js).\n{shared[n]}\n" for n in names)

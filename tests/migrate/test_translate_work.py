"""A large pathological hook does not keep the translator busy (issue 18, "migrate writing"):
the work grows with the hook's size, not with its square. Measured in work, never in time:
Python line events inside the migration's modules, and walks up the tree that must go
through the parent map (tree-sitter's own ``.parent`` searches down from the root, so a walk
up a deep tree through it is quadratic)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, cast

from tree_sitter import Node

from reconciler.migrate import hazards
from reconciler.migrate import translate as translate_module
from reconciler.migrate.jsparse import Source
from reconciler.migrate.translate import parse_hook, translate

# sys.settrace's callback: called with (frame, event, arg), returns the next local tracer.
TraceFunction = Callable[[FrameType, str, Any], Any]

PRE = "post-user-registration"


def line_events(run: Callable[[], Any]) -> int:
    """Line events in reconciler.migrate's own code while ``run`` runs."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> TraceFunction:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def trace(frame: FrameType, event: str, arg: Any) -> TraceFunction | None:
        return local if frame.f_globals.get("__name__", "").startswith("reconciler.migrate") else None

    sys.settrace(trace)
    try:
        run()
    finally:
        sys.settrace(None)
    return count


def many_calls(n: int) -> str:
    return "module.exports = function (user, context, cb) {\n" + "if (user.email) cb();\n" * n + "};\n"


def nested(n: int) -> str:
    return "module.exports = function (user, context, cb) {\n" + "(function () {\n" * n + "cb();\n" + "})();\n" * n + "};\n"


def test_thousands_of_callback_calls_cost_linear_work() -> None:
    small = line_events(lambda: translate("h", PRE, many_calls(1000)))
    large = line_events(lambda: translate("h", PRE, many_calls(4000)))
    assert large < 6 * small, (small, large)  # linear: about 4x; the old scan per call: about 16x


def test_a_96_kB_hook_is_translated_within_a_bound_on_work() -> None:
    text = many_calls(4400)
    assert len(text) > 96_000
    assert line_events(lambda: translate("h", PRE, text)) < 2000 * len(text.splitlines())  # ~1,300 a line today


class _Guarded:
    """A node whose ``.parent`` must not be read (walks up go through the parent map)."""

    def __init__(self, node: Any, reads: list[int]) -> None:
        self._node, self._reads = node, reads

    @classmethod
    def around(cls, node: Node, reads: list[int]) -> Node:
        """The guard, standing in for the node it wraps (it forwards every attribute)."""
        return cast(Node, cls(node, reads))

    def __getattr__(self, name: str) -> Any:
        if name == "parent":
            self._reads.append(1)
        return getattr(self._node, name)


def test_walks_up_a_deep_hook_use_the_parent_map_not_tree_sitter() -> None:
    hook = parse_hook(PRE, nested(800))
    source: Source = hook.source
    [call] = [n for n in source.walk(source.root) if n.type == "call_expression" and source.of(n) == "cb()"]
    reads: list[int] = []
    contains = hazards._callback_statements([_Guarded.around(call, reads)], hook.handler, source)
    assert hazards._function_of(_Guarded.around(call, reads), source) is not None
    assert translate_module._own_function(_Guarded.around(call, reads), source) is not None
    assert reads == [] and len(contains) > 800 * 3
    # The map agrees with tree-sitter.
    for node in list(source.walk(source.root))[:500]:
        assert (source.parent(node) or node).id == (node.parent or node).id

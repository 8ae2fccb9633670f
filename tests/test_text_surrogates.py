"""``reconciler.text``: the lone-surrogate walk over parsed documents."""

from __future__ import annotations

from typing import Any

from reconciler.text import lone_surrogate_at


def _shared_levels(levels: int, leaf: Any) -> Any:
    """What a YAML alias bomb parses to: each level a list of ten references to the one below
    (10**levels paths, ``levels`` objects)."""
    node = leaf
    for _ in range(levels):
        node = [node] * 10
    return node


def test_a_structure_of_shared_objects_is_walked_once_per_object() -> None:
    # 10**40 paths: a walk by path would never end; by object it is 40 lists.
    assert lone_surrogate_at({"a": _shared_levels(40, ["x", "y"])}, "doc") is None


def test_a_lone_surrogate_behind_shared_objects_is_still_found() -> None:
    found = lone_surrogate_at({"a": _shared_levels(40, ["x", "bad\ud800"])}, "doc")
    assert found is not None and found.startswith("doc.a[") and found.endswith("[1]")


def test_a_cycle_ends() -> None:
    loop: list[Any] = ["ok"]
    loop.append(loop)
    assert lone_surrogate_at(loop, "doc") is None


def test_a_key_is_named_as_a_key() -> None:
    assert lone_surrogate_at({"outer": {"k\udc00": 1}}, "doc") == "doc.outer (a key)"

"""The renderers' one question to the registry: a type's render blocks (``Blocks``, defined in
the seam: ``reconciler.resources.blocks``), generic ones for a type without its own."""

from __future__ import annotations

from reconciler.core.reasons import Reason
from reconciler.resources import blocks as seam
from reconciler.resources.blocks import Blocks
from reconciler.resources.builtin import registry


def blocks_for(type_name: str) -> Blocks:
    """The registered type's blocks (generic ones for a type without its own)."""
    resource = registry().get(type_name)
    if resource.blocks is not None:
        made: Blocks = resource.blocks()
        return made
    return Blocks(resource.name, resource.one or resource.noun.rstrip("s"), resource.noun, resource.block)


def word(reason: Reason | str | None) -> str:
    """The words of ``reason``, the built-in types registered (a plan made by a type's
    planner alone, in tests and benches, is worded too)."""
    registry()
    return seam.word(reason)

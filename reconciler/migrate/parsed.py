"""A hook parsed once for the migration: its tree, its names, its handler and its trigger's shape.

``parse_hook`` refuses (``CannotTranslate``, with the line) what the grammar cannot follow and
hooks whose handler is not in a shape ``outline`` finds; everything else in the migration reads
the same ``Parsed``.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.migrate.jsbindings import Binding, Bindings, bind
from reconciler.migrate.jsparse import ParseError, Source
from reconciler.migrate.outline import Handler, NoHandler, find_handler
from reconciler.migrate.shapes import SHAPES, Shape

Edit = tuple[int, int, str]  # a byte range of the hook and the text that replaces it


class CannotTranslate(Exception):
    """The hook has a shape the translation does not map; ``str()`` says which, ``line`` where."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.line = line


@dataclass(frozen=True)
class Parsed:
    """A hook parsed once, for the translation and every static check."""

    source: Source
    bindings: Bindings
    handler: Handler
    shape: Shape

    def role(self, binding: Binding | None) -> str | None:
        """The hook parameter ``binding`` is (its role in ``Shape.params``), or None."""
        if binding is None:
            return None
        for param, role in zip(self.handler.params, self.shape.params):
            if param == binding:
                return role
        return None


def parse_hook(trigger: str, text: str) -> Parsed:
    """The parsed hook, or ``CannotTranslate`` when its handler cannot be found."""
    shape = SHAPES.get(trigger)
    if shape is None:
        raise CannotTranslate(f"hooks on {trigger} are not known")
    source = Source(text)
    try:
        source.check()
    except ParseError as error:
        raise CannotTranslate(str(error), error.line) from None
    bindings = bind(source)
    try:
        handler = find_handler(source, bindings, shape.arity, trigger, shape.params)
    except NoHandler as reason:
        raise CannotTranslate(str(reason), 1) from None
    return Parsed(source, bindings, handler, shape)

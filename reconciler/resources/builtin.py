"""The built-in resource types, registered on first use: the one module that names them.

The seam (``base``) imports no type; whatever needs every type registered (the use cases, the
renderers, the plan-file reader) asks ``registry()`` here.
"""

from __future__ import annotations

from reconciler.resources.base import REGISTRY, Registry


def registry() -> Registry:
    """The registry with every built-in type registered (imports their packages once)."""
    import reconciler.resources.actions.register  # noqa: F401
    import reconciler.resources.hooks.register  # noqa: F401

    return REGISTRY

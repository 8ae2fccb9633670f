"""Old import path: ``reconciler.resources.hooks.steps`` (the same module object)."""

import sys

from reconciler.resources.hooks import steps as _module

sys.modules[__name__] = _module

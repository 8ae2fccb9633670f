"""Old import path: ``reconciler.resources.hooks.verify`` (the same module object)."""

import sys

from reconciler.resources.hooks import verify as _module

sys.modules[__name__] = _module

"""Old import path: ``reconciler.resources.hooks.export`` (the same module object)."""

import sys

from reconciler.resources.hooks import export as _module

sys.modules[__name__] = _module

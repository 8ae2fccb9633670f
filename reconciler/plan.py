"""Old import path: ``reconciler.resources.hooks.plan`` (the same module object)."""

import sys

from reconciler.resources.hooks import plan as _module

sys.modules[__name__] = _module

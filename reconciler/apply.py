"""Old import path: ``reconciler.resources.hooks.ops`` (the same module object)."""

import sys

from reconciler.resources.hooks import ops as _module

sys.modules[__name__] = _module

"""Old import path: ``reconciler.resources.hooks.model`` (the same module object)."""

import sys

from reconciler.resources.hooks import model as _module

sys.modules[__name__] = _module

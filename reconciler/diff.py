"""Old import path: ``reconciler.resources.hooks.diff`` (the same module object)."""

import sys

from reconciler.resources.hooks import diff as _module

sys.modules[__name__] = _module

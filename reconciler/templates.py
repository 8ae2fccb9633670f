"""Old import path: ``reconciler.resources.hooks.templates`` (the same module object)."""

import sys

from reconciler.resources.hooks import templates as _module

sys.modules[__name__] = _module

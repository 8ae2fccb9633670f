"""Old import path: ``reconciler.resources.hooks.load`` (the same module object)."""

import sys

from reconciler.resources.hooks import load as _module

sys.modules[__name__] = _module

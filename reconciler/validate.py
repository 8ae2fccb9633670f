"""Old import path: ``reconciler.resources.hooks.validate`` (the same module object)."""

import sys

from reconciler.resources.hooks import validate as _module

sys.modules[__name__] = _module

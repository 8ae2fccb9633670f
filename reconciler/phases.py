"""Old import path: ``reconciler.resources.hooks.phases`` (the same module object)."""

import sys

from reconciler.resources.hooks import phases as _module

sys.modules[__name__] = _module

"""Old import path: ``reconciler.resources.hooks.planner`` (the same module object)."""

import sys

from reconciler.resources.hooks import planner as _module

sys.modules[__name__] = _module

"""Old import path: ``reconciler.github.comment`` (the same module object)."""

import sys

from reconciler.github import comment as _module

sys.modules[__name__] = _module

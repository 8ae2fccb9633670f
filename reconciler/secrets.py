"""Old import path: ``reconciler.resources.hooks.secrets`` (the same module object)."""

import sys

from reconciler.resources.hooks import secrets as _module

sys.modules[__name__] = _module

"""Old import path: ``reconciler.usecases`` (the same module object)."""

import sys

from reconciler import usecases as _module

sys.modules[__name__] = _module

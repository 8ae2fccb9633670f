"""Every error the CLI reports is defined in one module, ``reconciler.errors``."""

from __future__ import annotations

import importlib
import pkgutil

import reconciler
from reconciler.errors import ReconcilerError


def _all_subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_reconciler_error_lives_in_the_errors_module() -> None:
    for module in pkgutil.walk_packages(reconciler.__path__, "reconciler."):
        if not module.name.endswith("__main__"):  # that one runs the CLI
            importlib.import_module(module.name)
    subclasses = _all_subclasses(ReconcilerError)  # tests may define their own: only the package's count
    assert len(subclasses) > 20  # the walk imported the package, not just this file's imports
    elsewhere = sorted(f"{c.__module__}.{c.__qualname__}" for c in subclasses
                       if c.__module__.startswith("reconciler.") and c.__module__ != "reconciler.errors")
    assert elsewhere == []

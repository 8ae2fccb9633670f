"""The engine's generic core: it knows no resource type.

Stable API for resource types (see docs/adding-a-resource-type.md):

- ``reasons.Reason``: a code (``"<type>.<what>"``) plus arguments; worded only by the type.
- ``steps.Step``: one operation, keyed by ``type`` and ``key``, with a typed ``payload``,
  ``after`` (indexes of any type: cross-type edges), ``phase`` (``remove`` = after every
  other step), ``follows`` (strict pair: same worker, right after, always finished once
  started), ``first`` and ``wait`` (a polled, asynchronous operation, bounded in time).
  ``steps.StepRef`` names another type's step before indexes exist.
- ``changes.Change`` / ``FieldChange`` / ``ChangeKind``: what happens to a resource, for people.
- ``planner.TypePlan`` and ``planner.merge``: each type's part, merged into one plan.
- ``executor.execute`` with a ``Runner`` (guard, run, done) per type, ``Dispatch`` for
  several types: dependency graph, concurrency, stop on first failure or Ctrl-C.
- ``threshold.check_delete_threshold``; ``digest.digest`` (canonical JSON digests).

The core imports nothing from ``reconciler.resources``; types import the core.
"""

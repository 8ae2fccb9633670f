"""Hooks, the first resource type: model, schema, loader, rules, planner, operations,
verification, export and wording. ``register`` plugs them into the engine."""

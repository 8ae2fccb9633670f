"""Actions, the successor of Hooks: model, schemas, loader, rules, planner, operations,
verification, export and wording. ``register`` plugs them into the engine."""

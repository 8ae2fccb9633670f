"""The CLI's commands (``reconciler.cli`` loads each module when its command runs): parse flags,
call a use case (``reconciler.usecases``), render, exit. No command names a resource type: the
types reach them through the use cases and the registry (a layer rule in pyproject.toml)."""

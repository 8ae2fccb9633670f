"""The use cases the CLI calls, one function each; the CLI parses, prints and sets exit
codes, nothing more. I/O lives here and in the client; the planning core stays pure. Use
cases meet resource types only through the registry (``reconciler.resources.base``).

- ``validating``: every type's part of the config loaded and checked (``check``: ``validate``)
- ``loading``: the config and plan options (``load_desired``, ``plan_options``)
- ``planning``: ``plan_config`` (``reconciler plan``), ``make_plan``, ``plan_against``
- ``applying``: ``open_saved`` and ``load_for_apply`` (``apply [FILE]``), ``apply_plan``
  under the lease, ``execute_plan`` (the demo)
- ``exporting``: ``export_tenant``; ``unlocking``: ``find_lease``, ``remove_lease``
- ``commenting``: ``post_plan_comment``; ``demo``: ``load_for_demo``, ``DemoTraffic``

run and migrate have theirs in their packages (``runner.targets.run_named``,
``migrate.migration``). Importing this package loads neither
httpx nor the emulator: those load when a use case talks to a tenant or GitHub."""

"""The use cases the CLI calls, one function each; the CLI parses, prints and sets exit
codes, nothing more. I/O lives here and in the client; the planning core stays pure.

- ``loading``: the config and plan options (``load_desired``, ``plan_options``)
- ``planning``: ``plan_config`` (``reconciler plan``), ``make_plan``, ``plan_against``
- ``applying``: ``open_saved`` and ``load_for_apply`` (``apply [FILE]``), ``apply_plan``
  under the lease, ``execute_plan`` (the demo)
- ``exporting``: ``export_tenant``; ``unlocking``: ``find_lease``, ``remove_lease``
- ``commenting``: ``post_plan_comment``; ``demo``: ``load_for_demo``, ``DemoTraffic``

validate, run and migrate have theirs in their packages (``resources.hooks.validate.check``,
``runner.targets.run_named``, ``migrate.migration``). Importing this package loads neither
httpx nor the emulator: those load when a use case talks to a tenant or GitHub."""

from reconciler.errors import InvalidConfig, NothingToExport, SavedPlanFlags
from reconciler.usecases.applying import (
    ApplyInputs,
    ApplyOutcome,
    ApplySource,
    apply_plan,
    execute_plan,
    lease_holder,
    load_for_apply,
    open_saved,
)
from reconciler.usecases.commenting import CommentOutcome, CommentRequest, comment_body_for, post_plan_comment
from reconciler.usecases.demo import DemoTraffic, demo_value, load_for_demo
from reconciler.usecases.exporting import (
    NO_ACTIONS,
    NO_ACTIONS_SCOPE,
    NO_HOOKS,
    ExportOutcome,
    Exported,
    export_tenant,
)
from reconciler.usecases.loading import Loaded, load_desired, placeholder, plan_options, saved_options
from reconciler.usecases.planning import (
    Planned,
    make_plan,
    plan_against,
    plan_config,
    plan_parts,
    planning_types,
    read_live,
    state_of,
)
from reconciler.usecases.unlocking import LeaseLookup, find_lease, remove_lease

__all__ = [
    "ApplyInputs", "ApplyOutcome", "ApplySource", "CommentOutcome", "CommentRequest", "DemoTraffic",
    "ExportOutcome", "Exported", "InvalidConfig", "LeaseLookup", "Loaded", "NO_ACTIONS", "NO_ACTIONS_SCOPE",
    "NO_HOOKS", "NothingToExport", "Planned", "SavedPlanFlags", "apply_plan", "comment_body_for",
    "demo_value", "execute_plan", "export_tenant", "find_lease", "lease_holder", "load_desired",
    "load_for_apply", "load_for_demo", "make_plan", "open_saved", "placeholder", "plan_against",
    "plan_config", "plan_options", "plan_parts", "planning_types", "post_plan_comment", "read_live",
    "remove_lease", "saved_options", "state_of",
]

"""The Actions endpoints' typed errors, defined with every other error in
:mod:`reconciler.errors` and named here for the code that raises them."""

from reconciler.errors import (  # noqa: F401  (re-exported)
    ActionBoundError, ActionsUnavailableError, ActionWaitTimeout, BuildFailedError, DeploySupersededError,
)

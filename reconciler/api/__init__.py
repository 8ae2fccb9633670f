"""The Auth0 Management API client in httpx's layers.

- :mod:`.auth`: the token (``httpx.Auth``), credentials checked up front;
- :mod:`.transport`: the one retry policy, pacing (:mod:`.pacing`) and deadlines;
- :mod:`.pagination`: bounded, lazy page-based listing;
- :mod:`.responses`: shape checks, error wording, scrubbing;
- :mod:`.hooks`: the hooks endpoints; :mod:`.actions` (with :mod:`.action_shapes`,
  :mod:`.polling`): the Actions endpoints and bounded waits for builds and deploys;
  :mod:`.client`: the facade (``client.hooks``, ``client.actions``).

The typed errors live with every other error in :mod:`reconciler.errors`.
"""

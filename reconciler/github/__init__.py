"""GitHub: the REST client (``client``: retries through the one policy of ``reconciler.api``)
and the sticky pull-request comment (``comment``). The old ``reconciler.github`` names are
re-exported here."""

from reconciler.github.client import (  # noqa: F401
    API_VERSION,
    DEFAULT_API_URL,
    GitHubClient,
    MAX_ATTEMPTS,
    MAX_PAGES,
    MAX_WAIT,
    Outcome,
    PER_PAGE,
    STAMP_END,
    STAMP_START,
    check_repo,
    marker_for,
    upsert_sticky_comment,
    with_marker,
)
from reconciler.errors import GitHubError  # noqa: F401

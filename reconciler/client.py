"""Old import path: the Management API client now lives in :mod:`reconciler.api`."""

from reconciler.api.client import USER_AGENT, ManagementClient
from reconciler.api.hooks import HOOK_FIELDS
from reconciler.api.pagination import PER_PAGE
from reconciler.api.stats import ClientStats, RequestEvent
from reconciler.api.transport import RETRY_STATUSES

__all__ = ["ClientStats", "HOOK_FIELDS", "ManagementClient", "PER_PAGE", "RETRY_STATUSES", "RequestEvent", "USER_AGENT"]

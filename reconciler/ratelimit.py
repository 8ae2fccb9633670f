"""Old import path: the pacing bucket and back-off now live in :mod:`reconciler.api`."""

from reconciler.api.pacing import RateHeaders, RateLimiter, backoff_delay, parse_retry_after

__all__ = ["RateHeaders", "RateLimiter", "backoff_delay", "parse_retry_after"]

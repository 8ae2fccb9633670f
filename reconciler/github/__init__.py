"""GitHub: the REST client (``client``: retries through the one policy of ``reconciler.api``)
and the sticky pull-request comment (``comment``)."""

"""The hooks endpoints: requests, shape checks of every answer, and the look-first creates.

A hook is accepted as the server describes it, including a ``triggerId`` this tool does not
know (the planner leaves such a hook alone and reports it): only the shape is checked.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from reconciler.errors import ApiError

from .pagination import PER_PAGE, Page, paginate
from .responses import bad, expect_count, expect_dict, expect_str, expect_str_map, json_body, where
from .stats import ClientStats
from .transport import RetryPolicy, send_looking_first

HOOKS = "/api/v2/hooks"
HOOK_FIELDS = frozenset({"name", "script", "enabled", "dependencies"})


class Requester(Protocol):
    """What the endpoints need of the client: one request, errors already raised."""

    policy: RetryPolicy
    stats: ClientStats
    max_workers: int

    def send(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, str] | None = None,
        sensitive: Iterable[str] = (), not_found_done: bool = False,
    ) -> httpx.Response: ...


def hook_path(hook_id: str) -> str:
    return f"{HOOKS}/" + quote(str(hook_id), safe="")


def check_hook(response: httpx.Response, value: Any, what: str = "the hook") -> dict[str, Any]:
    """A hook object as documented; raises a one-line BadResponseError otherwise."""
    hook = expect_dict(response, value, what)
    expect_str(response, hook.get("id"), f"{what}'s id", empty=False)
    label = f"hook {str(hook['id'])[:40]!r}"
    for name in ("name", "triggerId", "script"):
        expect_str(response, hook.get(name), f"{label} field {name!r}")
    if not isinstance(hook.get("enabled", False), bool):
        raise bad(response, f"{label} field 'enabled' is not a boolean")
    if hook.get("dependencies") is not None:
        expect_str_map(response, hook["dependencies"], f"{label} field 'dependencies'")
    return hook


class HooksApi:
    def __init__(self, api: Requester) -> None:
        self.served = False
        self.api = api

    # -- reads -------------------------------------------------------------------------------

    def _page(self, number: int) -> Page[dict[str, Any]]:
        params = {"page": str(number), "per_page": str(PER_PAGE), "include_totals": "true"}
        response = self.api.send("GET", HOOKS, params=params)
        body = json_body(response)
        total = size = None
        items: Any
        if isinstance(body, list):  # a server that ignores include_totals
            items = body
        else:
            data = expect_dict(response, body)
            items = data.get("hooks")
            if not isinstance(items, list):
                raise bad(response, f"'hooks' is {'missing' if items is None else 'not a list'}")
            if "total" in data:
                total = expect_count(response, data["total"], "'total'")
            if data.get("limit") is not None:
                size = expect_count(response, data["limit"], "'limit'")
        hooks = [check_hook(response, item, f"hooks[{i}]") for i, item in enumerate(items)]
        return Page(hooks, total=total, size=size, where=where(response))

    def list(self) -> list[dict[str, Any]]:
        """Every hook in the tenant (pages read one after another, bounded)."""
        hooks = list(paginate(self._page, key=lambda hook: str(hook["id"])))
        self.served = True  # the tenant serves hooks to this token (the lease asks, once)
        return hooks

    def get(self, hook_id: str) -> dict[str, Any]:
        response = self.api.send("GET", hook_path(hook_id))
        return check_hook(response, json_body(response))

    def secret_keys(self, hook_id: str) -> frozenset[str]:
        """Secret names of a hook (values are write-only: never readable)."""
        response = self.api.send("GET", hook_path(hook_id) + "/secrets")
        body = json_body(response)
        return frozenset(expect_str_map(response, {} if body is None else body, "the secrets"))

    def find(self, name: str) -> dict[str, Any] | None:
        """The hook with exactly this name, if any (the API has no name filter)."""
        return next((hook for hook in self.list() if hook.get("name") == name), None)

    def with_secret_keys(self) -> builtins.list[tuple[dict[str, Any], frozenset[str]]]:
        """Every hook (as checked by ``check_hook``) with its secret names, secrets read
        concurrently within the budget; a hook deleted since it was listed is left out."""
        return self.secret_keys_of(self.list())

    def secret_keys_of(
        self, hooks: builtins.list[dict[str, Any]]
    ) -> builtins.list[tuple[dict[str, Any], frozenset[str]]]:
        """``hooks`` (as listed) with their secret names, read concurrently within the budget;
        a hook deleted since it was listed is left out."""

        def keys(hook: dict[str, Any]) -> frozenset[str] | None:
            try:
                return self.secret_keys(hook["id"])
            except ApiError as exc:
                if exc.status == 404:
                    return None  # deleted since we listed it: it is not live any more
                raise

        if len(hooks) < 2:  # no pool for none or one
            secret_keys = [keys(hook) for hook in hooks]
        else:
            with ThreadPoolExecutor(max_workers=self.api.max_workers) as pool:
                secret_keys = list(pool.map(keys, hooks))
        return [(hook, found) for hook, found in zip(hooks, secret_keys) if found is not None]

    # -- writes ------------------------------------------------------------------------------

    def create(
        self, name: str, trigger_id: str, script: str, enabled: bool = False,
        dependencies: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Create a hook. When an attempt's outcome is unknown, look it up by name first."""
        body: dict[str, Any] = {"name": name, "script": script, "triggerId": trigger_id, "enabled": enabled}
        if dependencies is not None:
            body["dependencies"] = dict(dependencies)

        def send() -> dict[str, Any]:
            response = self.api.send("POST", HOOKS, json=body)
            return check_hook(response, json_body(response))

        def look(exc: Exception) -> dict[str, Any] | None:
            existing = self.find(name)
            if existing is not None and existing.get("triggerId") == trigger_id:
                return existing
            if _is_conflict(exc):
                raise exc  # the name is taken by a different hook: a real conflict
            return None

        return send_looking_first(send, look, self.api.policy, stats=self.api.stats, conflict=_is_conflict)

    def update(self, hook_id: str, **fields: Any) -> dict[str, Any]:
        """PATCH some of name/script/enabled/dependencies (``dependencies`` is replaced whole)."""
        unknown = set(fields) - HOOK_FIELDS
        if unknown or not fields:
            raise TypeError(f"hooks.update takes some of {sorted(HOOK_FIELDS)}, got {sorted(fields)}")
        body = {k: (dict(v) if k == "dependencies" else v) for k, v in fields.items()}
        response = self.api.send("PATCH", hook_path(hook_id), json=body)
        return check_hook(response, json_body(response))

    def delete(self, hook_id: str) -> None:
        """Delete a hook; a 404 after an attempt that may have landed counts as done."""
        self.api.send("DELETE", hook_path(hook_id), not_found_done=True)

    def add_secrets(self, hook_id: str, secrets: Mapping[str, str]) -> None:
        """Add new secret keys (POST). After an unknown outcome, keys that already exist
        are written with PATCH instead (same values, so the result is the same)."""
        pending = dict(secrets)
        if not pending:
            return
        path = hook_path(hook_id) + "/secrets"

        def send() -> bool:
            self.api.send("POST", path, json=pending, sensitive=pending.values())
            return True

        def look(exc: Exception) -> bool | None:
            present = self.secret_keys(hook_id) & pending.keys()
            if present:
                self.update_secrets(hook_id, {k: pending[k] for k in present})
                for key in present:
                    del pending[key]
            return True if not pending else None

        send_looking_first(send, look, self.api.policy, stats=self.api.stats, conflict=_is_conflict)

    def update_secrets(self, hook_id: str, secrets: Mapping[str, str]) -> None:
        """Change values of existing secret keys (PATCH, idempotent)."""
        if secrets:
            values = dict(secrets)
            self.api.send("PATCH", hook_path(hook_id) + "/secrets", json=values, sensitive=values.values())

    def delete_secrets(self, hook_id: str, keys: Iterable[str]) -> None:
        """Remove secret keys; a 404 on a retry counts as done."""
        names = sorted(set(keys))
        if names:
            self.api.send("DELETE", hook_path(hook_id) + "/secrets", json=names, not_found_done=True)


def _is_conflict(exc: Exception) -> bool:
    return isinstance(exc, ApiError) and exc.status == 409

"""The emulated tenant: hooks and their secrets, behind one lock.

Every operation either raises `ApiError` (and changes nothing) or applies its whole change
under `Tenant.lock` and, with a state file, writes the tenant atomically (temp file +
`os.replace`) before the lock is released. So no update is lost, no reader sees half a
change, and the file is always a whole tenant.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from typing import Any

from reconciler.emulator.errors import ApiError, api_error, bad_body, hook_not_found
from reconciler.emulator.jsonutil import write_atomic
from reconciler.emulator.ulid import new_ulid
from reconciler.emulator.validation import (
    MAX_SECRETS,
    TRIGGERS,
    validate_create,
    validate_secret_names,
    validate_secrets_map,
    validate_update,
)

HOOK_KEYS = ("id", "name", "script", "dependencies", "triggerId", "enabled")  # POST/PATCH answers
READ_KEYS = ("id", "name", "script", "dependencies", "enabled", "triggerId")  # GET answers (as recorded)
MASK = "_VALUE_NOT_SHOWN_"
CONFLICT_MODES = ("reject", "auto-disable", "allow")
STATE_VERSION = 1


def _record(hook_id: str, fields: dict[str, Any], secrets: dict[str, str] | None = None) -> dict[str, Any]:
    """A stored hook from validated fields (a request body, a seed item or the state file)."""
    return {
        "id": hook_id,
        "name": fields["name"],
        "script": fields["script"],
        "dependencies": dict(fields.get("dependencies") or {}),
        "triggerId": fields["triggerId"],
        "enabled": bool(fields.get("enabled", False)),
        "secrets": dict(secrets or {}),
    }


def _name_taken() -> ApiError:
    return api_error(409, "Hook with the same name already exists.", "conflict")


def public(
    hook: dict[str, Any], fields: list[str] | None = None, include: bool = True, order: tuple[str, ...] = HOOK_KEYS
) -> dict[str, Any]:
    """The hook as the API shows it, keys in the recorded order (writes and reads differ)."""
    keys: tuple[str, ...] | list[str] = order
    if fields:
        keys = [k for k in order if (k in fields) == include]
    out = {k: hook[k] for k in keys}
    if "dependencies" in out:
        out["dependencies"] = dict(out["dependencies"])
    return out


class Tenant:
    def __init__(
        self,
        enabled_conflict: str = "reject",
        state_file: str | None = None,
        *,
        lock: threading.RLock | None = None,
        persist: Callable[[], None] | None = None,
        on_change: Callable[[dict[str, list[str]]], None] | None = None,
    ):
        """Standalone it owns `state_file`; inside the app, `persist` writes the whole tenant
        (every resource type) under the shared `lock`, and `on_change` feeds the timeline."""
        if enabled_conflict not in CONFLICT_MODES:
            raise ValueError(f"enabled_conflict must be one of {CONFLICT_MODES}")
        self.lock = lock or threading.RLock()
        self.enabled_conflict = enabled_conflict
        self.state_file = None if persist else state_file
        self._persist_all = persist
        self._on_change = on_change
        self.hooks: dict[str, dict[str, Any]] = {}  # id -> hook (with "secrets"), creation order
        self.by_name: dict[str, str] = {}
        self.max_enabled_per_trigger: dict[str, int] = {}
        self.invariant_violations = 0
        if self.state_file and os.path.exists(self.state_file):
            self._load(self.state_file)
        elif self.state_file:
            try:  # create it now: an unwritable location fails at start, not on the first write
                self._persist()
            except OSError as exc:
                raise ValueError(f"cannot write {state_file}: {exc}") from None

    # ---- persistence -------------------------------------------------------------------
    def _load(self, path: str) -> None:
        with open(path, encoding="utf-8") as fh:
            self.load(json.load(fh))

    def load(self, data: dict[str, Any]) -> None:
        """Hooks from a state file's data (trusted: the emulator wrote it)."""
        for h in data.get("hooks", []):
            self._add(_record(h["id"], h, h.get("secrets")))
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            enabled: dict[str, list[str]] = {}
            for h in self.hooks.values():
                if h["enabled"]:
                    enabled.setdefault(h["triggerId"], []).append(h["name"])
            self._on_change(enabled)

    def snapshot(self) -> dict[str, Any]:
        """The whole tenant including secret values (for the state file and admin dumps)."""
        with self.lock:
            return {
                "version": STATE_VERSION,
                "hooks": [dict(public(h), secrets=dict(h["secrets"])) for h in self.hooks.values()],
            }

    def _persist(self) -> None:
        self._changed()
        if self._persist_all is not None:
            self._persist_all()
            return
        if not self.state_file:
            return
        write_atomic(self.state_file, json.dumps(self.snapshot(), indent=2).encode("utf-8"))

    # ---- invariant bookkeeping ---------------------------------------------------------
    def _enabled_on(self, trigger: str, exclude: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return [h for h in self.hooks.values() if h["triggerId"] == trigger and h["enabled"] and h is not exclude]

    def _observe(self, trigger: str, enabling: bool) -> None:
        count = len(self._enabled_on(trigger))
        if count > self.max_enabled_per_trigger.get(trigger, 0):
            self.max_enabled_per_trigger[trigger] = count
        if enabling and count > 1:
            self.invariant_violations += 1

    def _resolve_conflict(self, hook_trigger: str, me: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Hooks to disable so `me` can be enabled (raises in reject mode)."""
        others = self._enabled_on(hook_trigger, exclude=me)
        if not others or self.enabled_conflict == "allow":
            return []
        if self.enabled_conflict == "reject":
            raise api_error(
                409,
                f"Only one hook can be enabled per trigger ({hook_trigger}); disable '{others[0]['name']}' first.",
                "conflict",
            )
        return others

    def _add(self, hook: dict[str, Any]) -> None:
        self.hooks[hook["id"]] = hook
        self.by_name[hook["name"]] = hook["id"]

    def _get(self, hook_id: str) -> dict[str, Any]:
        hook = self.hooks.get(hook_id)
        if hook is None:
            raise hook_not_found()
        return hook

    # ---- hooks -------------------------------------------------------------------------
    def list_hooks(self, enabled: bool | None = None, trigger: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                public(h, order=READ_KEYS)
                for h in self.hooks.values()
                if (enabled is None or h["enabled"] == enabled) and (trigger is None or h["triggerId"] == trigger)
            ]

    def get_hook(self, hook_id: str) -> dict[str, Any]:
        with self.lock:
            return public(self._get(hook_id), order=READ_KEYS)

    def create_hook(self, body: Any) -> dict[str, Any]:
        validate_create(body)
        with self.lock:
            if body["name"] in self.by_name:
                raise _name_taken()
            hook = _record(new_ulid(), body)
            to_disable = self._resolve_conflict(hook["triggerId"], None) if hook["enabled"] else []
            for other in to_disable:
                other["enabled"] = False
            self._add(hook)
            self._observe(hook["triggerId"], enabling=hook["enabled"])
            self._persist()
            return public(hook)

    def update_hook(self, hook_id: str, body: Any) -> dict[str, Any]:
        validate_update(body)
        with self.lock:
            hook = self._get(hook_id)
            new_name = body.get("name", hook["name"])
            if new_name != hook["name"] and new_name in self.by_name:
                raise _name_taken()
            enabling = body.get("enabled") is True
            to_disable = self._resolve_conflict(hook["triggerId"], hook) if enabling else []
            for other in to_disable:
                other["enabled"] = False
            if new_name != hook["name"]:
                del self.by_name[hook["name"]]
                self.by_name[new_name] = hook["id"]
                hook["name"] = new_name
            if "script" in body:
                hook["script"] = body["script"]
            if "enabled" in body:
                hook["enabled"] = body["enabled"]
            if "dependencies" in body:
                hook["dependencies"] = dict(body["dependencies"])
            self._observe(hook["triggerId"], enabling=enabling)
            self._persist()
            return public(hook)

    def delete_hook(self, hook_id: str) -> None:
        with self.lock:
            hook = self._get(hook_id)
            del self.hooks[hook_id]
            del self.by_name[hook["name"]]
            self._persist()

    # ---- secrets -----------------------------------------------------------------------
    def get_secrets(self, hook_id: str) -> dict[str, str]:
        with self.lock:
            return {key: MASK for key in self._get(hook_id)["secrets"]}

    def add_secrets(self, hook_id: str, body: Any) -> None:
        validate_secrets_map(body)
        with self.lock:
            secrets = self._get(hook_id)["secrets"]
            existing = [k for k in body if k in secrets]
            if existing:
                raise api_error(409, f"Secret with the same name already exists: {existing[0]}.", "conflict")
            if len(secrets) + len(body) > MAX_SECRETS:
                raise bad_body(f"'A hook can have at most {MAX_SECRETS} secrets'")
            secrets.update(body)
            self._persist()

    def update_secrets(self, hook_id: str, body: Any) -> None:
        validate_secrets_map(body)
        with self.lock:
            secrets = self._get(hook_id)["secrets"]
            missing = [k for k in body if k not in secrets]
            if missing:
                raise api_error(404, f"Secret does not exist: {missing[0]}.", "HookSecretDoesNotExist")
            secrets.update(body)
            self._persist()

    def delete_secrets(self, hook_id: str, body: Any) -> None:
        validate_secret_names(body)
        with self.lock:
            secrets = self._get(hook_id)["secrets"]
            for key in body:
                secrets.pop(key, None)
            self._persist()

    # ---- admin -------------------------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.hooks.clear()
            self.by_name.clear()
            self.max_enabled_per_trigger.clear()
            self.invariant_violations = 0
            self._persist()

    def seed(self, body: Any) -> list[dict[str, Any]]:
        """Insert hooks directly, bypassing the one-enabled-per-trigger rule. With
        ``"validate": false`` the API's field rules are skipped too (only the types are kept),
        so tests can stand for a server that returns names Auth0 would refuse (``../x``)."""
        if not isinstance(body, dict) or not isinstance(body.get("hooks"), list):
            raise bad_body("'seed body must be {\"hooks\": [...]}'")
        prepared = []
        for item in body["hooks"]:
            if not isinstance(item, dict):
                raise bad_body("'each seeded hook must be an object'")
            item = dict(item)
            secrets = item.pop("secrets", None) or {}
            hook_id = item.pop("id", None)
            if body.get("validate", True) is not False:
                validate_create(item)
            elif not all(isinstance(item.get(k), str) for k in ("name", "script", "triggerId")):
                raise bad_body("'name, script and triggerId must be strings'")
            if not isinstance(secrets, dict) or not all(isinstance(v, str) for v in secrets.values()):
                raise bad_body("'secrets must map names to strings'")
            prepared.append((hook_id, item, secrets))
        with self.lock:
            names = set(self.by_name)
            for hook_id, item, _ in prepared:
                if item["name"] in names or (hook_id and hook_id in self.hooks):
                    raise _name_taken()
                names.add(item["name"])
            created = []
            for hook_id, item, secrets in prepared:
                hook = _record(hook_id or new_ulid(), item, secrets)
                self._add(hook)
                created.append(public(hook))
            for trigger in {h["triggerId"] for h in created}:
                self._observe(trigger, enabling=False)
            self._persist()
            return created

    def invariants(self) -> dict[str, Any]:
        with self.lock:
            return {
                "max_enabled_per_trigger": dict(self.max_enabled_per_trigger),
                "invariant_violations": self.invariant_violations,
                "enabled_per_trigger": {t: len(self._enabled_on(t)) for t in TRIGGERS},
                "hooks": len(self.hooks),
            }


__all__ = ["Tenant", "public", "MASK", "HOOK_KEYS", "CONFLICT_MODES"]

"""The emulated tenant's Actions: drafts and their builds, versions, trigger bindings.

Same discipline as the hooks store: every operation raises `ApiError` and changes nothing,
or applies its whole change under the shared tenant lock and persists before releasing it.
A draft's build runs "in the background" without threads: its status is computed from the
time since the write (or, with manual_builds, from the steps an admin call advanced it).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any, cast

from reconciler.emulator.errors import api_error, bad_body
from reconciler.emulator.options import EmulatorOptions
from reconciler.emulator.resources import actions_model as m

GOOD_PHASES = ("building", "built")
BAD_PHASES = ("building", "retrying", "building", "retrying", "building", "failed")
FINAL = ("built", "failed")


def _is_bad(deps: list[dict[str, str]], bad: tuple[str, ...]) -> bool:
    return any(d["name"] in bad or f"{d['name']}@{d['version']}" in bad for d in deps)


class ActionStore:
    def __init__(self, options: EmulatorOptions, lock: threading.RLock, persist: Callable[[], None],
                 on_change: Callable[[dict[str, list[str]]], None]):
        self.options = options
        self.lock = lock
        self._persist = persist
        self._on_change = on_change
        self.actions: dict[str, dict[str, Any]] = {}
        self.bindings: dict[str, list[dict[str, Any]]] = {}
        self.versions_created: dict[str, int] = {}

    # ---- builds ------------------------------------------------------------------------
    def _start_build(self, a: dict[str, Any]) -> None:
        o = self.options
        a["build"] = {"started": time.monotonic(), "steps": 0, "bad": _is_bad(a["dependencies"], o.bad_dependencies),
                      "duration": o.build_time + o.build_time_per_dependency * len(a["dependencies"])}
        a["status"] = "pending"

    def _status(self, a: dict[str, Any]) -> str:
        b = a.get("build")
        if b is None:
            return cast(str, a["status"])
        phases = BAD_PHASES if b["bad"] else GOOD_PHASES
        if self.options.manual_builds:
            status = phases[min(b["steps"], len(phases) - 1)]
        else:
            elapsed = time.monotonic() - b["started"]
            if elapsed >= b["duration"]:
                status = phases[-1]
            else:
                status = phases[min(int(elapsed / b["duration"] * (len(phases) - 1)), len(phases) - 2)]
        a["status"] = status
        if status in FINAL:
            a["build"] = None
            if status == "built":  # seen in 2023: registry_url leaves the draft once built
                a["dependencies"] = [{"name": d["name"], "version": d["version"]} for d in a["dependencies"]]
                for v in a["versions"]:
                    if v["status"] == "pending":
                        v["status"], v["built_at"] = "built", m.now_iso()
        return status

    def advance_builds(self, action_id: str | None, steps: int) -> dict[str, Any]:
        if not isinstance(steps, int) or isinstance(steps, bool) or not 0 <= steps <= 100:
            raise api_error(400, "steps must be an integer within 0..100")
        with self.lock:
            targets = [self._get(action_id)] if action_id else list(self.actions.values())
            for a in targets:
                if a.get("build") is not None:
                    a["build"]["steps"] += steps
            return {"statuses": {a["id"]: self._status(a) for a in targets}}

    # ---- shapes ------------------------------------------------------------------------
    def _deployed(self, a: dict[str, Any]) -> dict[str, Any] | None:
        return next((v for v in a["versions"] if v["id"] == a["deployed_version_id"]), None)

    @staticmethod
    def _secrets_out(secrets: list[dict[str, Any]]) -> list[dict[str, str]]:
        return [{"name": s["name"], "updated_at": s["updated_at"]} for s in secrets]

    def _brief(self, a: dict[str, Any]) -> dict[str, Any]:
        """The abbreviated action inside versions (always all_changes_deployed false, updated = created)."""
        return {"id": a["id"], "name": a["name"], "supported_triggers": copy.deepcopy(a["supported_triggers"]),
                "created_at": a["created_at"], "updated_at": a["created_at"], "all_changes_deployed": False}

    def _version_out(self, a: dict[str, Any], v: dict[str, Any], *, deployed: bool | None = None,
                     built_at: bool = True, action: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"code": v["code"], "dependencies": copy.deepcopy(v["dependencies"]), "id": v["id"],
                               "deployed": (v["id"] == a["deployed_version_id"]) if deployed is None else deployed,
                               "number": v["number"]}
        if built_at and v.get("built_at"):
            out["built_at"] = v["built_at"]
        out.update({"secrets": self._secrets_out(v["secrets"]), "status": v["status"], "created_at": v["created_at"],
                    "updated_at": v["updated_at"], "runtime": v["runtime"],
                    "supported_triggers": copy.deepcopy(v["supported_triggers"])})
        if action:
            out["action"] = self._brief(a)
        return out

    def _current_out(self, v: dict[str, Any]) -> dict[str, Any]:
        out = {"id": v["id"], "code": v["code"], "runtime": v["runtime"], "status": v["status"].upper(), "number": v["number"]}
        if v.get("built_at"):
            out["build_time"] = v["built_at"]
        out.update({"created_at": v["created_at"], "updated_at": v["updated_at"]})
        return out

    def _with_versions(self, a: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
        live = self._deployed(a)
        if live is not None:
            out["current_version"] = self._current_out(live)
            out["deployed_version"] = self._version_out(a, live, deployed=True, action=False)
        return out

    def public(self, a: dict[str, Any], status: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": a["id"], "name": a["name"], "supported_triggers": copy.deepcopy(a["supported_triggers"]),
            "created_at": a["created_at"], "updated_at": a["updated_at"], "code": a["code"],
            "dependencies": copy.deepcopy(a["dependencies"]), "runtime": a["runtime"],
            "status": status or self._status(a), "secrets": self._secrets_out(a["secrets"]),
        }
        self._with_versions(a, out)
        out["all_changes_deployed"] = self._all_deployed(a)
        if a.get("integration") is not None:
            out["integration"] = copy.deepcopy(a["integration"])
        return out

    def _all_deployed(self, a: dict[str, Any]) -> bool:
        """Computed, as the real API does: a PATCH that changes nothing keeps it true (deploy-cli e2e)."""
        live = self._deployed(a)
        if live is None:
            return False
        same = all(live[k] == a[k] for k in ("code", "dependencies", "runtime", "supported_triggers"))
        return same and [(x["name"], x["value"]) for x in live["secrets"]] == [(x["name"], x["value"]) for x in a["secrets"]]

    def binding_out(self, trigger_id: str, b: dict[str, Any]) -> dict[str, Any]:
        a = self.actions[b["action_id"]]
        action = {"id": a["id"], "name": a["name"], "supported_triggers": copy.deepcopy(a["supported_triggers"]),
                  "created_at": a["created_at"], "updated_at": a["created_at"]}
        self._with_versions(a, action)
        action["all_changes_deployed"] = False
        return {"id": b["id"], "trigger_id": trigger_id, "action": action, "created_at": b["created_at"],
                "updated_at": b["updated_at"], "display_name": b["display_name"]}

    # ---- bookkeeping -------------------------------------------------------------------
    def _get(self, action_id: str) -> dict[str, Any]:
        a = self.actions.get(action_id)
        if a is None:
            raise m.not_found()
        return a

    def _changed(self) -> None:
        self._on_change({t: [self.actions[b["action_id"]]["name"] for b in bs] for t, bs in self.bindings.items() if bs})

    def _write(self) -> None:
        self._changed()
        self._persist()

    def bound_triggers(self, action_id: str) -> list[str]:
        return [t for t, bs in self.bindings.items() if any(b["action_id"] == action_id for b in bs)]

    # ---- actions -----------------------------------------------------------------------
    def list_actions(self, trigger_id: str | None, name: str | None, deployed: bool | None,
                     installed: bool | None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                self.public(a) for a in self.actions.values()
                if (trigger_id is None or a["supported_triggers"][0]["id"] == trigger_id)
                and (name is None or a["name"] == name)
                and (deployed is None or (a["deployed_version_id"] is not None) == deployed)
                and (installed is None or (a.get("integration") is not None) == installed)
            ]

    def get_action(self, action_id: str) -> dict[str, Any]:
        with self.lock:
            return self.public(self._get(action_id))

    @staticmethod
    def _merge_secrets(old: list[dict[str, Any]], sent: list[dict[str, Any]], stamp: str) -> list[dict[str, Any]]:
        """The whole new set: names kept in their old order, new ones after; each stamped `stamp`."""
        old_by = {s["name"]: s for s in old}
        sent_by = {s["name"]: s for s in sent}
        order = [s["name"] for s in old if s["name"] in sent_by] + [n for n in sent_by if n not in old_by]
        out = []
        for n in order:
            if "value" not in sent_by[n] and n not in old_by:
                raise bad_body(f"'Missing required property: value' on property secrets ({n})")
            value = sent_by[n].get("value", old_by.get(n, {}).get("value"))
            out.append({"name": n, "value": value, "updated_at": stamp})
        return out

    def create_action(self, body: Any, seeding: bool = False) -> dict[str, Any]:
        trig = m.validate_action(body, create=True)
        assert trig is not None
        runtime = body.get("runtime", trig["default_runtime"])
        if not seeding:  # seeds copy real tenants, whose runtimes may predate today's list
            m.check_runtime(runtime, trig)
        with self.lock:
            if len(self.actions) >= m.MAX_ACTIONS:
                raise api_error(400, f"You have reached the limit of {m.MAX_ACTIONS} actions for this tenant.", "invalid_body")  # [?]
            created = m.now_iso()
            a: dict[str, Any] = {
                "id": m.new_id(), "name": body["name"], "supported_triggers": copy.deepcopy(body["supported_triggers"]),
                "created_at": created, "updated_at": m.now_iso(), "code": body.get("code", ""),
                "dependencies": copy.deepcopy(body.get("dependencies", [])), "runtime": runtime, "status": "pending",
                "secrets": [], "versions": [], "next_number": 1, "deployed_version_id": None,
                "build": None,
            }
            a["secrets"] = self._merge_secrets([], body.get("secrets", []), a["updated_at"])
            self._start_build(a)
            self.actions[a["id"]] = a
            if body.get("deploy"):  # deployed at once: the version is pending until the draft builds
                self._new_version(a, a, pending=True)
            out = self.public(a, status="pending")
            self._write()
            return out

    def update_action(self, action_id: str, body: Any) -> dict[str, Any]:
        trig = m.validate_action(body, create=False)
        with self.lock:
            a = self._get(action_id)
            old = a["supported_triggers"][0]
            if (trig is not None and (trig["id"], trig["version"]) != (old["id"], old["version"])
                    and (trig["id"] != old["id"] or old not in trig["compatible_triggers"])):
                raise api_error(400, "can't upgrade to this trigger.", "invalid_body")
            cur = trig or m.trigger(old["id"], old["version"])
            runtime = body.get("runtime", a["runtime"])
            if "runtime" in body and cur is not None:
                m.check_runtime(runtime, cur)
            stamp = m.now_iso()
            secrets = self._merge_secrets(a["secrets"], body["secrets"], stamp) if "secrets" in body else a["secrets"]
            for key in ("name", "code"):
                if key in body:
                    a[key] = body[key]
            if "supported_triggers" in body:
                a["supported_triggers"] = copy.deepcopy(body["supported_triggers"])
            if "dependencies" in body:
                a["dependencies"] = copy.deepcopy(body["dependencies"])
            a["runtime"], a["secrets"], a["updated_at"] = runtime, secrets, stamp
            self._start_build(a)
            out = self.public(a, status="pending")
            self._write()
            return out

    def delete_action(self, action_id: str, force: bool) -> None:
        with self.lock:
            a = self._get(action_id)
            bound = self.bound_triggers(action_id)
            if bound and not force:
                raise api_error(409, "Unable to delete an action bound to a trigger.", "conflict")
            for t in bound:
                self.bindings[t] = [b for b in self.bindings[t] if b["action_id"] != action_id]
            del self.actions[a["id"]]
            self._write()

    # ---- versions ----------------------------------------------------------------------
    def _new_version(self, a: dict[str, Any], src: dict[str, Any], pending: bool = False) -> dict[str, Any]:
        stamp = m.now_iso()
        v = {"id": m.new_id(), "number": a["next_number"], "code": src["code"],
             "dependencies": copy.deepcopy(src["dependencies"]), "runtime": src["runtime"],
             "secrets": copy.deepcopy(src["secrets"]), "supported_triggers": copy.deepcopy(src["supported_triggers"]),
             "status": "pending" if pending else "built", "created_at": stamp, "updated_at": stamp,
             "built_at": None if pending else m.now_iso()}
        a["next_number"] += 1
        a["versions"].append(v)
        a["deployed_version_id"] = v["id"]
        self.versions_created[a["name"]] = self.versions_created.get(a["name"], 0) + 1
        while len(a["versions"]) > m.MAX_VERSIONS:  # the oldest version not in use goes
            oldest = next(x for x in a["versions"] if x["id"] != a["deployed_version_id"])
            a["versions"].remove(oldest)
        return v

    def deploy(self, action_id: str) -> dict[str, Any]:
        with self.lock:
            a = self._get(action_id)
            if self._status(a) != "built":
                raise api_error(400, "A draft must be in the 'built' state before it can be deployed.", "invalid_body")
            v = self._new_version(a, a)
            out = self._version_out(a, v, deployed=False, built_at=False)
            self._write()
            return out

    def _version(self, a: dict[str, Any], version_id: str) -> dict[str, Any]:
        v = next((x for x in a["versions"] if x["id"] == version_id), None)
        if v is None:
            raise api_error(404, "The action version does not exist.")
        return cast("dict[str, Any]", v)

    def list_versions(self, action_id: str) -> list[dict[str, Any]]:
        with self.lock:
            a = self._get(action_id)
            self._status(a)
            return [self._version_out(a, v) for v in reversed(a["versions"])]  # newest first [?]

    def get_version(self, action_id: str, version_id: str) -> dict[str, Any]:
        with self.lock:
            a = self._get(action_id)
            self._status(a)
            return self._version_out(a, self._version(a, version_id))

    def rollback(self, action_id: str, version_id: str, body: Any) -> dict[str, Any]:
        if body is not None and (not isinstance(body, dict) or any(k != "update_draft" for k in body)
                                 or not isinstance(body.get("update_draft", False), bool)):
            raise bad_body("'body must be {\"update_draft\": boolean} or empty'")
        with self.lock:
            a = self._get(action_id)
            self._status(a)
            src = self._version(a, version_id)
            v = self._new_version(a, src)
            if body and body.get("update_draft"):
                for key in ("code", "dependencies", "runtime", "secrets"):
                    a[key] = copy.deepcopy(src[key])
                a["build"], a["status"] = None, "built"
            out = self._version_out(a, v, deployed=False, built_at=False)
            self._write()
            return out

    # ---- bindings ----------------------------------------------------------------------
    def get_bindings(self, trigger_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [self.binding_out(trigger_id, b) for b in self.bindings.get(trigger_id, [])]

    def _resolve(self, trigger_id: str, i: int, item: Any) -> dict[str, Any]:
        """One requested binding -> a new binding record (fresh id: ids regenerate on every PATCH)."""
        where = f"bindings[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("ref"), dict):
            raise bad_body(f"'Missing required property: ref' on property {where}")
        ref = item["ref"]
        kind, value = ref.get("type"), ref.get("value")
        if kind not in ("action_id", "action_name", "binding_id") or not isinstance(value, str):
            raise bad_body(f"'ref must be {{type: action_id|action_name|binding_id, value: string}}' on property {where}.ref")
        display = item.get("display_name")
        if display is not None and not isinstance(display, str):
            raise bad_body(f"'Expected type string but found type {type(display).__name__}' on property {where}.display_name")
        if kind == "action_id":
            a = self._get(value)
        elif kind == "action_name":
            named = [x for x in self.actions.values() if x["name"] == value]
            if not named:
                raise m.not_found()
            if len(named) > 1:
                raise api_error(400, f"More than one action is named {value!r}.", "invalid_body")  # [?]
            a = named[0]
        else:
            old = next((b for b in self.bindings.get(trigger_id, []) if b["id"] == value), None)
            if old is None:
                raise api_error(404, "The binding does not exist.")  # [?]
            a = self.actions[old["action_id"]]
            display = display if display is not None else old["display_name"]
        if a["supported_triggers"][0]["id"] != trigger_id:
            raise api_error(400, f"The action {a['name']!r} does not support the trigger {trigger_id}.", "invalid_body")  # [?]
        if a["deployed_version_id"] is None:
            raise api_error(400, "Trying to create a binding for an action that has not been deployed yet.", "invalid_body")
        stamp = m.now_iso()
        return {"id": m.new_id(), "action_id": a["id"], "display_name": display if display is not None else a["name"],
                "created_at": stamp, "updated_at": stamp}

    def set_bindings(self, trigger_id: str, body: Any) -> list[dict[str, Any]]:
        if not isinstance(body, dict) or not isinstance(body.get("bindings"), list) or any(k != "bindings" for k in body):
            raise bad_body("'body must be {\"bindings\": [...]}'")
        if len(body["bindings"]) > m.MAX_BINDINGS:
            raise api_error(400, f"A trigger can have at most {m.MAX_BINDINGS} actions bound.", "invalid_body")  # [?]
        with self.lock:
            new = [self._resolve(trigger_id, i, item) for i, item in enumerate(body["bindings"])]
            self.bindings[trigger_id] = new  # the whole list, replaced
            out = [self.binding_out(trigger_id, b) for b in new]
            self._write()
            return out

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "actions": len(self.actions),
                "versions_created": dict(self.versions_created),
                "bound_per_trigger": {t: [self.actions[b["action_id"]]["name"] for b in bs]
                                      for t, bs in self.bindings.items() if bs},
            }

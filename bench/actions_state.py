"""Desired Actions states for the benchmarks (not a test module), and how to judge a tenant
against one from the emulator's admin view, whichever tool wrote it.

- ``desired(n)``: N actions spread over post-login and two former hook triggers, every third
  with an npm dependency (every ninth with two), every other one with secrets from keywords,
  all bound, in name order per trigger;
- ``write_config(dir, want)``: auth0-deploy-cli's directory layout (``actions/<name>.json``,
  ``actions/<name>/code.js``, ``triggers/triggers.json``), read unchanged by both tools;
- ``seed_body(want)``: the same state for ``POST /__emulator/seed`` (keywords filled, each
  action deployed once: version 1);
- ``end_state_problems(state, want)``: what differs between the tenant and the desired state
  (deployed code, dependencies, runtime, secrets by name and value, bindings per trigger in
  order with display names, nothing else bound, no other action); empty when as desired;
- ``Counters``: requests, writes, 429s and versions created between two stats snapshots.
"""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEYWORDS = {"API_KEY": "bench-actions-api-key", "REGION": "eu-west-1"}
TRIGGERS = (("post-login", "v3"), ("credentials-exchange", "v2"), ("pre-user-registration", "v2"))
# what each trigger's handler is called in the code (only to make the code look real)
_HANDLER = {"post-login": "onExecutePostLogin", "credentials-exchange": "onExecuteCredentialsExchange",
            "pre-user-registration": "onExecutePreUserRegistration"}
_DEPENDENCIES = ({"name": "axios", "version": "1.7.9"}, {"name": "lodash", "version": "4.17.21"})


def dependency_count(i: int) -> int:
    return 2 if i % 9 == 0 else 1 if i % 3 == 0 else 0


def code_for(name: str, trigger: str, revision: int = 0) -> str:
    return (f"// {name} (revision {revision})\n"
            f"exports.{_HANDLER[trigger]} = async (event, api) => {{\n"
            f"  console.log('{name}', event.secrets && Object.keys(event.secrets).length);\n"
            f"}};\n")


@dataclass(frozen=True)
class Want:
    """A desired state: actions (deploy-cli's keys, secrets as keyword templates, code inline)
    and the bindings per trigger, in order."""

    actions: tuple[dict[str, Any], ...]
    triggers: dict[str, list[dict[str, str]]]

    def names(self) -> list[str]:
        return [a["name"] for a in self.actions]


def desired(count: int) -> Want:
    actions = []
    triggers: dict[str, list[dict[str, str]]] = {t: [] for t, _ in TRIGGERS}
    for i in range(count):
        trigger, version = TRIGGERS[i % len(TRIGGERS)]
        name = f"bench-{trigger}-{i:03d}"
        secrets = [{"name": "API_KEY", "value": "##API_KEY##"}, {"name": "REGION", "value": "##REGION##"}] if i % 2 == 0 else []
        actions.append({
            "name": name, "code": code_for(name, trigger), "runtime": "node22",
            "dependencies": list(_DEPENDENCIES[:dependency_count(i)]), "secrets": secrets,
            "supported_triggers": [{"id": trigger, "version": version}], "deployed": True,
        })
        triggers[trigger].append({"action_name": name, "display_name": f"Bench {i:03d}"})
    return Want(tuple(actions), {t: bs for t, bs in triggers.items() if bs})


def with_code_change(want: Want, index: int = 0) -> Want:
    """One action's code changed (a new revision), everything else as is."""
    actions = [copy.deepcopy(a) for a in want.actions]
    a = actions[index]
    a["code"] = code_for(a["name"], a["supported_triggers"][0]["id"], revision=1)
    return Want(tuple(actions), copy.deepcopy(want.triggers))


def with_reorder(want: Want, trigger: str = "post-login") -> Want:
    """One trigger's bindings in reverse order."""
    triggers = copy.deepcopy(want.triggers)
    triggers[trigger] = list(reversed(triggers[trigger]))
    return Want(tuple(copy.deepcopy(a) for a in want.actions), triggers)


def _filled(secrets: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"name": s["name"], "value": KEYWORDS.get(s["value"].strip("#"), s["value"])} for s in secrets]


def write_config(directory: Path, want: Want) -> Path:
    """deploy-cli's layout, replacing whatever `directory` held."""
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "actions").mkdir(parents=True)
    (directory / "triggers").mkdir()
    for a in want.actions:
        name = a["name"]
        (directory / "actions" / name).mkdir()
        (directory / "actions" / name / "code.js").write_text(a["code"])
        doc = {**a, "code": f"./actions/{name}/code.js"}
        (directory / "actions" / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")
    (directory / "triggers" / "triggers.json").write_text(json.dumps(want.triggers, indent=2) + "\n")
    return directory


def seed_body(want: Want) -> dict[str, Any]:
    actions = [{"name": a["name"], "code": a["code"], "runtime": a["runtime"], "dependencies": a["dependencies"],
                "secrets": _filled(a["secrets"]), "supported_triggers": a["supported_triggers"],
                "deployed": a["deployed"]} for a in want.actions]
    return {"actions": actions, "bindings": copy.deepcopy(want.triggers)}


def end_state_problems(state: dict[str, Any], want: Want) -> list[str]:
    """Differences between the emulator's tenant (GET /__emulator/state) and `want`."""
    problems: list[str] = []
    live = {a["name"]: a for a in state.get("actions", []) if a.get("integration") is None}
    missing = [n for n in want.names() if n not in live]
    extra = sorted(set(live) - set(want.names()))
    if missing:
        problems.append(f"{len(missing)} action(s) missing, e.g. {missing[0]}")
    if extra:
        problems.append(f"{len(extra)} action(s) not in the config, e.g. {extra[0]}")
    for a in want.actions:
        got = live.get(a["name"])
        if got is None:
            continue
        version = next((v for v in got.get("versions", []) if v["id"] == got.get("deployed_version_id")), None)
        if version is None:
            problems.append(f"{a['name']}: not deployed")
            continue
        secrets = sorted((s["name"], s["value"]) for s in version["secrets"])
        if version["code"] != a["code"]:
            problems.append(f"{a['name']}: deployed code differs")
        if version["dependencies"] != a["dependencies"] or version["runtime"] != a["runtime"]:
            problems.append(f"{a['name']}: deployed dependencies or runtime differ")
        if secrets != sorted((s["name"], s["value"]) for s in _filled(a["secrets"])):
            problems.append(f"{a['name']}: deployed secrets differ")  # never the values
    names_by_id = {a["id"]: a["name"] for a in state.get("actions", [])}
    bound = {t: [(names_by_id.get(b["action_id"], "?"), b["display_name"]) for b in bs]
             for t, bs in state.get("bindings", {}).items() if bs}
    for trigger in sorted(set(bound) | set(want.triggers)):
        expected = [(b["action_name"], b["display_name"]) for b in want.triggers.get(trigger, [])]
        got = bound.get(trigger, [])
        if [n for n, _ in got] != [n for n, _ in expected]:
            problems.append(f"{trigger}: {len(got)} bound, not the {len(expected)} wanted in the desired order")
        elif got != expected:
            problems.append(f"{trigger}: display names differ")
    return problems


@dataclass(frozen=True)
class Counters:
    requests: int
    writes: int
    throttled: int  # 429 answers
    refused: int  # 400 answers (deploy-cli deploys unbuilt drafts and retries on the 400)
    versions: int  # versions created (deploys and rollbacks), all actions

    @classmethod
    def of(cls, stats: dict[str, Any]) -> Counters:
        return cls(stats["requests"], stats["writes"], stats["by_status"].get("429", 0),
                   stats["by_status"].get("400", 0), sum(stats.get("versions_created", {}).values()))

    def __sub__(self, other: Counters) -> Counters:
        return Counters(self.requests - other.requests, self.writes - other.writes,
                        self.throttled - other.throttled, self.refused - other.refused,
                        self.versions - other.versions)

"""The golden corpus: plans (text, JSON, markdown) and the executor's request sequence for a
fixed set of configs and live tenants, recorded before the resource seam was cut.

``python tests/golden/corpus.py --record`` rewrites ``tests/golden/cases/``; the test
``test_golden.py`` compares the current output with those files. The only difference
allowed is the JSON ``format_version`` (bumped by the restructure).

The ``actions-*`` cases (``actions_corpus.py``, recorded after the seam) pin the Actions
types the same way: config directories and live tenants planned and applied through the
use cases, hooks and Actions requests in one log.
"""

from __future__ import annotations

import dataclasses
import json
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent.parent))  # run as a script (--record), tests.* must import

from reconciler.errors import ReconcilerError  # noqa: E402
from reconciler.render.json import render_json  # noqa: E402
from reconciler.render.markdown import render_markdown  # noqa: E402
from reconciler.render.text import render_text  # noqa: E402
from reconciler.resources.common.secrets import marker_for  # noqa: E402
from reconciler.resources.hooks.model import MAX_SECRETS, DesiredState, Hook, LiveHook, LiveState  # noqa: E402
from reconciler.resources.hooks.ops import execute  # noqa: E402
from reconciler.resources.hooks.planner import build_plan  # noqa: E402
from reconciler.resources.options import PlanOptions  # noqa: E402
from reconciler.usecases.loading import load_desired  # noqa: E402
from tests.example_tenant import keyword_env  # noqa: E402
from tests.golden.actions_corpus import ActionsCase, RecordingActions, setup, temp_config  # noqa: E402
from tests.golden.actions_corpus import cases as actions_cases  # noqa: E402
from tests.plan_simulator import random_case  # noqa: E402

CASES = HERE / "cases"
REPO = HERE.parent.parent
PRE = "pre-user-registration"
POST = "post-user-registration"
CRED = "credentials-exchange"
PHONE = "send-phone-message"
HMAC = b"golden-ci-key"
EXAMPLE_ENV = keyword_env("https://example.test/")


def _h(name: str, trigger: str = PRE, enabled: bool = False, script: str | None = None, **kw: Any) -> Hook:
    return Hook(name, trigger, script or f"// {name}\n", enabled, **kw)


def _l(id_: str, name: str, trigger: str = PRE, enabled: bool = False, script: str | None = None, **kw: Any) -> LiveHook:
    return LiveHook(id_, name, trigger, script or f"// {name}\n", enabled, **kw)


def _example() -> DesiredState:
    hooks: DesiredState = load_desired(str(REPO / "tenant-config"), EXAMPLE_ENV).desired["hook"]
    return hooks


def _half_applied(desired: DesiredState) -> LiveState:
    """Half the example's hooks exist: some as configured, one with an old script, one enabled
    where the config disables it, one renamed, plus an orphan."""
    hooks = sorted(desired.hooks, key=lambda h: h.name)
    live: list[LiveHook] = []
    for i, hook in enumerate(hooks[: len(hooks) // 2 + 1]):
        script = hook.filled_script if i % 2 == 0 else "// an older script\n"
        name = hook.name if i != 1 else hook.name + "-old-name"
        live.append(LiveHook(f"id-{i}", name, hook.trigger_id, script, hook.enabled if i != 2 else not hook.enabled,
                             dict(hook.dependencies), frozenset(hook.secrets)))
    live.append(_l("id-orphan", "orphan", CRED))
    return LiveState(tuple(live))


Case = tuple[DesiredState, LiveState, PlanOptions, bool]  # desired, live, options, review_only


def cases() -> Iterator[tuple[str, Callable[[], Case] | ActionsCase]]:
    opts, allow = PlanOptions(), PlanOptions(allow_delete=True)
    yield "example-empty", lambda: (_example(), LiveState(()), opts, False)
    yield "example-empty-hmac", lambda: (_example(), LiveState(()), PlanOptions(hmac_key=HMAC), False)
    yield "example-half", lambda: (_example(), _half_applied(_example()), opts, False)
    yield "example-half-allow", lambda: (_example(), _half_applied(_example()), allow, False)
    yield "example-review-only", lambda: (_example(), _half_applied(_example()), opts, True)
    yield "handover", lambda: (
        DesiredState((_h("old", PRE), _h("new", PRE, True, secrets={"K": "v"}))),
        LiveState((_l("o", "old", PRE, True),)), opts, False)
    yield "handover-multi-enabled", lambda: (
        DesiredState((_h("a", PRE, True), _h("b", PRE), _h("c", PRE))),
        LiveState((_l("1", "a", PRE, False), _l("2", "b", PRE, True), _l("3", "c", PRE, True))), allow, False)
    yield "replace", lambda: (
        DesiredState((_h("x", POST, True, secrets={"K": "v"}),)),
        LiveState((_l("1", "x", PRE, True, secret_keys=frozenset({"K"})),)), allow, False)
    yield "replace-refused-delete", lambda: (
        DesiredState((_h("x", POST, True),)), LiveState((_l("1", "x", PRE, True),)), opts, False)
    yield "rename", lambda: (
        DesiredState((_h("new-name", PRE, True, script="// same\n"),)),
        LiveState((_l("1", "old-name", PRE, True, script="// same\n"),)), opts, False)
    yield "name-swap", lambda: (
        DesiredState((_h("a", PRE, script="// b\n"), _h("b", PRE, script="// a\n"))),
        LiveState((_l("1", "a", PRE, script="// a\n"), _l("2", "b", PRE, script="// b\n"))), allow, False)
    full = {f"K{i:02}": f"v{i}" for i in range(MAX_SECRETS)}
    yield "secrets-at-cap-add", lambda: (
        DesiredState((_h("s", PRE, secrets={**full, "NEW": "n"}),)),
        LiveState((_l("1", "s", PRE, secret_keys=frozenset(full)),)), allow, False)
    yield "secrets-at-cap-swap-allowed", lambda: (
        DesiredState((_h("s", PRE, secrets={**{k: v for k, v in full.items() if k != "K00"}, "NEW": "n"}),)),
        LiveState((_l("1", "s", PRE, secret_keys=frozenset(full)),)), allow, False)
    yield "secrets-at-cap-swap-refused", lambda: (
        DesiredState((_h("s", PRE, secrets={**{k: v for k, v in full.items() if k != "K00"}, "NEW": "n"}),)),
        LiveState((_l("1", "s", PRE, secret_keys=frozenset(full)),)), opts, False)
    yield "secrets-rotate", lambda: (
        DesiredState((_h("s", PRE, secrets={"A": "1", "B": "2"}),)),
        LiveState((_l("1", "s", PRE, secret_keys=frozenset({"A", "B"})),)), PlanOptions(rotate_secrets=True), False)
    yield "secrets-marker-changed", lambda: (
        DesiredState((_h("s", PRE, secrets={"A": "new"}),)),
        LiveState((_l("1", "s", PRE, secret_keys=frozenset({"A", marker_for(HMAC, "s", {"A": "old"})})),)),
        PlanOptions(hmac_key=HMAC), False)
    yield "secrets-kept", lambda: (
        DesiredState((_h("s", PRE, secrets={"A": "1"}),)),
        LiveState((_l("1", "s", PRE, secret_keys=frozenset({"A", "OLD"})),)), opts, False)
    yield "delete-allowed", lambda: (
        DesiredState(()), LiveState((_l("1", "gone", CRED, True),)), allow, False)
    yield "delete-refused", lambda: (
        DesiredState(()), LiveState((_l("1", "gone", CRED, True),)), opts, False)
    many = tuple(_l(str(i), f"h{i}", CRED) for i in range(12))
    yield "delete-threshold", lambda: (DesiredState(()), LiveState(many), allow, False)
    yield "delete-threshold-forced", lambda: (
        DesiredState(()), LiveState(many), PlanOptions(allow_delete=True, force=True), False)
    yield "unknown-trigger", lambda: (
        DesiredState((_h("a", PRE), _h("clash", PRE))),
        LiveState((_l("1", "future", "some-future-trigger", True), _l("2", "clash", "some-future-trigger"))), allow, False)
    yield "drift-unmanaged", lambda: (
        DesiredState((_h("a", PRE, True),)), LiveState((_l("1", "a", PRE, True), _l("2", "extra", POST))), opts, False)
    yield "no-changes", lambda: (
        DesiredState((_h("a", PRE, True, dependencies={"lodash": "4.17.21"}),)),
        LiveState((_l("1", "a", PRE, True, dependencies={"lodash": "4.17.21"}),)), opts, False)
    yield "update-fields", lambda: (
        DesiredState((_h("a", PRE, True, script="// new\nline\n", dependencies={"x": "2"}),)),
        LiveState((_l("1", "a", PRE, False, script="// old\nline\n", dependencies={"x": "1", "y": "1"}),)), opts, False)
    yield "excluded", lambda: (
        DesiredState((_h("a", PRE), _h("skip", POST))),
        LiveState((_l("1", "skip", POST, True), _l("2", "b", CRED))),
        PlanOptions(allow_delete=True, excluded_hooks=frozenset({"skip"})), False)
    yield "conflict-two-enabled", lambda: (
        DesiredState((_h("a", PRE, True), _h("b", PRE, True))), LiveState(()), opts, False)
    for seed in range(40):
        yield f"random-{seed:02}", _random(seed)
    yield from actions_cases()


def _random(seed: int) -> Callable[[], Case]:
    def make() -> Case:
        desired, live, options = random_case(random.Random(seed))
        return desired, live, options, False

    return make


Rows = list[dict[str, object]]  # named: `Recorder.list` hides the builtin in the class


class Recorder:
    """A fake writer: answers like the API would, records every request it is sent."""

    def __init__(self, live: LiveState) -> None:
        self.stored = {
            h.id: {"id": h.id, "name": h.name, "triggerId": h.trigger_id, "script": h.script, "enabled": h.enabled}
            for h in live.hooks
        }
        self.calls: list[list[Any]] = []
        self.count = 0

    @property
    def hooks(self) -> Recorder:
        return self  # the endpoints are the recorder's own methods

    def list(self) -> Rows:
        self.calls.append(["list"])
        return [dict(h) for h in self.stored.values()]

    def create(self, name: str, trigger_id: str, script: str, enabled: bool = False, dependencies: Any = None) -> dict[str, object]:
        self.count += 1
        hook_id = f"created-{self.count}"
        self.stored[hook_id] = {"id": hook_id, "name": name, "triggerId": trigger_id, "script": script, "enabled": enabled}
        self.calls.append(["create", name, trigger_id, script, enabled, dict(dependencies or {})])
        return dict(self.stored[hook_id])

    def update(self, hook_id: str, **fields: object) -> dict[str, object]:
        self.calls.append(["update", hook_id, dict(sorted(fields.items()))])
        self.stored[hook_id].update(fields)
        return dict(self.stored[hook_id])

    def delete(self, hook_id: str) -> None:
        self.calls.append(["delete", hook_id])
        self.stored.pop(hook_id, None)

    def add_secrets(self, hook_id: str, secrets: dict[str, str]) -> None:
        self.calls.append(["secrets-add", hook_id, sorted(secrets)])

    def update_secrets(self, hook_id: str, secrets: dict[str, str]) -> None:
        self.calls.append(["secrets-update", hook_id, sorted(secrets)])

    def delete_secrets(self, hook_id: str, keys: Sequence[str]) -> None:
        self.calls.append(["secrets-delete", hook_id, sorted(keys)])


class GoldenClient(Recorder):
    """Hooks as ``Recorder`` records them, Actions in ``RecordingActions``: what the use
    cases need of a ``ManagementClient``."""

    max_workers = 1

    def __init__(self, live: LiveState, actions: RecordingActions) -> None:
        super().__init__(live)
        self.live = live
        self.actions = actions
        self.calls = actions.log  # one log, in the order the requests were sent

    def with_secret_keys(self) -> list[tuple[dict[str, object], frozenset[str]]]:
        return [({"id": h.id, "name": h.name, "triggerId": h.trigger_id, "script": h.script, "enabled": h.enabled,
                  "dependencies": dict(h.dependencies)}, h.secret_keys) for h in self.live.hooks]


def actions_outputs(name: str, case: ActionsCase) -> dict[str, str]:
    """An Actions case through the use cases: plan (every registered type), render, apply."""
    from reconciler.usecases.applying import execute_plan
    from reconciler.usecases.planning import make_plan

    with temp_config() as root:
        settings, loaded, options, api = setup(case, Path(root))
        client = GoldenClient(LiveState(case.live_hooks), api)
        try:
            plan = make_plan(loaded.desired, client, options)  # type: ignore[arg-type]
        except ReconcilerError as error:
            return {f"{name}.error.txt": f"{type(error).__name__}: {error}\n".replace(root, "<config>")}
        out = _rendered(name, plan)
        api.recording = True
        report = execute_plan(plan, loaded.desired, client, max_workers=1)  # type: ignore[arg-type]
    out[f"{name}.requests.json"] = _requests(api.log, report)
    return {file: text.replace(root, "<config>") for file, text in out.items()}


def _rendered(name: str, plan: Any) -> dict[str, str]:
    return {
        f"{name}.txt": render_text(plan),
        f"{name}.json": render_json(plan),
        f"{name}.md": render_markdown(plan, tenant="golden.example.test"),
    }


def _requests(calls: list[list[Any]], report: Any) -> str:
    """The requests sent and what became of each step."""
    result = {
        "requests": calls,
        "done": [s.index for s in report.done],
        "failed": [[f.step.index, f.message] for f in report.failed],
        "not_run": [s.index for s in report.not_run],
    }
    return json.dumps(result, indent=1, sort_keys=True) + "\n"


def outputs(name: str, make: Callable[[], Case] | ActionsCase) -> dict[str, str]:
    """Every recorded output of one case, by file name."""
    if isinstance(make, ActionsCase):
        return actions_outputs(name, make)
    desired, live, options, review_only = make()
    try:
        plan = build_plan(desired, live, options)
    except ReconcilerError as error:
        return {f"{name}.error.txt": f"{type(error).__name__}: {error}\n"}
    if review_only:
        plan = dataclasses.replace(plan, review_only=True)
    out = _rendered(name, plan)
    if not review_only:
        writer = Recorder(live)
        report = execute(plan, writer, desired, max_workers=1)  # type: ignore[arg-type]
        out[f"{name}.requests.json"] = _requests(writer.calls, report)
    return out


def normalise_json(text: str) -> Any:
    data = json.loads(text)
    if isinstance(data, dict):
        data.pop("format_version", None)
    return data


def _same(file: str, text: str, recorded: str) -> bool:
    if file.endswith(".json") and not file.endswith(".requests.json"):
        return bool(normalise_json(text) == normalise_json(recorded))
    return text == recorded


def record() -> int:
    """Rewrite the recordings; a plan JSON that differs only in ``format_version`` keeps
    the file recorded before the seam (the proof that nothing else changed)."""
    CASES.mkdir(exist_ok=True)
    produced = {file: text for name, make in cases() for file, text in outputs(name, make).items()}
    for old in CASES.iterdir():
        if old.name not in produced:
            old.unlink()
    for file, text in produced.items():
        path = CASES / file
        if not (path.is_file() and _same(file, text, path.read_text())):
            path.write_text(text)
    return len(produced)


if __name__ == "__main__":
    if "--record" in sys.argv:
        print(f"recorded {record()} files in {CASES}")

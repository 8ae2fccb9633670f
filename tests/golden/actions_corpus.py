"""The golden corpus's Actions cases: a config directory (actions/, triggers/, maybe hooks/),
a live tenant (hooks and actions) and the environment, planned and applied through the use
cases every command runs (``usecases.make_plan`` / ``execute_plan``), so any later refactor
of the Actions types shows up as a changed recording.

Keyword and secret values here are canaries (``CANARY_VALUES``): ``test_golden`` checks that
none of them appears in any recorded file.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.config import load_settings
from reconciler.resources.actions.secrets import marker
from reconciler.resources.common.secrets import MARKER_VALUE
from reconciler.resources.hooks.model import LiveHook
from tests.resources.actions import fake_actions
from tests.resources.actions.fake_actions import FakeActionsApi, Rows

HMAC = "golden-actions-hmac-key"
PL = ("post-login", "v3")
PUR = ("pre-user-registration", "v2")
SPM = ("send-phone-message", "v2")
# Keyword values: each must stay out of every output (the code shows the template).
CANARY_VALUES = {
    "CLAIMS_URL": "https://canary-claims.example/ns",
    "API_KEY": "canary-api-key-7f3a",
    "SMS_KEY": "canary-sms-key-91c2",
}
ROTATED_API_KEY = "canary-api-key-rotated-5d1e"
CANARIES = (*CANARY_VALUES.values(), ROTATED_API_KEY, HMAC)

CLAIMS_CODE = (
    "exports.onExecutePostLogin = async (event, api) => {\n"
    "  api.idToken.setCustomClaim('##CLAIMS_URL##/roles', event.authorization?.roles);\n};\n"
)
CHECK_CODE = "exports.onExecutePostLogin = async (event, api) => {\n  if (!event.user.email_verified) api.access.deny('verify');\n};\n"
SIGNUP_CODE = (
    "exports.onExecutePreUserRegistration = async (event, api) => {\n"
    "  if (event.user.email?.endsWith('@mailinator.com')) api.access.deny('disposable', 'No.');\n};\n"
)
SMS_CODE = "exports.onExecuteSendPhoneMessage = async (event, api) => {\n  // the provider call uses event.secrets.SMS_KEY\n};\n"
HOOK_SIGNUP = "module.exports = function (user, context, cb) {\n  cb(null, { user });\n};\n"
HOOK_SMS = "module.exports = function (recipient, text, context, cb) {\n  cb(null, {});\n};\n"


def action(name: str, trigger: tuple[str, str] = PL, secrets: Mapping[str, str] | None = None,
           deps: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    return {
        "name": name, "code": f"./actions/{name}/code.js", "runtime": "node22",
        "dependencies": [{"name": n, "version": v} for n, v in deps],
        "secrets": [{"name": k, "value": v} for k, v in (secrets or {}).items()],
        "supported_triggers": [{"id": trigger[0], "version": trigger[1]}], "deployed": True,
    }


def hook(name: str, trigger: str, script: str, enabled: bool = False, secrets: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {"name": name, "triggerId": trigger, "enabled": enabled, "script": f"./{name}.js",
            "dependencies": {}, "secrets": dict(secrets or {}), "_code": script}


def bound(*names: str) -> list[dict[str, str]]:
    return [{"action_name": n, "display_name": n} for n in names]


@dataclass(frozen=True)
class ActionsCase:
    """A config (files as documents), the live tenant and the environment of one plan."""

    actions: tuple[dict[str, Any], ...] = ()
    code: Mapping[str, str] = field(default_factory=dict)  # action name -> code.js
    triggers: Mapping[str, Any] | None = None
    hooks: tuple[dict[str, Any], ...] | None = None  # None: no hooks/ (hooks not managed)
    seed: Callable[[FakeActionsApi], None] = lambda api: None
    live_hooks: tuple[LiveHook, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)  # on top of CANARY_VALUES

    def write(self, root: Path) -> Path:
        if self.actions:
            (root / "actions").mkdir(parents=True)
            for doc in self.actions:
                (root / "actions" / f"{doc['name']}.json").write_text(json.dumps(doc, indent=2))
                if "integration" in doc:
                    continue  # a marketplace action: deploy-cli writes no code for it
                (root / "actions" / doc["name"]).mkdir()
                (root / "actions" / doc["name"] / "code.js").write_text(self.code[doc["name"]])
        if self.triggers is not None:
            (root / "triggers").mkdir()
            (root / "triggers" / "triggers.json").write_text(json.dumps(self.triggers, indent=2))
        if self.hooks is not None:
            (root / "hooks").mkdir()
            for doc in self.hooks:
                meta = {k: v for k, v in doc.items() if k != "_code"}
                (root / "hooks" / f"{doc['name']}.json").write_text(json.dumps(meta, indent=2))
                (root / "hooks" / f"{doc['name']}.js").write_text(doc["_code"])
        return root


def filled(code: str) -> str:
    """The code as the tenant holds it (keywords filled with the canary values)."""
    for key, value in CANARY_VALUES.items():
        code = code.replace(f"##{key}##", value)
    return code


CODE = {"add-claims": CLAIMS_CODE, "check-email": CHECK_CODE, "block-disposable": SIGNUP_CODE, "send-sms": SMS_CODE}
CLAIMS = action("add-claims", secrets={"API_KEY": "##API_KEY##"}, deps=(("axios", "1.7.9"),))
CHECK = action("check-email")
MARKETPLACE = {"name": "Integration X", "integration": {"id": "int-1"},
               "supported_triggers": [{"id": "post-login", "version": "v3"}], "deployed": True}
TWO = ActionsCase((CLAIMS, CHECK), CODE, {"post-login": bound("add-claims", "check-email")})


def _seed_two(api: FakeActionsApi, order: tuple[str, ...] = ("add-claims", "check-email"),
              claims_code: str = CLAIMS_CODE, secret_names: tuple[str, ...] = ("API_KEY",)) -> None:
    api.seed("add-claims", PL, filled(claims_code), secrets={n: "x" for n in secret_names},
             dependencies=[("axios", "1.7.9")])
    api.seed("check-email", PL, CHECK_CODE)
    api.bind("post-login", *order)


def _seed_marked(api: FakeActionsApi, old_value: str) -> None:
    """The tenant as a run with the HMAC key left it: the marker of ``old_value`` beside API_KEY."""
    _seed_two(api, secret_names=("API_KEY", marker(HMAC.encode(), "add-claims", {"API_KEY": old_value})))


def _seed_extra(api: FakeActionsApi, trigger: tuple[str, str] = PL, bind_on: str | None = "post-login") -> None:
    _seed_two(api)
    api.seed("by-hand", trigger, "exports.onExecutePostLogin = async () => {};\n")
    if bind_on:
        api.bound[bind_on] = [*api.bound.get(bind_on, []), (api.named("by-hand")["id"], "by-hand")]


def _seed_cutover_hooks() -> tuple[LiveHook, ...]:
    return (
        LiveHook("h-1", "block-disposable-hook", PUR[0], HOOK_SIGNUP, True),
        LiveHook("h-2", "sms-hook", SPM[0], HOOK_SMS, True, secret_keys=frozenset({"SMS_KEY"})),
    )


CUTOVER = ActionsCase(
    (action("block-disposable", PUR), action("send-sms", SPM, secrets={"SMS_KEY": "##SMS_KEY##"})), CODE,
    {"pre-user-registration": bound("block-disposable"), "send-phone-message": bound("send-sms")},
    hooks=(hook("block-disposable-hook", PUR[0], HOOK_SIGNUP), hook("sms-hook", SPM[0], HOOK_SMS, secrets={"SMS_KEY": "##SMS_KEY##"})),
    live_hooks=_seed_cutover_hooks(),
)


def cases() -> Iterator[tuple[str, ActionsCase]]:
    yield "actions-empty-tenant", TWO
    yield "actions-no-op", ActionsCase(TWO.actions, CODE, TWO.triggers, seed=_seed_two)
    yield "actions-code-change", ActionsCase(
        TWO.actions, {**CODE, "check-email": CHECK_CODE.replace("'verify'", "'verify your email'")}, TWO.triggers,
        seed=_seed_two)
    yield "actions-secret-value-changed", ActionsCase(
        TWO.actions, CODE, TWO.triggers, seed=lambda api: _seed_marked(api, "canary-api-key-before"),
        env={"RECONCILER_SECRETS_HMAC_KEY": HMAC, "API_KEY": ROTATED_API_KEY})
    yield "actions-secret-value-same", ActionsCase(
        TWO.actions, CODE, TWO.triggers, seed=lambda api: _seed_marked(api, CANARY_VALUES["API_KEY"]),
        env={"RECONCILER_SECRETS_HMAC_KEY": HMAC})
    yield "actions-binding-reorder", ActionsCase(
        TWO.actions, CODE, {"post-login": bound("check-email", "add-claims")}, seed=_seed_two)
    yield "actions-removed-delete-refused", ActionsCase((CLAIMS,), CODE, {"post-login": bound("add-claims")}, seed=_seed_two)
    yield "actions-removed-delete-allowed", ActionsCase(
        (CLAIMS,), CODE, {"post-login": bound("add-claims")}, seed=_seed_two, env={"AUTH0_ALLOW_DELETE": "true"})
    # by-hand: made in the dashboard, not in the config, bound on a trigger triggers.json
    # does not manage (credentials-exchange is not listed): reported, left alone.
    yield "actions-unmanaged-trigger", ActionsCase(
        TWO.actions, CODE, TWO.triggers,
        seed=lambda api: _seed_extra(api, ("credentials-exchange", "v2"), "credentials-exchange"))
    yield "actions-unmanaged-trigger-allow", ActionsCase(
        TWO.actions, CODE, TWO.triggers, env={"AUTH0_ALLOW_DELETE": "true"},
        seed=lambda api: _seed_extra(api, ("credentials-exchange", "v2"), "credentials-exchange"))
    # Differences only warned about, no request: check-email bound but left out of the
    # post-login list; a secret on the tenant the config lacks.
    yield "actions-bound-not-listed", ActionsCase(TWO.actions, CODE, {"post-login": bound("add-claims")}, seed=_seed_two)
    yield "actions-secrets-kept", ActionsCase(
        TWO.actions, CODE, TWO.triggers, seed=lambda api: _seed_two(api, secret_names=("API_KEY", "OLD_KEY")))
    # by-hand bound on post-login (managed) but not in its list: deletes off leave it bound.
    yield "actions-unmanaged-bound", ActionsCase(TWO.actions, CODE, TWO.triggers, seed=_seed_extra)
    yield "actions-unmanaged-bound-allow", ActionsCase(
        TWO.actions, CODE, TWO.triggers, seed=_seed_extra, env={"AUTH0_ALLOW_DELETE": "true"})
    # An installed integration: named in the config (and bound there), or not at all; even
    # with deletes on it is never written, unbound or deleted.
    yield "actions-marketplace", ActionsCase(
        (*TWO.actions, MARKETPLACE), CODE, {"post-login": bound("add-claims", "check-email", "Integration X")},
        seed=_seed_marketplace, env={"AUTH0_ALLOW_DELETE": "true"})
    yield "actions-marketplace-unlisted", ActionsCase(
        TWO.actions, CODE, TWO.triggers, seed=_seed_marketplace, env={"AUTH0_ALLOW_DELETE": "true"})
    yield "actions-mixed-hooks", ActionsCase(
        TWO.actions, CODE, TWO.triggers,
        hooks=(hook("block-disposable-hook", PUR[0], HOOK_SIGNUP, True),),
        live_hooks=(LiveHook("h-1", "block-disposable-hook", PUR[0], "// older\n", True),),
        seed=lambda api: _seed_two(api, ("check-email", "add-claims")))
    yield "actions-cutover-default", CUTOVER
    yield "actions-cutover-flipped", ActionsCase(
        CUTOVER.actions, CODE, CUTOVER.triggers, CUTOVER.hooks, live_hooks=CUTOVER.live_hooks,
        env={"AUTH0_CUTOVER": json.dumps({"pre-user-registration": "neither", "send-phone-message": "both"})})


def _seed_marketplace(api: FakeActionsApi) -> None:
    _seed_two(api)
    api.seed("Integration X", PL, "// installed from the marketplace\n", marketplace=True)
    api.bound["post-login"] = [*api.bound["post-login"], (api.named("Integration X")["id"], "Integration X")]


def masked(code: str) -> str:
    """The code the API got, each canary value shown as the keyword it came from: the
    recording proves keywords are filled on the way out, and holds no value."""
    for key, value in {**CANARY_VALUES, "API_KEY (rotated)": ROTATED_API_KEY, "the marker": MARKER_VALUE}.items():
        code = code.replace(value, f"<value of {key}>")
    return code


def _secrets(values: Mapping[str, str] | None) -> dict[str, str]:
    return {name: masked(value) for name, value in sorted((values or {}).items())}


class RecordingActions(FakeActionsApi):
    """The in-memory Actions tenant, logging every request of a run by action *name* (ids
    come from a process-wide counter) and secret *names* only."""

    log: list[list[Any]]

    def __post_init__(self) -> None:
        super().__post_init__()
        self.log = []
        self.recording = False

    def _note(self, *entry: Any) -> None:
        if self.recording:
            self.log.append(list(entry))

    def _name(self, action_id: str) -> str:
        return str(self.actions.get(action_id, {}).get("name", action_id))

    def list(self, *, name: str | None = None) -> Rows:
        self._note("GET actions", name)
        return super().list(name=name)

    def get(self, action_id: str) -> dict[str, Any]:
        self._note("GET action", self._name(action_id))
        return super().get(action_id)

    def bindings(self, trigger_id: str) -> Rows:
        self._note("GET bindings", trigger_id)
        return super().bindings(trigger_id)

    def create(self, name: str, trigger: tuple[str, str], code: str, **kw: Any) -> dict[str, Any]:
        self._note("POST action", name, list(trigger), masked(code), _secrets(kw.get("secrets")),
                   [list(d) for d in kw.get("dependencies") or ()], kw.get("runtime"))
        return super().create(name, trigger, code, **kw)

    def update(self, action_id: str, **kw: Any) -> dict[str, Any]:
        sent = {k: (_secrets(v) if k == "secrets" else [list(d) for d in v] if k == "dependencies"
                    else masked(v) if k == "code" else v)
                for k, v in kw.items() if v is not None and k != "sensitive"}
        self._note("PATCH action", self._name(action_id), dict(sorted(sent.items())))
        return super().update(action_id, **kw)

    def deploy(self, action_id: str) -> dict[str, Any]:
        self._note("POST deploy", self._name(action_id))
        return super().deploy(action_id)

    def delete(self, action_id: str, *, force: bool = False) -> None:
        self._note("DELETE action", self._name(action_id), force)
        super().delete(action_id, force=force)

    def set_bindings(self, trigger_id: str, bindings: Any) -> Rows:
        self._note("PATCH bindings", trigger_id, [[self._name(i), d] for i, d in bindings])
        return super().set_bindings(trigger_id, bindings)


def setup(case: ActionsCase, root: Path) -> tuple[Any, Any, Any, RecordingActions]:
    """(settings, loaded config, options, the Actions tenant) of one case."""
    from reconciler.usecases.loading import load_desired, plan_options

    settings = load_settings({**CANARY_VALUES, **case.env})
    loaded = load_desired(str(case.write(root)), settings.keyword_source())
    fake_actions._ids = itertools.count(1)  # ids (and so the live fingerprint) the same in any run
    api = RecordingActions()
    case.seed(api)
    return settings, loaded, plan_options(settings), api


def temp_config() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="golden-actions-")

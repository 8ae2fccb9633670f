"""``export_tenant``: what it read, wrote and has to say, as data (no terminal)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

import pytest

from reconciler.api.client import ManagementClient
from reconciler.config import Settings
from reconciler.emulator.server import RunningEmulator
from reconciler.errors import NothingToExport, ReconcilerError
from reconciler.resources.actions.register import NO_ACTIONS, NO_ACTIONS_SCOPE
from reconciler.resources.hooks.register import NO_HOOKS
from reconciler.usecases.exporting import ExportOutcome, export_tenant
from tests.usecases.conftest import settings_for

CODE = "exports.onExecutePostLogin = async (event, api) => {};\n"
HOOK = "module.exports = function (user, context, cb) { cb(null, {}); };\n"
CANARY = "canary-secret-value-4b1d"


def summaries(done: ExportOutcome) -> list[str | None]:
    return [part.written.summary if part.written is not None else None for part in done.parts]


def hooks_line(out: Path) -> str:
    return f"Exported 1 hooks to {out}/hooks"


def seed_both(emu: RunningEmulator) -> None:
    emu.seed([{"name": "signup", "triggerId": "pre-user-registration", "script": HOOK, "enabled": True,
               "secrets": {"API_KEY": CANARY}}])
    emu.seed(actions=[{"name": "greet", "supported_triggers": [{"id": "post-login", "version": "v3"}],
                       "code": CODE, "secrets": [{"name": "API_KEY", "value": CANARY}], "deployed": True}],
             bindings={"post-login": [{"action_name": "greet"}]})


def test_both_halves_are_counted_and_the_shared_keyword_noted(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    seed_both(emu)
    out = tmp_path / "out"
    done = export_tenant(client_factory, settings, str(out))
    lists = json.loads((out / "triggers" / "triggers.json").read_text())
    assert lists["post-login"] == [{"action_name": "greet", "display_name": "greet"}]
    assert summaries(done) == [f"Exported 1 hooks to {out}/hooks",
                               f"Exported 1 actions to {out}/actions and {len(lists)} trigger lists to "
                               f"{out}/triggers/triggers.json"]
    assert (done.notes, done.keywords, done.from_environment) == ((), ("API_KEY",), ())
    assert done.keyword_notes == ("##API_KEY## is used by hooks and actions alike: one value for both",)
    assert json.loads((out / "hooks" / "signup.json").read_text())["secrets"] == {"API_KEY": "##API_KEY##"}
    assert (out / "actions" / "greet" / "code.js").read_text() == CODE
    written = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    assert CANARY not in written and CANARY not in repr(done)


def test_known_keyword_values_in_scripts_go_back_as_keywords(emu: RunningEmulator, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    emu.seed([{"name": "notify", "triggerId": "post-user-registration",
               "script": f"const url = '{CANARY}';\n" + HOOK}])
    settings = settings_for(emu, keyword_mappings=MappingProxyType({"NOTIFY_URL": CANARY}))
    done = export_tenant(client_factory, settings, str(tmp_path / "out"))
    script = (tmp_path / "out" / "hooks" / "notify.js").read_text()
    assert "const url = '##NOTIFY_URL##';" in script and CANARY not in script
    assert summaries(done)[0] == hooks_line(tmp_path / "out") and done.keywords == ()


def test_a_tenant_without_hooks_exports_actions_only(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    seed_both(emu)
    emu.configure(hooks_enabled=False)
    done = export_tenant(client_factory, settings, str(tmp_path / "out"))
    assert done.part("hook").written is None and done.part("hook").skipped == NO_HOOKS
    assert done.part("action").skipped is None and str(summaries(done)[1]).startswith("Exported 1 actions to ")
    assert not (tmp_path / "out" / "hooks").exists()


def test_a_tenant_without_actions_exports_hooks_only(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    seed_both(emu)
    emu.configure(actions_enabled=False)
    done = export_tenant(client_factory, settings, str(tmp_path / "out"))
    assert summaries(done) == [hooks_line(tmp_path / "out"), None]
    assert done.part("action").skipped == NO_ACTIONS and done.keyword_notes == ()


def test_a_read_hooks_only_client_still_exports_hooks(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    seed_both(emu)
    emu.configure(scopes=["read:hooks"])
    done = export_tenant(client_factory, settings, str(tmp_path / "out"))
    assert summaries(done) == [hooks_line(tmp_path / "out"), None]
    assert done.part("action").skipped == NO_ACTIONS_SCOPE


def test_a_tenant_with_neither_is_refused_and_nothing_written(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    emu.configure(hooks_enabled=False, actions_enabled=False)
    with pytest.raises(NothingToExport, match=f"nothing to export: {NO_HOOKS}, and"):
        export_tenant(client_factory, settings, str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_an_existing_file_refuses_both_halves_before_either_writes(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    seed_both(emu)
    (tmp_path / "out" / "hooks").mkdir(parents=True)
    (tmp_path / "out" / "hooks" / "signup.json").write_text("mine")
    with pytest.raises(ReconcilerError, match="would overwrite hooks/signup.json"):
        export_tenant(client_factory, settings, str(tmp_path / "out"))
    assert (tmp_path / "out" / "hooks" / "signup.json").read_text() == "mine"
    assert not (tmp_path / "out" / "actions").exists()
    done = export_tenant(client_factory, settings, str(tmp_path / "out"), force=True)
    assert summaries(done)[0] == hooks_line(tmp_path / "out")
    assert json.loads((tmp_path / "out" / "hooks" / "signup.json").read_text())["name"] == "signup"


def test_notes_say_what_was_left_out(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    trigger = [{"id": "post-login", "version": "v3"}]
    emu.seed(actions=[
        {"name": "installed", "supported_triggers": trigger, "code": CODE, "deployed": True,
         "integration": {"id": "int-1", "name": "Installed"}},
        {"name": "mine", "supported_triggers": trigger, "code": CODE, "deployed": True},
    ])
    done = export_tenant(client_factory, settings, str(tmp_path / "out"))
    assert done.notes == ("marketplace action 'installed' skipped (installed integrations are not managed)",)
    assert str(summaries(done)[1]).startswith("Exported 1 actions to ")

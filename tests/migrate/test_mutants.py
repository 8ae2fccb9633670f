"""Mutation testing of the proof: every small wrong variant of a right action is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.migrate.check import OK, prove
from reconciler.migrate.generate import hook_target, migrate_hook
from reconciler.runner.node import Node
from reconciler.runner.targets import Target, load_templates
from tests.migrate.mutants import Seen, mutants
from tests.resources.hooks.hooks_testlib import hook_config

CORPUS = Path(__file__).parent / "corpus"
# One right action per kind of effect: claims, a denial with metadata, metadata, a call left running.
HOOKS = ["credentials-exchange/tenant-claim", "pre-user-registration/crm-check-callback-error",
         "pre-user-registration/metadata-defaults", "post-user-registration/fire-and-forget-axios"]


@pytest.mark.parametrize("path", HOOKS)
def test_every_mutant_of_a_right_action_is_caught(node: Node, tmp_path: Path, path: str) -> None:
    trigger, name = path.split("/")
    source = (CORPUS / f"{path}.js").read_text()
    secrets = {key: f"##{key}##" for key in ("ANALYTICS_URL", "CRM_URL", "CRM_TOKEN") if key in source}
    config = str(hook_config(tmp_path, name, trigger, source, secrets=secrets))
    [hook] = load_templates(config)["hook"].hooks
    migrated = migrate_hook(hook, config)
    assert migrated.verdict is not None and migrated.verdict.verdict == OK, migrated.verdict
    made = list(mutants(migrated.code, Seen.of(trigger, migrated.verdict)))
    assert len(made) >= 2
    for label, code in made:
        action = Target("action", name, trigger, code, dict(hook.secrets))
        verdict = prove(hook_target(hook), action, config)
        assert verdict.verdict != OK, f"{name}: the mutant '{label}' passed the proof"

"""Generated tenants and configs applied through the CLI to a real emulator in reject mode.

The same generator as the planner's randomised test, but through every real layer: the
loader, the HTTP client, the executor and the emulator's own one-enabled-per-trigger rule.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator.process import EmulatorProcess
from reconciler.render.text import NOTHING_TO_APPLY
from reconciler.resources.common.secrets import user_keys
from reconciler.resources.hooks.export import write_config
from tests.e2e.helpers import live_hooks, run_cli
from tests.plan_simulator import random_case

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def strict_emulator() -> Iterator[EmulatorProcess]:
    proc = EmulatorProcess({"enabled_conflict": "reject", "rate_limit": 0}, cwd=str(REPO))
    try:
        yield proc
    finally:
        proc.stop()


@pytest.mark.parametrize("seed", range(25))
def test_generated_case_applies_cleanly(strict_emulator: EmulatorProcess, tmp_path: Path, seed: int) -> None:
    emulator = strict_emulator
    emulator.reset()
    desired, live, options = random_case(random.Random(seed))
    emulator.seed(
        [
            {
                "name": h.name, "triggerId": h.trigger_id, "script": h.script, "enabled": h.enabled,
                "dependencies": dict(h.dependencies), "secrets": {k: "live-value" for k in h.secret_keys},
            }
            for h in live.hooks
        ]
    )
    before = live_hooks(emulator)
    config = write_config(
        tmp_path / "config",
        [
            {
                "name": h.name, "triggerId": h.trigger_id, "enabled": h.enabled, "script": h.script,
                "dependencies": dict(h.dependencies), "secrets": dict(h.secrets),
            }
            for h in desired.hooks
        ],
    )
    flags = ["--allow-delete"] if options.allow_delete else []
    env = emulator.env()
    if options.hmac_key:
        env["RECONCILER_SECRETS_HMAC_KEY"] = options.hmac_key.decode()
    rotate = ["--rotate-secrets"] if options.rotate_secrets else []
    result = run_cli(["apply", "-c", str(config), "--yes", "--force", *flags, *rotate], env)
    assert result.exit_code == 0, result.output

    stats = emulator.stats()
    assert stats["invariant_violations"] == 0 and stats["by_status"].get("409", 0) == 0, stats
    after = live_hooks(emulator)
    for hook in desired.hooks:
        got = after[hook.name]
        assert (got["triggerId"], got["script"], got["enabled"]) == (hook.trigger_id, hook.script, hook.enabled)
        if options.hmac_key or options.rotate_secrets or hook.name not in before:
            assert {k: got["secrets"][k] for k in hook.secrets} == dict(hook.secrets)
        else:  # values of keys it already had are unknowable without the HMAC marker
            assert set(hook.secrets) <= set(got["secrets"])
    if not options.allow_delete:
        for name, was in before.items():
            # Every live hook is still there (under its name, renamed, or parked after a
            # replace), and it kept every secret key.
            survivors = [h for h in after.values() if h["id"] == was["id"]]
            if survivors:
                assert user_keys(was["secrets"]) <= user_keys(survivors[0]["secrets"]), name
            else:
                assert name in desired.by_name(), f"{name} deleted with deletes off"
    again = run_cli(["plan", "-c", str(config), "--detailed-exitcode", *flags], env)
    # Nothing left to send; hooks kept while deletes are off are drift (exit 2), no request.
    unmanaged = any(name not in desired.by_name() for name in after)
    assert again.exit_code == (2 if unmanaged else 0), again.output
    if unmanaged:
        assert again.output.rstrip().splitlines()[-1] == NOTHING_TO_APPLY

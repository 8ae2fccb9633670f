"""Randomized: chained configs against one in-memory tenant, with interrupted runs. Every
sequence converges (a re-plan after a full apply is empty), a no-op apply writes nothing and
creates no version, and at no instant is an undeployed action bound (the fake refuses it)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from actions_testlib import CODE, action
from fake_actions import FakeClient
from harness import apply, desired, steps

TRIGGERS = {"post-login": "v3", "credentials-exchange": "v2"}
NAMES = ["a", "b", "c", "d", "e"]


def random_config(rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, str]]:
    actions, code = [], {}
    for name in rng.sample(NAMES, rng.randint(0, len(NAMES))):
        trigger = rng.choice(list(TRIGGERS))
        secrets = [{"name": s, "value": f"##V{rng.randint(0, 1)}##"} for s in rng.sample(["S1", "S2"], rng.randint(0, 2))]
        actions.append(action(name, supported_triggers=[{"id": trigger, "version": TRIGGERS[trigger]}],
                              secrets=secrets, deployed=True))
        code[name] = CODE + f"// {rng.randint(0, 2)}\n"
    triggers: dict[str, Any] = {}
    for trigger in TRIGGERS:
        if rng.random() < 0.8:
            mine = [a["name"] for a in actions if a["supported_triggers"][0]["id"] == trigger]
            rng.shuffle(mine)
            triggers[trigger] = [{"action_name": n, "display_name": n.upper() if rng.random() < 0.3 else n}
                                 for n in mine if rng.random() < 0.8]
    return actions, triggers, code


@pytest.mark.parametrize("seed", range(25))
def test_chained_configs_converge_through_interruptions(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    client = FakeClient()
    env = {"V0": "zero", "V1": "one"}
    for round_ in range(4):
        actions, triggers, code = random_config(rng)
        want = desired(tmp_path / f"c{round_}", actions, triggers, code, env)
        allow = rng.random() < 0.6
        if rng.random() < 0.5:  # a run that dies after a few writes
            client.actions.fail_at = client.actions.writes + rng.randint(1, 4)
            apply(want, client, allow_delete=allow, force=True, workers=rng.randint(1, 3))
            client.actions.fail_at = None
        report = apply(want, client, allow_delete=allow, force=True, workers=rng.randint(1, 3))
        assert report.ok, [f.message for f in report.failed]
        assert steps(want, client, allow_delete=allow, force=True) == ()
        versions, writes = dict(client.actions.versions_created), client.actions.writes
        assert apply(want, client, allow_delete=allow, force=True).ok
        assert client.actions.writes == writes and client.actions.versions_created == versions
        for trigger, entries in triggers.items():
            bound = client.actions.bound_names(trigger)
            wanted = [e["action_name"] for e in entries]
            if allow:
                assert bound == wanted
            else:
                assert [n for n in bound if n in wanted] == wanted  # kept ones may stay around them
        if allow:
            extra = {a["name"] for a in client.actions.actions.values()} - {a["name"] for a in actions}
            for name in extra:  # only what is bound on a trigger the config does not manage stays
                assert any(name in client.actions.bound_names(t) for t in TRIGGERS if t not in triggers), name

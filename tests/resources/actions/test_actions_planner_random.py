"""Property-based (hypothesis, stateful): chained configs against one in-memory tenant, with
runs that die after some writes. Every full apply converges (a re-plan is empty), a no-op
apply writes nothing and creates no version, and at no instant is an undeployed action bound
(the fake refuses it). A failure shrinks to the fewest commits and runs that show it;
examples are derandomized, so CI runs the same cases every time."""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from tests.resources.actions.actions_testlib import CODE, action
from tests.resources.actions.fake_actions import FakeClient
from tests.resources.actions.harness import apply, desired, steps

TRIGGERS = {"post-login": "v3", "credentials-exchange": "v2"}
NAMES = ["a", "b", "c", "d", "e"]
ENV = {"V0": "zero", "V1": "one"}


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


class ActionsChain(RuleBasedStateMachine):
    """One in-memory tenant through commits, each applied by runs that may die part-way."""

    @initialize(rng=st.randoms(use_true_random=False), allow=st.booleans())
    def start(self, rng: random.Random, allow: bool) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="actions-chain-"))
        self.client = FakeClient()
        self.commits = 0
        self.commit(rng, allow)

    @rule(rng=st.randoms(use_true_random=False), allow=st.booleans())
    def commit(self, rng: random.Random, allow: bool) -> None:
        self.actions, self.triggers, code = random_config(rng)
        self.want = desired(self.root / f"c{self.commits}", self.actions, self.triggers, code, ENV)
        self.allow = allow
        self.commits += 1

    @rule(writes=st.integers(min_value=1, max_value=4), workers=st.integers(min_value=1, max_value=3))
    def run_that_dies(self, writes: int, workers: int) -> None:
        """A run that dies after a few writes (no fake tenant state is left half-made)."""
        self.client.actions.fail_at = self.client.actions.writes + writes
        try:
            apply(self.want, self.client, allow_delete=self.allow, force=True, workers=workers)
        finally:
            self.client.actions.fail_at = None

    @rule(workers=st.integers(min_value=1, max_value=3))
    def full_run(self, workers: int) -> None:
        client, allow = self.client, self.allow
        report = apply(self.want, client, allow_delete=allow, force=True, workers=workers)
        assert report.ok, [f.message for f in report.failed]
        assert steps(self.want, client, allow_delete=allow, force=True) == ()
        versions, writes = dict(client.actions.versions_created), client.actions.writes
        assert apply(self.want, client, allow_delete=allow, force=True).ok
        assert client.actions.writes == writes and client.actions.versions_created == versions
        for trigger, entries in self.triggers.items():
            bound = client.actions.bound_names(trigger)
            wanted = [e["action_name"] for e in entries]
            if allow:
                assert bound == wanted
            else:
                assert [n for n in bound if n in wanted] == wanted  # kept ones may stay around them
        if allow:
            extra = {a["name"] for a in client.actions.actions.values()} - {a["name"] for a in self.actions}
            for name in extra:  # only what is bound on a trigger the config does not manage stays
                assert any(name in client.actions.bound_names(t) for t in TRIGGERS if t not in self.triggers), name

    def teardown(self) -> None:
        root = getattr(self, "root", None)
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)


ActionsChain.TestCase.settings = settings(
    max_examples=40, stateful_step_count=8, derandomize=True, deadline=None, database=None
)
TestActionsChainWithInterruptedRuns = ActionsChain.TestCase

"""A proof's first pass, run ahead for many hooks in one Node process, is what the proof uses."""

from __future__ import annotations

import pytest

from reconciler.runner import proof
from reconciler.runner.node import Node
from reconciler.runner.samples import builtin_samples
from reconciler.runner.targets import KeywordValues, Target

POST = "post-user-registration"
HOOK = ("module.exports = function (user, context, cb) {"
        " if (user.email.endsWith('@corp.example')) return cb(null, {}); cb(); };")
ACTION = "exports.onExecutePostUserRegistration = async (event) => { void event.user.email; };"


def _proved(hook: Target) -> proof.ProofRecord:
    action = Target("action", hook.name, POST, ACTION)
    return proof.run_proof(hook, action, builtin_samples(POST), (), KeywordValues())


def test_a_proof_after_the_first_passes_runs_none_of_its_own_and_proves_the_same(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    hook = Target("hook", "corp", POST, HOOK)
    other = Target("hook", "other", POST, "module.exports = function (user, context, cb) { cb(null, { n: user.username }); };")
    alone = _proved(hook)
    monkeypatch.setattr(proof, "_FIRST_PASSES", {})
    proof.first_passes([(hook, builtin_samples(POST)), (other, builtin_samples(POST))], KeywordValues())
    assert len(proof._FIRST_PASSES) == 2

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the first pass ran again")

    monkeypatch.setattr(proof, "run_scripts", refused)
    ahead = _proved(hook)
    assert ahead.reads == alone.reads == ("user.email",)
    assert [run.case for run in ahead.runs] == [run.case for run in alone.runs]
    assert ahead.coverage == alone.coverage

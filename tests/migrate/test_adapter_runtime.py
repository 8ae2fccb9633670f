"""The adapter at run time: it waits for work the hook left running, and refuses a scope change."""

from __future__ import annotations

from pathlib import Path

from reconciler.migrate.adapter import adapter
from reconciler.migrate.check import DIFFERS, OK, Verdict, judge
from reconciler.runner.node import Node
from reconciler.runner.proof import run_proof
from reconciler.runner.samples import builtin_samples
from reconciler.runner.targets import KeywordValues, Target

CORPUS = Path(__file__).parent / "corpus"


def proved(trigger: str, code: str, action_code: str) -> Verdict:
    hook = Target("hook", "h", trigger, code)
    action = Target("action", "h", trigger, action_code)
    return judge(run_proof(hook, action, builtin_samples(trigger), (), KeywordValues()))


def test_the_adapter_waits_for_requests_the_hook_left_running(node: Node) -> None:
    code = (CORPUS / "post-user-registration" / "fire-and-forget-axios.js").read_text()
    written = adapter("h", "post-user-registration", code, "why")
    assert "the handler waits for it first" in written
    verdict = proved("post-user-registration", code, written)
    assert verdict.verdict == OK, verdict.why
    assert verdict.hazards()  # and it says so
    # Without the wait, the action's request is cut off when its handler returns: the proof sees it.
    unwaited = written.replace("const left = await work.settle(PENDING_WORK_LIMIT_MS);", "const left = {};")
    assert proved("post-user-registration", code, unwaited).verdict == DIFFERS


def test_the_adapter_refuses_a_scope_change_it_cannot_make(node: Node) -> None:
    code = """module.exports = function (client, scope, audience, context, cb) {
  cb(null, { scope: (scope || []).concat(['extra']), 'https://x/c': 1 });
};"""
    verdict = proved("credentials-exchange", code, adapter("h", "credentials-exchange", code, "why"))
    assert verdict.verdict == DIFFERS
    run = verdict.differing[0]
    assert run.action.denied is not None and run.action.denied["code"] == "invalid_scope"
    assert run.hook.scopes is not None and "extra" in run.hook.scopes

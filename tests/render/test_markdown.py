"""The markdown renderer: the body of the pull-request comment."""

from __future__ import annotations

import dataclasses
import re

import pytest

from reconciler.core.changes import ChangeKind, FieldChange
from reconciler.core.plan import Plan
from reconciler.core.steps import Phase
from reconciler.render.markdown import render_markdown
from reconciler.render.text import NO_CHANGES
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.model import DesiredState, Hook, LiveHook, LiveState
from reconciler.resources.hooks.plan import Handover, hook_change, hook_plan, hook_step
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.options import PlanOptions

CANARY = "canary-md-SECRET-4d2e91"


def plan_of(desired: list[Hook], live: list[LiveHook], allow_delete: bool = False) -> Plan:
    return build_plan(DesiredState(tuple(desired)), LiveState(tuple(live)), PlanOptions(allow_delete=allow_delete))


def outside_details(body: str) -> str:
    """The body with every <details>...</details> block removed."""
    return re.sub(r"<details>.*?</details>", "", body, flags=re.S)


def before_first_details(body: str) -> str:
    return body.split("<details>", 1)[0]


SIGNUP_OLD = LiveHook("h1", "old-hook", "pre-user-registration", "old();\n", True)
SIGNUP_NEW = Hook("new-hook", "pre-user-registration", "module.exports = () => 1;\n", enabled=True,
                  secrets={"API_KEY": CANARY}, dependencies={"axios": "1.6.8"})


def test_no_changes_body() -> None:
    hook = Hook("a", "post-user-registration", "x();\n")
    live = LiveHook("1", "a", "post-user-registration", "x();\n", False)
    body = render_markdown(plan_of([hook], [live]), tenant="dev")
    assert body == f"### Auth0 hooks plan for tenant `dev`\n\n**{NO_CHANGES}**\n"
    assert NO_CHANGES == "No changes. The tenant matches the configuration."


def test_no_steps_but_skipped_delete_still_warns() -> None:
    orphan = LiveHook("9", "orphan", "send-phone-message", "x();\n", False)
    body = render_markdown(plan_of([], [orphan]))
    assert "No changes to apply." in body
    assert "[!WARNING]" in body and "`orphan` (send-phone-message)" in body
    assert "<details>" not in body


def test_summary_and_heading() -> None:
    plan = plan_of([SIGNUP_NEW], [SIGNUP_OLD], allow_delete=True)
    body = render_markdown(plan, tenant="prod")
    assert body.startswith("### Auth0 hooks plan for tenant `prod`\n\n")
    assert f"**{plan.summary.line()}**" in body
    assert body.index(plan.summary.line()) < body.index("<details>")


def test_deletes_and_handovers_in_a_caution_outside_details() -> None:
    orphan = LiveHook("9", "orphan", "send-phone-message", "x();\n", False)
    plan = plan_of([SIGNUP_NEW], [SIGNUP_OLD, orphan], allow_delete=True)
    body = render_markdown(plan)
    head = before_first_details(body)
    assert "> [!CAUTION]" in head
    assert "> - `old-hook` (pre-user-registration)" in head
    assert "> - `orphan` (send-phone-message)" in head
    assert "> - pre-user-registration: old-hook → new-hook" in head
    # Nothing of the alert is inside a details block.
    assert "[!CAUTION]" in outside_details(body)
    for block in re.findall(r"<details>.*?</details>", body, flags=re.S):
        assert "[!" not in block


def test_skipped_deletes_and_warnings_outside_details() -> None:
    live = [SIGNUP_OLD, LiveHook("2", "pcp", "post-change-password", "a();\n", False, secret_keys=frozenset({"OLD_KEY"})),
            LiveHook("9", "orphan", "send-phone-message", "x();\n", False)]
    desired = [SIGNUP_NEW, Hook("pcp", "post-change-password", "b();\n")]
    plan = plan_of(desired, live)
    assert plan.warnings
    body = render_markdown(plan)
    head = before_first_details(body)
    assert "> [!WARNING]" in head
    assert "`orphan` (send-phone-message): not in the config; deletes are off (pass --allow-delete)" in head
    assert "pcp: secret keys OLD_KEY are not in the config; not deleted (pass --allow-delete)" in head
    assert head.count("orphan") == 1  # the skipped delete is not repeated as a warning
    assert "> **Left as they are (2 hooks):**" in head
    # Sections inside an alert are separated so a list never swallows the next heading.
    assert "\n>\n> **Warnings:**" in head


def test_handover_to_and_from_nothing() -> None:
    step = hook_step(0, Action.DISABLE, "a", "post-change-password", "id-a", None, {"enabled": False}, (),
                     Phase.HANDOVER)
    plan = hook_plan((step,), handovers=(Handover("post-change-password", ("a",), None),
                                         Handover("send-phone-message", (), "b")))
    body = render_markdown(plan)
    assert "post-change-password: a → (none)" in body
    assert "send-phone-message: (none) → b" in body


def test_per_hook_details_with_diff_fences() -> None:
    live = LiveHook("2", "pcp", "post-change-password", "console.log(1);\n", False, {"lodash": "4.17.20"})
    desired = Hook("pcp", "post-change-password", "console.log(2);\n", dependencies={"lodash": "4.17.21"})
    body = render_markdown(plan_of([desired], [live]))
    assert "<details><summary><code>~</code> <b>pcp</b> (<code>post-change-password</code>) update</summary>" in body
    assert "```diff\n--- live/pcp.js\n+++ desired/pcp.js\n@@ -1 +1 @@\n-console.log(1);\n+console.log(2);\n```" in body
    assert "```diff\n~ lodash 4.17.20 -> 4.17.21\n```" in body
    # Blank lines around the details content so GitHub renders the markdown inside.
    assert "</summary>\n\n" in body and "\n\n</details>" in body


@pytest.mark.parametrize("inner", ["```", "````", "``````", "```js\n```"])
def test_backticks_in_a_script_cannot_break_the_fence(inner: str) -> None:
    script = f"// a markdown snippet in a comment:\n/*\n{inner}\n</details>\n*/\nmodule.exports = 1;\n"
    body = render_markdown(plan_of([Hook("h", "send-phone-message", script)], []))
    details = re.search(r"<details>.*?</summary>\n\n(.*)\n\n</details>", body, flags=re.S)
    assert details is not None, body
    block = details.group(1)
    # The script's fence: opened with more backticks than any run inside it, closed the same.
    match = re.search(r"^(`{3,})diff\n(.*?)^\1$", block, flags=re.S | re.M)
    assert match, block
    fence, content = match.groups()
    assert max(len(run) for run in re.findall(r"`+", content)) < len(fence)
    assert f"+{inner.splitlines()[0]}" in content and "+</details>" in content


def test_names_are_html_escaped_in_summaries() -> None:
    change = hook_change(ChangeKind.CREATE, "a<b>&c", "credentials-exchange",
                         (FieldChange("triggerId", None, "credentials-exchange"),))
    plan = hook_plan(changes=(change,), warnings=("<img src=x>",))
    body = render_markdown(plan)
    assert "<b>a&lt;b&gt;&amp;c</b>" in body
    assert "<img" not in body and "&lt;img src=x&gt;" in body


def test_inline_code_with_backticks() -> None:
    change = hook_change(ChangeKind.UPDATE, "h", "credentials-exchange", (FieldChange("name", "a`b", "c"),))
    plan = hook_plan(changes=(change,))
    assert "**name**: ``a`b`` → `c`" in render_markdown(plan)


def test_secret_values_never_rendered() -> None:
    live = [SIGNUP_OLD, LiveHook("2", "pcp", "post-change-password", "a();\n", False, secret_keys=frozenset({"K1", "K2"}))]
    desired = [SIGNUP_NEW, Hook("pcp", "post-change-password", "a();\n", secrets={"K1": CANARY, "K3": CANARY + "3"})]
    for allow in (False, True):
        body = render_markdown(plan_of(desired, live, allow_delete=allow))
        assert CANARY not in body
        assert "+ API_KEY = (sensitive)" in body and "+ K3 = (sensitive)" in body


def big_plan(hooks: int, lines: int, orphans: int = 5) -> Plan:
    desired = [SIGNUP_NEW] + [
        Hook(f"bulk-{i:04d}", "credentials-exchange",
             "".join(f"const v{j} = '{'y' * 60}';\n" for j in range(lines)), secrets={"T": CANARY})
        for i in range(hooks)
    ]
    live = [SIGNUP_OLD] + [LiveHook(f"o{i}", f"orphan-{i}", "send-phone-message", "x();\n", False)
                           for i in range(orphans)]
    return plan_of(desired, live)


@pytest.mark.parametrize("limit", [65536, 20000, 5000])
def test_body_limit_shortens_the_middle_only(limit: int) -> None:
    plan = big_plan(hooks=300, lines=80)
    body = render_markdown(plan, tenant="dev", limit=limit)
    assert len(body) <= limit
    head = before_first_details(body)
    assert plan.summary.line() in body
    assert "pre-user-registration: old-hook → new-hook" in body
    for i in range(5):
        assert f"`orphan-{i}` (send-phone-message)" in body
    assert "hook diffs omitted (body limit); run `reconciler plan` to see everything" in body
    assert CANARY not in body
    assert head.startswith("### Auth0 hooks plan for tenant `dev`")
    # The note comes after the kept hooks, at the end.
    assert body.rstrip().endswith("to see everything.") or "not listed at all." in body.splitlines()[-1]


def test_small_overflow_keeps_most_diffs() -> None:
    # One huge hook and a few small ones: only the huge one loses its diff.
    huge = Hook("huge", "credentials-exchange", "x\n" * 40000)
    small = [Hook(f"small-{i}", "post-change-password", f"s{i}();\n") for i in range(3)]
    body = render_markdown(plan_of([huge] + small, []), limit=65536)
    assert len(body) <= 65536
    assert "… 1 hook diff omitted (body limit)" in body
    assert "<b>huge</b>" in body and "_diff omitted_" in body
    for i in range(3):
        assert f"+s{i}();" in body


def test_under_the_limit_nothing_is_omitted() -> None:
    body = render_markdown(big_plan(hooks=5, lines=5))
    # 6 hooks created, the old signup hook disabled at the hand-over.
    assert "omitted" not in body and body.count("<details>") == 7


def test_many_warnings_still_fit() -> None:
    plan = big_plan(hooks=1, lines=1, orphans=2000)
    body = render_markdown(plan, limit=65536)
    assert len(body) <= 65536
    assert plan.summary.line() in body
    assert "more not shown (body limit)" in body


def test_review_only_plans_say_so() -> None:
    plan = build_plan(DesiredState((Hook("a", "pre-user-registration", "// a\n"),)), LiveState(()))
    body = render_markdown(dataclasses.replace(plan, review_only=True))
    assert "[!NOTE]" in body and "review only" in body
    assert "review only" not in render_markdown(plan)
    unchanged = build_plan(DesiredState(()), LiveState(()))
    assert "review only" in render_markdown(dataclasses.replace(unchanged, review_only=True))


def test_an_action_entry_names_the_action_its_trigger_and_its_deploy() -> None:
    """As the text plan does (the markdown lost this when Actions moved onto the blocks)."""
    from reconciler.core.changes import Change, ChangeKind
    from reconciler.core.plan import assemble
    from reconciler.core.planner import TypePlan
    from reconciler.core.reasons import Reason

    created = Change("action", "add-claims", ChangeKind.CREATE, detail=(("deploy", True), ("trigger", "post-login")))
    moved = Change("action", "m<x>", ChangeKind.REPLACE,
                   detail=(("deploy", True), ("previous_trigger", "post-login"), ("trigger", "credentials-exchange")))
    kept = Change("action", "by-hand", ChangeKind.DELETE, skipped=Reason.of("action.delete_not_allowed"),
                  detail=(("trigger", "credentials-exchange"),))
    md = render_markdown(assemble([TypePlan("action", changes=(created, moved, kept))]), tenant="t")
    assert "<code>+</code> action <b>add-claims</b> (post-login) create, then deployed" in md
    assert "action <b>m&lt;x&gt;</b> (post-login → credentials-exchange, forces replacement) replace, then deployed" in md
    assert "- `by-hand` (credentials-exchange): not in the config; not deleted" in md

"""The hooks-to-Actions cutover rule, on synthetic parts: which triggers pair, in which
order, and what the plan shows; the AUTH0_CUTOVER setting."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from reconciler.config import load_settings
from reconciler.core.changes import Change, ChangeKind, FieldChange
from reconciler.core.planner import TypePlan
from reconciler.core.steps import Step, StepRef
from reconciler.errors import ConfigError
from reconciler.resources.cutover import (
    BOTH,
    DEFAULTS,
    NEITHER,
    TAKEN_OVER_BY,
    TAKES_BACK_FROM,
    Cutover,
    TriggerFacts,
    mark_hook_changes,
    merge_with_cutover,
    parse_setting,
    plan_cutovers,
    step_notes,
    trigger_facts,
    word,
)

PUR, CE, SPM, PCP = "pre-user-registration", "credentials-exchange", "send-phone-message", "post-change-password"


def parts(hooks: dict[str, str], binds: dict[str, str]) -> list[TypePlan]:
    """hooks: hook name -> trigger it is disabled on; binds: trigger -> action deployed."""
    hook_steps = tuple(Step(i, "hook", name, "disable") for i, name in enumerate(hooks))
    actions = tuple(
        Step(2 * i + j, "action", name, op, after=(2 * i,) if j else ())
        for i, name in enumerate(binds.values()) for j, op in enumerate(("create", "deploy"))
    )
    bind_steps = tuple(Step(i, "bindings", trigger, "bind") for i, trigger in enumerate(binds))
    edges = tuple((i, StepRef("action", name, "deploy")) for i, name in enumerate(binds.values()))
    return [TypePlan("hook", hook_steps), TypePlan("action", actions), TypePlan("bindings", bind_steps, edges=edges)]


def fact(trigger: str, hook: str | None, bound: tuple[str, ...], stays: bool = False, in_config: bool = True) -> TriggerFacts:
    return TriggerFacts(trigger, hook, in_config, stays, bound)


def order(merged: object, trigger: str, hook: str) -> tuple[int, int]:
    steps = merged.steps  # type: ignore[attr-defined]
    bind = next(s for s in steps if s.type == "bindings" and s.key == trigger)
    disable = next(s for s in steps if s.type == "hook" and s.key == hook)
    return bind.index, disable.index


def test_defaults_both_on_sign_up_and_tokens_neither_on_sms() -> None:
    assert DEFAULTS[PUR] == DEFAULTS[CE] == DEFAULTS[PCP] == BOTH
    assert DEFAULTS[SPM] == NEITHER
    p = parts({"pur-hook": PUR, "sms-hook": SPM}, {PUR: "pur-action", SPM: "sms-action"})
    facts = [fact(PUR, "pur-hook", ("pur-action",)), fact(SPM, "sms-hook", ("sms-action",))]
    merged, cut = merge_with_cutover(p, facts)
    bind, disable = order(merged, PUR, "pur-hook")
    assert disable == bind + 1 and merged.steps[disable].follows == bind
    bind, disable = order(merged, SPM, "sms-hook")
    assert bind == disable + 1 and merged.steps[bind].follows == disable
    deploy = next(s.index for s in merged.steps if s.key == "sms-action" and s.operation == "deploy")
    assert deploy in merged.steps[disable].after  # the bind still waits for the deploy
    assert [c.describe() for c in cut.cutovers] == [
        "cutover on pre-user-registration: bind action pur-action, then disable hook pur-hook (both run for one request)",
        "cutover on send-phone-message: disable hook sms-hook, then bind action sms-action (neither runs for one request)",
    ]


def test_the_setting_flips_the_order_per_trigger() -> None:
    p = parts({"pur-hook": PUR, "sms-hook": SPM}, {PUR: "pur-action", SPM: "sms-action"})
    facts = [fact(PUR, "pur-hook", ("pur-action",)), fact(SPM, "sms-hook", ("sms-action",))]
    merged, cut = merge_with_cutover(p, facts, {PUR: NEITHER, SPM: BOTH})
    bind, disable = order(merged, PUR, "pur-hook")
    assert bind == disable + 1
    bind, disable = order(merged, SPM, "sms-hook")
    assert disable == bind + 1
    assert [(c.mode, c.overridden) for c in cut.cutovers] == [(NEITHER, True), (BOTH, True)]
    assert cut.cutovers[0].describe().endswith("(neither runs for one request) (AUTH0_CUTOVER)")


def test_a_trigger_without_a_new_binding_is_a_plain_disable() -> None:
    p = parts({"ce-hook": CE, "pur-hook": PUR}, {PUR: "pur-action"})
    facts = [fact(CE, "ce-hook", ()), fact(PUR, "pur-hook", ("pur-action",))]
    merged, cut = merge_with_cutover(p, facts)
    assert [c.trigger for c in cut.cutovers] == [PUR]
    ce = next(s for s in merged.steps if s.key == "ce-hook")
    assert ce.follows is None and not ce.first and ce.after == ()
    assert len(merged.pairs) == 1


def test_an_action_bound_beside_a_hook_that_stays_is_not_paired() -> None:
    p = parts({}, {PUR: "pur-action"})
    merged, cut = merge_with_cutover(p, [fact(PUR, "pur-hook", ("pur-action",), stays=True)])
    assert cut.pairs == () and cut.cutovers == () and merged.pairs == ()


def test_a_bind_that_only_reorders_is_not_a_cutover() -> None:
    p = parts({"pur-hook": PUR}, {PUR: "pur-action"})
    cut = plan_cutovers(p, [fact(PUR, "pur-hook", ())])
    assert cut.pairs == ()


def test_a_hook_removed_from_the_config_is_reported_not_paired() -> None:
    p = parts({}, {PUR: "pur-action"})
    cut = plan_cutovers(p, [fact(PUR, "gone-hook", ("pur-action",), in_config=False)])
    assert cut.pairs == ()
    (warning,) = cut.warnings
    assert warning.code == "cutover.hook_removed"
    assert "gone-hook" in word(warning) and "--disable-hooks" in word(warning)


def test_trigger_facts_from_both_states() -> None:
    desired = [NS(name="pur-hook", trigger_id=PUR, enabled=False), NS(name="ce-hook", trigger_id=CE, enabled=True)]
    live = [NS(name="pur-hook", trigger_id=PUR, enabled=True), NS(name="ce-hook", trigger_id=CE, enabled=True),
            NS(name="old-sms", trigger_id=SPM, enabled=True)]
    facts = {f.trigger: f for f in trigger_facts(desired, live, {PUR: ["a", "b"], CE: ["c"]}, {PUR: ["a"]})}
    assert facts[PUR] == TriggerFacts(PUR, "pur-hook", True, False, ("b",), staying=("a",))
    assert facts[CE] == TriggerFacts(CE, "ce-hook", True, True, ("c",))
    assert facts[SPM] == TriggerFacts(SPM, "old-sms", False, False, ())
    assert PCP not in facts


def test_every_format_shows_the_cutover() -> None:
    """The cutovers are an extra of the ``action`` type's part, shown by its render blocks."""
    import dataclasses
    import json

    from reconciler.core.plan import assemble
    from reconciler.render.json import render_json
    from reconciler.render.markdown import render_markdown
    from reconciler.render.text import render_text
    from reconciler.resources.hooks.actions import Action
    from reconciler.resources.hooks.plan import hook_step

    planned = parts({"pur-hook": PUR}, {PUR: "pur-action"})
    planned[0] = TypePlan("hook", (hook_step(0, Action.DISABLE, "pur-hook", PUR, "id1", body={"enabled": False}),))
    cut = plan_cutovers(planned, [fact(PUR, "pur-hook", ("pur-action",))])
    with_cut = [dataclasses.replace(p, extras=p.extras + (("cutovers", cut.cutovers),)) if p.type == "action" else p
                for p in planned]
    plan, without = assemble(with_cut), assemble(planned)
    line = "cutover on pre-user-registration: bind action pur-action, then disable hook pur-hook (both run for one request)"
    assert line in render_text(plan)
    assert line in render_markdown(plan)
    assert json.loads(render_json(plan))["cutovers"][0]["text"] == line
    assert "cutovers" not in json.loads(render_json(without))
    assert "Cutovers" not in render_text(without)


@pytest.mark.parametrize("value, message", [
    ("{", "AUTH0_CUTOVER (environment): not JSON"),
    ('["both"]', "expected a JSON object"),
    ('{"post-login": "both"}', "'post-login' is not a hook trigger"),
    ('{"send-phone-message": "sometimes"}', 'send-phone-message: \'sometimes\' must be "both" or "neither"'),
    ('{"send-phone-message": 1}', "must be"),
])
def test_bad_settings_are_one_line_errors(value: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"AUTH0_CUTOVER": value})
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_setting_from_the_environment_and_the_config_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert load_settings({}).cutover == {}
    assert dict(load_settings({"AUTH0_CUTOVER": '{"send-phone-message": "both"}'}).cutover) == {SPM: BOTH}
    config = tmp_path / "config.json"
    config.write_text('{"AUTH0_CUTOVER": {"pre-user-registration": "neither"}}')
    assert dict(load_settings({}, config_file=str(config)).cutover) == {PUR: NEITHER}
    assert dict(load_settings({"AUTH0_CUTOVER": '{"send-phone-message": "both"}'}, config_file=str(config)).cutover) == {SPM: BOTH}
    config.write_text('{"AUTH0_CUTOVER": {"pre-user-registration": "maybe"}}')
    with pytest.raises(ConfigError, match=f"{config}: AUTH0_CUTOVER: pre-user-registration"):
        load_settings({}, config_file=str(config))
    assert parse_setting("") == {}


def rollback_parts(hook: str, trigger: str) -> list[TypePlan]:
    """The hook enabled again and the trigger's list rewritten (the action unbound)."""
    return [TypePlan("hook", (Step(0, "hook", hook, "enable"),)), TypePlan("bindings", (Step(0, "bindings", trigger, "bind"),))]


def test_a_rollback_enables_the_hook_and_unbinds_the_action_as_one_pair() -> None:
    desired = [NS(name="pur-hook", trigger_id=PUR, enabled=True), NS(name="sms-hook", trigger_id=SPM, enabled=True)]
    live = [NS(name="pur-hook", trigger_id=PUR, enabled=False), NS(name="sms-hook", trigger_id=SPM, enabled=False)]
    facts = trigger_facts(desired, live, {PUR: [], SPM: []}, {PUR: ["pur-action"], SPM: ["sms-action"]})
    p = rollback_parts("pur-hook", PUR) + [TypePlan("hook", (Step(0, "hook", "sms-hook", "enable"),)),
                                          TypePlan("bindings", (Step(0, "bindings", SPM, "bind"),))]
    merged, cut = merge_with_cutover(p, facts)
    assert [c.describe() for c in cut.cutovers] == [
        "rollback on pre-user-registration: enable hook pur-hook, then unbind action pur-action (both run for one request)",
        "rollback on send-phone-message: unbind action sms-action, then enable hook sms-hook (neither runs for one request)",
    ]
    steps = {(s.type, s.key): s for s in merged.steps}
    enable, unbind = steps[("hook", "pur-hook")], steps[("bindings", PUR)]
    assert unbind.index == enable.index + 1 and unbind.follows == enable.index
    enable, unbind = steps[("hook", "sms-hook")], steps[("bindings", SPM)]
    assert enable.index == unbind.index + 1 and enable.follows == unbind.index
    assert cut.warnings == ()
    again = [type(c).from_dict(c.to_dict()) for c in cut.cutovers]
    assert again == list(cut.cutovers) and all(c.rollback for c in again)


def test_a_hook_enabled_again_beside_its_bound_action_is_warned_about() -> None:
    desired = [NS(name="pur-hook", trigger_id=PUR, enabled=True)]
    live = [NS(name="pur-hook", trigger_id=PUR, enabled=False)]
    facts = trigger_facts(desired, live, {PUR: ["pur-action"]}, {PUR: ["pur-action"]})
    cut = plan_cutovers([TypePlan("hook", (Step(0, "hook", "pur-hook", "enable"),))], facts)
    assert cut.pairs == () and cut.cutovers == ()
    (warning,) = cut.warnings
    assert warning.code == "cutover.rollback_both_run"
    assert "both run on every request" in word(warning) and "pur-action" in word(warning)


def _hook_change(name: str, enabled: bool, *more: FieldChange) -> Change:
    kind = ChangeKind.ENABLE if enabled else ChangeKind.DISABLE
    return Change("hook", name, kind, (FieldChange("enabled", not enabled, enabled),) + more, None,
                  (("trigger_id", PUR),))


def test_a_cutovers_hook_change_names_the_actions_and_a_plain_disable_does_not() -> None:
    cut = Cutover(PUR, BOTH, "old-hook", ("new-action",))
    back = Cutover(SPM, NEITHER, "sms-hook", ("a", "b"), rollback=True)
    changes = (_hook_change("old-hook", False), _hook_change("other-hook", False), _hook_change("sms-hook", True),
               Change("action", "old-hook", ChangeKind.CREATE))
    marked = mark_hook_changes(changes, (cut, back))
    assert dict(marked[0].detail)[TAKEN_OVER_BY] == ("new-action",)
    assert marked[1] == changes[1] and marked[3] == changes[3]  # nothing takes over; not a hook
    assert dict(marked[2].detail)[TAKES_BACK_FROM] == ("a", "b")
    # The rollback's hook going off (not on) is not its side: the hook must be turned the way the cutover turns it.
    assert mark_hook_changes((_hook_change("sms-hook", False),), (back,))[0].detail == (("trigger_id", PUR),)


def test_both_requests_of_a_cutover_and_a_rollback_are_noted_for_progress() -> None:
    cutovers = (Cutover(PUR, BOTH, "old-hook", ("new-action",)),
                Cutover(SPM, NEITHER, "sms-hook", ("a", "b"), rollback=True))
    plan = NS(extra=lambda type_name, key, default: cutovers if (type_name, key) == ("action", "cutovers") else default)
    assert step_notes(plan) == {  # type: ignore[arg-type]
        ("hook", "old-hook", "disable"): "action new-action takes over in the same step",
        ("bindings", PUR, "bind"): "cutover from hook old-hook",
        ("hook", "sms-hook", "enable"): "takes over again from actions a, b in the same step",
        ("bindings", SPM, "bind"): "rollback to hook sms-hook",
    }

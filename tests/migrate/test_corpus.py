"""The classifier over the whole corpus: each hook's verdict, reason, line and hazards as its
``.expect.yaml`` says; every translation is free of hook parameters and parses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reconciler.migrate.classify import TRANSLATED, classify
from reconciler.migrate.jsbindings import bind
from reconciler.migrate.jsparse import Source
from reconciler.migrate.shapes import SHAPES

CORPUS = Path(__file__).parent / "corpus"
HOOKS = sorted(CORPUS.glob("*/*.js"))


@pytest.mark.parametrize("hook", HOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in HOOKS])
def test_classification_matches_the_expectation(hook: Path) -> None:
    expect = yaml.safe_load(hook.with_suffix(".expect.yaml").read_text())
    verdict = classify(hook.stem, hook.parent.name, hook.read_text())
    assert verdict.status == expect["classification"], verdict.why
    if "reason" in expect:
        assert expect["reason"] in verdict.why
    if "line" in expect:
        assert verdict.reasons[0].line == expect["line"], verdict.why
    first: dict[str, int] = {}
    for hazard in verdict.hazards:
        first.setdefault(hazard.kind, hazard.line)
    assert first == expect["hazards"]
    if verdict.status == TRANSLATED:
        assert verdict.code is not None
        translated = Source(verdict.code)
        translated.check()  # the action parses
        assert "module.exports" not in verdict.code and ".webtask." not in verdict.code
        assert not free_hook_names(translated, hook), verdict.code


def free_hook_names(source: Source, hook: Path) -> set[str]:
    """Names of the hook's parameters (as the hook spells them) read as globals in the action."""
    names = set(_parameter_names(hook))
    bindings = bind(source)
    return {source.of(r) for r in bindings.references if bindings.of(r) is None and source.of(r) in names}


def _parameter_names(hook: Path) -> tuple[str, ...]:
    from reconciler.migrate.translate import parse_hook

    parsed = parse_hook(hook.parent.name, hook.read_text())
    assert len(parsed.handler.params) == SHAPES[hook.parent.name].arity
    return tuple(p.name for p in parsed.handler.params)


def test_every_class_and_trigger_is_represented() -> None:
    seen = {(p.parent.name, yaml.safe_load(p.with_suffix(".expect.yaml").read_text())["classification"]) for p in HOOKS}
    assert {c for _, c in seen} == {"translated", "adapted", "needs a person"}
    assert all((t, "translated") in seen for t, _ in seen)


def test_broken_and_truncated_hooks_never_crash_the_classifier() -> None:
    """Untrusted input: any cut of a real hook is classified (no exception), and whatever is
    translated still parses."""
    odd = ["", "\x00\x01", "module.exports = ", "(" * 3000, "`${" * 300, "/* open", "}}}{{{", "module.exports = class {}"]
    for hook in HOOKS:
        text = hook.read_text()
        cuts = [text[: len(text) * k // 10] for k in range(1, 10)] + [text.replace("(", "", 1), text.replace("{", "", 1)]
        for case in cuts + odd:
            verdict = classify("h", hook.parent.name, case)
            if verdict.code is not None:
                Source(verdict.code).check()


def test_the_verdict_as_plain_data() -> None:
    hook = CORPUS / "post-user-registration" / "fire-and-forget-axios.js"
    data = classify(hook.stem, hook.parent.name, hook.read_text()).to_dict()
    assert data["status"] == "adapted" and data["packages"] == [{"name": "axios", "version": "0.27.2"}]
    assert data["reasons"] == [{"line": 4, "text": "leaves work running after its callback, which an action would cut short when its handler returns"}]
    assert data["hazards"] == [{"kind": "pending-work", "line": 4, "message": "starts work nothing waits for before the hook answers "
                                "(an action's pending work ends when the handler returns)"}]

"""The corpus itself: every hook has its expectations, in the documented form, for every trigger."""

from __future__ import annotations

from pathlib import Path

import yaml

CORPUS = Path(__file__).parent / "corpus"
TRIGGERS = {"credentials-exchange", "pre-user-registration", "post-user-registration", "post-change-password", "send-phone-message"}
CLASSES = {"translated", "adapted", "needs a person"}
HAZARDS = {"pending-work", "require-path", "global-state", "webtask-storage", "unpinned-package"}


def hooks() -> list[Path]:
    return sorted(CORPUS.glob("*/*.js"))


def test_every_trigger_has_hooks_and_the_corpus_is_large_enough() -> None:
    assert {p.parent.name for p in hooks()} == TRIGGERS
    assert len(hooks()) >= 45


def test_every_hook_has_well_formed_expectations() -> None:
    for hook in hooks():
        expect = yaml.safe_load(hook.with_suffix(".expect.yaml").read_text())
        lines = len(hook.read_text().splitlines())
        assert expect["classification"] in CLASSES, hook
        assert set(expect) <= {"classification", "reason", "line", "hazards", "shape"}, hook
        assert ("reason" in expect) == (expect["classification"] != "translated"), hook
        assert ("line" in expect) == (expect["classification"] == "needs a person"), hook
        assert 1 <= expect.get("line", 1) <= lines, hook
        assert set(expect["hazards"]) <= HAZARDS, hook
        assert all(1 <= n <= lines for n in expect["hazards"].values()), hook
    assert not set(CORPUS.glob("*/*.expect.yaml")) - {h.with_suffix(".expect.yaml") for h in hooks()}

"""Behaviour unchanged: every golden case renders and executes as recorded (see corpus.py)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.golden.actions_corpus import CANARIES, ActionsCase
from tests.golden.corpus import CASES, Case, cases, normalise_json, outputs

ALL = list(cases())


@pytest.mark.parametrize("name,make", ALL, ids=[name for name, _ in ALL])
def test_case_matches_its_recording(name: str, make: Callable[[], Case] | ActionsCase) -> None:
    produced = outputs(name, make)
    recorded = sorted(p.name for p in CASES.glob(f"{name}.*"))
    assert sorted(produced) == recorded
    for file, text in produced.items():
        expected = (CASES / file).read_text()
        if file.endswith(".json") and not file.endswith(".requests.json"):
            assert normalise_json(text) == normalise_json(expected), file
            assert json.loads(text)["format_version"] >= json.loads(expected)["format_version"]
        else:
            assert text == expected, file


def test_the_corpus_is_not_trivial() -> None:
    files = list(CASES.iterdir())
    assert len(ALL) >= 60 and len(files) >= 200
    # The corpus covers hand-overs, deletes, refusals and review-only plans.
    text = " ".join(p.read_text() for p in files if p.suffix == ".txt")
    for needle in ("handover", "delete", "skipped", "review only", "PlanError"):
        assert needle in text, needle


def test_the_actions_cases_cover_the_actions_flow() -> None:
    names = {name for name, case in ALL if isinstance(case, ActionsCase)}
    assert len(names) >= 15
    text = " ".join((CASES / f"{n}.txt").read_text() for n in names if (CASES / f"{n}.txt").is_file())
    for needle in ("then deployed", "bindings of post-login", "not deleted (pass --allow-delete)",
                   "delete action", "Cutovers, hooks to Actions", "(AUTH0_CUTOVER)", "~ API_KEY = (sensitive)",
                   "No changes to apply. The tenant differs"):
        assert needle in text, needle


def test_no_recording_holds_a_keyword_or_secret_value() -> None:
    """Canary values fill the Actions cases' keywords and secrets: not one may reach a plan
    (text, JSON, markdown) or the request log (which shows ``<value of KEY>`` instead)."""
    files = list(CASES.iterdir())
    assert any(p.name.startswith("actions-") for p in files)
    for path in files:
        body = path.read_text()
        for canary in CANARIES:
            assert canary not in body, (path.name, canary)
    sent = (CASES / "actions-secret-value-changed.requests.json").read_text()
    assert "<value of API_KEY (rotated)>" in sent  # the new value was sent, masked here

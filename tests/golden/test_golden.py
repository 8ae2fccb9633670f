"""Behaviour unchanged: every golden case renders and executes as recorded (see corpus.py)."""

from __future__ import annotations

import json

import pytest
from golden.corpus import CASES, cases, normalise_json, outputs

ALL = list(cases())


@pytest.mark.parametrize("name,make", ALL, ids=[name for name, _ in ALL])
def test_case_matches_its_recording(name, make) -> None:
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

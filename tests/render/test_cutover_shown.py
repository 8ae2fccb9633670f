"""A cutover reads as a cutover (issue 19): the hook going off on a trigger that an action of
the same plan takes over is not listed as a trigger going dark, in text, markdown or JSON."""

from __future__ import annotations

import json
from pathlib import Path

CASES = Path(__file__).resolve().parents[1] / "golden" / "cases"


def test_a_cutover_is_not_a_hand_over_to_nothing_in_text() -> None:
    text = (CASES / "actions-cutover-default.txt").read_text()
    assert "-> (none)" not in text and "Hand-overs" not in text
    assert "the action takes over" in text
    assert "cutover on pre-user-registration: bind action block-disposable, then disable hook block-disposable-hook" in text


def test_a_cutover_is_important_not_a_caution_in_markdown() -> None:
    md = (CASES / "actions-cutover-default.md").read_text()
    assert "[!CAUTION]" not in md and "→ (none)" not in md
    assert "> [!IMPORTANT]\n> **Cutovers, hooks to Actions** (the action takes over" in md


def test_a_cutover_hand_over_is_marked_in_json() -> None:
    data = json.loads((CASES / "actions-cutover-default.json").read_text())
    assert {h["trigger_id"] for h in data["handovers"] if h.get("cutover")} == {"pre-user-registration", "send-phone-message"}
    assert {c["trigger"] for c in data["cutovers"]} == {"pre-user-registration", "send-phone-message"}


def test_a_hook_disabled_for_nothing_still_shows_as_going_dark() -> None:
    # Plain hand-overs to nothing (no action takes over) stay in the CAUTION alert.
    darkened = [p for p in CASES.glob("*.md") if "→ (none)" in p.read_text()]
    assert darkened and all("[!CAUTION]" in p.read_text() for p in darkened)
    assert not any(p.name.startswith("actions-cutover") for p in darkened)


def test_the_hooks_own_line_names_the_action_taking_over() -> None:
    text = (CASES / "actions-cutover-default.txt").read_text()
    assert "enabled: true -> false (action block-disposable takes over in the same step)" in text
    assert "enabled: true -> false (action send-sms takes over in the same step)" in text
    md = (CASES / "actions-cutover-default.md").read_text()
    assert ("(<code>pre-user-registration</code>) disable, action block-disposable takes over in the same step</summary>"
            in md)
    data = json.loads((CASES / "actions-cutover-default.json").read_text())
    taken = {c["name"]: c.get("taken_over_by") for c in data["changes"] if "type" not in c}
    assert taken == {"block-disposable-hook": ["block-disposable"], "sms-hook": ["send-sms"]}


def test_no_plain_disable_is_worded_as_taken_over() -> None:
    worded = {p.name for p in CASES.iterdir() if "takes over in the same step" in p.read_text()
              or "taken_over_by" in p.read_text()}
    assert worded and all(name.startswith("actions-cutover") for name in worded)

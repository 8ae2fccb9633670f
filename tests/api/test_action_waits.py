"""How long an action's wait holds off before polling: a second per npm dependency before
the first build poll, and never more often than the rate limit gives a request."""

from __future__ import annotations

from reconciler.api.action_answers import Answers
from reconciler.api.action_waits import build_expect, paced
from reconciler.api.polling import Backoff, poll


def test_a_build_is_expected_to_take_a_second_per_dependency() -> None:
    assert build_expect({"dependencies": [{"name": "axios"}, {"name": "lodash"}]}) == 2.0
    assert build_expect({"dependencies": []}) == 0.0
    assert build_expect({"id": "a"}) == 0.0  # an answer without the field: no guess
    assert build_expect({"dependencies": "lodash"}) == 0.0  # a server's odd shape: no guess
    assert build_expect(None) == 0.0


def test_polls_are_never_closer_than_the_rate_limit_gives_a_request() -> None:
    backoff = Backoff()
    assert paced(backoff, 0.0) is backoff  # rate unknown
    assert paced(backoff, 1 / 16) is backoff  # production tier: the back-off is slower already
    assert paced(backoff, 0.5).first == 0.5  # free tier: 2 a second
    assert paced(backoff, 60.0).first == backoff.cap


def test_the_first_wait_after_a_write_is_the_longer_of_a_step_and_the_expected_build() -> None:
    sleeps: list[float] = []
    answers = iter([None, None, "built"])
    clock = Backoff(sleep=sleeps.append, clock=lambda: sum(sleeps))
    assert poll(lambda: next(answers), clock, settle=True, expect=2.0) == "built"
    assert sleeps == [2.0, 0.3125, 0.390625]


def test_answers_keep_the_latest_per_action_and_forget_deleted_ones() -> None:
    answers = Answers()
    answers.keep({"id": "a", "status": "pending"})
    answers.keep({"id": "a", "status": "built"})
    answers.keep({"id": "b", "status": "built"})
    answers.deleted("b")
    kept, gone = answers.snapshot()
    assert kept == {"a": {"id": "a", "status": "built"}} and gone == frozenset({"b"})
    assert not answers.unsure
    answers.mark_unsure()
    assert answers.unsure

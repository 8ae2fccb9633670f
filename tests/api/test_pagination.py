"""paginate(): lazy, bounded, and suspicious of the server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reconciler.api.pagination import Page, paginate
from reconciler.errors import BadResponseError


def pages_of(*sizes: int, total: int | None = None, size: int | None = None) -> tuple[Callable[[int], Page[str]], list[int]]:
    calls: list[int] = []

    def fetch(number: int) -> Page[str]:
        calls.append(number)
        count = sizes[number] if number < len(sizes) else 0
        return Page([f"{number}-{i}" for i in range(count)], total=total, size=size, where=f"GET /x?page={number}")

    return fetch, calls


def test_stops_on_short_page_and_on_total() -> None:
    fetch, calls = pages_of(3, 3, 2)
    assert len(list(paginate(fetch, str, per_page=3))) == 8 and calls == [0, 1, 2]
    fetch, calls = pages_of(3, 3, 3, 3, total=6)
    assert len(list(paginate(fetch, str, per_page=3))) == 6 and calls == [0, 1]
    fetch, calls = pages_of(3, 3, total=10**9)
    assert len(list(paginate(fetch, str, per_page=3))) == 6 and calls == [0, 1, 2]  # empty page


def test_is_lazy() -> None:
    fetch, calls = pages_of(3, 3, 3, 3, total=10**9)
    items = paginate(fetch, str, per_page=3)
    next(items)
    assert calls == [0]


def test_server_page_size_is_respected() -> None:
    fetch, calls = pages_of(2, 2, 1, size=2)
    assert len(list(paginate(fetch, str, per_page=100))) == 5 and calls == [0, 1, 2]


def test_repeated_page_is_refused() -> None:
    def fetch(number: int) -> Page[str]:
        return Page(["a", "b"], total=100, where=f"GET /x?page={number}")

    with pytest.raises(BadResponseError, match=r"^GET /x\?page=1: the server answered page 0 again"):
        list(paginate(fetch, str, per_page=2))


def test_hard_cap() -> None:
    fetch, calls = pages_of(*([10] * 1000))
    with pytest.raises(BadResponseError, match="more than 50 items"):
        list(paginate(fetch, str, per_page=10, max_items=50))
    assert len(calls) == 5


def test_overlapping_pages_yield_each_key_once() -> None:
    answers = [["a", "b"], ["b", "c"], []]
    items = list(paginate(lambda n: Page(answers[n]), str, per_page=2))
    assert items == ["a", "b", "c"]


def test_a_list_rewritten_whole_that_ends_short_of_its_total_is_refused() -> None:
    fetch, _ = pages_of(3, 1, total=5)
    assert len(list(paginate(fetch, str, per_page=3))) == 4  # a tenant that shrank: fine
    fetch, _ = pages_of(3, 1, total=5)
    with pytest.raises(BadResponseError, match="ended after 4 items but 'total' says 5"):
        list(paginate(fetch, str, per_page=3, whole=True))

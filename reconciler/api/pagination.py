"""Page-based listing, bounded, one request at a time.

Stops on an empty page, on a short page, once ``total`` items were seen, and refuses (one
line) a repeated page (a server that ignores ``page``), a listing beyond the hard cap, and,
for a list the caller rewrites whole, one that ends before its ``total`` (truncated).
Pages are requested lazily, so a ``total`` that lies costs nothing: it can only end the
listing early, never start requests.

The cap comes from the API: ``per_page`` is at most 100 [spec], and Auth0 caps page-based
listings at 1,000 results where it documents a cap; 10,000 items (100 pages) is ten times
that, far beyond any tenant's hooks, and a hostile server costs at most 101 requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from reconciler.errors import BadResponseError

T = TypeVar("T")

PER_PAGE = 100  # the API's maximum
MAX_ITEMS = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int | None = None  # as the server claims it (include_totals); may lie
    size: int | None = None  # the page size the server says it used (``limit``)
    where: str = ""  # the request, for error messages


def paginate(
    fetch: Callable[[int], Page[T]],
    key: Callable[[T], str],
    *,
    per_page: int = PER_PAGE,
    max_items: int = MAX_ITEMS,
    dedupe: bool = True,
    whole: bool = False,
) -> Iterator[T]:
    """Items of every page, each key once (pages read while the tenant changes may overlap).

    ``dedupe=False`` keeps every item in order (an ordered list such as trigger bindings,
    where the key only serves to spot a repeated page). ``whole``: the caller rewrites the
    list whole (bindings: a PATCH of what was read unbinds what was not), so a list that
    ends short of its ``total`` is refused; elsewhere a tenant that shrank between pages
    is normal and ``total`` only ends the listing early.
    """
    seen: set[str] = set()
    previous: tuple[str, ...] | None = None
    count = 0
    page_number = 0
    while True:
        page = fetch(page_number)
        keys = tuple(key(item) for item in page.items)
        if keys and keys == previous:
            raise BadResponseError(
                f"{page.where}: the server answered page {page_number - 1} again (it ignores `page`); "
                "stopped listing"
            )
        previous = keys
        for item, item_key in zip(page.items, keys):
            if not dedupe:
                yield item
            elif item_key not in seen:
                seen.add(item_key)
                yield item
        count += len(page.items)
        size = page.size if page.size and 0 < page.size <= per_page else per_page
        if not page.items or len(page.items) < size:
            if whole and page.total is not None and count < page.total:
                # Planning from part of a list would read as "nothing else there".
                raise BadResponseError(
                    f"{page.where}: the list ended after {count} items but 'total' says {page.total}; "
                    "stopped (a truncated list)"
                )
            return
        if page.total is not None and count >= page.total:
            return
        if count >= max_items:
            raise BadResponseError(
                f"{page.where}: more than {max_items} items listed; stopped (the API's paging does not "
                "go this far: a server that ignores `page` or a broken proxy)"
            )
        page_number += 1

"""Walking a whole conversation, completely and exactly, over the server's imperfect cursors.

What the server does (spec: ``list_messages``): pages come newest first; ``before``/``after`` are strict
epoch-millisecond bounds with no tie-breaker among messages of the same millisecond; ``hasMore`` only means
"the page is full"; an ``after``-only query looks at the newest min(1000, 20 × limit) messages only.

What this module does about it:

* **No skips at page boundaries.** The next page is asked for with ``before = oldest_ms + 1`` (one millisecond
  wider than the server's cursor), so messages that share the boundary millisecond are fetched again, and the
  ones already yielded are dropped by id. Only the ids of the current boundary millisecond are remembered, so
  memory stays constant however long the conversation is.
* **No endless loop, no silent gap** when more messages share one millisecond than a page holds (the widened
  page then brings nothing new): the page is asked for again at the server's maximum size (100). If that brings
  nothing new either, no query of this API can reach further into that millisecond — every mode (``before``,
  ``after``, both) returns the same first 100 of its messages in the database's order, because the server sorts
  with a stable sort on the timestamp alone — so :class:`PaginationError` is raised rather than a message being
  skipped. The walk is complete and exact whenever fewer than 100 messages share any one millisecond; a real
  server stores each message in its own request, so reaching that takes a hundred sends within a millisecond.
* **Oldest first, past the ``after`` window.** ``after``-only paging would silently stop 1000 messages from
  the newest. Oldest-first iteration instead walks newest-first once, keeping only one checkpoint (an integer)
  per page, then replays the checkpointed ranges from the oldest, each with a bounded range query, reversing
  one range at a time. It costs about twice the requests of newest-first iteration; memory is one page plus
  the checkpoints.
* A short page ends the walk (counted before de-duplication); an empty page carries no cursors and ends it too.
* **Every page is checked before any of it is yielded**: at most ``limit`` messages, newest first, each inside the
  bounds asked for, no id twice (nor an id of the boundary millisecond again at another time). A page that breaks
  that contract — a broken proxy or cache, a server bug — raises :class:`PaginationError`, because walking on from
  it could skip messages silently (a page in the wrong order would move the cursor past the ones it hides). The
  walk never reads ``hasMore`` or ``cursors``, so it does not check them either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import islice

from ._constants import PAGE_LIMIT_MAX, QUERY_MAX_MS
from ._cursors import CursorWindow, edge_of
from ._errors import PaginationError
from ._models import Message, MessagePage
from ._timestamps import EPOCH

__all__ = ["FetchPage", "MessageIterator", "PaginationError", "WindowPage", "epoch_ms", "walk_window", "window_page"]

#: fetch(limit, before_ms, after_ms) -> one page, newest first.
FetchPage = Callable[[int, int | None, int | None], MessagePage]

_ONE_MS = timedelta(milliseconds=1)


def epoch_ms(value: datetime) -> int:
    """Exact epoch milliseconds of an aware datetime (integer arithmetic: no float rounding)."""
    return (value - EPOCH) // _ONE_MS


def _newest_first(
    fetch: FetchPage,
    page_size: int,
    before: int | None,
    after: int | None,
    boundary: int | None = None,
    seen_at_boundary: frozenset[str] = frozenset(),
) -> Iterator[Message]:
    """Every message with ``after < created_at < before``, newest first, each exactly once (but those of the
    millisecond ``boundary`` whose id is in ``seen_at_boundary``: a resumed walk's already-shown ones)."""
    # With `after` alone the server returns the *oldest* messages of its window; an explicit upper bound (the
    # end of the dates the server can query, year 9999 — not JavaScript's maximum date, which its database
    # rejects with a 500) selects its range mode, which returns the newest.
    cursor = QUERY_MAX_MS if before is None and after is not None else before
    seen = set(seen_at_boundary)  # the ids yielded (or shown before) at `boundary`, the oldest ms so far
    limit = page_size
    while True:
        page = fetch(limit, cursor, after)
        stamps = _check_page(page, limit, cursor, after, boundary, seen)
        fresh = 0
        for message, ms in zip(page.messages, stamps, strict=True):
            if ms == boundary:
                if message.id in seen:
                    continue
                seen.add(message.id)
            else:  # older than the boundary: _check_page has refused anything newer
                boundary = ms
                seen = {message.id}
            fresh += 1
            yield message
        if len(page.messages) < limit or boundary is None:
            return
        if fresh == 0:
            # A full page of one millisecond, every message already yielded. A bigger page may reach further
            # into that millisecond; at the server's maximum nothing can (see the module docstring).
            if limit < PAGE_LIMIT_MAX:
                limit = PAGE_LIMIT_MAX
                continue
            raise PaginationError(
                f"{len(seen)} or more messages share the millisecond {boundary}: the server returns the "
                f"same {PAGE_LIMIT_MAX} of them for every query, so any others cannot be read (and whether there are "
                "others cannot be known)",
                reason="crowded_millisecond",
                millisecond=boundary,
                seen=len(seen),
            )
        limit = page_size
        cursor = boundary + 1


def _check_page(
    page: MessagePage,
    limit: int,
    before: int | None,
    after: int | None,
    boundary: int | None,
    seen_at_boundary: set[str],
) -> list[int]:
    """Refuse a page that breaks the server's contract, before any of it is yielded (see the module docstring).

    Returns each message's ``created_at`` in epoch milliseconds (computed once, here)."""
    messages = page.messages
    if len(messages) > limit:
        raise PaginationError(
            f"the server returned {len(messages)} messages for a page of at most {limit}", reason="page_too_long"
        )
    stamps = [epoch_ms(message.created_at) for message in messages]
    if not stamps:
        return stamps
    # The common case in C-speed passes over the whole page; a page that fails one is walked message by message
    # below, to name its first fault.
    ids = [message.id for message in messages]
    if (
        (before is None or stamps[0] < before)
        and (after is None or stamps[-1] > after)
        and stamps == sorted(stamps, reverse=True)  # newest first (ties kept): then the bounds hold for every one
        and len(set(ids)) == len(ids)
        and (
            seen_at_boundary.isdisjoint(ids)
            or seen_at_boundary.isdisjoint([id_ for id_, ms in zip(ids, stamps, strict=True) if ms != boundary])
        )
    ):
        return stamps
    _raise_first_fault(messages, stamps, before, after, boundary, seen_at_boundary)
    return stamps  # (not reached: the passes above fail only on a page with a fault)


def _raise_first_fault(
    messages: tuple[Message, ...],
    stamps: list[int],
    before: int | None,
    after: int | None,
    boundary: int | None,
    seen_at_boundary: set[str],
) -> None:
    """Raise the :class:`PaginationError` that names the page's first fault, in order."""
    ids: set[str] = set()
    previous: int | None = None
    for index, (message, ms) in enumerate(zip(messages, stamps, strict=True)):
        if (before is not None and ms >= before) or (after is not None and ms <= after):
            bounds = f"after {after} ms" if before is None else f"before {before} ms" if after is None else ""
            bounds = bounds or f"between {after} and {before} ms"
            raise PaginationError(
                f"{_where(index, message.id, ms)} is not {bounds}, the bounds asked for",
                reason="outside_bounds",
                millisecond=ms,
            )
        if previous is not None and ms > previous:
            raise PaginationError(
                f"{_where(index, message.id, ms)} is newer than the message before it ({previous} ms): the page is"
                " not newest first",
                reason="out_of_order",
                millisecond=ms,
            )
        if message.id in ids or (ms != boundary and message.id in seen_at_boundary):
            raise PaginationError(
                f"{_where(index, message.id, ms)} was already returned", reason="duplicate_id", millisecond=ms
            )
        ids.add(message.id)
        previous = ms


def _where(index: int, message_id: str, ms: int) -> str:
    return f"message {index} of the page (id {message_id}, created at {ms} ms)"


def _oldest_first(fetch: FetchPage, page_size: int, before: int | None, after: int | None) -> Iterator[Message]:
    # Pass 1: walk newest-first, remembering the created_at (ms) that ends each page: checkpoints[i] splits the
    # conversation into ranges (checkpoints[i+1], checkpoints[i]] that each hold about one page.
    checkpoints: list[int] = []
    last_ms: int | None = None
    for count, message in enumerate(_newest_first(fetch, page_size, before, after), start=1):
        last_ms = epoch_ms(message.created_at)
        if count % page_size == 0:
            checkpoints.append(last_ms)
    if last_ms is None:
        return
    # Pass 2: replay each range from the oldest, newest-first inside it (exact, as above), reversed in memory.
    upper_bounds: list[int | None] = [before, *[ms + 1 for ms in checkpoints]]
    lower_bounds: list[int | None] = [*checkpoints, after]
    for upper, lower in zip(reversed(upper_bounds), reversed(lower_bounds), strict=True):
        if upper is not None and lower is not None and upper - 1 <= lower:
            continue
        chunk = list(_newest_first(fetch, page_size, upper, lower))
        yield from reversed(chunk)


class MessageIterator:
    """A lazy iterator over a session's whole history (see ``SessionsResource.iter_messages``).

    Iterating it sends requests as needed, one page (up to 100 messages) at a time; it can be iterated once.
    Works with ``itertools.islice`` and ``for`` loops; stop early and no further requests are made.
    """

    def __init__(
        self, fetch: FetchPage, *, page_size: int, oldest_first: bool, before: int | None, after: int | None
    ) -> None:
        walk = _oldest_first if oldest_first else _newest_first
        self._iterator = walk(fetch, page_size, before, after)

    @classmethod
    def from_window(cls, fetch: FetchPage, *, page_size: int, window: CursorWindow) -> MessageIterator:
        """The messages of a cursor's window, newest first (``iter_messages(session_id, cursor=…)``)."""
        iterator = cls.__new__(cls)
        iterator._iterator = walk_window(fetch, page_size, window)
        return iterator

    def __iter__(self) -> Iterator[Message]:
        return self

    def __next__(self) -> Message:
        return next(self._iterator)


# --- resumable pages (cursors) ------------------------------------------------------------------------------


def walk_window(fetch: FetchPage, page_size: int, window: CursorWindow) -> Iterator[Message]:
    """Every message inside ``window`` (see ``_cursors``), newest first, each exactly once."""
    upper, lower = window.upper, window.lower
    # The server's bounds are strict: one millisecond wider at each end, and the edges' ids are left out here.
    before = None if upper is None else upper.ms + 1
    after = None if lower is None else lower.ms - 1
    walk = _newest_first(
        fetch,
        page_size,
        before,
        after,
        boundary=None if upper is None else upper.ms,
        seen_at_boundary=frozenset() if upper is None else upper.ids,
    )
    for message in walk:
        if lower is not None and message.id in lower.ids and epoch_ms(message.created_at) == lower.ms:
            continue
        yield message


#: One resumable page: its messages (newest first), the window of what is older (None: nothing is), and the
#: window of what is newer than its newest message.
WindowPage = tuple[tuple[Message, ...], CursorWindow | None, CursorWindow]


def window_page(fetch: FetchPage, window: CursorWindow, limit: int) -> WindowPage:
    """Up to ``limit`` messages of ``window``, newest first, and the windows that continue from them.

    One message more than the page is read, so that the end is known (no empty last page): the older window is
    None exactly when nothing older is left. The newer window's edge holds every message of the page's newest
    millisecond; when the whole page is one millisecond and more of it follow, the walk reads on through that
    millisecond (ids only) so that polling from it cannot bring one of them back.
    """
    walk = walk_window(fetch, min(limit + 1, PAGE_LIMIT_MAX), window)
    taken = list(islice(walk, limit + 1))
    page, lookahead = tuple(taken[:limit]), taken[limit:]
    stamps = [epoch_ms(message.created_at) for message in page]
    older: CursorWindow | None = None
    if lookahead:
        last = stamps[-1]
        ids = (m.id for m, ms in zip(page, stamps, strict=True) if ms == last)
        older = CursorWindow(upper=edge_of(last, ids, window.upper), lower=window.lower)
    if not page:
        return page, older, CursorWindow(lower=window.lower)
    top = stamps[0]
    newest_ids = [m.id for m, ms in zip(page, stamps, strict=True) if ms == top]
    if len(newest_ids) == len(page) and lookahead and epoch_ms(lookahead[0].created_at) == top:
        newest_ids.append(lookahead[0].id)
        for message in walk:
            if epoch_ms(message.created_at) != top:
                break
            newest_ids.append(message.id)
    return page, older, CursorWindow(lower=edge_of(top, newest_ids, window.upper, window.lower))

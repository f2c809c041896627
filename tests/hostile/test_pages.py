"""Pages that break the server's contract: the history walk raises PaginationError, it never drops messages.

Two layers: a hostile HTTP server answering ``GET …/messages`` with a broken page (the full path, as a broken proxy
or cache would), and hypothesis over arbitrary pages fed straight to the walk (every page a fetch can return is
either walked exactly or refused).
"""

from __future__ import annotations

import itertools
import json
import urllib.parse
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eliza_client import Message, PaginationError, ResponseValidationError
from eliza_client._models import MessagePage
from eliza_client._pagination import MessageIterator, epoch_ms

from .conftest import SESSION_ID, make_client
from .server import Conn, HostileServer, head

BASE_MS = 1_764_583_200_000  # 2025-12-01T10:00:00Z
USER = "9d8c7b6a-5f4e-4d3c-8b2a-190f8e7d6c5b"


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def wire_message(ms: int, *, message_id: str | None = None) -> dict[str, Any]:
    return {
        "id": message_id or str(uuid.uuid4()),
        "content": f"message at {ms}",
        "authorId": USER,
        "isAgent": False,
        "createdAt": iso(ms),
        "metadata": {},
    }


PageMaker = Callable[[int, int | None, int | None], list[dict[str, Any]]]


def serve_pages(server: HostileServer, make: PageMaker) -> list[dict[str, str]]:
    """Answer every GET …/messages with ``make(limit, before, after)``; returns the queries seen."""
    queries: list[dict[str, str]] = []

    def script(conn: Conn) -> bool:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(conn.path).query))
        queries.append(query)
        before = int(query["before"]) if "before" in query else None
        after = int(query["after"]) if "after" in query else None
        messages = make(int(query.get("limit", "50")), before, after)
        body: dict[str, Any] = {"messages": messages, "hasMore": len(messages) >= int(query.get("limit", "50"))}
        raw = json.dumps(body).encode()
        conn.send(head(200, {"Content-Type": "application/json", "Content-Length": str(len(raw))}) + raw)
        return True

    server.script = script
    return queries


def test_a_full_page_in_the_wrong_order_is_refused_not_shrunk_to_one_message(hostile: HostileServer) -> None:
    # The case of the issue: 100 distinct messages, oldest first. The old walk yielded the first one, skipped the
    # 99 "newer" ones and then asked for the page before the *first* — dropping 99 messages without a word.
    serve_pages(hostile, lambda limit, before, after: [wire_message(BASE_MS + i) for i in range(limit)])
    with make_client(hostile) as client:
        walk = client.sessions.iter_messages(SESSION_ID)
        with pytest.raises(PaginationError) as info:
            next(walk)
    assert info.value.reason == "out_of_order"
    assert info.value.millisecond == BASE_MS + 1
    assert "message 1 of the page" in str(info.value)
    assert "not newest first" in str(info.value)


@pytest.mark.parametrize("oldest_first", [False, True], ids=["newest_first", "oldest_first"])
def test_a_page_that_ignores_the_cursor_is_refused_before_anything_is_repeated(
    hostile: HostileServer, oldest_first: bool
) -> None:
    # A cache that ignores the query string: every request gets the first page again. Without the bounds check the
    # walk would stop silently after one page (nothing fresh) or yield its messages twice.
    first_page = [wire_message(BASE_MS + 1000 - i) for i in range(100)]
    queries = serve_pages(hostile, lambda limit, before, after: first_page[:limit])
    with make_client(hostile) as client:
        walk = client.sessions.iter_messages(SESSION_ID, oldest_first=oldest_first)
        with pytest.raises(PaginationError) as info:
            list(itertools.islice(walk, 1000))  # bounded: a walk that does not notice would stop at 1000
    assert info.value.reason == "outside_bounds"
    assert info.value.millisecond == BASE_MS + 1000
    assert f"before {BASE_MS + 902} ms" in str(info.value)
    assert len(queries) == 2


def test_a_page_longer_than_asked_for_is_refused(hostile: HostileServer) -> None:
    serve_pages(hostile, lambda limit, before, after: [wire_message(BASE_MS - i) for i in range(limit + 1)])
    with make_client(hostile) as client:
        with pytest.raises(PaginationError) as info:
            next(client.sessions.iter_messages(SESSION_ID, page_size=10))
    assert info.value.reason == "page_too_long"
    assert "11 messages for a page of at most 10" in str(info.value)


def test_one_message_twice_in_a_page_is_refused(hostile: HostileServer) -> None:
    twin = str(uuid.uuid4())
    page = [
        wire_message(BASE_MS, message_id=twin),
        wire_message(BASE_MS - 5),
        wire_message(BASE_MS - 9, message_id=twin),
    ]
    serve_pages(hostile, lambda limit, before, after: page)
    with make_client(hostile) as client:
        with pytest.raises(PaginationError) as info:
            next(client.sessions.iter_messages(SESSION_ID))
    assert info.value.reason == "duplicate_id"
    assert twin in str(info.value)


def test_an_id_of_the_boundary_millisecond_again_at_another_time_is_refused(hostile: HostileServer) -> None:
    # The first (full) page ends at BASE_MS - 2 with `edge`; the next, asked for before BASE_MS - 1, brings `edge`
    # back two milliseconds older (a lie, on a page that holds it once: refused, not yielded twice).
    edge = str(uuid.uuid4())
    first = [wire_message(BASE_MS), wire_message(BASE_MS - 1), wire_message(BASE_MS - 2, message_id=edge)]
    second = [wire_message(BASE_MS - 3), wire_message(BASE_MS - 4, message_id=edge)]
    queries = serve_pages(hostile, lambda limit, before, after: first if before is None else second)
    with make_client(hostile) as client:
        walk = client.sessions.iter_messages(SESSION_ID, page_size=3)
        yielded = [message.id for message in itertools.islice(walk, 3)]
        with pytest.raises(PaginationError) as info:
            next(walk)
    assert yielded[2] == edge
    assert len(queries) == 2
    assert info.value.reason == "duplicate_id"
    assert info.value.millisecond == BASE_MS - 4
    assert f"message 1 of the page (id {edge}" in str(info.value)


def test_a_message_older_than_after_is_refused(hostile: HostileServer) -> None:
    serve_pages(hostile, lambda limit, before, after: [wire_message(BASE_MS), wire_message(BASE_MS - 10)])
    with make_client(hostile) as client:
        with pytest.raises(PaginationError) as info:
            list(client.sessions.iter_messages(SESSION_ID, after=BASE_MS - 5))
    assert info.value.reason == "outside_bounds"
    assert info.value.millisecond == BASE_MS - 10


def test_the_refused_page_yields_nothing_but_earlier_pages_stay_yielded(hostile: HostileServer) -> None:
    # Page 1 is correct; page 2 has one message out of place. The caller keeps page 1 and learns exactly where
    # the walk stopped: nothing of page 2 is handed out, not even the messages before the bad one.
    def make(limit: int, before: int | None, after: int | None) -> list[dict[str, Any]]:
        if before is None:
            return [wire_message(BASE_MS - i) for i in range(limit)]
        page = [wire_message(before - 1 - i) for i in range(limit)]
        page[5], page[6] = page[6], page[5]
        return page

    serve_pages(hostile, make)
    yielded: list[Message] = []
    with make_client(hostile) as client:
        with pytest.raises(PaginationError) as info:
            yielded.extend(client.sessions.iter_messages(SESSION_ID, page_size=20))
    assert info.value.reason == "out_of_order"
    assert [epoch_ms(m.created_at) for m in yielded] == [BASE_MS - i for i in range(20)]


ODD_IDS = [
    "",
    "NOT-A-UUID",
    str(uuid.uuid4()).upper(),
    "{" + str(uuid.uuid4()) + "}",
    str(uuid.uuid4()).replace("-", ""),
]


@pytest.mark.parametrize("odd_id", ODD_IDS, ids=["empty", "word", "uppercase", "braces", "no_dashes"])
@pytest.mark.parametrize("position", [0, 2], ids=["newest_edge", "oldest_edge"])
def test_an_id_a_cursor_cannot_carry_at_a_page_edge_is_a_typed_error(
    hostile: HostileServer, odd_id: str, position: int
) -> None:
    # A cursor keeps the edge's ids as 16 bytes; an id that is not a lowercase UUID would come back spelled
    # differently (or not at all) and the next page would repeat its message. Found by the body fuzzer as a bare
    # ValueError out of uuid.UUID; now refused, named, and the raw walk still reads the history.
    history = [wire_message(BASE_MS - i) for i in range(4)]
    history[position]["id"] = odd_id
    serve_pages(hostile, lambda limit, before, after: history[:limit])
    with make_client(hostile) as client:
        with pytest.raises(ResponseValidationError) as info:
            client.sessions.messages(SESSION_ID, limit=3)
        assert [m.id for m in client.sessions.iter_messages(SESSION_ID)] == [m["id"] for m in history]
    assert info.value.field == f"messages[{position}].id"
    assert info.value.operation == "messages"
    assert repr(odd_id) in str(info.value)
    assert "iter_messages()" in str(info.value)


def test_an_odd_id_inside_a_page_does_not_stop_its_cursors(hostile: HostileServer) -> None:
    # Only the edges go into a cursor: an odd id between them is handed out as it came.
    history = [wire_message(BASE_MS - i) for i in range(5)]
    history[1]["id"] = "legacy-7"
    serve_pages(
        hostile, lambda limit, before, after: [m for m in history if before is None or epoch_ms_of(m) < before][:limit]
    )
    with make_client(hostile) as client:
        first = client.sessions.messages(SESSION_ID, limit=3)
        assert first.next_cursor is not None
        second = client.sessions.messages(SESSION_ID, limit=3, cursor=first.next_cursor)
    assert [m.id for m in first.messages + second.messages] == [m["id"] for m in history]
    assert second.next_cursor is None


def epoch_ms_of(wire: dict[str, Any]) -> int:
    return epoch_ms(datetime.fromisoformat(wire["createdAt"]))


# --- every page a fetch can return: walked exactly, or refused --------------------------------------------------


def _message(ms: int, message_id: str) -> Message:
    return Message(
        id=message_id,
        content="x",
        author_id=USER,
        is_agent=False,
        created_at=datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms),
        metadata={},
    )


pages = st.lists(
    st.lists(st.tuples(st.integers(0, 40), st.sampled_from([f"id-{i}" for i in range(30)])), max_size=12),
    min_size=1,
    max_size=6,
)


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(script=pages, page_size=st.integers(1, 8), oldest_first=st.booleans())
def test_any_sequence_of_pages_is_walked_in_order_or_refused(
    script: list[list[tuple[int, str]]], page_size: int, oldest_first: bool
) -> None:
    """Whatever a (hostile) fetch returns, the walk yields strictly ordered distinct messages or raises."""
    calls = 0
    returned: list[list[tuple[int, str]]] = []

    def fetch(limit: int, before: int | None, after: int | None) -> MessagePage:
        nonlocal calls
        calls += 1
        assert calls <= 200, "the walk does not end"
        entries = script[(calls - 1) % len(script)]
        returned.append(entries)
        return MessagePage(
            messages=tuple(_message(ms, i) for ms, i in entries), has_more=False, before=None, after=None
        )

    yielded: list[Message] = []
    reason = None
    try:
        yielded.extend(MessageIterator(fetch, page_size=page_size, oldest_first=oldest_first, before=None, after=None))
    except PaginationError as err:
        reason = err.reason
    assert reason in {None, "page_too_long", "out_of_order", "outside_bounds", "duplicate_id", "crowded_millisecond"}
    times = [epoch_ms(m.created_at) for m in yielded]
    assert times == sorted(times, reverse=not oldest_first)
    # Distinct as (id, time): one id at two different times far apart (a server lying about one message) is beyond
    # what a constant-memory walk can see; within the boundary millisecond it is refused (duplicate_id).
    assert len({(m.id, epoch_ms(m.created_at)) for m in yielded}) == len(yielded)
    if not oldest_first:
        # Nothing dropped silently: every message of every page the walk accepted (all but a refused last one)
        # was yielded. (Oldest first reads each range twice, so only its order is checked above.)
        accepted = returned if reason is None else returned[:-1]
        seen = {(m.id, epoch_ms(m.created_at)) for m in yielded}
        assert {(i, ms) for page in accepted for ms, i in page} <= seen

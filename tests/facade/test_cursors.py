"""Resumable history cursors: ``messages(cursor=…)``, ``next_cursor``, ``newer_cursor``, ``iter_pages``.

The promise: walking ``next_cursor`` from the first page gives the history as it was when that page was read,
newest first, each message once, also across many messages sharing a millisecond, with a fresh client per page
and messages arriving in between; polling ``newer_cursor`` (and walking its pages' ``next_cursor``) gives exactly
what arrived since. A cursor is small, versioned, bound to its session, and anything this client did not issue
is a ``ValidationError`` naming ``cursor`` before any request.
"""

from __future__ import annotations

import base64
import itertools
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eliza_client import ElizaClient, MessagePage, PaginationError, ValidationError
from eliza_client._cursors import (
    _MAX_TOKEN_LENGTH,
    MAX_EDGE_IDS,
    CursorEdge,
    CursorWindow,
    decode_cursor,
    edge_of,
    encode_cursor,
)
from eliza_client.testing import LocalSessionsServer, ManualClock

USER = "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"
SID = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
OTHER_SID = "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70"

# --- the token ----------------------------------------------------------------------------------------------

uuids = st.uuids().map(str)
edges = st.builds(
    CursorEdge, st.integers(-62135596800000, 253402300799999), st.frozensets(uuids, max_size=MAX_EDGE_IDS)
)
windows = st.builds(CursorWindow, st.none() | edges, st.none() | edges)


@given(windows)
def test_a_token_round_trips_and_stays_small(window: CursorWindow) -> None:
    token = encode_cursor(window, SID)
    assert decode_cursor(token, SID) == window
    assert len(token) <= _MAX_TOKEN_LENGTH  # bounded whatever the session holds (at most 100 ids an edge)
    assert token.isascii()
    assert all(c.isalnum() or c in "-_" for c in token)


def test_the_common_token_is_short() -> None:
    one = CursorWindow(upper=CursorEdge(1767175260000, frozenset({str(uuid.uuid4())})))
    assert len(encode_cursor(one, SID)) <= 60


@settings(max_examples=60)
@given(windows, st.data())
def test_any_changed_byte_is_refused_naming_cursor(window: CursorWindow, data: st.DataObject) -> None:
    raw = bytearray(base64.urlsafe_b64decode(_padded(encode_cursor(window, SID))))
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] ^= data.draw(st.integers(1, 255))
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(ValidationError) as excinfo:
        decode_cursor(tampered, SID)
    assert excinfo.value.field == "cursor"
    assert excinfo.value.rule in {"invalid", "version"}


@pytest.mark.parametrize(
    ("token", "rule"),
    [
        ("", "invalid"),
        ("not base64!", "invalid"),
        ("AQ", "invalid"),
        ("é" * 10, "invalid"),
        ("A" * (_MAX_TOKEN_LENGTH + 1), "invalid"),
        (12345, "type"),
        (None, "type"),
    ],
)
def test_garbage_is_refused_naming_cursor(token: object, rule: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        decode_cursor(token, SID)
    assert (excinfo.value.field, excinfo.value.rule) == ("cursor", rule)


def test_a_cursor_of_another_session_or_cut_short_is_refused() -> None:
    token = encode_cursor(CursorWindow(upper=CursorEdge(5, frozenset({str(uuid.uuid4())}))), SID)
    for bad, session in ((token, OTHER_SID), (token[:-3], SID), (token + "AA", SID)):
        with pytest.raises(ValidationError) as excinfo:
            decode_cursor(bad, session)
        assert excinfo.value.field == "cursor"
    assert decode_cursor(token, SID.upper()) == decode_cursor(token, SID)  # ids compare case-insensitively


def test_another_version_says_so() -> None:
    raw = bytearray(base64.urlsafe_b64decode(_padded(encode_cursor(CursorWindow(), SID))))
    raw[0] = 2
    with pytest.raises(ValidationError) as excinfo:
        decode_cursor(base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode(), SID)
    assert excinfo.value.rule == "version"
    assert "version 2" in excinfo.value.message


def test_an_edge_past_the_servers_reach_is_a_pagination_error() -> None:
    with pytest.raises(PaginationError):
        edge_of(7, (str(uuid.uuid4()) for _ in range(MAX_EDGE_IDS + 1)))


def _padded(token: str) -> str:
    return token + "=" * (-len(token) % 4)


# --- against the local server ---------------------------------------------------------------------------------


class History:
    """A session on a local server whose clock only moves when told to (so messages can share milliseconds)."""

    def __init__(self, server: LocalSessionsServer, clock: ManualClock) -> None:
        self.server, self.clock = server, clock
        with ElizaClient(server.base_url) as client:
            self.session_id = client.sessions.create(server.agent_id, USER).id
        self._url = f"{server.base_url}/api/messaging/sessions/{self.session_id}/messages"
        self._http = requests.Session()

    def add(self, count: int, *, replies: bool = False, step_ms: int = 0) -> None:
        """Store ``count`` user messages (with ``replies``: each followed by the agent's stored reply, as the
        websocket transport does), moving the clock ``step_ms`` after each."""
        for index in range(count):
            expected = self.stored() + (2 if replies else 1)
            transport = "websocket" if replies else "http"
            response = self._http.post(self._url, json={"content": f"m{index}", "transport": transport}, timeout=10)
            assert response.status_code == 201
            deadline = time.monotonic() + 5
            while self.stored() < expected:  # the reply is stored a moment later
                assert time.monotonic() < deadline, "the agent's reply was not stored"
                time.sleep(0.002)
            self.clock.advance(ms=step_ms)

    def stored(self) -> int:
        return len(self.server.stored_messages(self.session_id))

    def ids(self) -> set[str]:
        return {m["id"] for m in self.server.stored_messages(self.session_id)}

    def page(self, limit: int, cursor: str | None) -> MessagePage:
        # A fresh client (a fresh process, as far as the cursor knows) for every page.
        with ElizaClient(self.server.base_url) as client:
            return client.sessions.messages(self.session_id, limit=limit, cursor=cursor)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start_ms=1_767_175_200_000)


@pytest.fixture
def server(clock: ManualClock) -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(rate_limit=None, clock=clock, reply_delay=0.0) as running:
        yield running


def _max_pages(messages: int, limit: int) -> int:
    """More pages than a walk over ``messages`` needs means the cursors go round in circles: fail, not hang."""
    return messages // limit + 2


def _walk_older(history: History, first: MessagePage, limit: int, arrivals: list[int]) -> list[str]:
    walked = [m.id for m in first.messages]
    page, index = first, 0
    bound = _max_pages(history.stored(), limit)
    while page.next_cursor is not None:
        assert index < bound, f"the walk did not end after {bound} pages"
        if index < len(arrivals):
            history.add(arrivals[index], replies=index % 2 == 0, step_ms=index % 2)
        index += 1
        page = history.page(limit, page.next_cursor)
        walked += [m.id for m in page.messages]
    return walked


def _poll_newer(history: History, token: str, limit: int) -> list[str]:
    polled: list[str] = []
    page = history.page(limit, token)
    polled += [m.id for m in page.messages]
    bound = _max_pages(history.stored(), limit)
    for _ in range(bound):
        if page.next_cursor is None:
            return polled
        page = history.page(limit, page.next_cursor)
        polled += [m.id for m in page.messages]
    raise AssertionError(f"the poll did not end after {bound} pages")


bursts = st.lists(
    st.tuples(st.integers(1, 6), st.booleans(), st.integers(0, 2)), min_size=0, max_size=6
)  # (messages, with replies, ms to move after each)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bursts, st.integers(1, 7), st.lists(st.integers(0, 3), max_size=4), st.integers(1, 9))
def test_pages_and_polls_give_the_whole_history_exactly(
    server: LocalSessionsServer,
    clock: ManualClock,
    shape: list[tuple[int, bool, int]],
    limit: int,
    arrivals: list[int],
    poll_limit: int,
) -> None:
    history = History(server, clock)
    for count, replies, step in shape:
        history.add(count, replies=replies, step_ms=step)
    before = history.ids()
    first = history.page(limit, None)
    # Arrivals land in later milliseconds than anything the first page saw (see the README on the one race).
    clock.advance(ms=1)
    walked = _walk_older(history, first, limit, arrivals)
    assert len(walked) == len(set(walked))
    assert set(walked) == before  # the history as it was when the first page was read, nothing newer
    with ElizaClient(server.base_url) as client:  # and in the iterator's order (newest first, server's ties)
        expected = [m.id for m in client.sessions.iter_messages(history.session_id) if m.id in before]
    assert walked == expected
    polled = _poll_newer(history, first.newer_cursor or "", poll_limit)
    assert len(polled) == len(set(polled))
    assert set(polled) == history.ids() - before  # exactly what arrived since
    assert not set(polled) & set(walked)


def test_a_page_full_of_one_millisecond_keeps_polling_exact(server: LocalSessionsServer, clock: ManualClock) -> None:
    history = History(server, clock)
    history.add(3, step_ms=1)
    history.add(12)  # twelve in the newest millisecond: more than a page of five
    first = history.page(5, None)
    assert len(first.messages) == 5
    clock.advance(ms=1)
    history.add(2)
    polled = _poll_newer(history, first.newer_cursor or "", 50)
    assert len(polled) == 2  # none of the twelve comes back as "new"
    walked = _walk_older(history, first, 5, [])
    assert len(walked) == len(set(walked)) == 15


def test_next_cursor_is_none_exactly_at_the_end(server: LocalSessionsServer, clock: ManualClock) -> None:
    history = History(server, clock)
    history.add(6, step_ms=1)
    pages = [history.page(3, None)]
    pages.append(history.page(3, pages[0].next_cursor))
    assert [len(p.messages) for p in pages] == [3, 3]
    assert pages[0].has_more
    assert pages[0].next_cursor is not None
    assert not pages[1].has_more
    assert pages[1].next_cursor is None
    assert pages[0].before == pages[0].messages[-1].created_at
    assert pages[0].after == pages[0].messages[0].created_at


def test_an_empty_history_polls_from_the_start(server: LocalSessionsServer, clock: ManualClock) -> None:
    history = History(server, clock)
    empty = history.page(10, None)
    assert empty.messages == ()
    assert empty.next_cursor is None
    assert empty.newer_cursor
    history.add(3, step_ms=1)
    assert len(history.page(10, empty.newer_cursor).messages) == 3
    again = history.page(10, history.page(10, empty.newer_cursor).newer_cursor)
    assert again.messages == ()
    assert again.newer_cursor


def test_iter_pages_and_iter_messages_continue_from_a_cursor(server: LocalSessionsServer, clock: ManualClock) -> None:
    history = History(server, clock)
    history.add(7, replies=True)  # fourteen messages in one millisecond
    with ElizaClient(server.base_url) as client:
        sid = history.session_id
        pages = list(itertools.islice(client.sessions.iter_pages(sid, limit=4), 20))
        assert [len(p.messages) for p in pages] == [4, 4, 4, 2]
        everything = [m.id for p in pages for m in p.messages]
        assert everything == [m.id for m in client.sessions.iter_messages(sid)]
        rest = [m.id for m in client.sessions.iter_messages(sid, cursor=pages[0].next_cursor, page_size=3)]
        assert rest == everything[4:]
        assert [len(p.messages) for p in client.sessions.iter_pages(sid, limit=4, cursor=pages[1].next_cursor)] == [
            4,
            2,
        ]


def test_bad_cursors_fail_before_any_request(server: LocalSessionsServer, clock: ManualClock) -> None:
    history = History(server, clock)
    history.add(2)
    good = history.page(1, None).next_cursor
    assert good is not None
    other = History(server, clock)
    with ElizaClient(server.base_url) as client:
        count = server.request_count
        for call in (
            lambda: client.sessions.messages(other.session_id, cursor=good),  # foreign
            lambda: client.sessions.messages(history.session_id, cursor=good[:-1] + ("A" if good[-1] != "A" else "B")),
            lambda: client.sessions.messages(history.session_id, cursor=good, before=5),
            lambda: client.sessions.iter_pages(history.session_id, cursor="garbage"),
            lambda: client.sessions.iter_messages(history.session_id, cursor=good, oldest_first=True),
            lambda: client.sessions.iter_messages(other.session_id, cursor=good),
        ):
            with pytest.raises(ValidationError) as excinfo:
                call()
            assert excinfo.value.field == "cursor"
        assert server.request_count == count

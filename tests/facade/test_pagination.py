"""Complete and exact history walking over the server's strict, tie-blind cursors (local server, real HTTP).

Messages are stored through the real send route with the ``http`` transport (whose replies the server does not
store), while a ManualClock decides their timestamps — so many can share one millisecond.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import requests

from eliza_client import ElizaClient, Message, PaginationError
from eliza_client.testing import LocalSessionsServer, ManualClock

USER = "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"


class Conversation:
    def __init__(self, server: LocalSessionsServer, client: ElizaClient, clock: ManualClock) -> None:
        self.server = server
        self.client = client
        self.clock = clock
        self.session_id = client.sessions.create(server.agent_id, USER).id
        self._url = f"{server.base_url}/api/messaging/sessions/{self.session_id}/messages"
        self._http = requests.Session()

    def add(self, count: int, *, per_millisecond: int = 1) -> None:
        """Store `count` messages, `per_millisecond` of them sharing each millisecond."""
        for index in range(count):
            response = self._http.post(self._url, json={"content": f"m{index}", "transport": "http"})
            assert response.status_code == 201
            if (index + 1) % per_millisecond == 0:
                self.clock.advance(ms=1)

    def stored_ids(self) -> list[str]:
        """Oldest first, as the server stored them."""
        return [m["id"] for m in self.server.stored_messages(self.session_id)]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start_ms=1_767_175_200_000)


@pytest.fixture
def server(clock: ManualClock) -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(rate_limit=None, clock=clock) as running:
        yield running


@pytest.fixture
def client(server: LocalSessionsServer) -> Iterator[ElizaClient]:
    with ElizaClient(server.base_url) as running:
        yield running


@pytest.fixture
def conversation(server: LocalSessionsServer, client: ElizaClient, clock: ManualClock) -> Conversation:
    return Conversation(server, client, clock)


def _assert_newest_first(messages: list[Message]) -> None:
    stamps = [m.created_at for m in messages]
    assert stamps == sorted(stamps, reverse=True)


def naive_ids(client: ElizaClient, session_id: str, limit: int) -> list[str]:
    """The recipe the server suggests: before = cursors.before while hasMore."""
    ids: list[str] = []
    page = client.sessions.messages(session_id, limit=limit)
    ids += [m.id for m in page.messages]
    while page.has_more and page.before is not None:
        page = client.sessions.messages(session_id, limit=limit, before=page.before)
        ids += [m.id for m in page.messages]
    return ids


def test_3000_messages_newest_and_oldest_first_complete_and_exact(conversation: Conversation) -> None:
    # Groups of 7 per millisecond put ties on most page boundaries.
    conversation.add(3000, per_millisecond=7)
    stored = conversation.stored_ids()
    assert len(stored) == 3000

    newest = list(conversation.client.sessions.iter_messages(conversation.session_id))
    assert len(newest) == 3000
    assert len({m.id for m in newest}) == 3000
    assert {m.id for m in newest} == set(stored)
    _assert_newest_first(newest)

    oldest = list(conversation.client.sessions.iter_messages(conversation.session_id, oldest_first=True))
    assert [m.id for m in oldest] == [m.id for m in reversed(newest)]
    # The first millisecond's seven messages come first (their order within it is the server's).
    assert {m.content for m in oldest[:7]} == {f"m{i}" for i in range(7)}


def test_the_naive_recipe_skips_messages_that_the_iterator_finds(conversation: Conversation) -> None:
    conversation.add(300, per_millisecond=30)
    naive = naive_ids(conversation.client, conversation.session_id, 100)
    assert len(set(naive)) < 300  # the server's own recipe loses the ties at each page boundary
    walked = [m.id for m in conversation.client.sessions.iter_messages(conversation.session_id)]
    assert len(walked) == len(set(walked)) == 300


def test_oldest_first_reaches_past_the_after_window(conversation: Conversation) -> None:
    conversation.add(1500)
    stored = conversation.stored_ids()
    # The server's own forward paging starts inside its window of the newest 1000 messages (limit 50 → 1000).
    page = conversation.client.sessions.messages(conversation.session_id, limit=50, after=0)
    assert stored[0] not in {m.id for m in page.messages}
    walked = [m.id for m in conversation.client.sessions.iter_messages(conversation.session_id, oldest_first=True)]
    assert walked == stored


def test_99_messages_in_one_millisecond_with_small_pages(conversation: Conversation) -> None:
    conversation.add(10)
    conversation.add(99, per_millisecond=99)
    conversation.add(10)
    stored = conversation.stored_ids()
    for page_size in (7, 50, 100):
        walked = list(conversation.client.sessions.iter_messages(conversation.session_id, page_size=page_size))
        assert len(walked) == 119
        assert {m.id for m in walked} == set(stored)
        _assert_newest_first(walked)


def test_250_messages_in_one_millisecond_raise_instead_of_skipping(
    conversation: Conversation, server: LocalSessionsServer
) -> None:
    conversation.add(250, per_millisecond=250)
    # Every mode of the server answers with the same first 100 messages of that millisecond (raw pages)...
    now = conversation.clock.now_ms()
    probes = [
        conversation.client.sessions.messages(conversation.session_id, limit=100, before=ms, after=after)
        for ms, after in ((now + 1, None), (now, None), (None, now - 2), (now + 1, now - 2))
    ]
    first = {m.id for m in probes[0].messages}
    assert all({m.id for m in page.messages} == first for page in probes)
    # ...so the iterator yields those 100 once each, then refuses to pretend it reached the rest.
    yielded: list[str] = []
    before = server.request_count
    with pytest.raises(PaginationError) as excinfo:
        yielded.extend(m.id for m in conversation.client.sessions.iter_messages(conversation.session_id))
    assert len(yielded) == len(set(yielded)) == 100
    assert set(yielded) == first
    assert excinfo.value.seen == 100
    assert server.request_count - before == 2  # no loop: one page, one confirming page
    # A resumable page refuses too: whether anything older is left cannot be known.
    with pytest.raises(PaginationError):
        conversation.client.sessions.messages(conversation.session_id, limit=100)


def test_exact_multiple_of_the_page_size(conversation: Conversation) -> None:
    conversation.add(200)
    walked = [m.id for m in conversation.client.sessions.iter_messages(conversation.session_id)]
    assert len(walked) == len(set(walked)) == 200


def test_empty_conversation(conversation: Conversation) -> None:
    assert list(conversation.client.sessions.iter_messages(conversation.session_id)) == []
    assert list(conversation.client.sessions.iter_messages(conversation.session_id, oldest_first=True)) == []


def test_iteration_is_lazy(conversation: Conversation, server: LocalSessionsServer) -> None:
    conversation.add(500)
    before = server.request_count
    iterator = conversation.client.sessions.iter_messages(conversation.session_id)
    assert server.request_count == before  # nothing is fetched until iteration starts
    first = list(itertools.islice(iterator, 5))
    assert [m.content for m in first] == ["m499", "m498", "m497", "m496", "m495"]
    assert server.request_count - before == 1
    more = list(itertools.islice(iterator, 150))
    assert len(more) == 150
    assert server.request_count - before == 2


def test_bounds_select_a_range(conversation: Conversation) -> None:
    conversation.add(300, per_millisecond=3)  # 100 milliseconds, 3 messages each
    messages = list(conversation.client.sessions.iter_messages(conversation.session_id, oldest_first=True))
    lower, upper = messages[30].created_at, messages[270].created_at  # exclusive bounds
    inside = [m for m in messages if lower < m.created_at < upper]
    for oldest_first in (False, True):
        walked = list(
            conversation.client.sessions.iter_messages(
                conversation.session_id, after=lower, before=upper, oldest_first=oldest_first, page_size=40
            )
        )
        expected = inside if oldest_first else list(reversed(inside))
        assert {m.id for m in walked} == {m.id for m in expected}
        assert len(walked) == len(expected)
        assert [m.created_at for m in walked] == [m.created_at for m in expected]


def test_bounds_accept_iso_strings_and_epoch_ms(conversation: Conversation) -> None:
    conversation.add(20)
    messages = list(conversation.client.sessions.iter_messages(conversation.session_id, oldest_first=True))
    pivot = messages[10].created_at
    as_iso = pivot.isoformat().replace("+00:00", "Z")
    as_ms = int(pivot.timestamp() * 1000)
    for bound in (pivot, as_iso, as_ms):
        older = list(conversation.client.sessions.iter_messages(conversation.session_id, before=bound))
        assert [m.content for m in older] == [f"m{i}" for i in range(9, -1, -1)]

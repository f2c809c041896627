"""Sending over every transport and reading the history back through the facade: ``send_message`` (websocket),
``send_and_wait`` (http), ``stream`` (sse, read as a stream), ``messages``, ``iter_messages`` in both directions,
and a pagination-completeness walk over a few dozen messages.

Costs on the real server's rate limit (1000 per 15 min): an http or sse send is 1 request, a websocket send 4-5
(the agent's own callbacks count), so the bulk of the history is written with ``send_and_wait``.

Where releases differ (``ReleaseFacts``, the ``release`` fixture), each test asserts what the release under test
does: 1.6.5 answers every send at once (the facade reads ``send_and_wait``'s and ``stream``'s reply from the
history: a 201 JSON answer, no chunks), and 1.6.5 and 1.7.0 store the agent's reply to every send in the history.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

import pytest

from eliza_client import (
    AgentResponse,
    ChunkEvent,
    DoneEvent,
    ElizaClient,
    Message,
    MessageIterator,
    MessagePage,
    Reply,
    SendResult,
    Session,
    StreamEvent,
    UserMessageEvent,
)

from ._support import Recorder, ReleaseFacts, Target, make_client, wait_for_agent_messages


@pytest.fixture
def session(client: ElizaClient, target: Target, user_id: str) -> Iterator[Session]:
    with client.sessions.open(target.agent_id, user_id, metadata={"suite": "integration"}) as opened:
        yield opened


def _check_user_message(message: Message, session: Session, content: str) -> None:
    assert uuid.UUID(message.id)
    assert message.content == content
    assert message.author_id == session.user_id
    assert message.is_agent is False


def _check_agent_response(response: AgentResponse | None, release: ReleaseFacts) -> AgentResponse:
    assert response is not None
    assert isinstance(response.text, str)
    assert response.text
    assert response.actions == ("REPLY",)
    if release.replies_in_band:  # 1.6.5's reply is the stored message: it has no responseId (see _check_history)
        assert response.response_id is not None
        assert uuid.UUID(response.response_id)
    return response


def _check_history(
    client: ElizaClient, session: Session, sent: Message, response: AgentResponse, release: ReleaseFacts
) -> None:
    """The history after one ``send_and_wait`` / ``stream``: the user's message and, on the releases that store
    every reply (1.6.5, 1.7.0), the agent's reply."""
    if not release.stores_every_reply:
        # http and sse replies are not stored: only the user's message is in the history.
        page = client.sessions.messages(session.id)
        assert [m.id for m in page.messages] == [sent.id]
        assert [m.content for m in page.messages] == [sent.content]
        assert page.has_more is False
        return
    history = wait_for_agent_messages(client, session.id, 1)
    assert [m.is_agent for m in history] == [True, False]
    stored, user = history
    assert user.id == sent.id
    assert stored.author_id == session.agent_id
    assert stored.created_at >= user.created_at
    if release.replies_in_band:
        # 1.7.0: the send route ran the model itself and the message bus ran it again for the stored reply.
        assert stored.id != response.response_id
    else:
        # 1.6.5: the reply the facade returned is the stored one, read from the history.
        assert response.text == stored.content
        assert response.actions == tuple(stored.metadata["actions"])


def test_send_message_websocket(client: ElizaClient, session: Session) -> None:
    result = client.sessions.send_message(session.id, "Hello over websocket", metadata={"topic": "greeting"})
    assert isinstance(result, SendResult)
    _check_user_message(result.message, session, "Hello over websocket")
    assert result.message.metadata["topic"] == "greeting"
    assert result.message.metadata["sessionId"] == session.id
    assert result.session_status is not None
    assert result.session_status.renewal_count >= 0

    # The agent's reply is stored by the server shortly after (websocket transport only).
    history = wait_for_agent_messages(client, session.id, 1)
    assert [m.is_agent for m in history] == [True, False]
    reply, sent = history
    assert sent.id == result.message.id
    assert reply.author_id == session.agent_id
    assert reply.created_at >= sent.created_at
    assert isinstance(reply.content, str)
    assert reply.content


def test_send_and_wait_http(client: ElizaClient, session: Session, release: ReleaseFacts) -> None:
    reply = client.sessions.send_and_wait(session.id, "Hello over http")
    assert isinstance(reply, Reply)
    _check_user_message(reply.message, session, "Hello over http")
    response = _check_agent_response(reply.agent_response, release)
    assert reply.session_status is not None
    _check_history(client, session, reply.message, response, release)


def test_send_with_attachments_and_the_longest_content(client: ElizaClient, session: Session) -> None:
    attachments = [{"type": "image", "url": "https://example.invalid/cat.png"}]
    reply = client.sessions.send_and_wait(session.id, "x" * 4000, attachments=attachments)
    assert len(reply.message.content) == 4000
    emoji = "😀" * 2000  # 4000 UTF-16 code units: the limit counts them, not code points
    assert client.sessions.send_and_wait(session.id, emoji).message.content == emoji


def _read_stream(
    client: ElizaClient, session: Session, content: str, recorder: Recorder, release: ReleaseFacts
) -> list[StreamEvent]:
    before = recorder.count()
    with client.sessions.stream(session.id, content) as stream:
        events = list(stream)
        assert stream.message is not None
        assert stream.message.content == content
        assert stream.agent_response is not None
        assert stream.text == stream.agent_response.text
    sends = [e for e in recorder.exchanges[before:] if e.method == "POST" and e.path.endswith("/messages")]
    assert sends
    if release.replies_in_band:
        assert all(e.streamed for e in sends), "the SSE reply must be read as a stream"
        assert sends[-1].status == 200
    else:
        # 1.6.5 answers with the flat stored message (201 JSON); the facade reads the reply from the history.
        assert [e.status for e in sends] == [201]
        assert sends[-1].json()["content"] == content
    return events


def _check_events(
    events: Sequence[StreamEvent], session: Session, content: str, release: ReleaseFacts
) -> tuple[list[ChunkEvent], AgentResponse]:
    assert isinstance(events[0], UserMessageEvent)
    _check_user_message(events[0].message, session, content)
    assert isinstance(events[-1], DoneEvent)
    done = _check_agent_response(events[-1].agent_response, release)
    chunks = [event for event in events[1:-1] if isinstance(event, ChunkEvent)]
    assert len(chunks) == len(events) - 2, f"only chunk events between user_message and done: {events}"
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))
    if chunks:
        assert "".join(chunk.text for chunk in chunks) == done.text
    return chunks, done


def test_stream_sse(client: ElizaClient, session: Session, recorder: Recorder, release: ReleaseFacts) -> None:
    events = _read_stream(client, session, "Hello over sse", recorder, release)
    _, done = _check_events(events, session, "Hello over sse", release)
    assert isinstance(events[0], UserMessageEvent)
    _check_history(client, session, events[0].message, done, release)


def test_stream_sse_chunks(stream_target: Target, recorder: Recorder, user_id: str, release: ReleaseFacts) -> None:
    """With a model that streams, the reply arrives as chunk events whose text adds up to the reply (1.6.5 does
    not stream: its send answers at once, and the stored reply is the ``done`` event, without chunks)."""
    with make_client(stream_target, recorder) as client:
        with client.sessions.open(stream_target.agent_id, user_id) as session:
            events = _read_stream(client, session, "Stream to me", recorder, release)
            chunks, done = _check_events(events, session, "Stream to me", release)
            if release.replies_in_band:
                assert len(chunks) >= 2
                assert {chunk.message_id for chunk in chunks} == {done.response_id}
            else:
                assert chunks == []
                assert isinstance(events[0], UserMessageEvent)
                _check_history(client, session, events[0].message, done, release)


def test_messages_page_and_iterators(
    client: ElizaClient, session: Session, target: Target, release: ReleaseFacts
) -> None:
    # `sent`: every stored message, oldest first - the user's, and on 1.6.5 and 1.7.0 each one's stored reply
    # (waited for before the next send, so that the order is fully determined there too).
    sent: list[Message] = []
    for i in range(5):
        sent.append(client.sessions.send_and_wait(session.id, f"message {i}").message)
        if release.stores_every_reply:
            history = wait_for_agent_messages(client, session.id, i + 1)
            assert history[1].id == sent[-1].id, "the reply is stored after its message"
            sent.append(history[0])
            assert sent[-1].is_agent
        target.travel(0.002)  # distinct milliseconds, so that the order of a page is fully determined
    page = client.sessions.messages(session.id, limit=2)
    assert isinstance(page, MessagePage)
    assert [m.id for m in page.messages] == [sent[-1].id, sent[-2].id]
    assert page.has_more is True
    assert page.before == sent[-2].created_at
    assert page.after == sent[-1].created_at

    older = client.sessions.messages(session.id, limit=2, before=page.before)
    assert [m.id for m in older.messages] == [sent[-3].id, sent[-4].id]

    newer_than_first = client.sessions.messages(session.id, after=sent[0].created_at)
    assert {m.id for m in newer_than_first.messages} == {m.id for m in sent[1:]}

    empty = client.sessions.messages(session.id, before=sent[0].created_at)
    assert empty.messages == ()
    assert empty.has_more is False
    assert empty.before is None

    newest_first = client.sessions.iter_messages(session.id, page_size=2)
    assert isinstance(newest_first, MessageIterator)
    assert [m.id for m in newest_first] == [m.id for m in reversed(sent)]
    assert [m.id for m in client.sessions.iter_messages(session.id, oldest_first=True, page_size=2)] == [
        m.id for m in sent
    ]


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _ordered(messages: Sequence[Message], *, newest_first: bool) -> bool:
    stamps = [m.created_at for m in messages]
    return stamps == sorted(stamps, reverse=newest_first)


def test_pagination_is_complete(client: ElizaClient, session: Session, release: ReleaseFacts) -> None:
    """A few dozen messages (32 over http, 3 over websocket with their stored replies - on 1.6.5 and 1.7.0 every
    send's reply is stored: 70 messages): every way of walking the history yields each message exactly once, in
    order, whatever the page size and window."""
    sent = [client.sessions.send_and_wait(session.id, f"bulk {i:02d}").message.id for i in range(32)]
    sent += [client.sessions.send_message(session.id, f"ws {i}").message.id for i in range(3)]
    replies = len(sent) if release.stores_every_reply else 3
    wait_for_agent_messages(client, session.id, replies)
    total = len(sent) + replies  # 38 (70 on 1.6.5 and 1.7.0)

    everything = client.sessions.messages(session.id, limit=100)
    assert len(everything.messages) == total
    assert everything.has_more is False
    ids = [m.id for m in everything.messages]
    assert set(sent) <= set(ids)
    assert len(set(ids)) == total
    assert sum(m.is_agent for m in everything.messages) == replies
    assert _ordered(everything.messages, newest_first=True)

    for page_size in (1, 7, 19, total, 100):
        newest = list(client.sessions.iter_messages(session.id, page_size=page_size))
        assert sorted(m.id for m in newest) == sorted(ids), page_size
        assert _ordered(newest, newest_first=True)
    for page_size in (7, 100):
        oldest = list(client.sessions.iter_messages(session.id, oldest_first=True, page_size=page_size))
        assert sorted(m.id for m in oldest) == sorted(ids), page_size
        assert _ordered(oldest, newest_first=False)

    # A window: strictly after the 30th newest and before the 5th newest message.
    after, before = everything.messages[30].created_at, everything.messages[5].created_at
    inside = {m.id for m in everything.messages if after < m.created_at < before}
    assert len(inside) >= 20
    window = list(client.sessions.iter_messages(session.id, after=after, before=before, page_size=6))
    assert {m.id for m in window} == inside
    assert len(window) == len(inside)
    window_up = list(
        client.sessions.iter_messages(session.id, after=_ms(after), before=_ms(before), oldest_first=True, page_size=6)
    )
    assert sorted(m.id for m in window_up) == sorted(inside)
    assert _ordered(window_up, newest_first=False)

    # Page edges as the server answers them (a raw page: before/after given)...
    above_all = everything.messages[0].created_at + timedelta(milliseconds=1)
    assert client.sessions.messages(session.id, limit=1, before=above_all).has_more is True
    raw_full = client.sessions.messages(session.id, limit=total, before=above_all)
    assert len(raw_full.messages) == total
    assert raw_full.has_more is True  # "full page", not "more exist"
    assert raw_full.next_cursor is None  # raw pages carry no cursors of ours
    # ... and as the resumable page says it: more exist, or not.
    assert client.sessions.messages(session.id, limit=1).has_more is True
    exact_full = client.sessions.messages(session.id, limit=total)
    assert len(exact_full.messages) == total
    assert exact_full.has_more is False
    assert exact_full.next_cursor is None
    assert [m.id for m in exact_full.messages] == ids
    oldest_stamp = everything.messages[-1].created_at
    assert client.sessions.messages(session.id, before=oldest_stamp).messages == ()
    newest_stamp = everything.messages[0].created_at
    assert client.sessions.messages(session.id, after=newest_stamp).messages == ()
    just_before = newest_stamp - timedelta(milliseconds=1)
    assert ids[0] in {m.id for m in client.sessions.messages(session.id, after=just_before).messages}

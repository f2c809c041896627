"""Every ``client.sessions`` method over real HTTP against the local server: model types, values, and what the
server stored.

The server runs on a :class:`ManualClock`, so every timestamp the client reports can be compared exactly with the
time the test set (aware UTC ``datetime``\\ s, ``timedelta`` durations, snake_case fields).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from eliza_client import (
    AgentResponse,
    ElizaClient,
    Health,
    Message,
    MessageIterator,
    MessagePage,
    MessageStream,
    Reply,
    SendResult,
    Session,
    SessionGoneError,
    SessionList,
    SessionNotFoundError,
    SessionStats,
    SessionStatus,
    SessionTimeoutConfig,
    SessionTimeoutSettings,
    UserMessageEvent,
)
from eliza_client.testing import SILENT_MARKER, LocalSessionsServer, ManualClock

#: 2025-12-31T10:00:00.000Z
T0 = 1767175200000
T0_DT = datetime(2025, 12, 31, 10, 0, tzinfo=UTC)
USER = "5b0c6a8e-3f1d-4c2b-9e7a-1d2c3b4a5f60"
SESSIONS = "/api/messaging/sessions"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def server(clock: ManualClock) -> Iterator[LocalSessionsServer]:
    # A long cleanup interval: expired sessions answer 410 until a test sweeps them.
    env = {"SESSION_CLEANUP_INTERVAL_MINUTES": "60"}
    with LocalSessionsServer(clock=clock, rate_limit=None, reply_delay=0.01, chunk_delay=0.001, env=env) as running:
        yield running


@pytest.fixture
def client(server: LocalSessionsServer) -> Iterator[ElizaClient]:
    with ElizaClient(server.base_url) as running:
        running._transport.sleep = lambda seconds: None
        yield running


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def config(timeout: float, auto_renew: bool, max_duration: float, warning: float) -> SessionTimeoutConfig:
    return SessionTimeoutConfig(
        timeout_minutes=timeout,
        auto_renew=auto_renew,
        max_duration_minutes=max_duration,
        warning_threshold_minutes=warning,
    )


def assert_utc(*values: datetime) -> None:
    for value in values:
        assert isinstance(value, datetime)
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)


def as_wire_message(message: Message) -> dict[str, Any]:
    """A message as the server's history shows it (what ``stored_messages`` returns)."""
    return {
        "id": message.id,
        "content": message.content,
        "authorId": message.author_id,
        "isAgent": message.is_agent,
        "createdAt": message.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "metadata": dict(message.metadata),
    }


def common_fields(message: Message) -> tuple[Any, ...]:
    """The fields every source of a Message (send reply, stream, history) carries."""
    return (
        message.id,
        message.content,
        message.author_id,
        message.is_agent,
        message.created_at,
        dict(message.metadata),
    )


# --- health, create, get, list, delete ---------------------------------------------------------------------


def test_health(server: LocalSessionsServer, client: ElizaClient) -> None:
    client.sessions.create(server.agent_id, USER)
    client.sessions.create(server.agent_id, USER, timeout_config={"timeout_minutes": 5})  # within the 5 min warning
    health = client.sessions.health()
    assert isinstance(health, Health)
    assert health.status == "healthy"
    assert health.active_sessions == 2
    assert health.expiring_soon == 1
    assert health.invalid_sessions == 0
    assert health.timestamp == T0_DT
    assert_utc(health.timestamp)
    assert isinstance(health.uptime, timedelta)
    assert health.uptime >= timedelta(0)
    assert health.extra == {}


def test_create_fills_every_field(server: LocalSessionsServer, client: ElizaClient) -> None:
    settings = SessionTimeoutSettings(
        timeout_minutes=20, auto_renew=False, max_duration_minutes=100, warning_threshold_minutes=7
    )
    session = client.sessions.create(
        server.agent_id, USER, metadata={"plan": "pro", "tags": ["a", "b"]}, timeout_config=settings
    )
    assert isinstance(session, Session)
    assert str(uuid.UUID(session.id)) == session.id
    assert str(uuid.UUID(session.channel_id)) == session.channel_id
    assert session.agent_id == server.agent_id
    assert session.user_id == USER
    assert session.created_at == T0_DT
    assert session.expires_at == T0_DT + minutes(20)
    assert_utc(session.created_at, session.last_activity, session.expires_at)
    assert session.timeout_config == SessionTimeoutConfig(
        timeout_minutes=20, auto_renew=False, max_duration_minutes=100, warning_threshold_minutes=7
    )
    assert session.metadata == {"plan": "pro", "tags": ["a", "b"]}
    # The four fields the create reply lacks, filled as documented ...
    assert session.last_activity == session.created_at
    assert session.renewal_count == 0
    assert session.time_remaining == minutes(20)
    assert isinstance(session.time_remaining, timedelta)
    assert session.is_near_expiration is False
    assert session.extra == {}
    # ... and exactly what the server itself reports for the new session at the same instant.
    assert client.sessions.get(session.id) == session


def test_create_near_expiration_matches_the_server(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(
        server.agent_id, USER, timeout_config={"timeout_minutes": 5, "warning_threshold_minutes": 10}
    )
    assert session.time_remaining == minutes(5)
    assert session.is_near_expiration is True
    assert client.sessions.get(session.id) == session


def test_create_without_config_takes_the_server_defaults(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(server.agent_id, USER)
    assert session.timeout_config == SessionTimeoutConfig(
        timeout_minutes=30, auto_renew=True, max_duration_minutes=720, warning_threshold_minutes=5
    )
    assert session.metadata == {}
    assert session.expires_at == T0_DT + minutes(30)


def test_get_reports_activity_but_is_not_activity(
    server: LocalSessionsServer, client: ElizaClient, clock: ManualClock
) -> None:
    session = client.sessions.create(server.agent_id, USER)
    clock.advance(minutes=3)
    client.sessions.send_and_wait(session.id, "activity")
    clock.advance(minutes=10)
    first = client.sessions.get(session.id)
    second = client.sessions.get(session.id)
    assert first == second  # reading is not activity: nothing moved
    assert first.last_activity == T0_DT + minutes(3)
    assert first.renewal_count == 1
    assert first.expires_at == T0_DT + minutes(33)
    assert first.time_remaining == minutes(20)
    assert first.created_at == T0_DT
    assert_utc(first.created_at, first.last_activity, first.expires_at)


def test_list(server: LocalSessionsServer, client: ElizaClient) -> None:
    kept = [client.sessions.create(server.agent_id, USER) for _ in range(2)]
    gone = client.sessions.create(server.agent_id, USER)
    client.sessions.delete(gone.id)
    listing = client.sessions.list()
    assert isinstance(listing, SessionList)
    assert isinstance(listing.sessions, tuple)
    assert [s.id for s in listing.sessions] == [s.id for s in kept]
    assert listing.total == 2
    assert isinstance(listing.stats, SessionStats)
    assert (listing.stats.total, listing.stats.active, listing.stats.expired) == (2, 2, 0)
    for listed in listing.sessions:
        assert isinstance(listed, Session)
        assert listed == client.sessions.get(listed.id)


def test_delete(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(server.agent_id, USER)
    sent = client.sessions.send_and_wait(session.id, "kept after delete")
    client.sessions.delete(session.id)
    with pytest.raises(SessionNotFoundError):
        client.sessions.get(session.id)
    with pytest.raises(SessionNotFoundError) as again:
        client.sessions.delete(session.id)
    assert again.value.status_code == 404
    assert isinstance(again.value, SessionGoneError)
    # Messages outlive the session.
    assert [m["id"] for m in server.stored_messages(session.id)] == [sent.message.id]


# --- renew, heartbeat --------------------------------------------------------------------------------------


def test_renew_extends_even_without_auto_renew(
    server: LocalSessionsServer, client: ElizaClient, clock: ManualClock
) -> None:
    session = client.sessions.create(server.agent_id, USER, timeout_config={"timeout_minutes": 20, "auto_renew": False})
    clock.advance(minutes=4)
    renewed = client.sessions.renew(session.id)
    assert isinstance(renewed, Session)
    assert renewed.renewal_count == 1
    assert renewed.last_activity == T0_DT + minutes(4)
    assert renewed.expires_at == T0_DT + minutes(24)
    assert renewed.time_remaining == minutes(20)
    assert renewed.timeout_config.auto_renew is False  # the server switches it on only for the call
    assert renewed == client.sessions.get(session.id)


def test_heartbeat_with_auto_renew_renews(server: LocalSessionsServer, client: ElizaClient, clock: ManualClock) -> None:
    session = client.sessions.create(server.agent_id, USER)
    clock.advance(minutes=2)
    beat = client.sessions.heartbeat(session.id)
    assert isinstance(beat, Session)
    assert beat.last_activity == T0_DT + minutes(2)
    assert beat.renewal_count == 1
    assert beat.expires_at == T0_DT + minutes(32)
    assert beat == client.sessions.get(session.id)


def test_heartbeat_without_auto_renew_only_moves_last_activity(
    server: LocalSessionsServer, client: ElizaClient, clock: ManualClock
) -> None:
    session = client.sessions.create(server.agent_id, USER, timeout_config={"auto_renew": False})
    clock.advance(minutes=2)
    beat = client.sessions.heartbeat(session.id)
    assert beat.last_activity == T0_DT + minutes(2)
    assert beat.renewal_count == 0
    assert beat.expires_at == session.expires_at == T0_DT + minutes(30)
    assert beat.time_remaining == minutes(28)


# --- update_timeout ----------------------------------------------------------------------------------------


def test_the_server_patch_resets_omitted_fields(server: LocalSessionsServer, client: ElizaClient) -> None:
    """The control for the next test: a raw PATCH with one field resets the other three to the defaults."""
    session = client.sessions.create(
        server.agent_id,
        USER,
        timeout_config=SessionTimeoutSettings(
            timeout_minutes=20, auto_renew=False, max_duration_minutes=100, warning_threshold_minutes=7
        ),
    )
    raw = requests.patch(f"{server.base_url}{SESSIONS}/{session.id}/timeout", json={"timeoutMinutes": 45}, timeout=5)
    assert raw.status_code == 200
    assert client.sessions.get(session.id).timeout_config == SessionTimeoutConfig(
        timeout_minutes=45, auto_renew=True, max_duration_minutes=720, warning_threshold_minutes=5
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"timeout_minutes": 45}, config(45, False, 100, 7)),
        ({"auto_renew": True}, config(20, True, 100, 7)),
        ({"max_duration_minutes": 300}, config(20, False, 300, 7)),
        ({"warning_threshold_minutes": 2}, config(20, False, 100, 2)),
    ],
    ids=["timeout", "auto_renew", "max_duration", "warning_threshold"],
)
def test_update_timeout_changes_only_what_is_passed(
    server: LocalSessionsServer, client: ElizaClient, change: dict[str, Any], expected: SessionTimeoutConfig
) -> None:
    session = client.sessions.create(
        server.agent_id,
        USER,
        timeout_config=SessionTimeoutSettings(
            timeout_minutes=20, auto_renew=False, max_duration_minutes=100, warning_threshold_minutes=7
        ),
    )
    updated = client.sessions.update_timeout(session.id, **change)
    assert isinstance(updated, Session)
    assert updated.timeout_config == expected
    assert client.sessions.get(session.id).timeout_config == expected
    assert updated.expires_at == T0_DT + minutes(expected.timeout_minutes)


def test_update_timeout_twice_keeps_the_first_change(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(server.agent_id, USER)
    client.sessions.update_timeout(session.id, warning_threshold_minutes=9)
    client.sessions.update_timeout(session.id, auto_renew=False)
    assert client.sessions.get(session.id).timeout_config == SessionTimeoutConfig(
        timeout_minutes=30, auto_renew=False, max_duration_minutes=720, warning_threshold_minutes=9
    )


# --- open ----------------------------------------------------------------------------------------------------


def test_open_deletes_on_exit(server: LocalSessionsServer, client: ElizaClient) -> None:
    with client.sessions.open(server.agent_id, USER, metadata={"via": "open"}) as session:
        assert isinstance(session, Session)
        assert session.metadata == {"via": "open"}
        assert client.sessions.get(session.id).id == session.id
    with pytest.raises(SessionNotFoundError):
        client.sessions.get(session.id)
    assert client.sessions.list().total == 0


def test_open_deletes_on_exception(server: LocalSessionsServer, client: ElizaClient) -> None:
    with pytest.raises(KeyError, match="boom"), client.sessions.open(server.agent_id, USER) as session:
        raise KeyError("boom")
    with pytest.raises(SessionNotFoundError):
        client.sessions.get(session.id)


def test_open_tolerates_a_session_deleted_inside(server: LocalSessionsServer, client: ElizaClient) -> None:
    with client.sessions.open(server.agent_id, USER) as session:
        client.sessions.delete(session.id)
    assert client.sessions.list().total == 0


def test_open_tolerates_a_session_expired_and_swept_inside(
    server: LocalSessionsServer, client: ElizaClient, clock: ManualClock
) -> None:
    with client.sessions.open(server.agent_id, USER) as session:
        clock.advance(minutes=31)
        server.run_cleanup()
        with pytest.raises(SessionGoneError):
            client.sessions.get(session.id)
    assert client.sessions.list().total == 0


# --- sending ---------------------------------------------------------------------------------------------


def test_send_message(server: LocalSessionsServer, client: ElizaClient, clock: ManualClock) -> None:
    session = client.sessions.create(server.agent_id, USER, metadata={"plan": "pro"})
    clock.advance(ms=1234)
    attachments = [{"type": "image", "url": "https://example.invalid/cat.png", "name": "cat"}]
    result = client.sessions.send_message(session.id, "hello there", attachments=attachments, metadata={"k": "v"})
    assert isinstance(result, SendResult)
    message = result.message
    assert isinstance(message, Message)
    assert message.content == "hello there"
    assert message.author_id == USER
    assert message.is_agent is False
    assert message.created_at == T0_DT + timedelta(milliseconds=1234)
    assert_utc(message.created_at)
    assert message.channel_id == session.channel_id
    assert message.attachments == tuple(attachments)
    assert message.metadata["k"] == "v"
    assert message.metadata["plan"] == "pro"  # the server merges the session's metadata in
    assert message.client_message_id is not None
    assert message.metadata["clientMessageId"] == message.client_message_id
    assert isinstance(result.session_status, SessionStatus)
    assert result.session_status.renewal_count == 1
    assert result.session_status.was_renewed is True
    assert result.session_status.expires_at == message.created_at + minutes(30)
    assert_utc(result.session_status.expires_at)
    # Exactly what the server stored.
    stored = server.stored_messages(session.id)
    assert stored == [as_wire_message(message)]
    # The agent's reply is stored shortly after.
    assert server.wait_for_agent_replies()
    replies = [m for m in server.stored_messages(session.id) if m["isAgent"]]
    assert [r["content"] for r in replies] == ["You said: hello there"]
    assert replies[0]["authorId"] == server.agent_id


def test_send_message_with_a_caller_client_message_id(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(server.agent_id, USER)
    result = client.sessions.send_message(session.id, SILENT_MARKER + " tagged", client_message_id="my-id-1")
    assert result.message.client_message_id == "my-id-1"
    assert server.stored_messages(session.id)[0]["metadata"]["clientMessageId"] == "my-id-1"


def test_send_and_wait(server: LocalSessionsServer, client: ElizaClient, clock: ManualClock) -> None:
    session = client.sessions.create(server.agent_id, USER)
    clock.advance(seconds=5)
    reply = client.sessions.send_and_wait(session.id, "what is up?", metadata={"n": 1})
    assert isinstance(reply, Reply)
    assert reply.message.content == "what is up?"
    assert reply.message.created_at == T0_DT + timedelta(seconds=5)
    assert reply.message.metadata["n"] == 1
    assert isinstance(reply.agent_response, AgentResponse)
    assert reply.agent_response.text == "You said: what is up?"
    assert reply.agent_response.actions == ("REPLY",)
    assert reply.agent_response.providers == ()
    assert reply.agent_response.simple is True
    assert reply.agent_response.thought is not None
    assert reply.agent_response.response_id is not None
    assert isinstance(reply.session_status, SessionStatus)
    assert reply.session_status.expires_at == T0_DT + timedelta(seconds=5) + minutes(30)
    # Only the user's message is stored: replies over http never are.
    assert server.stored_messages(session.id) == [as_wire_message(reply.message)]


def test_send_and_wait_when_the_agent_stays_silent(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(server.agent_id, USER)
    reply = client.sessions.send_and_wait(session.id, SILENT_MARKER)
    assert reply.agent_response is None
    assert reply.message.content == SILENT_MARKER
    assert len(server.stored_messages(session.id)) == 1


def test_stream(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(server.agent_id, USER)
    with client.sessions.stream(session.id, "stream this", metadata={"s": True}) as stream:
        assert isinstance(stream, MessageStream)
        events = list(stream)
    assert isinstance(events[0], UserMessageEvent)
    assert stream.message == events[0].message
    assert stream.agent_response is not None
    assert stream.agent_response.text == "You said: stream this"
    assert stream.text == "You said: stream this"
    assert server.stored_messages(session.id) == [as_wire_message(events[0].message)]


def test_a_message_is_the_same_from_a_reply_a_stream_and_the_history(
    server: LocalSessionsServer, client: ElizaClient, clock: ManualClock
) -> None:
    session = client.sessions.create(server.agent_id, USER, metadata={"tier": "gold"})
    sent = client.sessions.send_message(session.id, SILENT_MARKER + " one", metadata={"a": [1, 2]}).message
    clock.advance(ms=1)
    waited = client.sessions.send_and_wait(session.id, "two", metadata={"b": {"c": None}}).message
    clock.advance(ms=1)
    with client.sessions.stream(session.id, "three 🎉") as stream:
        first = next(iter(stream))
        stream.until_done()
    assert isinstance(first, UserMessageEvent)
    streamed = first.message
    history = {m.id: m for m in client.sessions.messages(session.id).messages}
    assert set(history) == {sent.id, waited.id, streamed.id}
    for from_send in (sent, waited, streamed):
        from_history = history[from_send.id]
        assert isinstance(from_history, Message)
        assert common_fields(from_send) == common_fields(from_history)
        assert from_send.client_message_id == from_history.client_message_id is not None
        assert from_history.channel_id is None  # the history does not say
        assert from_history.attachments is None
        assert_utc(from_send.created_at, from_history.created_at)
    assert [as_wire_message(m) for m in (sent, waited, streamed)] == server.stored_messages(session.id)


# --- history ---------------------------------------------------------------------------------------------


def test_messages_page(server: LocalSessionsServer, client: ElizaClient, clock: ManualClock) -> None:
    session = client.sessions.create(server.agent_id, USER)
    for index in range(5):
        clock.advance(ms=10)
        client.sessions.send_and_wait(session.id, f"m{index}")
    page = client.sessions.messages(session.id, limit=3)
    assert isinstance(page, MessagePage)
    assert [m.content for m in page.messages] == ["m4", "m3", "m2"]
    assert page.has_more is True
    assert page.after == T0_DT + timedelta(milliseconds=50)
    assert page.before == T0_DT + timedelta(milliseconds=30)
    assert_utc(page.after, page.before)
    assert page.extra == {}
    rest = client.sessions.messages(session.id, before=page.before)
    assert [m.content for m in rest.messages] == ["m1", "m0"]
    assert rest.has_more is False
    stored = server.stored_messages(session.id)
    assert [as_wire_message(m) for m in reversed(page.messages + rest.messages)] == stored


def test_messages_of_an_empty_session(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(server.agent_id, USER)
    page = client.sessions.messages(session.id)
    assert page.messages == ()
    assert page.has_more is False
    assert page.before is None
    assert page.after is None


def test_history_includes_agent_replies(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(server.agent_id, USER)
    client.sessions.send_message(session.id, "echo me")
    assert server.wait_for_agent_replies()
    history = client.sessions.messages(session.id).messages
    # Both were stored in the same (manual-clock) millisecond, so their order is the server's tie order.
    by_author = {m.is_agent: m for m in history}
    assert len(history) == 2
    assert (by_author[True].content, by_author[True].author_id) == ("You said: echo me", server.agent_id)
    assert (by_author[False].content, by_author[False].author_id) == ("echo me", USER)
    assert by_author[True].client_message_id is None
    assert by_author[False].client_message_id is not None


def test_iter_messages(server: LocalSessionsServer, client: ElizaClient, clock: ManualClock) -> None:
    session = client.sessions.create(server.agent_id, USER)
    for index in range(7):
        clock.advance(ms=5)
        client.sessions.send_and_wait(session.id, f"m{index}")
    newest_first = client.sessions.iter_messages(session.id, page_size=3)
    assert isinstance(newest_first, MessageIterator)
    assert [m.content for m in newest_first] == [f"m{i}" for i in reversed(range(7))]
    oldest_first = list(client.sessions.iter_messages(session.id, oldest_first=True, page_size=2))
    assert [m.content for m in oldest_first] == [f"m{i}" for i in range(7)]
    assert [as_wire_message(m) for m in oldest_first] == server.stored_messages(session.id)
    first_two = list(itertools.islice(client.sessions.iter_messages(session.id, page_size=2), 2))
    assert [m.content for m in first_two] == ["m6", "m5"]

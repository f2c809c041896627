"""Streams (``sse`` sends): typed events in order, each yielded as soon as it arrives, the connection released when
the caller stops early, ``until_done()``, and the agent's failure as an ``ErrorEvent``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests
from requests.adapters import HTTPAdapter

from eliza_client import (
    AgentError,
    AgentResponse,
    APIConnectionError,
    ChunkEvent,
    DoneEvent,
    ElizaClient,
    ErrorEvent,
    ReplyLostError,
    StreamConsumedError,
    StreamEvent,
    UserMessageEvent,
)
from eliza_client.testing import FAIL_MARKER, NOSTREAM_MARKER, SILENT_MARKER, LocalSessionsServer

USER = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8"


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.01, chunk_delay=0.001) as running:
        yield running


@pytest.fixture
def client(server: LocalSessionsServer) -> Iterator[ElizaClient]:
    with ElizaClient(server.base_url) as running:
        running._transport.sleep = lambda seconds: None
        yield running


@pytest.fixture
def session_id(server: LocalSessionsServer, client: ElizaClient) -> str:
    return client.sessions.create(server.agent_id, USER).id


class Gate:
    """Replaces the server's pause between SSE events: the server may only write its next event once the test
    releases one permit (or gives up after a few seconds, which would end the stream)."""

    def __init__(self) -> None:
        self._permits = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._open = threading.Event()
        self.released = 0

    def pause(self, seconds: float) -> bool:
        if self._open.is_set():
            return True
        return self._permits.acquire(timeout=5)

    def open(self) -> None:
        """Let the server write everything it has left."""
        self._open.set()
        self._permits.release(100)

    def release(self) -> None:
        with self._lock:
            self.released += 1
        self._permits.release()


@pytest.fixture
def gate(server: LocalSessionsServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate()
    monkeypatch.setattr(server, "_pause", gate.pause)
    yield gate
    gate.open()


def test_events_arrive_in_order(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    with client.sessions.stream(session_id, "tell me something") as stream:
        events: list[StreamEvent] = list(stream)
    assert isinstance(events[0], UserMessageEvent)
    assert isinstance(events[-1], DoneEvent)
    chunks = events[1:-1]
    assert chunks
    assert all(isinstance(e, ChunkEvent) for e in chunks)
    assert [e.index for e in chunks if isinstance(e, ChunkEvent)] == list(range(len(chunks)))
    done = events[-1]
    assert isinstance(done, DoneEvent)
    assert isinstance(done.agent_response, AgentResponse)
    assert "".join(e.text for e in chunks if isinstance(e, ChunkEvent)) == done.agent_response.text
    assert done.agent_response.text == "You said: tell me something"
    assert {e.message_id for e in chunks if isinstance(e, ChunkEvent)} == {done.agent_response.response_id}
    stored = server.stored_messages(session_id)
    assert [m["id"] for m in stored] == [events[0].message.id]  # replies over sse are not stored


def test_each_event_is_yielded_before_the_server_writes_the_next(
    server: LocalSessionsServer, client: ElizaClient, session_id: str, gate: Gate
) -> None:
    received: list[tuple[type[StreamEvent], int]] = []
    with client.sessions.stream(session_id, "lockstep") as stream:
        events = iter(stream)
        while True:
            try:
                event = next(events)
            except StopIteration:
                break
            # When this event reaches the caller, the server has been allowed to write exactly this many
            # events after the first: it is blocked until the test lets it continue.
            received.append((type(event), gate.released))
            gate.release()
    assert received == [
        (UserMessageEvent, 0),
        (ChunkEvent, 1),
        (ChunkEvent, 2),
        (ChunkEvent, 3),
        (ChunkEvent, 4),
        (DoneEvent, 5),
    ]


def test_the_first_event_arrives_long_before_the_last() -> None:
    with LocalSessionsServer(rate_limit=None, chunk_delay=0.15) as slow, ElizaClient(slow.base_url) as client:
        session = client.sessions.create(slow.agent_id, USER)
        arrivals: list[float] = []
        with client.sessions.stream(session.id, "slowly please") as stream:
            for _ in stream:
                arrivals.append(time.monotonic())
    # The server pauses 0.15 s before each of its 4 chunks and the done event: at least 0.75 s in all.
    assert len(arrivals) == 6
    assert arrivals == sorted(arrivals)
    assert arrivals[-1] - arrivals[0] >= 0.6


def test_stopping_early_releases_the_connection(server: LocalSessionsServer, session_id: str, gate: Gate) -> None:
    # One pooled connection, and a pool that blocks when it is exhausted: a leaked connection would hang the next
    # call forever, which the worker thread below turns into a failure.
    http = requests.Session()
    http.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=1, pool_block=True, max_retries=0))
    with ElizaClient(server.base_url, session=http) as client:
        streams = []
        for round_ in range(3):
            with client.sessions.stream(session_id, f"stop early {round_}") as stream:
                for event in stream:
                    assert isinstance(event, UserMessageEvent)
                    break
            streams.append(stream)
        gate.open()  # let the server write the rest into the closed connections
        # The stream is over: iterating again ends at once, without touching the network.
        for stream in streams:
            assert list(stream) == []
            assert stream.agent_response is None
            assert stream.message is not None

        results: list[str] = []

        def forty_calls() -> None:
            for index in range(40):
                if index % 2:
                    results.append(client.sessions.get(session_id).id)
                else:
                    results.append(client.sessions.health().status)

        worker = threading.Thread(target=forty_calls, daemon=True)
        worker.start()
        worker.join(timeout=30)
        assert not worker.is_alive(), "a stream kept its pooled connection"
        assert len(results) == 40
    assert [m["content"] for m in server.stored_messages(session_id)] == [f"stop early {i}" for i in range(3)]
    http.close()


def test_close_without_with_and_a_stream_closed_before_reading(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    stream = client.sessions.stream(session_id, "never read")
    stream.close()
    stream.close()  # idempotent
    with pytest.raises(StreamConsumedError):
        iter(stream)
    assert server.stored_messages(session_id)[0]["content"] == "never read"
    assert client.sessions.health().status == "healthy"


def test_a_finished_stream_iterates_empty(client: ElizaClient, session_id: str) -> None:
    stream = client.sessions.stream(session_id, "once")
    first = list(stream)
    assert isinstance(first[-1], DoneEvent)
    assert list(stream) == []
    assert stream.until_done() == first[-1].agent_response


def test_until_done(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    with client.sessions.stream(session_id, "all at once") as stream:
        response = stream.until_done()
    assert isinstance(response, AgentResponse)
    assert response.text == "You said: all at once"
    assert stream.text == response.text
    assert stream.agent_response == response
    assert stream.message is not None
    assert stream.message.content == "all at once"
    assert server.stored_messages(session_id)[0]["id"] == stream.message.id


def test_until_done_after_a_partial_read(client: ElizaClient, session_id: str) -> None:
    with client.sessions.stream(session_id, "partial") as stream:
        first = next(iter(stream))
        assert isinstance(first, UserMessageEvent)
        assert stream.until_done().text == "You said: partial"


def test_agent_failure_is_an_error_event(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    with client.sessions.stream(session_id, "fail " + FAIL_MARKER) as stream:
        events = list(stream)
    assert [type(e) for e in events] == [UserMessageEvent, ErrorEvent]
    error = events[1]
    assert isinstance(error, ErrorEvent)
    assert error.error == "Agent Eliza failed to generate a response"
    assert stream.error == error.error
    assert stream.agent_response is None
    with pytest.warns(DeprecationWarning, match="agent_response"):
        assert stream.response is None  # the deprecated alias
    with pytest.raises(AgentError, match="Agent Eliza failed"):
        stream.until_done()
    assert len(server.stored_messages(session_id)) == 1


def test_an_agent_failure_is_one_error_class_from_send_and_wait_and_from_a_stream(
    client: ElizaClient, session_id: str
) -> None:
    with pytest.raises(AgentError) as waited:
        client.sessions.send_and_wait(session_id, "a " + FAIL_MARKER, client_message_id="id-wait")
    with client.sessions.stream(session_id, "b " + FAIL_MARKER, client_message_id="id-stream") as stream:
        with pytest.raises(AgentError) as streamed:
            stream.until_done()
    for excinfo, operation, cmid, content in (
        (waited, "send_and_wait", "id-wait", "a " + FAIL_MARKER),
        (streamed, "stream", "id-stream", "b " + FAIL_MARKER),
    ):
        error = excinfo.value
        assert not isinstance(error, APIConnectionError)  # retrying network trouble must not repeat it
        assert (error.operation, error.client_message_id, error.delivery) == (operation, cmid, "stored")
        assert error.sent_message.content == content
        assert error.session_id == session_id


def test_until_done_raises_on_error_event(client: ElizaClient, session_id: str) -> None:
    with client.sessions.stream(session_id, FAIL_MARKER) as stream, pytest.raises(AgentError) as excinfo:
        stream.until_done()
    assert excinfo.value.status_code == 200
    assert excinfo.value.operation == "stream"


def test_a_silent_agent_ends_the_stream_without_done(client: ElizaClient, session_id: str) -> None:
    with client.sessions.stream(session_id, SILENT_MARKER) as stream:
        assert [type(e) for e in stream] == [UserMessageEvent]
    with pytest.raises(AgentError, match="without a done event"):
        stream.until_done()


def test_a_non_streaming_model_sends_done_only(client: ElizaClient, session_id: str) -> None:
    with client.sessions.stream(session_id, "whole " + NOSTREAM_MARKER) as stream:
        events = list(stream)
    assert [type(e) for e in events] == [UserMessageEvent, DoneEvent]
    assert stream.text == "You said: whole " + NOSTREAM_MARKER


def test_a_stream_cut_midway_raises_after_the_events_received(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.truncate_body(route="send_message")
    received: list[StreamEvent] = []

    def read_all() -> None:
        with client.sessions.stream(session_id, "cut me off") as stream:
            received.extend(stream)

    # The stored user message arrived: the reply is lost, and the error says so (do not resend).
    with pytest.raises(ReplyLostError) as excinfo:
        read_all()
    assert isinstance(received[0], UserMessageEvent)
    assert not any(isinstance(e, DoneEvent) for e in received)
    assert excinfo.value.delivery == "stored"
    assert excinfo.value.sent_message == received[0].message
    cause = excinfo.value.__cause__
    assert isinstance(cause, APIConnectionError)
    assert cause.operation == "stream"
    assert client.sessions.health().status == "healthy"

"""Every error class from a real server answer (local server over HTTP), and, through the ``responses`` mock,
the shapes the local server cannot produce: unknown fields and values (kept, never fatal) and malformed 2xx bodies
(``ResponseValidationError`` naming the field)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import responses

from eliza_client import (
    AgentError,
    AgentNotFoundError,
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ElizaClient,
    ElizaError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    ResponseValidationError,
    SessionExpiredError,
    SessionGoneError,
    SessionNotFoundError,
    UnknownEvent,
    UserMessageEvent,
)
from eliza_client.testing import FAIL_MARKER, LocalSessionsServer, ManualClock

T0 = 1767175200000
USER = "3c2b1a09-8f7e-4d6c-9b5a-4a3b2c1d0e9f"
UNKNOWN = "00000000-0000-4000-8000-00000000abcd"
STACK_MARK = "/srv/secret-build-path/index.js"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def server(clock: ManualClock) -> Iterator[LocalSessionsServer]:
    env = {"SESSION_CLEANUP_INTERVAL_MINUTES": "60", "SESSION_MIN_TIMEOUT_MINUTES": "10"}
    with LocalSessionsServer(clock=clock, rate_limit=None, reply_delay=0.01, env=env) as running:
        yield running


@pytest.fixture
def client(server: LocalSessionsServer) -> Iterator[ElizaClient]:
    with ElizaClient(server.base_url) as running:
        running._transport.sleep = lambda seconds: None
        yield running


@pytest.fixture
def session_id(server: LocalSessionsServer, client: ElizaClient) -> str:
    return client.sessions.create(server.agent_id, USER).id


def assert_no_stack(error: APIStatusError) -> None:
    assert "stack" not in json.dumps(error.body, default=str)
    assert "node_modules" not in repr(vars(error))
    assert "    at " not in str(error)


# --- 400 ---------------------------------------------------------------------------------------------------


def test_400_from_a_server_rule_the_client_does_not_know(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    # This server is configured with a 10-minute minimum; the client only knows the default bounds (5-1440).
    before = server.request_count
    with pytest.raises(BadRequestError) as excinfo:
        client.sessions.update_timeout(session_id, timeout_minutes=7)
    error = excinfo.value
    assert server.request_count - before == 2  # the read of the current config, then the PATCH; no retry
    assert error.status_code == 400
    assert error.code == "VALIDATION_ERROR"
    assert error.operation == "update_timeout"
    assert "Timeout must be between 10 and 1440 minutes" in error.message
    assert error.details["reason"] == "Timeout must be between 10 and 1440 minutes"
    assert error.details["providedConfig"]["timeoutMinutes"] == 7
    assert str(error).startswith("400 VALIDATION_ERROR: ")
    assert_no_stack(error)


def test_400_on_send_is_not_retried_and_stores_nothing(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    body = {
        "error": {
            "code": "VALIDATION_ERROR",
            "message": "Content rejected by policy",
            "details": {"rule": "policy"},
            "stack": f"Error: Content rejected\n    at handler ({STACK_MARK}:1:2)",
        }
    }
    server.faults.fail_next(400, body=body, route="send_message")
    before = server.request_count
    with pytest.raises(BadRequestError) as excinfo:
        client.sessions.send_message(session_id, "rejected")
    assert server.request_count - before == 1
    assert excinfo.value.code == "VALIDATION_ERROR"
    assert excinfo.value.message == "Content rejected by policy"
    assert excinfo.value.details == {"rule": "policy"}
    assert STACK_MARK not in repr(vars(excinfo.value))
    assert_no_stack(excinfo.value)
    assert server.stored_messages(session_id) == []


# --- 401 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("api_key", [None, "wrong-key"])
def test_401_without_or_with_a_wrong_key(api_key: str | None) -> None:
    with LocalSessionsServer(api_key="the-right-key", rate_limit=None) as server:
        with ElizaClient(server.base_url, api_key=api_key) as client:
            before = server.request_count
            with pytest.raises(AuthenticationError) as excinfo:
                client.sessions.health()
            assert server.request_count - before == 1  # never retried
        error = excinfo.value
        assert error.status_code == 401
        assert error.code is None
        assert error.message == "API key required (Missing or invalid X-API-KEY header)"
        assert error.body == {"error": "API key required", "message": "Missing or invalid X-API-KEY header"}
        with ElizaClient(server.base_url, api_key="the-right-key") as client:
            assert client.sessions.health().status == "healthy"


# --- 404 / 410 -----------------------------------------------------------------------------------------------


def test_404_session_not_found(server: LocalSessionsServer, client: ElizaClient) -> None:
    for call in (
        lambda: client.sessions.get(UNKNOWN),
        lambda: client.sessions.renew(UNKNOWN),
        lambda: client.sessions.heartbeat(UNKNOWN),
        lambda: client.sessions.messages(UNKNOWN),
        lambda: client.sessions.send_message(UNKNOWN, "hi"),
        lambda: client.sessions.delete(UNKNOWN),
    ):
        with pytest.raises(SessionNotFoundError) as excinfo:
            call()
        error = excinfo.value
        assert isinstance(error, NotFoundError)
        assert isinstance(error, SessionGoneError)
        assert error.status_code == 404
        assert error.code == "SESSION_NOT_FOUND"
        assert UNKNOWN in error.message
        assert_no_stack(error)


def test_404_agent_not_found(server: LocalSessionsServer, client: ElizaClient) -> None:
    before = server.request_count
    with pytest.raises(AgentNotFoundError) as excinfo:
        client.sessions.create(UNKNOWN, USER)
    assert server.request_count - before == 1
    error = excinfo.value
    assert isinstance(error, NotFoundError)
    assert not isinstance(error, SessionGoneError)
    assert (error.status_code, error.code, error.operation) == (404, "AGENT_NOT_FOUND", "create")
    assert UNKNOWN in error.message
    assert_no_stack(error)


def test_an_unknown_404_is_a_plain_not_found(server: LocalSessionsServer, client: ElizaClient) -> None:
    server.faults.fail_next(
        404, body={"success": False, "error": {"code": 404, "message": "API endpoint not found"}}, route="list_sessions"
    )
    with pytest.raises(NotFoundError) as excinfo:
        client.sessions.list()
    assert type(excinfo.value) is NotFoundError
    assert excinfo.value.code == 404
    assert str(excinfo.value) == "404: API endpoint not found"


def test_410_then_404_are_both_session_gone(
    server: LocalSessionsServer, client: ElizaClient, clock: ManualClock, session_id: str
) -> None:
    clock.advance(minutes=31)
    caught: list[SessionGoneError] = []
    for _ in range(2):
        try:
            client.sessions.get(session_id)
        except SessionGoneError as gone:
            caught.append(gone)
    assert [type(e) for e in caught] == [SessionExpiredError, SessionNotFoundError]
    assert [(e.status_code, e.code) for e in caught] == [(410, "SESSION_EXPIRED"), (404, "SESSION_NOT_FOUND")]
    for error in caught:
        assert_no_stack(error)


def test_sending_to_an_expired_session(
    server: LocalSessionsServer, client: ElizaClient, clock: ManualClock, session_id: str
) -> None:
    clock.advance(minutes=31)
    before = server.request_count
    with pytest.raises(SessionExpiredError):
        client.sessions.send_message(session_id, "too late")
    assert server.request_count - before == 1  # a definite answer: no reconciliation, no retry
    assert server.stored_messages(session_id) == []
    with pytest.raises(SessionGoneError):
        client.sessions.send_and_wait(session_id, "still too late")


# --- 429 ---------------------------------------------------------------------------------------------------


def test_429_rate_limit_with_retry_after() -> None:
    with LocalSessionsServer(rate_limit=2, rate_limit_window_seconds=120) as server:
        with ElizaClient(server.base_url, max_retries=0) as client:
            client.sessions.health()
            client.sessions.list()
            with pytest.raises(RateLimitError) as excinfo:
                client.sessions.health()
        error = excinfo.value
        assert error.status_code == 429
        assert error.code == "RATE_LIMIT_EXCEEDED"
        assert error.message == "Too many requests. Please try again later."
        assert error.retry_after == 120.0
        assert error.headers["ratelimit-limit"] == "2"
        assert error.headers["ratelimit-remaining"] == "0"
        assert "retry_after=120.0" in repr(error)


def test_429_with_a_wait_above_the_cap_is_not_slept() -> None:
    with LocalSessionsServer(rate_limit=1) as server, ElizaClient(server.base_url, max_retries=2) as client:
        slept: list[float] = []
        client._transport.sleep = slept.append
        client.sessions.health()
        before = server.request_count
        with pytest.raises(RateLimitError) as excinfo:
            client.sessions.health()
        assert server.request_count - before == 1
        assert slept == []
        assert excinfo.value.retry_after == 900.0


# --- 5xx ---------------------------------------------------------------------------------------------------


def test_plain_string_500_shape(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    body = {"success": False, "error": "Failed to process message in HTTP transport"}
    server.faults.fail_next(500, body=body, count=3, route="get_session")
    before = server.request_count
    with pytest.raises(InternalServerError) as excinfo:
        client.sessions.get(session_id)
    assert server.request_count - before == 3  # an idempotent read: retried twice
    error = excinfo.value
    assert error.status_code == 500
    assert error.code is None
    assert error.message == "Failed to process message in HTTP transport"
    assert error.body == body
    assert str(error) == "500: Failed to process message in HTTP transport"


def test_503_middleware_shape(server: LocalSessionsServer, client: ElizaClient) -> None:
    server.faults.fail_next(503, count=3, route="list_sessions")
    with pytest.raises(InternalServerError) as excinfo:
        client.sessions.list()
    assert (excinfo.value.status_code, excinfo.value.code) == (503, "SERVICE_UNAVAILABLE")
    assert excinfo.value.message == "Service Unavailable"


def test_agent_failure_in_send_and_wait_is_an_agent_error(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    before = server.request_count
    with pytest.raises(AgentError) as excinfo:
        client.sessions.send_and_wait(session_id, "please fail " + FAIL_MARKER)
    error = excinfo.value
    assert not isinstance(error, APIConnectionError)  # code retrying network trouble must not repeat it
    assert error.status_code == 500
    assert error.reason == "Failed to process message in HTTP transport"
    assert error.operation == "send_and_wait"
    assert error.delivery == "stored"
    assert error.sent_message.content == "please fail " + FAIL_MARKER
    assert isinstance(error.__cause__, InternalServerError)
    assert error.__cause__.code is None
    # What `except InternalServerError` code read before AgentError had its own class is still there.
    assert (
        error.body == error.__cause__.body == {"success": False, "error": "Failed to process message in HTTP transport"}
    )
    assert error.headers == error.__cause__.headers
    assert (error.code, error.details) == (None, None)
    # The message was stored before the agent failed: found in the history, never sent twice.
    # The send, one history page, and (once per client: it had seen no answer from this server yet) the version
    # endpoint, asked whether this release keeps the reply in the history (1.7.2 does not).
    assert server.request_count - before == 3
    assert [m["content"] for m in server.stored_messages(session_id)] == ["please fail " + FAIL_MARKER]


# --- shapes only a mock can produce ----------------------------------------------------------------------

BASE = "http://eliza.invalid"
SESSIONS = f"{BASE}/api/messaging/sessions"
SID = "11111111-2222-4333-8444-555555555555"


def session_json(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sessionId": SID,
        "channelId": "66666666-7777-4888-9999-aaaaaaaaaaaa",
        "agentId": "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff",
        "userId": USER,
        "createdAt": "2025-12-31T10:00:00.000Z",
        "lastActivity": "2025-12-31T10:00:00.000Z",
        "metadata": {},
        "expiresAt": "2025-12-31T10:30:00.000Z",
        "timeoutConfig": {
            "timeoutMinutes": 30,
            "autoRenew": True,
            "maxDurationMinutes": 720,
            "warningThresholdMinutes": 5,
        },
        "renewalCount": 0,
        "timeRemaining": 1800000,
        "isNearExpiration": False,
    }
    body.update(changes)
    return body


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def mock_client() -> Iterator[ElizaClient]:
    with ElizaClient(BASE, max_retries=0) as running:
        yield running


def test_unknown_fields_and_values_are_kept(mocked: responses.RequestsMock, mock_client: ElizaClient) -> None:
    mocked.get(
        f"{SESSIONS}/health",
        json={
            "status": "degraded",
            "activeSessions": 3,
            "timestamp": "2025-12-31T10:00:00.000Z",
            "expiringSoon": 1,
            "invalidSessions": 2,
            "uptime": 12.5,
            "region": "eu-west",
            "dependencies": {"db": "slow"},
        },
    )
    health = mock_client.sessions.health()
    assert health.status == "degraded"
    assert health.invalid_sessions == 2
    assert health.uptime.total_seconds() == 12.5
    assert health.extra == {"region": "eu-west", "dependencies": {"db": "slow"}}

    mocked.get(f"{SESSIONS}/{SID}", json=session_json(priority="high", timeRemaining=90_500))
    session = mock_client.sessions.get(SID)
    assert session.extra == {"priority": "high"}
    assert session.time_remaining.total_seconds() == 90.5

    mocked.get(
        SESSIONS,
        json={
            "sessions": [session_json()],
            "total": 1,
            "stats": {"totalSessions": 1, "activeSessions": 1, "expiredSessions": 0},
            "nextPage": None,
        },
    )
    listing = mock_client.sessions.list()
    assert listing.extra == {"nextPage": None}
    assert listing.sessions[0].id == SID

    mocked.get(
        f"{SESSIONS}/{SID}/messages",
        json={
            "messages": [
                {
                    "id": UNKNOWN,
                    "content": "hi",
                    "authorId": USER,
                    "isAgent": False,
                    "createdAt": "2025-12-31T10:00:00.000Z",
                    "metadata": "not an object",
                    "reactions": ["+1"],
                }
            ],
            "hasMore": False,
            "cursors": {"before": 1767175200000, "after": 1767175200000},
            "total": 1,
        },
    )
    page = mock_client.sessions.messages(SID)
    assert page.extra == {"total": 1}
    message = page.messages[0]
    assert message.metadata == {}
    assert message.extra == {"reactions": ["+1"], "metadata": "not an object"}


def test_unknown_stream_event(mocked: responses.RequestsMock, mock_client: ElizaClient) -> None:
    user_message = {
        "id": UNKNOWN,
        "channel_id": "66666666-7777-4888-9999-aaaaaaaaaaaa",
        "author_id": USER,
        "content": "hi",
        "created_at": T0,
        "source_type": "user",
        "metadata": {},
        "thread": "t-1",
    }
    body = (
        f"event: user_message\ndata: {json.dumps(user_message)}\n\n"
        'event: progress\ndata: {"pct": 50}\n\n'
        'event: done\ndata: {"text": "ok", "mood": "happy"}\n\n'
    )
    mocked.post(f"{SESSIONS}/{SID}/messages", body=body, content_type="text/event-stream")
    with mock_client.sessions.stream(SID, "hi") as stream:
        events = list(stream)
    assert isinstance(events[0], UserMessageEvent)
    assert events[0].message.extra == {"thread": "t-1"}
    assert events[1] == UnknownEvent(event="progress", data='{"pct": 50}')
    assert stream.agent_response is not None
    assert stream.agent_response.text == "ok"
    assert stream.agent_response.extra == {"mood": "happy"}


@pytest.mark.parametrize(
    ("method", "path", "body", "call", "field"),
    [
        pytest.param(
            "GET", f"/{SID}", session_json(sessionId=42), lambda c: c.sessions.get(SID), "sessionId", id="wrong-type"
        ),
        pytest.param(
            "GET",
            f"/{SID}",
            session_json(expiresAt="soon"),
            lambda c: c.sessions.get(SID),
            "expiresAt",
            id="bad-timestamp",
        ),
        pytest.param(
            "GET",
            f"/{SID}",
            session_json(timeoutConfig={"timeoutMinutes": "30", "autoRenew": True}),
            lambda c: c.sessions.get(SID),
            "timeoutConfig",
            id="nested",
        ),
        pytest.param(
            "POST",
            "",
            {k: v for k, v in session_json().items() if k != "expiresAt"},
            lambda c: c.sessions.create(SID, USER),
            "expiresAt",
            id="create-missing",
        ),
        pytest.param(
            "GET",
            f"/{SID}/messages",
            {"messages": [{"id": UNKNOWN}], "hasMore": False},
            lambda c: c.sessions.messages(SID),
            "messages[0]",
            id="message-missing-fields",
        ),
        pytest.param(
            "GET",
            "/health",
            {"status": "healthy", "activeSessions": "3", "expiringSoon": 0, "timestamp": T0, "uptime": 1},
            lambda c: c.sessions.health(),
            "activeSessions",
            id="health-string-count",
        ),
    ],
)
def test_2xx_with_a_wrong_shape_names_the_field(
    mocked: responses.RequestsMock, mock_client: ElizaClient, method: str, path: str, body: Any, call: Any, field: str
) -> None:
    mocked.add(method, SESSIONS + path, json=body, status=201 if method == "POST" else 200)
    with pytest.raises(ResponseValidationError) as excinfo:
        call(mock_client)
    error = excinfo.value
    assert isinstance(error, ElizaError)
    assert error.field is not None
    assert error.field.startswith(field)
    assert error.status_code in (200, 201)
    assert field in str(error)


def test_2xx_that_is_not_json(mocked: responses.RequestsMock, mock_client: ElizaClient) -> None:
    mocked.get(f"{SESSIONS}/health", body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(ResponseValidationError) as excinfo:
        mock_client.sessions.health()
    assert excinfo.value.operation == "health"
    assert excinfo.value.status_code == 200


def test_proxy_html_error_page(mocked: responses.RequestsMock, mock_client: ElizaClient) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1>" + "x" * 2000 + "</body></html>"
    mocked.get(f"{SESSIONS}/{SID}", body=page, status=502, content_type="text/html")
    with pytest.raises(InternalServerError) as excinfo:
        mock_client.sessions.get(SID)
    error = excinfo.value
    assert error.message == "Bad Gateway"
    assert error.code is None
    assert isinstance(error.body, str)
    assert error.body.startswith("<html>")
    assert len(error.body) <= 500


def test_other_statuses_are_api_status_errors(mocked: responses.RequestsMock, mock_client: ElizaClient) -> None:
    mocked.get(f"{SESSIONS}/{SID}", json={"error": {"code": "GONE_FISHING", "message": "teapot"}}, status=418)
    with pytest.raises(APIStatusError) as excinfo:
        mock_client.sessions.get(SID)
    assert type(excinfo.value) is APIStatusError
    assert (excinfo.value.status_code, excinfo.value.code, excinfo.value.message) == (418, "GONE_FISHING", "teapot")

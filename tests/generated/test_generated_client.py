"""The generated low-level client (generated/eliza_sessions_api) over real HTTP against a stub server.

For every operation: the request line, the headers, the body encoding, and the parsing of every documented
response, including each error shape, an unknown extra field and an unknown enum-like value.
"""

from __future__ import annotations

import datetime
import json

import pytest
import requests

from eliza_sessions_api import AuthenticatedClient, Client
from eliza_sessions_api.api.sessions import (
    create_session,
    delete_session,
    get_session,
    get_sessions_health,
    list_messages,
    list_sessions,
    renew_session,
    send_heartbeat,
    send_message,
    update_session_timeout,
)
from eliza_sessions_api.errors import UnexpectedStatus
from eliza_sessions_api.models import (
    AgentResponse,
    AuthError,
    CreatedSession,
    CreateSessionRequest,
    DeletedSession,
    MessagePage,
    MiddlewareError,
    SendMessageRequest,
    SendMessageRequestTransport,
    SendMessageResponse,
    Session,
    SessionError,
    SessionList,
    SessionMetadataType0,
    SessionsHealth,
    TimeoutConfigInput,
    TransportFailure,
    UpdateTimeoutRequest,
)
from eliza_sessions_api.types import UNSET

from .conftest import StubServer

AGENT = "2f3c1b8e-5d4a-4c6b-9e7f-1a2b3c4d5e6f"
USER = "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"
SID = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
CHANNEL = "0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b"
BASE = f"/api/messaging/sessions/{SID}"
TIMEOUT_CONFIG = {"timeoutMinutes": 30, "autoRenew": True, "maxDurationMinutes": 720, "warningThresholdMinutes": 5}
SESSION = {
    "sessionId": SID,
    "channelId": CHANNEL,
    "agentId": AGENT,
    "userId": USER,
    "createdAt": "2025-12-31T10:00:00.000Z",
    "lastActivity": "2025-12-31T10:02:00.000Z",
    "metadata": {"platform": "web"},
    "expiresAt": "2025-12-31T10:32:00.000Z",
    "timeoutConfig": TIMEOUT_CONFIG,
    "renewalCount": 2,
    "timeRemaining": 1740000,
    "isNearExpiration": False,
}
USER_MESSAGE = {
    "id": "9b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
    "channel_id": CHANNEL,
    "message_server_id": "00000000-0000-0000-0000-000000000000",
    "author_id": USER,
    "content": "Hello",
    "created_at": 1767175260000,
    "source_type": "user",
    "raw_message": {"content": "Hello"},
    "metadata": {"sessionId": SID, "priority": "high"},
}
STACK = "Error: boom\n    at /srv/eliza/packages/server/dist/index.js:1:1"
NOT_FOUND = {
    "error": {
        "code": "SESSION_NOT_FOUND",
        "message": f"Session with ID '{SID}' not found",
        "timestamp": "2025-12-31T10:03:01.000Z",
        "stack": STACK,
    }
}
UTC = datetime.UTC


@pytest.fixture
def client(stub: StubServer) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=stub.base_url, token="secret-key", prefix="", auth_header_name="X-API-KEY", timeout=5.0
    )


def test_health_request_and_parsing(stub: StubServer, client: AuthenticatedClient) -> None:
    stub.respond(
        200,
        {
            "status": "healthy",
            "activeSessions": 1,
            "timestamp": "2025-12-31T10:06:00.123Z",
            "expiringSoon": 0,
            "uptime": 3721.482,
        },
    )
    health = get_sessions_health.sync(client=client)
    assert stub.last.method == "GET"
    assert stub.last.path == "/api/messaging/sessions/health"
    assert stub.last.headers["X-API-KEY"] == "secret-key"
    assert stub.last.body == b""
    assert isinstance(health, SessionsHealth)
    assert health.status == "healthy"
    assert health.uptime == pytest.approx(3721.482)
    assert health.timestamp == datetime.datetime(2025, 12, 31, 10, 6, 0, 123000, tzinfo=UTC)
    assert health.invalid_sessions is UNSET


def test_health_accepts_a_future_status_and_extra_fields(stub: StubServer, client: AuthenticatedClient) -> None:
    stub.respond(
        200,
        {
            "status": "degraded",
            "activeSessions": 3,
            "timestamp": "2025-12-31T10:06:00.123Z",
            "expiringSoon": 1,
            "invalidSessions": 2,
            "uptime": 1,
            "region": "eu-west",
        },
    )
    health = get_sessions_health.sync(client=client)
    assert isinstance(health, SessionsHealth)
    assert health.status == "degraded"
    assert health.invalid_sessions == 2
    assert health.additional_properties == {"region": "eu-west"}


def test_create_session_encodes_body_and_parses_201(stub: StubServer, client: AuthenticatedClient) -> None:
    created = {k: SESSION[k] for k in ("sessionId", "channelId", "agentId", "userId", "createdAt", "metadata")}
    stub.respond(201, {**created, "expiresAt": "2025-12-31T10:30:00.000Z", "timeoutConfig": TIMEOUT_CONFIG})
    body = CreateSessionRequest(
        agent_id=AGENT,
        user_id=USER,
        timeout_config=TimeoutConfigInput(timeout_minutes=30, auto_renew=False),
    )
    response = create_session.sync_detailed(client=client, body=body)
    assert stub.last.method == "POST"
    assert stub.last.path == "/api/messaging/sessions"
    assert stub.last.headers["Content-Type"] == "application/json"
    assert stub.last.json() == {
        "agentId": AGENT,
        "userId": USER,
        "timeoutConfig": {"timeoutMinutes": 30, "autoRenew": False},
    }
    assert response.status_code == 201
    assert isinstance(response.parsed, CreatedSession)
    assert response.parsed.session_id == SID
    assert response.parsed.timeout_config.auto_renew is True
    assert response.parsed.expires_at == datetime.datetime(2025, 12, 31, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "body", "expected_type", "code"),
    [
        (
            400,
            {
                "error": {
                    "code": "VALIDATION_ERROR",
                    "message": "Missing required fields: agentId, userId",
                    "timestamp": "2025-12-31T10:00:06.000Z",
                    "details": {"missingFields": ["agentId", "userId"]},
                    "stack": STACK,
                }
            },
            SessionError,
            "VALIDATION_ERROR",
        ),
        (
            400,
            {
                "success": False,
                "error": {"code": "INVALID_CONTENT_TYPE", "message": "Invalid or missing Content-Type header"},
            },
            MiddlewareError,
            "INVALID_CONTENT_TYPE",
        ),
        (
            404,
            {
                "error": {
                    "code": "AGENT_NOT_FOUND",
                    "message": f"Agent with ID '{AGENT}' not found",
                    "timestamp": "2025-12-31T10:00:08.000Z",
                }
            },
            SessionError,
            "AGENT_NOT_FOUND",
        ),
        (
            500,
            {"success": False, "error": {"message": "Unexpected end of JSON input", "code": 500}},
            MiddlewareError,
            500,
        ),
        (
            500,
            {
                "error": {
                    "code": "SESSION_CREATION_FAILED",
                    "message": "Failed to create session: Failed to create channel or add participants",
                    "timestamp": "2025-12-31T10:00:08.000Z",
                    "details": {"originalError": "db down"},
                }
            },
            SessionError,
            "SESSION_CREATION_FAILED",
        ),
    ],
)
def test_create_session_error_shapes(
    stub: StubServer,
    client: AuthenticatedClient,
    status: int,
    body: dict[str, object],
    expected_type: type,
    code: object,
) -> None:
    stub.respond(status, body)
    parsed = create_session.sync(client=client, body=CreateSessionRequest(agent_id=AGENT, user_id=USER))
    assert isinstance(parsed, expected_type)
    assert isinstance(parsed, SessionError | MiddlewareError)
    assert parsed.error.code == code


def test_session_error_keeps_details_and_stack_fields(stub: StubServer, client: AuthenticatedClient) -> None:
    stub.respond(404, NOT_FOUND)
    parsed = get_session.sync(SID, client=client)
    assert isinstance(parsed, SessionError)
    assert parsed.error.stack == STACK  # the low-level client keeps it; the facade must drop it
    assert parsed.error.timestamp == datetime.datetime(2025, 12, 31, 10, 3, 1, tzinfo=UTC)


def test_get_session_parses_every_field(stub: StubServer, client: AuthenticatedClient) -> None:
    stub.respond(200, {**SESSION, "futureField": {"nested": True}})
    parsed = get_session.sync(SID, client=client)
    assert stub.last.method == "GET"
    assert stub.last.path == BASE
    assert isinstance(parsed, Session)
    assert parsed.time_remaining == 1740000
    assert parsed.renewal_count == 2
    # SessionMetadata is one type list (object | string | array | number | boolean): the object branch is its
    # own generated model, the others plain Python values.
    assert isinstance(parsed.metadata, SessionMetadataType0)
    assert parsed.metadata.additional_properties == {"platform": "web"}
    assert parsed.additional_properties == {"futureField": {"nested": True}}


@pytest.mark.parametrize("metadata", ["abc", ["p", "q"], 7, 2.5, True, {}])
def test_session_metadata_that_is_not_an_object_parses_as_sent(
    stub: StubServer, client: AuthenticatedClient, metadata: object
) -> None:
    # The server echoes whatever JSON value the creator sent; the generated model keeps it, typed.
    stub.respond(200, {**SESSION, "metadata": metadata})
    parsed = get_session.sync(SID, client=client)
    assert isinstance(parsed, Session)
    value = parsed.metadata.to_dict() if isinstance(parsed.metadata, SessionMetadataType0) else parsed.metadata
    assert value == metadata
    assert type(value) is type(metadata)


@pytest.mark.parametrize("auto_renew", [True, False, "false", 0, None, [1], {"x": 1}])
def test_auto_renew_of_any_json_type_parses_as_sent(
    stub: StubServer, client: AuthenticatedClient, auto_renew: object
) -> None:
    # Create stores autoRenew verbatim, whatever its type; the typed union keeps every value.
    stub.respond(200, {**SESSION, "timeoutConfig": {**SESSION["timeoutConfig"], "autoRenew": auto_renew}})
    parsed = get_session.sync(SID, client=client)
    assert isinstance(parsed, Session)
    value = parsed.timeout_config.auto_renew
    value = value.to_dict() if hasattr(value, "to_dict") else value
    assert value == auto_renew


def test_get_session_410_then_404(stub: StubServer, client: AuthenticatedClient) -> None:
    expired = {
        "error": {
            "code": "SESSION_EXPIRED",
            "message": f"Session '{SID}' expired at 2025-12-31T10:32:00.000Z",
            "timestamp": "2025-12-31T10:32:30.000Z",
        }
    }
    stub.respond(410, expired)
    stub.respond(404, NOT_FOUND)
    first = get_session.sync_detailed(SID, client=client)
    second = get_session.sync_detailed(SID, client=client)
    assert first.status_code == 410
    assert isinstance(first.parsed, SessionError)
    assert first.parsed.error.code == "SESSION_EXPIRED"
    assert second.status_code == 404
    assert isinstance(second.parsed, SessionError)
    assert second.parsed.error.code == "SESSION_NOT_FOUND"


def test_path_parameter_is_quoted(stub: StubServer, client: AuthenticatedClient) -> None:
    stub.respond(404, NOT_FOUND)
    get_session.sync("a/b c", client=client)
    assert stub.last.path == "/api/messaging/sessions/a%2Fb%20c"


def test_list_sessions(stub: StubServer, client: AuthenticatedClient) -> None:
    stub.respond(
        200,
        {"sessions": [SESSION], "total": 1, "stats": {"totalSessions": 2, "activeSessions": 1, "expiredSessions": 1}},
    )
    parsed = list_sessions.sync(client=client)
    assert (stub.last.method, stub.last.path) == ("GET", "/api/messaging/sessions")
    assert isinstance(parsed, SessionList)
    assert [s.session_id for s in parsed.sessions] == [SID]
    assert parsed.stats.expired_sessions == 1


def test_delete_session(stub: StubServer, client: AuthenticatedClient) -> None:
    stub.respond(200, {"success": True, "message": f"Session {SID} deleted successfully"})
    parsed = delete_session.sync(SID, client=client)
    assert (stub.last.method, stub.last.path, stub.last.body) == ("DELETE", BASE, b"")
    assert isinstance(parsed, DeletedSession)
    assert parsed.success is True


def test_send_message_websocket(stub: StubServer, client: AuthenticatedClient) -> None:
    status = {
        "expiresAt": "2025-12-31T10:31:00.000Z",
        "renewalCount": 1,
        "wasRenewed": True,
        "isNearExpiration": False,
    }
    stub.respond(201, {"success": True, "userMessage": USER_MESSAGE, "sessionStatus": status})
    body = SendMessageRequest(content="Hello", transport=SendMessageRequestTransport.WEBSOCKET)
    parsed = send_message.sync(SID, client=client, body=body)
    assert (stub.last.method, stub.last.path) == ("POST", f"{BASE}/messages")
    assert stub.last.json() == {"content": "Hello", "transport": "websocket"}
    assert isinstance(parsed, SendMessageResponse)
    assert parsed.user_message.created_at == 1767175260000
    assert "in_reply_to_message_id" not in parsed.user_message.additional_properties
    assert parsed.agent_response is UNSET
    assert parsed.session_status is not UNSET


def test_send_message_http_with_agent_response_and_null(stub: StubServer, client: AuthenticatedClient) -> None:
    reply = {"text": "4.", "thought": "Simple arithmetic", "actions": ["REPLY"], "simple": True, "extra": 1}
    stub.respond(201, {"success": True, "userMessage": USER_MESSAGE, "agentResponse": reply})
    stub.respond(201, {"success": True, "userMessage": USER_MESSAGE, "agentResponse": None})
    body = SendMessageRequest(content="What is 2+2?", transport=SendMessageRequestTransport.HTTP)
    first = send_message.sync(SID, client=client, body=body)
    second = send_message.sync(SID, client=client, body=body)
    assert isinstance(first, SendMessageResponse)
    assert isinstance(first.agent_response, AgentResponse)
    assert first.agent_response.text == "4."
    assert first.agent_response.additional_properties == {"extra": 1}
    assert isinstance(second, SendMessageResponse)
    assert second.agent_response is None


def test_send_message_transport_failure_is_parsed(stub: StubServer, client: AuthenticatedClient) -> None:
    stub.respond(500, {"success": False, "error": "Failed to process message in HTTP transport"})
    body = SendMessageRequest(content="x", transport=SendMessageRequestTransport.HTTP)
    parsed = send_message.sync(SID, client=client, body=body)
    assert isinstance(parsed, TransportFailure)
    assert parsed.error == "Failed to process message in HTTP transport"


def test_send_message_sse_can_stream(stub: StubServer, client: AuthenticatedClient) -> None:
    events = (
        b"event: user_message\ndata: " + json.dumps(USER_MESSAGE).encode() + b"\n\n"
        b'event: chunk\ndata: {"messageId":"m","chunk":"Hi","index":0}\n\n'
        b'event: done\ndata: {"text":"Hi"}\n\n'
    )
    stub.respond(200, events, {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    body = SendMessageRequest(content="Hi", transport=SendMessageRequestTransport.SSE)
    with send_message.sync_raw(SID, client=client, body=body, stream=True) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/event-stream"
        lines = [line for line in response.iter_lines() if line]
    assert lines[0] == b"event: user_message"
    assert lines[-1] == b'data: {"text":"Hi"}'
    assert stub.last.json() == {"content": "Hi", "transport": "sse"}


def test_list_messages_query_and_page(stub: StubServer, client: AuthenticatedClient) -> None:
    message = {
        "id": "8c7d6e5f-4a3b-4c2d-9e1f-0a9b8c7d6e5f",
        "content": "What is 2+2?",
        "authorId": USER,
        "isAgent": False,
        "createdAt": "2025-12-31T10:02:00.000Z",
        "metadata": {"sessionId": SID},
    }
    stub.respond(
        200, {"messages": [message], "hasMore": True, "cursors": {"before": 1767175320000, "after": 1767175320000}}
    )
    stub.respond(200, {"messages": [], "hasMore": False})
    page = list_messages.sync(SID, client=client, limit=1, before=1767175400000)
    assert stub.last.method == "GET"
    assert stub.last.path == f"{BASE}/messages?limit=1&before=1767175400000"
    assert isinstance(page, MessagePage)
    assert page.has_more is True
    assert page.cursors is not UNSET
    assert page.cursors.before == 1767175320000
    assert page.messages[0].created_at == datetime.datetime(2025, 12, 31, 10, 2, tzinfo=UTC)
    empty = list_messages.sync(SID, client=client, after=5)
    assert stub.last.path == f"{BASE}/messages?limit=50&after=5"
    assert isinstance(empty, MessagePage)
    assert empty.messages == []
    assert empty.cursors is UNSET


def test_renew_and_heartbeat_send_no_body(stub: StubServer, client: AuthenticatedClient) -> None:
    stub.respond(200, SESSION)
    stub.respond(200, SESSION)
    renewed = renew_session.sync(SID, client=client)
    assert (stub.last.method, stub.last.path, stub.last.body) == ("POST", f"{BASE}/renew", b"")
    assert "Content-Type" not in stub.last.headers
    beat = send_heartbeat.sync(SID, client=client)
    assert (stub.last.method, stub.last.path, stub.last.body) == ("POST", f"{BASE}/heartbeat", b"")
    assert isinstance(renewed, Session)
    assert isinstance(beat, Session)


def test_update_timeout(stub: StubServer, client: AuthenticatedClient) -> None:
    stub.respond(200, {**SESSION, "timeoutConfig": {**TIMEOUT_CONFIG, "timeoutMinutes": 90}})
    body = UpdateTimeoutRequest(timeout_minutes=90, auto_renew=False)
    parsed = update_session_timeout.sync(SID, client=client, body=body)
    assert (stub.last.method, stub.last.path) == ("PATCH", f"{BASE}/timeout")
    assert stub.last.json() == {"timeoutMinutes": 90, "autoRenew": False}
    assert isinstance(parsed, Session)
    assert parsed.timeout_config.timeout_minutes == 90


def test_401_and_429_shapes(stub: StubServer) -> None:
    anonymous = Client(base_url=stub.base_url, timeout=5.0)
    stub.respond(401, {"error": "API key required", "message": "Missing or invalid X-API-KEY header"})
    rate = {
        "RateLimit-Policy": "1000;w=900",
        "RateLimit-Limit": "1000",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "42",
        "Retry-After": "42",
    }
    too_many = {
        "success": False,
        "error": {"code": "RATE_LIMIT_EXCEEDED", "message": "Too many requests. Please try again later."},
    }
    stub.respond(429, too_many, rate)
    unauthorized = get_sessions_health.sync(client=anonymous)
    assert "X-API-KEY" not in stub.last.headers
    assert isinstance(unauthorized, AuthError)
    assert unauthorized.error == "API key required"
    limited = get_sessions_health.sync_detailed(client=anonymous)
    assert isinstance(limited.parsed, MiddlewareError)
    assert limited.parsed.error.code == "RATE_LIMIT_EXCEEDED"
    assert limited.headers["retry-after"] == "42"
    assert limited.headers["RateLimit-Reset"] == "42"


def test_undocumented_status(stub: StubServer) -> None:
    strict = Client(base_url=stub.base_url, raise_on_unexpected_status=True)
    lenient = Client(base_url=stub.base_url)
    stub.respond(418, b"teapot")
    stub.respond(418, b"teapot")
    assert get_sessions_health.sync(client=lenient) is None
    with pytest.raises(UnexpectedStatus) as excinfo:
        get_sessions_health.sync(client=strict)
    assert excinfo.value.status_code == 418


def test_per_request_headers_timeout_and_shared_session(stub: StubServer, client: AuthenticatedClient) -> None:
    session = requests.Session()
    client.set_requests_session(session)
    stub.respond(200, SESSION)
    get_session.sync(SID, client=client, headers={"X-Trace": "abc"}, timeout=(1.0, 2.0), verify=False)
    assert stub.last.headers["X-Trace"] == "abc"
    assert stub.last.headers["X-API-KEY"] == "secret-key"
    # The client never writes its settings into a session it was given.
    assert "X-API-KEY" not in session.headers
    assert "X-Trace" not in session.headers
    timed = client.with_timeout(0.5)
    assert timed.get_requests_session() is session
    stub.respond(200, SESSION)
    get_session.sync(SID, client=timed)
    assert "X-Trace" not in stub.last.headers


def test_client_send_translates_generic_request(stub: StubServer) -> None:
    client = Client(base_url=stub.base_url + "/", headers={"X-Client": "1"})
    stub.respond(200, {})
    response = client.send(
        {
            "method": "post",
            "url": "/raw",
            "params": {"flag": True, "off": False, "many": [True, 1]},
            "content": b"\x00raw bytes",
            "headers": {"Content-Type": "application/octet-stream"},
        },
        headers={"X-Call": "2"},
    )
    assert response.status_code == 200
    assert stub.last.path == "/raw?flag=true&off=false&many=true&many=1"
    assert stub.last.body == b"\x00raw bytes"
    assert stub.last.headers["Content-Type"] == "application/octet-stream"
    assert stub.last.headers["X-Client"] == "1"
    assert stub.last.headers["X-Call"] == "2"


def test_repr_hides_token_and_headers() -> None:
    client = AuthenticatedClient(
        base_url="http://127.0.0.1:1", token="sk-very-secret", headers={"X-API-KEY": "sk-very-secret"}
    )
    assert "sk-very-secret" not in repr(client)
    assert "sk-very-secret" not in repr(client.with_headers({"X-Other": "1"}))

"""``server_version``: the send route of 1.6.5 / 1.7.0 / 1.7.2 / 1.7.3-alpha.4, the version route, and
1.7.3-alpha.4's JWT data isolation — all over real HTTP against the local server.

What each release does was read from its published ``dist/index.js`` (see eliza_client/testing/_releases.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from eliza_client.testing import (
    DEFAULT_SERVER_VERSION,
    FAIL_MARKER,
    SERVER_VERSIONS,
    SILENT_MARKER,
    LocalSessionsServer,
    ManualClock,
    make_jwt,
)
from eliza_client.testing.__main__ import _make_server, build_parser, main

from .conftest import SESSIONS, T0, Api

SECRET = "local-test-secret"
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
STATUS_KEYS = ["expiresAt", "renewalCount", "wasRenewed", "isNearExpiration"]
CAMEL_KEYS = ["id", "content", "authorId", "createdAt", "metadata"]
SNAKE_KEYS = [
    "id",
    "channel_id",
    "message_server_id",
    "author_id",
    "content",
    "created_at",
    "source_type",
    "raw_message",
    "metadata",
]
T0_ISO = "2025-12-31T10:00:00.000Z"


def _server(clock: ManualClock, version: str, **kwargs: Any) -> LocalSessionsServer:
    kwargs.setdefault("rate_limit", None)
    return LocalSessionsServer(clock=clock, reply_delay=0.01, chunk_delay=0.001, server_version=version, **kwargs)


@pytest.fixture
def make_api(clock: ManualClock) -> Iterator[Any]:
    """Start a server of a given release on the manual clock; an :class:`Api` for it."""
    running: list[tuple[LocalSessionsServer, Api]] = []

    def factory(version: str, **kwargs: Any) -> Api:
        server = _server(clock, version, **kwargs).start()
        api = Api(server)
        running.append((server, api))
        return api

    yield factory
    for server, api in running:
        api.close()
        server.stop()


def sse_events(response: requests.Response) -> list[tuple[str, Any]]:
    """(event, parsed data) of a whole SSE body."""
    events = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def history(api: Api, sid: str) -> list[dict[str, Any]]:
    assert api.server.wait_for_agent_replies(5)
    response = api.messages(sid)
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def agent_texts(api: Api, sid: str) -> list[str]:
    return [m["content"] for m in history(api, sid) if m["isAgent"]]


# ------------------------------------------------------------------------------------------- construction


def test_default_and_accepted_versions(clock: ManualClock) -> None:
    assert DEFAULT_SERVER_VERSION == "1.7.2"
    assert SERVER_VERSIONS == ("1.6.5", "1.7.0", "1.7.2", "1.7.3-alpha.4")
    assert LocalSessionsServer(clock=clock).server_version == "1.7.2"
    for version in SERVER_VERSIONS:
        assert LocalSessionsServer(clock=clock, server_version=version).server_version == version


@pytest.mark.parametrize("version", ["1.7.1", "1.7", "", "v1.7.2", "1.7.3"])
def test_unknown_version_is_a_value_error_naming_the_accepted_ones(version: str) -> None:
    with pytest.raises(ValueError, match=r"1\.6\.5, 1\.7\.0, 1\.7\.2, 1\.7\.3-alpha\.4") as info:
        LocalSessionsServer(server_version=version)
    assert repr(version) in str(info.value)


@pytest.mark.parametrize("version", ["1.6.5", "1.7.0", "1.7.2"])
def test_data_isolation_needs_the_alpha(version: str) -> None:
    with pytest.raises(ValueError, match=r"1\.7\.3-alpha\.4"):
        LocalSessionsServer(server_version=version, data_isolation=True, jwt_secret=SECRET)
    with pytest.raises(ValueError, match=r"1\.7\.3-alpha\.4"):
        LocalSessionsServer(server_version=version, env={"ENABLE_DATA_ISOLATION": "true", "JWT_SECRET": SECRET})
    # Any other value of the variable is "off", as in the real server (`=== "true"`).
    assert not LocalSessionsServer(server_version=version, env={"ENABLE_DATA_ISOLATION": "1"}).data_isolation


def test_cli_options() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.server_version, args.data_isolation, args.jwt_secret) == ("1.7.2", None, None)
    args = build_parser().parse_args(
        ["serve", "--server-version", "1.7.3-alpha.4", "--data-isolation", "--jwt-secret", "s"]
    )
    server = _make_server(args)
    assert (server.server_version, server.data_isolation, server.jwt_secret) == ("1.7.3-alpha.4", True, "s")
    via_env = _make_server(
        build_parser().parse_args(
            [
                "serve",
                "--server-version",
                "1.7.3-alpha.4",
                "--env",
                "ENABLE_DATA_ISOLATION=true",
                "--env",
                "JWT_SECRET=e",
            ]
        )
    )
    assert (via_env.data_isolation, via_env.jwt_secret) == (True, "e")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--server-version", "1.7.1"])
    with pytest.raises(SystemExit):
        main(["serve", "--server-version", "1.7.2", "--data-isolation", "--port", "0"])


# ------------------------------------------------------------------------------------------- version route


@pytest.mark.parametrize("version", SERVER_VERSIONS)
def test_version_route(make_api: Any, clock: ManualClock, version: str) -> None:
    api = make_api(version)
    clock.advance(ms=1234)
    response = api.get("/api/system/version")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["version", "source", "timestamp", "environment", "uptime"]
    assert body["version"] == version
    assert body["source"] == "server"
    assert body["timestamp"] == "2025-12-31T10:00:01.234Z"
    assert body["environment"] == "development"
    assert isinstance(body["uptime"], float)
    assert body["uptime"] >= 0
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert api.get("/api/system/version/").status_code == 200
    assert api.get("/API/System/Version").status_code == 200  # Express routes ignore case
    assert api.request("HEAD", "/api/system/version").status_code == 200
    # Only GET is registered: any other method falls through to the API 404.
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        other = api.request(method, "/api/system/version")
        assert other.status_code == 404
        assert other.json() == {"success": False, "error": {"message": "API endpoint not found", "code": 404}}


@pytest.mark.parametrize("version", SERVER_VERSIONS)
def test_version_route_is_behind_the_api_key(make_api: Any, version: str) -> None:
    api = make_api(version, api_key="k")
    assert api.get("/api/system/version").status_code == 200
    bare = requests.get(api.base + "/api/system/version", timeout=10)
    assert bare.status_code == 401
    assert bare.json() == {"error": "API key required", "message": "Missing or invalid X-API-KEY header"}


def test_version_route_is_rate_limited(make_api: Any) -> None:
    api = make_api("1.7.0", rate_limit=1)
    first = api.get("/api/system/version")
    assert first.status_code == 200
    assert first.headers["RateLimit-Remaining"] == "0"
    assert api.get("/api/system/version").status_code == 429


# ------------------------------------------------------------------------------------------- 1.6.5


def test_165_answers_flat(make_api: Any) -> None:
    api = make_api("1.6.5")
    session = api.create(metadata={"zeta": 1, "a": 2})
    response = api.send(session["sessionId"], "Hi", metadata={"plan": "x"})
    assert response.status_code == 201
    body = response.json()
    assert list(body) == [*CAMEL_KEYS, "sessionStatus"]
    assert "success" not in body
    assert body["content"] == "Hi"
    assert body["authorId"] == session["userId"]
    assert body["createdAt"] == T0_ISO
    assert list(body["sessionStatus"]) == STATUS_KEYS
    assert body["sessionStatus"]["wasRenewed"] is True
    assert ISO.fullmatch(body["sessionStatus"]["expiresAt"])
    # The stored row's jsonb metadata: keys shortest first.
    assert list(body["metadata"]) == ["a", "plan", "zeta", "userId", "agentId", "sessionId", "timeoutConfig"]
    assert agent_texts(api, session["sessionId"]) == ["You said: Hi"]


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"transport": "http"},
        {"transport": "sse"},
        {"mode": "sync"},
        {"mode": "stream"},
        {"transport": "http", "mode": "sync"},
        {"transport": "sse", "mode": "stream"},
        {"transport": "websocket", "mode": "websocket"},
        {"transport": "bogus"},
        {"mode": 7},
        {"transport": ["x"]},
    ],
)
def test_165_ignores_transport_and_mode(make_api: Any, extra: dict[str, Any]) -> None:
    api = make_api("1.6.5")
    sid = api.create()["sessionId"]
    response = api.send(sid, "Hey", **extra)
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert list(response.json()) == [*CAMEL_KEYS, "sessionStatus"]
    assert agent_texts(api, sid) == ["You said: Hey"]


def test_165_checks_the_body_shape_first(make_api: Any) -> None:
    api = make_api("1.6.5")
    sid = api.create()["sessionId"]
    url = f"{SESSIONS}/{sid}/messages"
    for raw in (None, b"[]", b'{"content": 5}', b"{}"):
        headers = {} if raw is None else {"Content-Type": "application/json"}
        response = api.post(url, data=raw, headers=headers)
        assert response.status_code == 400, raw
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert error["message"] == "Invalid content: Invalid message request format"
        assert error["details"] == {"reason": "Invalid message request format"}
    # …before the session lookup: a bad body on an unknown session is still a 400.
    assert api.post(f"{SESSIONS}/nope/messages", json={}).status_code == 400
    assert api.post(f"{SESSIONS}/nope/messages", json={"content": "x"}).status_code == 404
    empty = api.send(sid, "")
    assert empty.status_code == 400
    assert empty.json()["error"]["message"] == "Invalid content: Content cannot be empty"


def test_165_agent_markers(make_api: Any) -> None:
    api = make_api("1.6.5")
    sid = api.create()["sessionId"]
    assert api.send(sid, f"x {FAIL_MARKER}").status_code == 201
    assert api.send(sid, f"y {SILENT_MARKER}").status_code == 201
    assert agent_texts(api, sid) == []


# ------------------------------------------------------------------------------------------- 1.7.0


def test_170_websocket_is_the_default(make_api: Any) -> None:
    api = make_api("1.7.0")
    session = api.create()
    response = api.send(session["sessionId"], "Hi", metadata={"k": "v"})
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["success", "userMessage", "sessionStatus"]
    assert body["success"] is True
    assert list(body["userMessage"]) == CAMEL_KEYS
    assert body["userMessage"]["createdAt"] == T0_ISO
    assert body["userMessage"]["authorId"] == session["userId"]
    assert list(body["userMessage"]["metadata"])[:2] == ["k", "userId"]
    assert list(body["sessionStatus"]) == STATUS_KEYS
    assert agent_texts(api, session["sessionId"]) == ["You said: Hi"]


@pytest.mark.parametrize(
    "extra",
    [
        {"mode": "websocket"},
        {"mode": ""},
        {"mode": 0},
        {"mode": False},
        {"mode": None},
        {"transport": "http"},
        {"transport": "sse"},
        {"transport": "bogus"},
        {"transport": "websocket", "mode": "websocket"},
    ],
)
def test_170_websocket_forms(make_api: Any, extra: dict[str, Any]) -> None:
    api = make_api("1.7.0")
    sid = api.create()["sessionId"]
    response = api.send(sid, "Hi", **extra)
    assert response.status_code == 201, response.text
    assert list(response.json()) == ["success", "userMessage", "sessionStatus"]
    assert agent_texts(api, sid) == ["You said: Hi"]


@pytest.mark.parametrize("extra", [{"mode": "sync"}, {"transport": "sse", "mode": "sync"}])
def test_170_sync(make_api: Any, extra: dict[str, Any]) -> None:
    api = make_api("1.7.0")
    sid = api.create()["sessionId"]
    response = api.send(sid, "Hi", **extra)
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["success", "userMessage", "agentResponse", "sessionStatus"]
    assert list(body["userMessage"]) == CAMEL_KEYS
    assert body["agentResponse"]["text"] == "You said: Hi"
    # createMessage also put the message on the bus: the agent's reply is stored as well.
    assert agent_texts(api, sid) == ["You said: Hi"]


def test_170_sync_silent_and_failing_agent(make_api: Any) -> None:
    api = make_api("1.7.0")
    sid = api.create()["sessionId"]
    silent = api.send(sid, SILENT_MARKER, mode="sync")
    assert silent.status_code == 201
    assert list(silent.json()) == ["success", "userMessage", "sessionStatus"]
    failed = api.send(sid, FAIL_MARKER, mode="sync")
    assert failed.status_code == 500
    assert failed.json() == {"success": False, "error": "Failed to process message in sync mode"}
    assert list(failed.json()) == ["success", "error"]


@pytest.mark.parametrize("extra", [{"mode": "stream"}, {"transport": "http", "mode": "stream"}])
def test_170_stream(make_api: Any, extra: dict[str, Any]) -> None:
    api = make_api("1.7.0")
    sid = api.create()["sessionId"]
    response = api.send(sid, "Hi", **extra)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    events = sse_events(response)
    assert events[0][0] == "user_message"
    assert events[-1][0] == "done"
    user = events[0][1]
    assert list(user) == CAMEL_KEYS
    assert user["createdAt"] == T0_ISO
    assert "".join(data["chunk"] for name, data in events if name == "chunk") == "You said: Hi"
    assert events[-1][1]["text"] == "You said: Hi"
    assert agent_texts(api, sid) == ["You said: Hi"]


@pytest.mark.parametrize(
    ("mode", "shown"),
    [
        ("bogus", "bogus"),
        ("http", "http"),
        ("sse", "sse"),
        ("SYNC", "SYNC"),
        (1, "1"),
        (1.5, "1.5"),
        (True, "true"),
        ({}, "[object Object]"),
        (["sync"], "sync"),
        ([1, None, "a"], "1,,a"),
    ],
)
def test_170_invalid_mode(make_api: Any, mode: Any, shown: str) -> None:
    api = make_api("1.7.0")
    sid = api.create()["sessionId"]
    # The mode is checked before anything else, so a missing content or an unknown session does not matter.
    for path, body in (
        (f"{SESSIONS}/{sid}/messages", {"content": "x", "mode": mode}),
        (f"{SESSIONS}/nope/messages", {"mode": mode}),
    ):
        response = api.post(path, json=body)
        assert response.status_code == 400
        error = response.json()["error"]
        reason = f'Invalid mode "{shown}". Must be one of: sync, stream, websocket'
        assert list(error) == ["code", "message", "timestamp", "details", "stack"]
        assert error["code"] == "VALIDATION_ERROR"
        assert error["message"] == f"Invalid content: {reason}"
        assert error["details"] == {"reason": reason}


def test_170_undefined_body_reads_mode(make_api: Any) -> None:
    api = make_api("1.7.0")
    sid = api.create()["sessionId"]
    response = api.post(f"{SESSIONS}/{sid}/messages")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "INTERNAL_SERVER_ERROR"
    assert error["details"] == "Cannot read properties of undefined (reading 'mode')"
    assert api.post(f"{SESSIONS}/{sid}/messages", json=[]).status_code == 400  # [].mode is undefined


def test_170_bus_reply_costs_rate_limit_after_sync(make_api: Any) -> None:
    api = make_api("1.7.0", rate_limit=100)
    sid = api.create()["sessionId"]
    assert api.send(sid, "Hi", mode="sync").headers["RateLimit-Remaining"] == "98"
    assert api.server.wait_for_agent_replies(5)
    assert api.get("/api/system/version").headers["RateLimit-Remaining"] == str(100 - 3 - 3)


# ------------------------------------------------------------------------------------------- 1.7.2 / alpha


@pytest.mark.parametrize("version", ["1.7.2", "1.7.3-alpha.4"])
@pytest.mark.parametrize(
    ("extra", "kind"),
    [
        ({"transport": "http", "mode": "sync"}, "http"),
        ({"transport": "sse", "mode": "stream"}, "sse"),
        ({"transport": "websocket", "mode": "websocket"}, "websocket"),
        ({"transport": "http", "mode": "stream"}, "http"),
        ({"transport": "sse", "mode": "sync"}, "sse"),
        ({"transport": "websocket", "mode": "sync"}, "websocket"),
        ({"mode": "sync"}, "http"),
        ({"transport": None, "mode": "stream"}, "sse"),
    ],
)
def test_172_transport_wins(make_api: Any, version: str, extra: dict[str, Any], kind: str) -> None:
    api = make_api(version)
    sid = api.create()["sessionId"]
    response = api.send(sid, "Hi", **extra)
    if kind == "sse":
        assert response.status_code == 200
        events = sse_events(response)
        assert events[0][0] == "user_message"
        assert list(events[0][1]) == SNAKE_KEYS
        assert events[0][1]["created_at"] == T0
        assert agent_texts(api, sid) == []  # 1.7.2 publishes to the bus only for websocket sends
        return
    assert response.status_code == 201
    body = response.json()
    assert list(body["userMessage"]) == SNAKE_KEYS
    if kind == "http":
        assert list(body) == ["success", "userMessage", "agentResponse", "sessionStatus"]
        assert agent_texts(api, sid) == []
    else:
        assert list(body) == ["success", "userMessage", "sessionStatus"]
        assert agent_texts(api, sid) == ["You said: Hi"]


@pytest.mark.parametrize("version", ["1.7.2", "1.7.3-alpha.4"])
def test_172_errors_unchanged(make_api: Any, version: str) -> None:
    api = make_api(version)
    sid = api.create()["sessionId"]
    bad = api.send(sid, "x", transport="bogus")
    assert bad.status_code == 400
    assert bad.json()["error"]["details"] == {
        "reason": 'Invalid transport "bogus". Must be one of: http, sse, websocket, sync, stream'
    }
    undefined = api.post(f"{SESSIONS}/{sid}/messages")
    assert undefined.status_code == 500
    assert undefined.json()["error"]["details"] == "Cannot read properties of undefined (reading 'transport')"
    failed = api.send(sid, FAIL_MARKER, transport="http")
    assert failed.json() == {"success": False, "error": "Failed to process message in HTTP transport"}


# ------------------------------------------------------------------------------------------- JWT data isolation


@pytest.fixture
def jwt_api(make_api: Any) -> Api:
    return make_api("1.7.3-alpha.4", data_isolation=True, jwt_secret=SECRET)  # type: ignore[no-any-return]


def now_s() -> int:
    return T0 // 1000


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def rejected(response: requests.Response, details: str | None) -> None:
    assert response.status_code == 401, response.text
    if details is None:
        assert response.json() == {"error": "JWT token required for data isolation"}
    else:
        assert response.json() == {"error": "Invalid JWT token", "details": f"JWT verification failed: {details}"}
        assert list(response.json()) == ["error", "details"]
    assert "RateLimit-Limit" not in response.headers  # answered before the rate limiter


HEALTH = f"{SESSIONS}/health"


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_jwt_good_token(jwt_api: Api, alg: str) -> None:
    token = make_jwt(SECRET, "user-1", exp=now_s() + 60, alg=alg)
    jwt_api.http.headers.update(bearer(token))
    assert jwt_api.get(HEALTH).status_code == 200
    sid = jwt_api.create()["sessionId"]
    assert jwt_api.send(sid, "Hi").status_code == 201
    assert jwt_api.messages(sid).status_code == 200


@pytest.mark.parametrize(
    "header",
    [None, "", "Basic abc", "bearer " + make_jwt(SECRET, "u"), "Bearer", "Token x", "Bearerx"],
)
def test_jwt_missing_or_wrong_scheme(jwt_api: Api, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    for path in (HEALTH, SESSIONS, f"{SESSIONS}/x/messages", "/api/agents", "/api", "/api/system/version/"):
        rejected(jwt_api.get(path, headers=headers), None)
    rejected(jwt_api.post(SESSIONS, json={}, headers=headers), None)


def test_jwt_rejections(jwt_api: Api, clock: ManualClock) -> None:
    now = now_s()
    cases: list[tuple[str, str]] = [
        (make_jwt("another-secret", "u"), "signature verification failed"),
        (make_jwt(SECRET, "u", exp=now), '"exp" claim timestamp check failed'),
        (make_jwt(SECRET, "u", exp=now - 3600), '"exp" claim timestamp check failed'),
        (make_jwt(SECRET, "u", claims={"nbf": now + 10}), '"nbf" claim timestamp check failed'),
        (make_jwt(SECRET, "u", claims={"exp": "soon"}), '"exp" claim must be a number'),
        (make_jwt(SECRET, "u", claims={"iat": None}), '"iat" claim must be a number'),
        (make_jwt(SECRET, ""), "JWT missing required claim: sub"),
        (make_jwt(SECRET, "u", claims={"sub": None}), "JWT missing required claim: sub"),
        (make_jwt(SECRET, "u", claims={"sub": {"id": 1}}), "Value must be string"),
        (make_jwt(SECRET, "u")[:-1], "signature verification failed"),
        (make_jwt(SECRET, "u")[:-2], "Failed to base64url decode the signature"),  # 41 chars: 1 mod 4
    ]
    unsigned_sub = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64({'name': 'x'})}"
    no_sub = unsigned_sub + "." + b64(hmac.new(SECRET.encode(), unsigned_sub.encode(), hashlib.sha256).digest())
    cases.append((no_sub, "JWT missing required claim: sub"))
    for token, details in cases:
        rejected(jwt_api.get(HEALTH, headers=bearer(token)), details)
    # A token that was good expires when the (manual) clock passes its exp.
    token = make_jwt(SECRET, "u", exp=now + 60)
    assert jwt_api.get(HEALTH, headers=bearer(token)).status_code == 200
    clock.advance(seconds=60)
    rejected(jwt_api.get(HEALTH, headers=bearer(token)), '"exp" claim timestamp check failed')


@pytest.mark.parametrize(
    ("token", "details"),
    [
        (f"{b64({'alg': 'none'})}.{b64({'sub': 'u'})}.", '"alg" (Algorithm) Header Parameter value not allowed'),
        (f"{b64({'alg': 'RS256'})}.{b64({'sub': 'u'})}.x", '"alg" (Algorithm) Header Parameter value not allowed'),
        (f"{b64({'typ': 'JWT'})}.{b64({'sub': 'u'})}.x", 'JWS "alg" (Algorithm) Header Parameter missing or invalid'),
        ("aaa.bbb", "Invalid Compact JWS"),
        ("a.b.c.d", "Invalid Compact JWS"),
        ("", "Invalid Compact JWS"),
        ("!!!.???.***", "JWS Protected Header is invalid"),
        ("%%%.e30.e30", "JWS Protected Header is invalid"),
        (f"{b64(b'not json')}.e30.e30", "JWS Protected Header is invalid"),
        (f"{b64({'alg': 'HS256'})}.e30.!!", "Failed to base64url decode the signature"),
        (f"{b64({'alg': 'HS256'})}.e30.a", "Failed to base64url decode the signature"),
        (f"{b64({'alg': 'HS256'})}.e30.AAAA", "signature verification failed"),
        (f"{b64({'alg': 'HS256', 'crit': ['exp']})}.e30.AAAA", 'Extension Header Parameter "exp" is not recognized'),
        ("\u00e9.e30.e30", "JWS Protected Header is invalid"),
        (f"{b64({'alg': 'HS256'})}.\u00e9.e30", "non-ASCII string encountered in encode()"),
        ("x" * 9000, "Invalid Compact JWS"),
        ("a." * 5000, "Invalid Compact JWS"),
        (f"{'A' * 8000}.{'B' * 8000}.{'C' * 8000}", "JWS Protected Header is invalid"),
    ],
)
def test_jwt_adversarial_tokens(jwt_api: Api, token: str, details: str) -> None:
    headers = {"Authorization": ("Bearer " + token).encode("latin-1")}
    rejected(jwt_api.get(HEALTH, headers=headers), details)


def test_jwt_huge_header_is_refused_not_crashed(jwt_api: Api) -> None:
    response = jwt_api.get(HEALTH, headers=bearer("A" * 70_000))
    assert 400 <= response.status_code < 500
    # The server is still fine afterwards.
    assert jwt_api.get(HEALTH, headers=bearer(make_jwt(SECRET, "u"))).status_code == 200


def test_jwt_exempt_routes(jwt_api: Api) -> None:
    assert jwt_api.get("/api/system/version").status_code == 200
    assert jwt_api.get("/api/system/version", headers={"Authorization": "Bearer junk"}).status_code == 200
    # Exempt by suffix (req.path.endsWith), then simply not routed here: the API 404, not a 401.
    for path in (
        "/api/system/config",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/auth/register",
        "/api/x/auth/login",
    ):
        response = jwt_api.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["message"] == "API endpoint not found"
    # Case-sensitive suffix: the route matches, the exemption does not.
    rejected(jwt_api.get("/api/SYSTEM/VERSION"), None)
    assert jwt_api.get("/api/SYSTEM/VERSION", headers=bearer(make_jwt(SECRET, "u"))).status_code == 200


def test_jwt_outside_api_and_preflight(jwt_api: Api) -> None:
    assert jwt_api.get("/healthz").status_code == 200
    assert jwt_api.request("OPTIONS", HEALTH).status_code == 204


def test_api_key_is_checked_before_the_jwt(make_api: Any) -> None:
    api = make_api("1.7.3-alpha.4", api_key="k", data_isolation=True, jwt_secret=SECRET)
    good = bearer(make_jwt(SECRET, "u"))
    no_key = requests.get(api.base + HEALTH, headers=good, timeout=10)
    assert no_key.status_code == 401
    assert no_key.json() == {"error": "API key required", "message": "Missing or invalid X-API-KEY header"}
    rejected(requests.get(api.base + HEALTH, headers={"X-API-KEY": "k"}, timeout=10), None)
    assert api.get(HEALTH, headers=good).status_code == 200
    # The version route is exempt from the JWT, not from the key.
    assert requests.get(api.base + "/api/system/version", timeout=10).status_code == 401
    assert api.get("/api/system/version").status_code == 200


def test_jwt_check_comes_before_the_rate_limiter(make_api: Any) -> None:
    api = make_api("1.7.3-alpha.4", data_isolation=True, jwt_secret=SECRET, rate_limit=2)
    for _ in range(5):
        rejected(api.get(HEALTH), None)
    first = api.get(HEALTH, headers=bearer(make_jwt(SECRET, "u")))
    assert first.status_code == 200
    assert first.headers["RateLimit-Remaining"] == "1"


def test_malformed_json_is_answered_before_the_jwt(jwt_api: Api) -> None:
    response = jwt_api.post(SESSIONS, data=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code == 500


def test_jwt_via_env_and_issuer_whitelist(make_api: Any) -> None:
    env = {"ENABLE_DATA_ISOLATION": "true", "JWT_SECRET": SECRET, "JWT_ISSUER_WHITELIST": "issuer-a, issuer-b"}
    api = make_api("1.7.3-alpha.4", env=env)
    assert api.server.data_isolation
    assert api.server.jwt_secret == SECRET
    rejected(api.get(HEALTH), None)
    rejected(
        api.get(HEALTH, headers=bearer(make_jwt(SECRET, "u"))),
        "JWT missing required claim: iss (issuer whitelist is configured)",
    )
    rejected(api.get(HEALTH, headers=bearer(make_jwt(SECRET, "u", claims={"iss": "c"}))), "Untrusted issuer: c")
    assert api.get(HEALTH, headers=bearer(make_jwt(SECRET, "u", claims={"iss": "issuer-b"}))).status_code == 200


def test_data_isolation_without_a_secret_checks_nothing(make_api: Any) -> None:
    # jwtAuthMiddleware: "Data isolation enabled but JWT verifier not configured" → next().
    api = make_api("1.7.3-alpha.4", data_isolation=True)
    assert api.get(HEALTH).status_code == 200


def test_alpha_without_data_isolation_needs_no_token(make_api: Any) -> None:
    api = make_api("1.7.3-alpha.4")
    assert api.get(HEALTH).status_code == 200


def test_make_jwt() -> None:
    token = make_jwt(SECRET, "user-1", exp=123, claims={"iss": "me"})
    header, payload, _ = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "typ": "JWT"}
    assert json.loads(base64.urlsafe_b64decode(payload + "==")) == {"sub": "user-1", "exp": 123, "iss": "me"}
    with pytest.raises(ValueError, match="HS256"):
        make_jwt(SECRET, "u", alg="none")

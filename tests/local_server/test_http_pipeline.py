"""The Express-like pipeline: error shapes, headers, auth, rate limiting, CORS, routing details."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from eliza_client.testing import LocalSessionsServer, ManualClock

from .conftest import SESSIONS, Api, new_user

APP_HELMET = {"Referrer-Policy": "no-referrer-when-downgrade", "X-XSS-Protection": "0"}
API_HELMET = {"Referrer-Policy": "no-referrer", "X-XSS-Protection": "1; mode=block"}


@pytest.fixture
def keyed(clock: ManualClock) -> Iterator[Api]:
    with LocalSessionsServer(api_key="secret", clock=clock, rate_limit=5, rate_limit_window_seconds=60) as server:
        helper = Api(server)
        yield helper
        helper.close()


def raw_exchange(server: LocalSessionsServer, payload: bytes) -> bytes:
    """Send raw bytes on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(payload)
        chunks: list[bytes] = []
        while True:
            data = sock.recv(65536)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


# ------------------------------------------------------------------------------------------------ shapes


def test_success_headers(api: Api) -> None:
    response = api.get(f"{SESSIONS}/health")
    headers = response.headers
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Connection"] == "keep-alive"
    assert headers["Keep-Alive"] == "timeout=5"
    assert headers["ETag"].startswith('W/"')
    assert int(headers["Content-Length"]) == len(response.content)
    assert headers["Vary"] == "Origin"
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    for name, value in API_HELMET.items():
        assert headers[name] == value
    assert "RateLimit-Limit" not in headers  # this server runs with rate_limit=None
    assert "Server" not in headers
    assert "X-Powered-By" not in headers


def test_etag_is_express_weak_etag(api: Api) -> None:
    response = api.get(SESSIONS)
    body = b'{"sessions":[],"total":0,"stats":{"totalSessions":0,"activeSessions":0,"expiredSessions":0}}'
    assert response.content == body
    assert response.headers["ETag"] == 'W/"5c-ylx+61oSrIT+nezVHX8VLVNCb2I"'


def test_conditional_get_gives_304(api: Api) -> None:
    first = api.get(SESSIONS)
    again = api.get(SESSIONS, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_malformed_json_is_500(api: Api) -> None:
    cases = {
        b'{"a":': "Unexpected end of JSON input",
        b'{"content": "x': "Unterminated string in JSON at position 14",
        b"{bad}": "Expected property name or '}' in JSON at position 1",
        b'"x"': 'Unexpected token \'"\', ""x"" is not valid JSON',
        b"   ": "Unexpected end of JSON input",
        b'{"a":1}x': "Unexpected non-whitespace character after JSON at position 7",
        b'{"a":1,}': "Expected double-quoted property name in JSON at position 7",
        b"[1 2]": "Expected ',' or ']' after array element in JSON at position 3",
        b'{"a" 1}': "Expected ':' after property name in JSON at position 5",
        b'{"a":NaN}': 'Unexpected token \'N\', "{"a":NaN}" is not valid JSON',
    }
    for payload, message in cases.items():
        response = api.post(SESSIONS, data=payload, headers={"Content-Type": "application/json"})
        assert response.status_code == 500, payload
        assert response.json() == {"success": False, "error": {"message": message, "code": 500}}, payload
        for name, value in APP_HELMET.items():
            assert response.headers[name] == value
        assert "Strict-Transport-Security" not in response.headers


def test_malformed_json_comes_before_the_api_key(keyed: Api) -> None:
    response = requests.post(keyed.base + SESSIONS, data=b"{", headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 500
    assert "RateLimit-Limit" not in response.headers


def test_oversize_and_bad_charset_are_500(clock: ManualClock) -> None:
    with LocalSessionsServer(clock=clock, rate_limit=None, env={"EXPRESS_MAX_PAYLOAD": "1kb"}) as server:
        big = requests.post(server.base_url + SESSIONS, json={"x": "y" * 2000}, timeout=10)
        assert big.json() == {"success": False, "error": {"message": "request entity too large", "code": 500}}
        latin = requests.post(
            server.base_url + SESSIONS,
            data=b"{}",
            headers={"Content-Type": "application/json; charset=latin1"},
            timeout=10,
        )
        assert latin.json()["error"] == {"message": 'unsupported charset "LATIN1"', "code": 500}


def test_wrong_content_type(api: Api) -> None:
    response = api.post(SESSIONS, data=b'{"agentId":"x"}', headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": {"code": "INVALID_CONTENT_TYPE", "message": "Invalid or missing Content-Type header"},
    }
    # urlencoded passes the check but is not parsed: req.body stays undefined
    form = api.post(SESSIONS, data={"agentId": "x"})
    assert form.status_code == 400
    assert form.json()["error"]["message"].startswith("Missing required fields")
    # bodyless POSTs pass
    assert api.post(SESSIONS).status_code == 400


def test_unknown_routes_and_methods_are_404(api: Api) -> None:
    sid = api.create()["sessionId"]
    expected = {"success": False, "error": {"message": "API endpoint not found", "code": 404}}
    for method, path in (
        ("GET", "/api/nope"),
        ("GET", f"{SESSIONS}/{sid}/unknown"),
        ("PUT", f"{SESSIONS}/{sid}"),
        ("DELETE", SESSIONS),
        ("GET", f"{SESSIONS}/{sid}/renew"),
        ("POST", f"{SESSIONS}/health"),
        ("GET", "/api"),
    ):
        response = api.request(method, path, json={} if method == "PUT" else None)
        assert response.status_code == 404, (method, path)
        assert response.json() == expected


def test_delete_health_is_a_session_lookup(api: Api) -> None:
    response = api.request("DELETE", f"{SESSIONS}/health")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Session with ID 'health' not found"


def test_outside_api(api: Api, server: LocalSessionsServer) -> None:
    forbidden = api.get("/no-such-page")
    assert forbidden.status_code == 403
    assert forbidden.text == "Forbidden"
    assert forbidden.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert api.get("/healthz").json() == {"status": "ok", "timestamp": "2025-12-31T10:00:00.000Z"}
    health = api.get("/health").json()
    assert health["status"] == "OK"
    assert health["agentCount"] == 1
    assert api.get("/api/server/ping").json() == {"pong": True, "timestamp": server.clock.now_ms()}


def test_paths_are_case_insensitive_and_tolerate_a_trailing_slash(api: Api) -> None:
    created = api.post("/API/Messaging/Sessions/", json={"agentId": api.server.agent_id, "userId": new_user()})
    assert created.status_code == 201
    sid = created.json()["sessionId"]
    assert api.get(f"/api/MESSAGING/sessions/{sid}/").status_code == 200
    assert api.get(f"{SESSIONS}/{sid.upper()}").status_code == 404  # the id itself is case-sensitive


def test_session_id_is_percent_decoded(api: Api, server: LocalSessionsServer) -> None:
    response = api.get(f"{SESSIONS}/a%20b")
    assert response.json()["error"]["message"] == "Session with ID 'a b' not found"
    broken = raw_exchange(server, f"GET {SESSIONS}/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert broken.startswith(b"HTTP/1.1 500 ")
    assert b'"details":"Failed to decode param \'%E0%A4%A\'"' in broken


def test_head_has_length_but_no_body(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    head = raw_exchange(server, f"HEAD {SESSIONS}/{sid} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    status, _, rest = head.partition(b"\r\n")
    assert status == b"HTTP/1.1 200 OK"
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b"Content-Length: " in headers
    assert b"Connection: close" in headers
    assert body == b""


def test_chunked_request_body(api: Api, server: LocalSessionsServer) -> None:
    body = f'{{"agentId":"{server.agent_id}","userId":"{new_user()}"}}'.encode()
    chunked = b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:10], body[10:])) + b"0\r\n\r\n"
    reply = raw_exchange(
        server,
        f"POST {SESSIONS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
        + chunked,
    )
    assert reply.startswith(b"HTTP/1.1 201 Created")


def test_keep_alive_connection_is_reused(api: Api) -> None:
    sid = api.create()["sessionId"]
    first = api.get(f"{SESSIONS}/{sid}", stream=True)
    sock_before = first.raw._connection.sock  # type: ignore[union-attr]
    first.content  # noqa: B018 - read the body so the connection goes back to the pool
    second = api.get(f"{SESSIONS}/{sid}", stream=True)
    assert second.raw._connection.sock is sock_before  # type: ignore[union-attr]
    second.close()


# ------------------------------------------------------------------------------------------------ CORS


def test_preflight(keyed: Api) -> None:
    response = requests.options(
        keyed.base + f"{SESSIONS}/x/messages",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert response.headers["Access-Control-Allow-Methods"] == "GET,POST,PUT,DELETE,PATCH,OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type,Authorization,X-API-KEY"
    assert response.headers["Content-Length"] == "0"
    assert response.content == b""


def test_origin_is_reflected(api: Api) -> None:
    response = api.get(f"{SESSIONS}/health", headers={"Origin": "http://app.local"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://app.local"
    assert "Access-Control-Allow-Origin" not in api.get(f"{SESSIONS}/health").headers


# ------------------------------------------------------------------------------------------------ auth


def test_api_key_required_everywhere(keyed: Api) -> None:
    anonymous = requests.Session()
    expected = {"error": "API key required", "message": "Missing or invalid X-API-KEY header"}
    for method, path in (
        ("GET", f"{SESSIONS}/health"),
        ("GET", SESSIONS),
        ("GET", f"{SESSIONS}/00000000-1111-4222-8333-444444444444"),
        ("POST", SESSIONS),
        ("GET", "/api/nope"),
    ):
        response = anonymous.request(method, keyed.base + path, timeout=10)
        assert response.status_code == 401, path
        assert response.json() == expected
        for name, value in APP_HELMET.items():
            assert response.headers[name] == value
        assert "RateLimit-Limit" not in response.headers
    for headers in ({"X-API-KEY": "wrong"}, {"Authorization": "Bearer secret"}, {"X-API-KEY": "SECRET"}):
        assert anonymous.get(keyed.base + SESSIONS, headers=headers, timeout=10).status_code == 401
    assert anonymous.get(keyed.base + SESSIONS, headers={"x-api-key": "secret"}, timeout=10).status_code == 200
    # the public liveness routes need no key
    assert anonymous.get(keyed.base + "/healthz", timeout=10).status_code == 200
    anonymous.close()


def test_api_key_from_env(clock: ManualClock) -> None:
    with LocalSessionsServer(clock=clock, rate_limit=None, env={"ELIZA_SERVER_AUTH_TOKEN": "tok"}) as server:
        assert server.api_key == "tok"
        assert requests.get(server.base_url + SESSIONS, timeout=10).status_code == 401


# ------------------------------------------------------------------------------------------------ rate limit


def test_rate_limit_headers_and_429(keyed: Api, clock: ManualClock) -> None:
    remaining = []
    for _ in range(5):
        response = keyed.get(f"{SESSIONS}/health")
        assert response.status_code == 200
        assert response.headers["RateLimit-Policy"] == "5;w=60"
        assert response.headers["RateLimit-Limit"] == "5"
        assert response.headers["RateLimit-Reset"] == "60"
        remaining.append(int(response.headers["RateLimit-Remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    clock.advance(seconds=20)
    refused = keyed.post(SESSIONS, json={})
    assert refused.status_code == 429
    assert refused.json() == {
        "success": False,
        "error": {"code": "RATE_LIMIT_EXCEEDED", "message": "Too many requests. Please try again later."},
    }
    assert refused.headers["Retry-After"] == "40" == refused.headers["RateLimit-Reset"]
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert refused.headers["X-XSS-Protection"] == "0"
    assert refused.headers["Referrer-Policy"] == "no-referrer"
    # 401s are neither counted nor refused
    assert requests.get(keyed.base + SESSIONS, timeout=10).status_code == 401
    # a new window starts once the old one has passed
    clock.advance(seconds=41)
    fresh = keyed.get(f"{SESSIONS}/health")
    assert fresh.status_code == 200
    assert fresh.headers["RateLimit-Remaining"] == "4"


def test_rate_limit_defaults_and_unknown_routes_count(clock: ManualClock) -> None:
    with LocalSessionsServer(clock=clock) as server:
        first = requests.get(server.base_url + "/api/nope", timeout=10)
        assert first.headers["RateLimit-Policy"] == "1000;w=900"
        assert first.headers["RateLimit-Remaining"] == "999"
        second = requests.get(server.base_url + f"{SESSIONS}/health", timeout=10)
        assert second.headers["RateLimit-Remaining"] == "998"


def test_websocket_messages_cost_the_agents_callbacks(clock: ManualClock) -> None:
    with LocalSessionsServer(clock=clock, reply_delay=0.0) as server:
        helper = Api(server)
        try:
            sid = helper.create()["sessionId"]  # 1
            helper.send(sid, "hello")  # 2 (+3 once the reply is stored)
            assert server.wait_for_agent_replies()
            response = helper.get(f"{SESSIONS}/health")
            assert response.headers["RateLimit-Remaining"] == str(1000 - 6)
        finally:
            helper.close()

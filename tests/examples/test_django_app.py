"""The Django example (examples/django_app) under Django's test client, against the local server over real HTTP.

Covers every view, every row of the error-mapping table in ``eliza_chat/errors.py`` (each failure produced by
the server, not mocked), and concurrent requests from several threads sharing the one ElizaClient.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("django", reason="Django is a test-only dependency of the example")

# The example is a standalone project, not a package of this repository: put it on sys.path and point Django at
# its settings before anything imports django.conf.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "django_app"))
os.environ["DJANGO_SETTINGS_MODULE"] = "demo_project.settings"

import django

django.setup()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from eliza_chat import client as client_holder  # noqa: E402

from eliza_client import ElizaClient  # noqa: E402
from eliza_client.testing import (  # noqa: E402
    FAIL_MARKER,
    SILENT_MARKER,
    LocalSessionsServer,
    ManualClock,
)
from eliza_client.testing.pytest_plugin import ServerFactory  # noqa: E402

JSON = "application/json"


# --- fixtures and helpers --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[LocalSessionsServer]:
    # No rate limit (the concurrency test makes hundreds of calls) and no pause between SSE events (speed).
    with LocalSessionsServer(rate_limit=None, chunk_delay=0.0) as srv:
        yield srv


@pytest.fixture(autouse=True)
def app(server: LocalSessionsServer) -> Iterator[None]:
    """Point the app at the shared server; every test starts with a fresh shared client and no faults."""
    with override_settings(ELIZA_BASE_URL=server.base_url, ELIZA_AGENT_ID=server.agent_id, ELIZA_API_KEY=None):
        yield
    server.faults.clear()
    client_holder.close_client()


@pytest.fixture
def web() -> Client:
    return Client()


def post(web: Client, path: str, body: Any = None) -> Any:
    return web.post(path, {} if body is None else body, content_type=JSON)


def new_session(web: Client) -> str:
    response = post(web, "/sessions/")
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def error_of(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == JSON
    body = response.json()
    assert set(body) == {"error"}
    return dict(body["error"])


def sse_events(response: Any) -> list[tuple[str, Any]]:
    """Parse a StreamingHttpResponse's server-sent events into (event, data) pairs."""
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    events = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def no_secrets(response: Any, *secrets: str) -> None:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    text = raw.decode()
    for secret in secrets:
        assert secret not in text
    # Upstream stack traces (the 1.7.2 server attaches one to every error) never get through.
    assert "stack" not in text.lower()
    assert "    at " not in text


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the project itself -----------------------------------------------------------------------------------------


def test_django_system_checks_pass() -> None:
    call_command("check", verbosity=0)


def test_index_page_sets_csrf_cookie_and_names_the_agent(web: Client, server: LocalSessionsServer) -> None:
    response = web.get("/")
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert server.agent_id in response.content.decode()


def test_api_posts_need_the_csrf_token_from_a_browser(server: LocalSessionsServer) -> None:
    browser = Client(enforce_csrf_checks=True)
    assert post(browser, "/sessions/").status_code == 403
    token = browser.get("/").cookies["csrftoken"].value
    response = browser.post("/sessions/", {}, content_type=JSON, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_invalid_settings_are_a_server_error_not_a_400(web: Client) -> None:
    with (
        override_settings(ELIZA_BASE_URL="ftp://example.invalid"),
        pytest.raises(ImproperlyConfigured, match="base_url"),
    ):
        web.get(f"/sessions/{uuid.uuid4()}/")


# --- sessions ---------------------------------------------------------------------------------------------------


def test_session_lifecycle(web: Client, server: LocalSessionsServer) -> None:
    user_id = str(uuid.uuid4())
    created = post(web, "/sessions/", {"user_id": user_id, "metadata": {"plan": "free"}})
    assert created.status_code == 201
    session = created.json()
    assert session["agent_id"] == server.agent_id
    assert session["user_id"] == user_id
    assert created["Location"] == f"/sessions/{session['id']}/"

    fetched = web.get(f"/sessions/{session['id']}/")
    assert fetched.status_code == 200
    assert fetched.json()["id"] == session["id"]
    assert fetched.json()["time_remaining_seconds"] > 0

    assert web.delete(f"/sessions/{session['id']}/").status_code == 204
    assert error_of(web.get(f"/sessions/{session['id']}/"))["type"] == "session_gone"


def test_create_session_with_an_explicit_agent(web: Client, server: LocalSessionsServer) -> None:
    with override_settings(ELIZA_AGENT_ID=None):
        missing = post(web, "/sessions/")
        assert missing.status_code == 400
        assert error_of(missing) | {"message": ""} == {
            "type": "validation_error",
            "message": "",
            "field": "agent_id",
            "rule": "required",
        }
        assert post(web, "/sessions/", {"agent_id": server.agent_id}).status_code == 201


def test_wrong_methods_are_refused(web: Client) -> None:
    assert web.get("/sessions/").status_code == 405
    assert web.put(f"/sessions/{uuid.uuid4()}/").status_code == 405
    assert web.get(f"/sessions/{uuid.uuid4()}/stream/").status_code == 405


# --- sending ----------------------------------------------------------------------------------------------------


def test_send_returns_the_agents_reply(web: Client) -> None:
    session_id = new_session(web)
    response = post(web, f"/sessions/{session_id}/messages/", {"content": "Hello, Eliza"})
    assert response.status_code == 201
    body = response.json()
    assert body["message"]["content"] == "Hello, Eliza"
    assert body["message"]["is_agent"] is False
    assert body["reply"] == {"text": "You said: Hello, Eliza", "actions": ["REPLY"]}


def test_send_when_the_agent_stays_silent(web: Client) -> None:
    session_id = new_session(web)
    response = post(web, f"/sessions/{session_id}/messages/", {"content": f"psst {SILENT_MARKER}"})
    assert response.status_code == 201
    assert response.json()["reply"] is None


def test_stream_relays_the_reply_as_server_sent_events(web: Client) -> None:
    session_id = new_session(web)
    response = post(web, f"/sessions/{session_id}/stream/", {"content": "stream me\na reply"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    events = sse_events(response)
    names = [name for name, _ in events]
    assert names[0] == "message"
    assert events[0][1]["message"]["content"] == "stream me\na reply"
    assert names[-1] == "done"
    assert set(names[1:-1]) == {"chunk"}
    assert len(names) > 3
    chunks = "".join(data["text"] for name, data in events if name == "chunk")
    assert chunks == events[-1][1]["reply"]["text"] == "You said: stream me\na reply"


def test_stream_when_the_agent_fails(web: Client) -> None:
    session_id = new_session(web)
    response = post(web, f"/sessions/{session_id}/stream/", {"content": f"oops {FAIL_MARKER}"})
    assert response.status_code == 200  # the failure happens after the headers went out
    events = sse_events(response)
    assert events[-1] == (
        "error",
        {"status": 502, "error": {"type": "agent_error", "message": "The agent failed to reply."}},
    )


def test_stream_when_the_agent_stays_silent(web: Client) -> None:
    session_id = new_session(web)
    events = sse_events(post(web, f"/sessions/{session_id}/stream/", {"content": f"shh {SILENT_MARKER}"}))
    assert [name for name, _ in events] == ["message", "done"]
    assert events[-1][1] == {"reply": None}


def test_stream_broken_midway_ends_with_a_mapped_error_event(web: Client, server: LocalSessionsServer) -> None:
    session_id = new_session(web)
    server.faults.truncate_body(route="send_message")
    events = sse_events(post(web, f"/sessions/{session_id}/stream/", {"content": "a long enough message to cut"}))
    name, data = events[-1]
    assert name == "error"
    # The stored user message came first: the client knows the message is in the conversation, only the reply
    # is lost — the page must not offer to resend it.
    assert data["status"] == 202
    assert data["error"]["type"] == "reply_lost"


def test_stream_failures_before_the_first_event_keep_their_status(web: Client) -> None:
    response = post(web, f"/sessions/{uuid.uuid4()}/stream/", {"content": "anyone there?"})
    assert response.status_code == 410
    assert not response.streaming
    assert error_of(response)["type"] == "session_gone"


# --- history ----------------------------------------------------------------------------------------------------


def history(web: Client, session_id: str, query: str) -> dict[str, Any]:
    response = web.get(f"/sessions/{session_id}/messages/{query}")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"messages", "next_cursor", "newer_cursor"}
    assert isinstance(body["newer_cursor"], str)
    return body


def page_through(web: Client, session_id: str, limit: int, cursor: str | None = None) -> list[dict[str, Any]]:
    """Follow next_cursor from the newest page (or from ``cursor``) to the end, as "Load older" does."""
    messages: list[dict[str, Any]] = []
    query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
    for _ in range(200):
        body = history(web, session_id, query)
        assert len(body["messages"]) <= limit
        messages += body["messages"]
        if body["next_cursor"] is None:
            return messages
        query = f"?limit={limit}&cursor={body['next_cursor']}"
    raise AssertionError("the cursor never ended")


def poll(web: Client, session_id: str, newer_cursor: str, limit: int) -> tuple[list[dict[str, Any]], str]:
    """What is new since ``newer_cursor``, as the page polls: the page it names, then that page's next_cursor
    walked to the end. Returns the new messages (newest first) and the next polling point."""
    first = history(web, session_id, f"?limit={limit}&cursor={newer_cursor}")
    rest = page_through(web, session_id, limit, first["next_cursor"]) if first["next_cursor"] else []
    return first["messages"] + rest, first["newer_cursor"]


def contents(messages: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for m in messages]


def test_history_pages_newest_first(web: Client) -> None:
    session_id = new_session(web)
    sent = [f"message {i}" for i in range(7)]
    for content in sent:
        assert post(web, f"/sessions/{session_id}/messages/", {"content": content}).status_code == 201
    # The server never stores replies sent over the http transport, so the history holds the user's messages.
    assert contents(page_through(web, session_id, limit=3)) == sent[::-1]
    assert contents(page_through(web, session_id, limit=100)) == sent[::-1]
    first = history(web, session_id, "")
    assert len(first["messages"]) == 7
    assert first["next_cursor"] is None
    # Exactly at the end: a page holding the last (oldest) message has no next_cursor, even when it is full.
    assert history(web, session_id, "?limit=7")["next_cursor"] is None
    assert history(web, session_id, "?limit=6")["next_cursor"] is not None
    # An empty ?cursor= is the newest page.
    assert contents(history(web, session_id, "?limit=2&cursor=")["messages"]) == sent[:-3:-1]


def test_cursors_are_the_librarys_passed_through_unchanged(web: Client, server: LocalSessionsServer) -> None:
    session_id = new_session(web)
    for n in range(5):
        assert post(web, f"/sessions/{session_id}/messages/", {"content": f"m{n}"}).status_code == 201
    body = history(web, session_id, "?limit=2")
    with ElizaClient(server.base_url) as own:
        page = own.sessions.messages(session_id, limit=2)
        assert (body["next_cursor"], body["newer_cursor"]) == (page.next_cursor, page.newer_cursor)
        # A cursor the view returned continues the library's walk, and one the library made works in the view.
        older = own.sessions.messages(session_id, limit=2, cursor=body["next_cursor"])
    assert [m.content for m in older.messages] == ["m2", "m1"]
    assert contents(history(web, session_id, f"?limit=2&cursor={page.next_cursor}")["messages"]) == ["m2", "m1"]


def tied_server(eliza_server_factory: ServerFactory) -> tuple[LocalSessionsServer, ManualClock]:
    clock = ManualClock(start_ms=1_767_225_600_000)  # 2026-01-01T00:00:00Z; time moves only when told to
    return eliza_server_factory(clock=clock, rate_limit=None), clock


def test_history_pages_are_exact_when_many_messages_share_a_millisecond(
    web: Client, eliza_server_factory: ServerFactory
) -> None:
    # A naive "before=<last timestamp>" cursor would lose the rest of every millisecond a page ends in.
    tied, clock = tied_server(eliza_server_factory)
    with override_settings(ELIZA_BASE_URL=tied.base_url, ELIZA_AGENT_ID=tied.agent_id):
        session_id = new_session(web)
        sent: list[str] = []
        # 40 messages in groups of 1, 7, 13, 2, 9, 8 per millisecond: page edges fall inside groups.
        for group in (1, 7, 13, 2, 9, 8):
            clock.advance(ms=1)
            for _ in range(group):
                sent.append(f"message {len(sent):02d}")
                assert post(web, f"/sessions/{session_id}/messages/", {"content": sent[-1]}).status_code == 201
        with ElizaClient(tied.base_url) as own:
            # The conversation's order: by time, and within a millisecond the server's (it has no tie-breaker).
            expected = [m.id for m in own.sessions.iter_messages(session_id)]
        assert len(expected) == 40
        for limit in (1, 2, 3, 5, 6, 7, 13, 20, 39, 40, 100):
            walked = page_through(web, session_id, limit=limit)
            assert [m["id"] for m in walked] == expected, limit
        # Every message of one millisecond shares its timestamp, down to the millisecond.
        assert len({m["created_at"] for m in walked}) == 6


def test_polling_returns_exactly_the_messages_sent_after(web: Client, eliza_server_factory: ServerFactory) -> None:
    # Messages in one millisecond come in the server's order (it has no tie-breaker): each batch is compared with
    # the conversation's order as the library walks it.
    tied, clock = tied_server(eliza_server_factory)
    with (
        override_settings(ELIZA_BASE_URL=tied.base_url, ELIZA_AGENT_ID=tied.agent_id),
        ElizaClient(tied.base_url) as own,
    ):
        session_id = new_session(web)

        def send(*texts: str) -> None:
            for text in texts:
                assert post(web, f"/sessions/{session_id}/messages/", {"content": text}).status_code == 201

        def exactly(*texts: str) -> list[str]:
            """``texts`` in the conversation's order, newest first."""
            return [m.content for m in own.sessions.iter_messages(session_id) if m.content in texts]

        # Polling an empty conversation: its newer_cursor brings everything sent later.
        empty = history(web, session_id, "?limit=5")
        assert empty["messages"] == []
        assert empty["next_cursor"] is None
        send("a", "b")
        new, point = poll(web, session_id, empty["newer_cursor"], limit=5)
        assert contents(new) == exactly("a", "b")
        # Nothing new: nothing, and the polling point still works.
        nothing, point = poll(web, session_id, point, limit=5)
        assert nothing == []
        # In the same millisecond as the newest message already seen: exact at the tie.
        send("c", "d")
        new, point = poll(web, session_id, point, limit=5)
        assert contents(new) == exactly("c", "d")
        # More than one page of new messages (12 with pages of 5), some in the last seen millisecond, some later:
        # the poll's page holds the newest 5, its next_cursor walks down to the rest and stops at the old point.
        burst = [f"burst {n:02d}" for n in range(12)]
        send(*burst[:4])
        clock.advance(ms=1)
        send(*burst[4:])
        first = history(web, session_id, f"?limit=5&cursor={point}")
        assert contents(first["messages"]) == exactly(*burst)[:5]
        assert first["next_cursor"] is not None
        new, point = poll(web, session_id, point, limit=5)
        assert contents(new) == exactly(*burst)
        assert len({m["id"] for m in new}) == 12
        assert poll(web, session_id, point, limit=5)[0] == []
        clock.advance(ms=1)
        send("last")
        assert contents(poll(web, session_id, point, limit=5)[0]) == ["last"]
        # And the history from the top is the same conversation, once.
        assert contents(page_through(web, session_id, limit=4)) == exactly("last", *burst, "a", "b", "c", "d")


def test_a_tampered_or_foreign_cursor_is_400_naming_cursor(web: Client) -> None:
    session_id, other_id = new_session(web), new_session(web)
    for n in range(3):
        assert post(web, f"/sessions/{session_id}/messages/", {"content": f"m{n}"}).status_code == 201
    body = history(web, session_id, "?limit=1")
    cursor = body["next_cursor"]
    middle = len(cursor) // 2
    tampered = cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1 :]
    cases = [
        (session_id, tampered),
        (session_id, cursor[:-2]),
        (other_id, cursor),  # another session's cursor
        (other_id, body["newer_cursor"]),
        (session_id, "not-a-cursor"),
        (session_id, "e30"),
    ]
    for target, token in cases:
        response = web.get(f"/sessions/{target}/messages/?limit=1&cursor={token}")
        assert response.status_code == 400, token
        error = error_of(response)
        assert (error["type"], error["field"]) == ("validation_error", "cursor"), token
        assert token not in error["message"]
    # The untouched cursor still works.
    assert contents(history(web, session_id, f"?limit=1&cursor={cursor}")["messages"]) == ["m1"]


@pytest.mark.parametrize(
    ("query", "field", "rule"),
    [
        ("?limit=0", "limit", "range"),
        ("?limit=101", "limit", "range"),
        ("?limit=ten", "limit", "type"),
    ],
)
def test_history_rejects_bad_paging_parameters(web: Client, query: str, field: str, rule: str) -> None:
    session_id = new_session(web)
    response = web.get(f"/sessions/{session_id}/messages/{query}")
    assert response.status_code == 400
    error = error_of(response)
    assert (error["type"], error["field"], error["rule"]) == ("validation_error", field, rule)


# --- error mapping: one test per row of the table in eliza_chat/errors.py ---------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"content": ""}, "content", "min_length"),
        ({"content": "x" * 4001}, "content", "max_length"),
        ({"content": 42}, "content", "type"),
        ({}, "content", "required"),
        ("[1, 2]", "body", "type"),
        ("{not json", "body", "json"),
    ],
)
def test_validation_error_is_400_with_field_and_rule(web: Client, body: Any, field: str, rule: str) -> None:
    session_id = new_session(web)
    for path in (f"/sessions/{session_id}/messages/", f"/sessions/{session_id}/stream/"):
        response = post(web, path, body)
        assert response.status_code == 400
        error = error_of(response)
        assert (error["type"], error["field"], error["rule"]) == ("validation_error", field, rule)
        assert "x" * 100 not in error["message"]  # the content is never echoed


def test_a_malformed_session_id_is_400(web: Client) -> None:
    response = web.get("/sessions/not-a-uuid/")
    assert response.status_code == 400
    assert error_of(response)["field"] == "session_id"


def test_session_gone_is_410_for_expired_and_for_unknown_sessions(
    web: Client, eliza_server_factory: ServerFactory
) -> None:
    # The upstream answers the first request after expiry with 410 and later ones with 404; the browser sees 410
    # throughout. (No cleanup sweep during the test, so the first answer really is the 410.)
    clock = ManualClock()
    aging = eliza_server_factory(clock=clock, rate_limit=None, env={"SESSION_CLEANUP_INTERVAL_MINUTES": "100000"})
    with override_settings(ELIZA_BASE_URL=aging.base_url, ELIZA_AGENT_ID=aging.agent_id):
        session_id = new_session(web)
        clock.advance(minutes=31)
        calls: list[Callable[[], Any]] = [
            lambda: web.get(f"/sessions/{session_id}/"),  # upstream 410 SESSION_EXPIRED
            lambda: post(web, f"/sessions/{session_id}/messages/", {"content": "hi"}),  # upstream 404 from here on
            lambda: post(web, f"/sessions/{session_id}/stream/", {"content": "hi"}),
            lambda: web.get(f"/sessions/{session_id}/messages/"),
            lambda: web.delete(f"/sessions/{session_id}/"),
            lambda: web.get(f"/sessions/{uuid.uuid4()}/"),  # never existed
        ]
        for call in calls:
            response = call()
            assert response.status_code == 410
            assert error_of(response)["type"] == "session_gone"
            no_secrets(response)


def test_agent_not_found_is_404(web: Client) -> None:
    response = post(web, "/sessions/", {"agent_id": str(uuid.uuid4())})
    assert response.status_code == 404
    assert error_of(response)["type"] == "agent_not_found"


def test_upstream_bad_request_is_400(web: Client, server: LocalSessionsServer) -> None:
    server.faults.fail_next(
        400, route="get_session", body={"error": {"code": "SESSION_RENEWAL_FAILED", "message": "Maximum reached"}}
    )
    response = web.get(f"/sessions/{new_session(web)}/")
    assert response.status_code == 400
    assert error_of(response) == {
        "type": "upstream_rejected",
        "message": "Maximum reached",
        "code": "SESSION_RENEWAL_FAILED",
    }


@pytest.mark.parametrize(("retry_after", "header"), [(120, "120"), (90.2, "91")])
def test_rate_limit_is_429_with_retry_after(
    web: Client, server: LocalSessionsServer, retry_after: float, header: str
) -> None:
    session_id = new_session(web)
    # Waits above the client's 60 s cap are not slept in the worker: the 429 reaches the browser at once.
    server.faults.fail_next(429, route="send_message", retry_after=retry_after)
    response = post(web, f"/sessions/{session_id}/messages/", {"content": "hi"})
    assert response.status_code == 429
    assert response["Retry-After"] == header
    assert error_of(response) | {"message": ""} == {"type": "rate_limited", "message": "", "retry_after": int(header)}


def test_the_real_rate_limiter_maps_to_429(web: Client, eliza_server_factory: ServerFactory) -> None:
    limited = eliza_server_factory(rate_limit=2, rate_limit_window_seconds=900)
    with override_settings(ELIZA_BASE_URL=limited.base_url, ELIZA_AGENT_ID=limited.agent_id):
        session_id = new_session(web)
        assert web.get(f"/sessions/{session_id}/").status_code == 200
        response = web.get(f"/sessions/{session_id}/")
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 900


def test_short_server_requested_waits_are_retried_inside_the_client(web: Client, server: LocalSessionsServer) -> None:
    session_id = new_session(web)
    server.faults.fail_next(429, route="get_session", retry_after=0.05)
    server.faults.fail_next(503, route="get_session", retry_after=0.05)
    assert web.get(f"/sessions/{session_id}/").status_code == 200


@pytest.mark.parametrize("configured_key", ["wrong-key-5f1e9c", None])
def test_a_bad_upstream_key_is_502_and_never_echoed(
    web: Client, eliza_server_factory: ServerFactory, caplog: pytest.LogCaptureFixture, configured_key: str | None
) -> None:
    right_key = "right-key-a83d20"
    keyed = eliza_server_factory(api_key=right_key, rate_limit=None)
    caplog.set_level(logging.DEBUG)
    with override_settings(ELIZA_BASE_URL=keyed.base_url, ELIZA_AGENT_ID=keyed.agent_id, ELIZA_API_KEY=configured_key):
        for response in (post(web, "/sessions/"), web.get(f"/sessions/{uuid.uuid4()}/")):
            assert response.status_code == 502
            assert error_of(response) == {
                "type": "upstream_misconfigured",
                "message": "The chat service is misconfigured.",
            }
            no_secrets(response, right_key, "wrong-key-5f1e9c")
    assert "ELIZA_API_KEY" in caplog.text  # the operator is told what to fix...
    assert right_key not in caplog.text  # ...without the key
    assert "wrong-key-5f1e9c" not in caplog.text
    with override_settings(ELIZA_BASE_URL=keyed.base_url, ELIZA_AGENT_ID=keyed.agent_id, ELIZA_API_KEY=right_key):
        assert post(web, "/sessions/").status_code == 201


def test_a_timeout_is_504(web: Client, server: LocalSessionsServer) -> None:
    session_id = new_session(web)
    server.faults.delay(0.5, route="get_session")
    with override_settings(ELIZA_READ_TIMEOUT=0.1, ELIZA_MAX_RETRIES=0):
        response = web.get(f"/sessions/{session_id}/")
    assert response.status_code == 504
    assert error_of(response) | {"message": ""} == {"type": "upstream_timeout", "message": "", "phase": "read"}


def test_an_unreachable_upstream_is_503(web: Client) -> None:
    with override_settings(ELIZA_BASE_URL=f"http://127.0.0.1:{closed_port()}", ELIZA_MAX_RETRIES=0):
        response = web.get(f"/sessions/{uuid.uuid4()}/")
    assert response.status_code == 503
    assert error_of(response)["type"] == "upstream_unavailable"


def test_a_dropped_connection_is_502(web: Client, server: LocalSessionsServer) -> None:
    session_id = new_session(web)
    server.faults.drop_connection(route="get_session")
    with override_settings(ELIZA_MAX_RETRIES=0):
        response = web.get(f"/sessions/{session_id}/")
    assert response.status_code == 502
    assert error_of(response)["type"] == "upstream_connection_lost"


@pytest.mark.parametrize(("status", "expected"), [(500, {}), (503, {}), (403, {"upstream_status": 403})])
def test_upstream_failures_are_502_without_upstream_details(
    web: Client, server: LocalSessionsServer, status: int, expected: dict[str, Any]
) -> None:
    session_id = new_session(web)
    leaky = {"error": {"code": "BOOM", "message": "failed in /srv/eliza/secret.js", "stack": "Error\n    at x.js:1"}}
    server.faults.fail_next(status, route="get_session", body=leaky)
    with override_settings(ELIZA_MAX_RETRIES=0):
        response = web.get(f"/sessions/{session_id}/")
    assert response.status_code == 502
    assert error_of(response) | {"message": ""} == {"type": "upstream_error", "message": "", **expected}
    no_secrets(response, "/srv/eliza", "BOOM")


def test_an_agent_failure_on_send_stores_the_message_once_and_leaks_nothing(web: Client) -> None:
    session_id = new_session(web)
    response = post(web, f"/sessions/{session_id}/messages/", {"content": f"fail please {FAIL_MARKER}"})
    # The client raises AgentError (the message is stored, the agent failed): 502, and stored exactly once.
    assert response.status_code == 502
    no_secrets(response, "Failed to process message")
    history = web.get(f"/sessions/{session_id}/messages/").json()["messages"]
    assert [m["content"] for m in history] == [f"fail please {FAIL_MARKER}"]


def test_agent_failure_on_send_is_502(web: Client) -> None:
    session_id = new_session(web)
    response = post(web, f"/sessions/{session_id}/messages/", {"content": f"fail please {FAIL_MARKER}"})
    assert response.status_code == 502
    assert error_of(response) == {
        "type": "agent_failed",
        "message": "The assistant could not answer; your message was saved.",
        "stored": True,
    }


@pytest.mark.parametrize("path", ["messages", "stream"])
def test_a_lost_reply_is_202_and_the_message_is_not_resent(web: Client, server: LocalSessionsServer, path: str) -> None:
    session_id = new_session(web)
    # The server stores the message, then the connection drops before the reply: the client finds the message in
    # the history instead of sending it again.
    server.faults.drop_connection(when="after_store", route="send_message")
    response = post(web, f"/sessions/{session_id}/{path}/", {"content": "did you get this?"})
    assert response.status_code == 202
    assert not response.streaming
    error = error_of(response)
    assert error["type"] == "reply_lost"
    assert error["retryable"] is False
    assert error["sent_message"]["content"] == "did you get this?"
    history = web.get(f"/sessions/{session_id}/messages/").json()["messages"]
    assert [m["id"] for m in history] == [error["sent_message"]["id"]]


def test_an_unknown_delivery_is_502_with_the_client_message_id(web: Client, server: LocalSessionsServer) -> None:
    session_id = new_session(web)
    # The send's outcome is unknown (dropped after storing) and the history cannot be read to find out.
    server.faults.drop_connection(when="after_store", route="send_message")
    server.faults.fail_next(500, route="list_messages", count=20)
    with override_settings(ELIZA_MAX_RETRIES=0):
        response = post(web, f"/sessions/{session_id}/messages/", {"content": "lost?"})
    assert response.status_code == 502
    error = error_of(response)
    assert error["type"] == "delivery_unknown"
    assert error["retryable"] is False
    uuid.UUID(error["client_message_id"])


def test_a_closed_client_is_503(web: Client) -> None:
    session_id = new_session(web)
    client_holder.get_client().close()  # what atexit does at shutdown, while a request is still coming in
    response = web.get(f"/sessions/{session_id}/")
    assert response.status_code == 503
    assert error_of(response)["type"] == "shutting_down"


# --- the shared client ------------------------------------------------------------------------------------------


class CountingClient(ElizaClient):
    """Counts constructions, to prove the app builds one client however many threads race for it."""

    created = 0
    lock = threading.Lock()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with CountingClient.lock:
            CountingClient.created += 1
        super().__init__(*args, **kwargs)


def test_the_client_is_configured_from_settings(server: LocalSessionsServer) -> None:
    with override_settings(ELIZA_CONNECT_TIMEOUT=1.5, ELIZA_READ_TIMEOUT=4.0, ELIZA_MAX_RETRIES=1):
        shared = client_holder.get_client()
        assert shared is client_holder.get_client()
        assert shared.base_url == server.base_url
        assert (shared.timeout.connect, shared.timeout.read, shared.max_retries) == (1.5, 4.0, 1)
    # Changing an ELIZA_* setting closed it; the next use builds a new one.
    assert shared.is_closed
    assert client_holder.get_client() is not shared


def test_concurrent_requests_share_one_client(monkeypatch: pytest.MonkeyPatch) -> None:
    threads, per_thread = 8, 25
    client_holder.close_client()
    monkeypatch.setattr(client_holder, "ElizaClient", CountingClient)
    monkeypatch.setattr(CountingClient, "created", 0)
    # All threads make their first request at the same moment, racing to create the client.
    start = threading.Barrier(threads)
    failures: list[str] = []
    completed = [0] * threads

    def worker(index: int) -> None:
        browser = Client()
        start.wait()
        try:
            created = post(browser, "/sessions/")
            assert created.status_code == 201, created.content
            session_id = created.json()["id"]
            sent: list[str] = []
            completed[index] += 1
            for n in range(per_thread - 2):
                content = f"thread {index} message {n}"
                if n % 6 == 5:
                    page = browser.get(f"/sessions/{session_id}/messages/?limit=5")
                    assert page.status_code == 200, page.content
                    assert [m["content"] for m in page.json()["messages"]] == sent[::-1][:5]
                elif n % 6 == 4:
                    events = sse_events(post(browser, f"/sessions/{session_id}/stream/", {"content": content}))
                    assert events[-1] == ("done", {"reply": {"text": f"You said: {content}", "actions": ["REPLY"]}})
                    sent.append(content)
                else:
                    reply = post(browser, f"/sessions/{session_id}/messages/", {"content": content})
                    assert reply.status_code == 201, reply.content
                    assert reply.json()["reply"]["text"] == f"You said: {content}"
                    sent.append(content)
                completed[index] += 1
            assert browser.delete(f"/sessions/{session_id}/").status_code == 204
            completed[index] += 1
        except BaseException as exc:
            failures.append(f"thread {index}: {exc!r}")

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not failures, failures
    assert completed == [per_thread] * threads
    assert CountingClient.created == 1
    assert isinstance(client_holder.get_client(), CountingClient)

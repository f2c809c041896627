"""Nothing but an ``ElizaError`` escapes a public method, whatever a server answers (hypothesis, bounded).

The valid answers to mutate are recorded from the project's local server at the start of the module (so no wire
shape is copied by hand); hypothesis then serves them broken — every field replaced by hostile values (overflowing
numbers, infinities, NaN, deep nesting, wrong types), truncated, re-encoded, under any status and content type —
through the hostile server, to every operation.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eliza_client import ElizaClient, ElizaError, Limits, ResponseValidationError, Timeout
from eliza_client.testing import LocalSessionsServer

from .server import Conn, HostileServer, head

SESSIONS = "/api/messaging/sessions"
Answer = tuple[int, dict[str, str], bytes]


def record_valid_answers() -> dict[str, bytes]:
    """One real answer body per operation, from the local server."""
    with LocalSessionsServer(rate_limit=None, reply_delay=0) as server, requests.Session() as http:
        base = server.base_url + SESSIONS
        created = http.post(base, json={"agentId": server.agent_id, "userId": str(uuid.uuid4())}, timeout=10)
        sid = created.json()["sessionId"]
        sent = http.post(
            f"{base}/{sid}/messages", json={"content": "hi", "metadata": {"clientMessageId": "c"}}, timeout=10
        )
        waited = http.post(f"{base}/{sid}/messages", json={"content": "hi", "transport": "http"}, timeout=10)
        streamed = http.post(f"{base}/{sid}/messages", json={"content": "hi", "transport": "sse"}, timeout=10)
        return {
            "create": created.content,
            "get": http.get(f"{base}/{sid}", timeout=10).content,
            "list": http.get(base, timeout=10).content,
            "health": http.get(f"{base}/health", timeout=10).content,
            "renew": http.post(f"{base}/{sid}/renew", timeout=10).content,
            "messages": http.get(f"{base}/{sid}/messages", timeout=10).content,
            "send": sent.content,
            "send_and_wait": waited.content,
            "stream": streamed.content,
        }


VALID = record_valid_answers()
SESSION_ID = "8a3f2b1c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
AGENT = "219704e1-586e-5373-9adc-602e9713c0ab"
USER = "9d8c7b6a-5f4e-4d3c-8b2a-190f8e7d6c5b"


def read_stream(client: ElizaClient) -> None:
    with client.sessions.stream(SESSION_ID, "hi") as stream:
        for _ in stream:
            pass


OPERATIONS: dict[str, tuple[str, Callable[[ElizaClient], object]]] = {
    "create": ("create", lambda c: c.sessions.create(AGENT, USER)),
    "get": ("get", lambda c: c.sessions.get(SESSION_ID)),
    "list": ("list", lambda c: c.sessions.list()),
    "health": ("health", lambda c: c.sessions.health()),
    "renew": ("renew", lambda c: c.sessions.renew(SESSION_ID)),
    "heartbeat": ("renew", lambda c: c.sessions.heartbeat(SESSION_ID)),
    "delete": ("get", lambda c: c.sessions.delete(SESSION_ID)),
    "update_timeout": ("get", lambda c: c.sessions.update_timeout(SESSION_ID, timeout_minutes=30)),
    "messages": ("messages", lambda c: c.sessions.messages(SESSION_ID)),
    "iter_messages": ("messages", lambda c: list(c.sessions.iter_messages(SESSION_ID))),
    "send_message": ("send", lambda c: c.sessions.send_message(SESSION_ID, "hi")),
    "send_and_wait": ("send_and_wait", lambda c: c.sessions.send_and_wait(SESSION_ID, "hi")),
    "stream": ("stream", read_stream),
}

HOSTILE_SCALARS = [
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "-Infinity",
    str(10**30),
    str(-(10**30)),
    "1e-400",
    "0",
    "-1",
    "true",
    "null",
    '""',
    '"not a date"',
    '"9999-99-99T99:99:99Z"',
    "[]",
    "{}",
    "[" * 3000 + "]" * 3000,
    '{"a":' * 3000 + "1" + "}" * 3000,
    '"' + "x" * 10_000 + '"',
    '"\\ud800"',
]
# "key": <value> pairs in a JSON text, for textual mutation (keeps literals such as 1e400 that json.dumps can't make).
_MEMBER = re.compile(rb'"([A-Za-z_]+)":\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)')


@st.composite
def broken_body(draw: st.DrawFn, valid: bytes) -> bytes:
    kinds = ["replace-member"] * 4 + ["truncate", "random-json", "random-bytes", "deep", "valid"]
    kind = draw(st.sampled_from(kinds))
    if kind == "replace-member":
        members = list(_MEMBER.finditer(valid))
        if not members:
            return valid
        member = draw(st.sampled_from(members))
        value = draw(st.sampled_from(HOSTILE_SCALARS)).encode()
        return valid[: member.start(2)] + value + valid[member.end(2) :]
    if kind == "truncate":
        return valid[: draw(st.integers(0, max(len(valid) - 1, 0)))]
    if kind == "random-json":
        value = draw(
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                max_leaves=20,
            )
        )
        return json.dumps(value).encode()
    if kind == "random-bytes":
        return draw(st.binary(max_size=200))
    if kind == "deep":
        depth = draw(st.sampled_from([1000, 50_000, 200_000]))
        return b"[" * depth + b"]" * depth
    return valid


@st.composite
def answers(draw: st.DrawFn, operation: str) -> Answer:
    source = OPERATIONS[operation][0]
    valid = VALID[source]
    body = draw(broken_body(valid))
    status = draw(st.sampled_from([200, 201, 200, 201, 204, 206, 301, 302, 400, 404, 410, 429, 500, 502, 503]))
    content_type = draw(
        st.sampled_from(["application/json", "application/json; charset=utf-8", "text/event-stream", "text/html", ""])
    )
    if source == "stream" and draw(st.booleans()):
        content_type = "text/event-stream"
    headers = {"Content-Type": content_type} if content_type else {}
    encoding = draw(st.sampled_from(["", "", "gzip", "gzip-garbage", "br"]))
    if encoding == "gzip":
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    elif encoding == "gzip-garbage":
        headers["Content-Encoding"] = "gzip"
    elif encoding == "br":
        headers["Content-Encoding"] = "br"
    if draw(st.booleans()):
        headers["Retry-After"] = draw(
            st.sampled_from(["0", "-1", "1e400", "NaN", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"])
        )
    return status, headers, body


class Replay:
    """Serves whatever answer the current example put here, to every request."""

    def __init__(self) -> None:
        self.answer: Answer = (200, {}, b"{}")
        self.lock = threading.Lock()

    def __call__(self, conn: Conn) -> bool:
        with self.lock:
            status, headers, body = self.answer
        conn.send(head(status, {**headers, "Content-Length": str(len(body))}) + body)
        return True


@pytest.fixture(scope="module")
def replay() -> Iterator[tuple[HostileServer, Replay]]:
    script = Replay()
    with HostileServer(script) as server:
        yield server, script


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_only_eliza_errors_escape(replay: tuple[HostileServer, Replay], operation: str, data: st.DataObject) -> None:
    server, script = replay
    script.answer = data.draw(answers(operation))
    limits = Limits(max_response_bytes=2 * 1024 * 1024, max_event_bytes=1024 * 1024)
    with ElizaClient(server.url, max_retries=1, timeout=Timeout(1, 1, 3), reply_timeout=1, limits=limits) as client:
        client._transport.sleep = lambda seconds: None
        with contextlib.suppress(ElizaError):  # anything else fails the test
            OPERATIONS[operation][1](client)


def test_a_hostile_value_in_a_field_is_named(replay: tuple[HostileServer, Replay]) -> None:
    server, script = replay
    valid = json.loads(VALID["get"])
    for field, literal in [("timeRemaining", "1e400"), ("timeRemaining", str(10**30)), ("renewalCount", "NaN")]:
        text = json.dumps(valid).replace(f'"{field}": {json.dumps(valid[field])}', f'"{field}": {literal}')
        script.answer = (200, {"Content-Type": "application/json"}, text.encode())
        with ElizaClient(server.url, max_retries=0) as client, pytest.raises(ResponseValidationError) as info:
            client.sessions.get(SESSION_ID)
        assert info.value.field in {field, None}, (field, literal, info.value)
    deep: Any = b"[" * 200_000 + b"]" * 200_000
    script.answer = (200, {"Content-Type": "application/json"}, deep)
    with ElizaClient(server.url, max_retries=0) as client, pytest.raises(ResponseValidationError):
        client.sessions.get(SESSION_ID)

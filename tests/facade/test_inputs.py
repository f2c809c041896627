"""Inputs: time bounds in three forms always sent as epoch ms, and client-side validation that mirrors the server's
rules and happens before any request (the server's request counter does not move)."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from eliza_client import ElizaClient, SessionTimeoutConfig, ValidationError
from eliza_client._constants import VALUE_DEPTH_MAX
from eliza_client.testing import LocalSessionsServer, ManualClock

T0 = 1767175200000  # 2025-12-31T10:00:00.000Z
T0_DT = datetime(2025, 12, 31, 10, 0, tzinfo=UTC)
USER = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b"
CMID = "12345678-1234-1234-1234-123456789012"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def server(clock: ManualClock) -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(clock=clock, rate_limit=None, reply_delay=0.01) as running:
        yield running


class UrlRecorder:
    """A requests response hook: remembers the URL of every request the client sent."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.urls.append(str(response.request.url))

    def last_query(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.urls[-1]).query)


@pytest.fixture
def recorder() -> UrlRecorder:
    return UrlRecorder()


@pytest.fixture
def client(server: LocalSessionsServer, recorder: UrlRecorder) -> Iterator[ElizaClient]:
    http = requests.Session()
    http.hooks["response"].append(recorder)
    with ElizaClient(server.base_url, session=http) as running:
        running._transport.sleep = lambda seconds: None
        yield running
    http.close()


@pytest.fixture
def session_id(server: LocalSessionsServer, client: ElizaClient) -> str:
    return client.sessions.create(server.agent_id, USER).id


@pytest.fixture
def timeline(server: LocalSessionsServer, client: ElizaClient, clock: ManualClock, session_id: str) -> str:
    """Messages m0..m3 stored at T0+10, +20, +30, +40 ms."""
    for index in range(4):
        clock.advance(ms=10)
        client.sessions.send_and_wait(session_id, f"m{index}")
    return session_id


# --- before / after ----------------------------------------------------------------------------------------

AT_25_MS = [
    pytest.param(T0_DT + timedelta(milliseconds=25), id="aware-utc-datetime"),
    pytest.param(
        (T0_DT + timedelta(milliseconds=25)).astimezone(timezone(timedelta(hours=2))), id="aware-plus-2h-datetime"
    ),
    pytest.param(T0_DT + timedelta(milliseconds=25, microseconds=999), id="sub-millisecond-floored"),
    pytest.param("2025-12-31T10:00:00.025Z", id="iso-z"),
    pytest.param("2025-12-31T12:00:00.025+02:00", id="iso-offset"),
    pytest.param("2025-12-31T04:30:00.025-0530", id="iso-offset-no-colon"),
    pytest.param(T0 + 25, id="epoch-ms"),
]


@pytest.mark.parametrize("bound", AT_25_MS)
def test_before_is_sent_as_epoch_ms(client: ElizaClient, recorder: UrlRecorder, timeline: str, bound: Any) -> None:
    page = client.sessions.messages(timeline, before=bound)
    assert recorder.last_query()["before"] == [str(T0 + 25)]
    assert [m.content for m in page.messages] == ["m1", "m0"]


@pytest.mark.parametrize("bound", AT_25_MS)
def test_after_is_sent_as_epoch_ms(client: ElizaClient, recorder: UrlRecorder, timeline: str, bound: Any) -> None:
    page = client.sessions.messages(timeline, after=bound)
    assert recorder.last_query()["after"] == [str(T0 + 25)]
    assert [m.content for m in page.messages] == ["m3", "m2"]


def test_iter_messages_bounds_are_sent_as_epoch_ms(client: ElizaClient, recorder: UrlRecorder, timeline: str) -> None:
    already = len(recorder.urls)
    walked = list(
        client.sessions.iter_messages(
            timeline, after="2025-12-31T10:00:00.015Z", before=T0_DT + timedelta(milliseconds=35)
        )
    )
    assert [m.content for m in walked] == ["m2", "m1"]
    sent = recorder.urls[already:]
    assert sent
    bounds = []
    for url in sent:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        bounds += [value for key in ("before", "after") for value in query.get(key, [])]
    assert bounds
    assert all(value.isdigit() for value in bounds), sent
    assert str(T0 + 15) in bounds


def test_an_iso_string_would_be_misread_by_the_server(server: LocalSessionsServer, timeline: str) -> None:
    """Why the client converts: the server reads ``before=2025-…`` as 2025 ms after the epoch."""
    raw = requests.get(
        f"{server.base_url}/api/messaging/sessions/{timeline}/messages",
        params={"before": "2025-12-31T10:00:00.025Z"},
        timeout=5,
    )
    assert raw.json()["messages"] == []


@pytest.mark.parametrize("field", ["before", "after"])
@pytest.mark.parametrize(
    "value",
    [
        pytest.param(datetime(2025, 12, 31, 10, 0), id="naive-datetime"),
        pytest.param("2025-12-31T10:00:00.025", id="iso-without-zone"),
    ],
)
def test_naive_times_are_rejected_before_any_request(
    server: LocalSessionsServer, client: ElizaClient, session_id: str, field: str, value: Any
) -> None:
    before = server.request_count
    for call in (client.sessions.messages, client.sessions.iter_messages):
        with pytest.raises(ValidationError) as excinfo:
            call(session_id, **{field: value})
        assert excinfo.value.field == field
        assert excinfo.value.rule == "naive_datetime"
        assert field in str(excinfo.value)
    assert server.request_count == before


# --- validation before any request ---------------------------------------------------------------------------

BAD_ID = "not-a-uuid"
Call = Callable[[ElizaClient, str, str], Any]

ID_CASES: list[Any] = [
    pytest.param(lambda c, a, s: c.sessions.create("agent", USER), "agent_id", "uuid", id="create-agent_id"),
    pytest.param(lambda c, a, s: c.sessions.create(a, USER + "0"), "user_id", "uuid", id="create-user_id"),
    pytest.param(lambda c, a, s: c.sessions.create(a, 42), "user_id", "type", id="create-user_id-type"),
    pytest.param(lambda c, a, s: c.sessions.open(a, "x").__enter__(), "user_id", "uuid", id="open-user_id"),
    pytest.param(lambda c, a, s: c.sessions.get(""), "session_id", "min_length", id="get-empty"),
    pytest.param(lambda c, a, s: c.sessions.get("../health"), "session_id", "uuid", id="get-path"),
    pytest.param(lambda c, a, s: c.sessions.get(BAD_ID), "session_id", "uuid", id="get"),
    pytest.param(lambda c, a, s: c.sessions.delete(BAD_ID), "session_id", "uuid", id="delete"),
    pytest.param(lambda c, a, s: c.sessions.renew(BAD_ID), "session_id", "uuid", id="renew"),
    pytest.param(lambda c, a, s: c.sessions.heartbeat(BAD_ID), "session_id", "uuid", id="heartbeat"),
    pytest.param(
        lambda c, a, s: c.sessions.update_timeout(BAD_ID, timeout_minutes=10), "session_id", "uuid", id="update"
    ),
    pytest.param(lambda c, a, s: c.sessions.messages(BAD_ID), "session_id", "uuid", id="messages"),
    pytest.param(lambda c, a, s: c.sessions.iter_messages(BAD_ID), "session_id", "uuid", id="iter_messages"),
    pytest.param(lambda c, a, s: c.sessions.send_message(BAD_ID, "hi"), "session_id", "uuid", id="send_message"),
    pytest.param(lambda c, a, s: c.sessions.send_and_wait(BAD_ID, "hi"), "session_id", "uuid", id="send_and_wait"),
    pytest.param(lambda c, a, s: c.sessions.stream(BAD_ID, "hi"), "session_id", "uuid", id="stream"),
]

ASTRAL_4001_UNITS = "a" * 3999 + "😀"  # 4000 Python characters, 4001 UTF-16 code units
SEND_METHODS = ["send_message", "send_and_wait", "stream"]


def _send(method: str, **kwargs: Any) -> Call:
    return lambda c, a, s: getattr(c.sessions, method)(s, **kwargs)


CONTENT_CASES: list[Any] = [
    pytest.param(
        method,
        kwargs,
        field,
        rule,
        id=f"{method}-{name}",
    )
    for method in SEND_METHODS
    for name, kwargs, field, rule in [
        ("empty", {"content": ""}, "content", "min_length"),
        ("4001", {"content": "a" * 4001}, "content", "max_length"),
        ("astral-4001", {"content": ASTRAL_4001_UNITS}, "content", "max_length"),
        ("not-str", {"content": b"bytes"}, "content", "type"),
        ("metadata-too-large", {"content": "hi", "metadata": {"pad": "a" * 10174}}, "metadata", "max_size"),
        ("metadata-object", {"content": "hi", "metadata": {"x": object()}}, "metadata.x", "json_type"),
        ("metadata-set", {"content": "hi", "metadata": {"tags": {1, 2}}}, "metadata.tags", "json_type"),
        ("metadata-nan", {"content": "hi", "metadata": {"n": float("nan")}}, "metadata.n", "json_type"),
        ("metadata-int-key", {"content": "hi", "metadata": {1: "a"}}, "metadata", "key_type"),
        ("metadata-not-mapping", {"content": "hi", "metadata": ["a"]}, "metadata", "type"),
        ("attachment-missing-url", {"content": "hi", "attachments": [{"type": "image"}]}, "attachments[0]", "shape"),
        ("attachment-not-object", {"content": "hi", "attachments": ["https://x"]}, "attachments[0]", "shape"),
        (
            "attachment-url-not-str",
            {"content": "hi", "attachments": [{"type": "image", "url": 3}]},
            "attachments[0]",
            "shape",
        ),
        ("attachments-not-list", {"content": "hi", "attachments": {"type": "a", "url": "b"}}, "attachments", "type"),
        ("client-message-id-empty", {"content": "hi", "client_message_id": ""}, "client_message_id", "type"),
        (
            "client-message-id-disagrees",
            {"content": "hi", "client_message_id": "a", "metadata": {"clientMessageId": "b"}},
            "metadata",
            "client_message_id",
        ),
    ]
]

OTHER_CASES: list[Any] = [
    pytest.param(lambda c, a, s: c.sessions.messages(s, limit=0), "limit", "range", id="limit-0"),
    pytest.param(lambda c, a, s: c.sessions.messages(s, limit=101), "limit", "range", id="limit-101"),
    pytest.param(lambda c, a, s: c.sessions.messages(s, limit=True), "limit", "type", id="limit-true"),
    pytest.param(lambda c, a, s: c.sessions.messages(s, limit="5"), "limit", "type", id="limit-str"),
    pytest.param(lambda c, a, s: c.sessions.iter_messages(s, page_size=0), "page_size", "range", id="page_size-0"),
    pytest.param(lambda c, a, s: c.sessions.iter_messages(s, page_size=101), "page_size", "range", id="page_size-101"),
    pytest.param(lambda c, a, s: c.sessions.messages(s, before=1.5e12), "before", "type", id="before-float"),
    pytest.param(lambda c, a, s: c.sessions.messages(s, after="yesterday"), "after", "format", id="after-garbage"),
    pytest.param(lambda c, a, s: c.sessions.messages(s, before=9 * 10**15), "before", "range", id="before-js-range"),
    pytest.param(
        lambda c, a, s: c.sessions.create(a, USER, metadata={"pad": "a" * 10240}),
        "metadata",
        "max_size",
        id="create-md",
    ),
    pytest.param(
        lambda c, a, s: c.sessions.create(a, USER, metadata={"f": lambda: 1}), "metadata.f", "json_type", id="create-fn"
    ),
]

TIMEOUT_CASES: list[Any] = [
    pytest.param({"timeout_minutes": 4}, "timeout_minutes", "range", id="timeout-4"),
    pytest.param({"timeout_minutes": 1441}, "timeout_minutes", "range", id="timeout-1441"),
    pytest.param({"timeout_minutes": True}, "timeout_minutes", "type", id="timeout-bool"),
    pytest.param({"timeout_minutes": float("inf")}, "timeout_minutes", "range", id="timeout-inf"),
    pytest.param({"max_duration_minutes": 2881}, "max_duration_minutes", "range", id="max-2881"),
    pytest.param(
        {"timeout_minutes": 20, "max_duration_minutes": 10}, "max_duration_minutes", "order", id="max<timeout"
    ),
    pytest.param({"warning_threshold_minutes": 0.5}, "warning_threshold_minutes", "range", id="warning-0.5"),
    pytest.param({"auto_renew": "false"}, "auto_renew", "type", id="auto_renew-str"),
]


def _assert_rejected_without_request(
    server: LocalSessionsServer, action: Callable[[], Any], field: str, rule: str
) -> ValidationError:
    before = server.request_count
    with pytest.raises(ValidationError) as excinfo:
        action()
    assert server.request_count == before, "a request was sent before validating"
    error = excinfo.value
    assert isinstance(error, ValueError)
    assert (error.field, error.rule) == (field, rule)
    assert error.message
    return error


@pytest.mark.parametrize(("call", "field", "rule"), ID_CASES + OTHER_CASES)
def test_rejected_before_any_request(
    server: LocalSessionsServer, client: ElizaClient, session_id: str, call: Call, field: str, rule: str
) -> None:
    _assert_rejected_without_request(server, lambda: call(client, server.agent_id, session_id), field, rule)


@pytest.mark.parametrize(("method", "kwargs", "field", "rule"), CONTENT_CASES)
def test_send_inputs_rejected_before_any_request(
    server: LocalSessionsServer, client: ElizaClient, session_id: str, method: str, kwargs: Any, field: str, rule: str
) -> None:
    error = _assert_rejected_without_request(
        server, lambda: getattr(client.sessions, method)(session_id, **kwargs), field, rule
    )
    if field in ("content", "metadata"):
        assert error.value_repr is None  # content and metadata are never copied into the error
    assert server.stored_messages(session_id) == []


@pytest.mark.parametrize(("settings", "field", "rule"), TIMEOUT_CASES)
def test_timeout_settings_rejected_before_any_request(
    server: LocalSessionsServer, client: ElizaClient, session_id: str, settings: dict[str, Any], field: str, rule: str
) -> None:
    _assert_rejected_without_request(
        server, lambda: client.sessions.create(server.agent_id, USER, timeout_config=settings), field, rule
    )
    _assert_rejected_without_request(
        server, lambda: client.sessions.update_timeout(session_id, **settings), field, rule
    )


def test_timeout_config_extra_keys_and_empty_update(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    _assert_rejected_without_request(
        server,
        lambda: client.sessions.create(server.agent_id, USER, timeout_config={"timeoutMinutes": 10}),
        "timeout_config",
        "keys",
    )
    _assert_rejected_without_request(
        server,
        lambda: client.sessions.create(server.agent_id, USER, timeout_config=[10]),  # type: ignore[arg-type]
        "timeout_config",
        "type",
    )
    _assert_rejected_without_request(
        server, lambda: client.sessions.update_timeout(session_id), "timeout_config", "empty"
    )


# --- what the client accepts, the server accepts ---------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(" \n\t ", id="whitespace-only"),
        pytest.param("a" * 4000, id="4000-ascii"),
        pytest.param("😀" * 2000, id="2000-astral-is-4000-units"),
        pytest.param("é" * 4000, id="4000-bmp"),
    ],
)
def test_boundary_content_is_accepted_and_stored_verbatim(
    server: LocalSessionsServer, client: ElizaClient, session_id: str, content: str
) -> None:
    reply = client.sessions.send_and_wait(session_id, content)
    assert reply.message.content == content
    assert [m["content"] for m in server.stored_messages(session_id)] == [content]


def test_metadata_at_the_size_limit_is_accepted(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    # {"pad":"…","clientMessageId":"<36>"} serialises to exactly 10 240 characters with 10 173 pad characters.
    metadata = {"pad": "a" * 10173}
    assert len(json.dumps({**metadata, "clientMessageId": CMID}, separators=(",", ":"))) == 10240
    sent = client.sessions.send_message(session_id, "[[agent:silent]]", metadata=metadata, client_message_id=CMID)
    assert server.stored_messages(session_id)[0]["metadata"]["pad"] == metadata["pad"]
    assert sent.message.client_message_id == CMID
    # One more character is refused locally (the OTHER_CASES above use 10 174 with a random id of the same length).
    _assert_rejected_without_request(
        server,
        lambda: client.sessions.send_message(session_id, "x", metadata={"pad": "a" * 10174}, client_message_id=CMID),
        "metadata",
        "max_size",
    )
    created = client.sessions.create(server.agent_id, USER, metadata={"pad": "b" * (10240 - len('{"pad":""}'))})
    assert len(created.metadata["pad"]) == 10230


def test_range_limits_are_the_server_s(server: LocalSessionsServer, client: ElizaClient) -> None:
    low = client.sessions.create(
        server.agent_id, USER, timeout_config={"timeout_minutes": 5, "warning_threshold_minutes": 1}
    )
    # uuid.UUID objects are accepted at run time (validate_uuid), although the signature says str.
    high = client.sessions.create(
        uuid.UUID(server.agent_id),  # type: ignore[arg-type]
        uuid.UUID(USER),  # type: ignore[arg-type]
        timeout_config={"timeout_minutes": 1440, "max_duration_minutes": 2880},
    )
    assert low.timeout_config.timeout_minutes == 5
    assert low.timeout_config.warning_threshold_minutes == 1
    assert high.timeout_config == SessionTimeoutConfig(
        timeout_minutes=1440, auto_renew=True, max_duration_minutes=2880, warning_threshold_minutes=5
    )
    assert high.user_id == USER
    for limit in (1, 100):
        assert client.sessions.messages(low.id, limit=limit).messages == ()


def test_the_deepest_metadata_accepted_comes_back_from_every_read(
    server: LocalSessionsServer, client: ElizaClient
) -> None:
    # What the client lets one send it must be able to read back, wherever an answer carries it (a history page
    # puts message metadata 3 levels down, a stream event 1): refusing the depth only on the way back would lose it.
    deepest: Any = {}
    for _ in range(VALUE_DEPTH_MAX - 1):
        deepest = {"d": deepest}
    session = client.sessions.create(server.agent_id, USER, metadata={"d": deepest["d"]})
    assert client.sessions.get(session.id).metadata == {"d": deepest["d"]}
    sent = client.sessions.send_message(session.id, "deep", metadata={"d": deepest["d"]})
    assert sent.message.metadata["d"] == deepest["d"]
    reply = client.sessions.send_and_wait(session.id, "deep, waiting", metadata={"d": deepest["d"]})
    assert reply.message.metadata["d"] == deepest["d"]
    with client.sessions.stream(session.id, "deep, streamed", metadata={"d": deepest["d"]}) as stream:
        stream.until_done()
    stored = [m for m in client.sessions.iter_messages(session.id) if not m.is_agent]
    assert [m.metadata["d"] == deepest["d"] for m in stored] == [True, True, True]
    page = client.sessions.messages(session.id, limit=100)
    assert [m.metadata["d"] == deepest["d"] for m in page.messages if not m.is_agent] == [True, True, True]
    with pytest.raises(ValidationError) as info:
        client.sessions.send_message(session.id, "deeper", metadata={"d": deepest})
    assert info.value.rule == "max_depth"

"""The API key never shows in a repr, an exception or a log record; the server's ``stack`` never reaches an exception;
every request is logged at DEBUG with its path, status and duration, and every retry at INFO with its reason."""

from __future__ import annotations

import logging
import pickle
import re
import socket
import traceback
from collections.abc import Iterator

import pytest

from eliza_client import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ElizaClient,
    ElizaError,
    InternalServerError,
    SessionNotFoundError,
    Timeout,
)
from eliza_client.testing import LocalSessionsServer

KEY = "sk-eliza-test-0123456789abcdef"
USER = "9d8c7b6a-5f4e-4d3c-8b2a-190f8e7d6c5b"
UNKNOWN = "00000000-0000-4000-8000-0000000000ff"
STACK = "Error: boom\n    at handler (/srv/very-private/build/index.js:10:5)\n    at next (/srv/router.js:1:1)"


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(api_key=KEY, rate_limit=None, reply_delay=0.01) as running:
        yield running


@pytest.fixture
def client(server: LocalSessionsServer) -> Iterator[ElizaClient]:
    with ElizaClient(server.base_url, api_key=KEY) as running:
        running._transport.sleep = lambda seconds: None
        yield running


def texts_of(error: BaseException) -> list[str]:
    """Everything an application may render from an exception: str, repr, attributes, traceback, the chain."""
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(vars(current)), repr(current.args)]
        current = current.__cause__ or current.__context__
    texts.append("".join(traceback.format_exception(error)))
    return texts


def assert_clean(error: BaseException) -> None:
    for text in texts_of(error):
        assert KEY not in text
        assert "very-private" not in text
        assert "node_modules" not in text  # the local server's (realistic) stack frames
        assert "    at " not in text
    if isinstance(error, ElizaError):
        restored = pickle.loads(pickle.dumps(error))
        assert KEY not in repr(vars(restored))


def test_the_key_is_not_in_any_client_repr(server: LocalSessionsServer, client: ElizaClient) -> None:
    variants = [
        client,
        client.with_options(timeout=3),
        client.with_options(max_retries=0, extra_headers={"X-Trace": "1"}),
        client.sessions,
    ]
    for obj in variants:
        assert KEY not in repr(obj)
        assert KEY not in str(obj)
    assert repr(client).startswith(f"ElizaClient(base_url={server.base_url!r}")
    assert KEY not in repr(vars(client))
    assert KEY not in repr(client._transport.generated)


def test_the_key_and_the_stack_never_leak_through_errors_or_logs(
    server: LocalSessionsServer, client: ElizaClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, the library's and its dependencies'
    errors: list[BaseException] = []

    # Retries (INFO lines) that end in success.
    server.faults.fail_next(503, route="get_sessions_health")
    assert client.sessions.health().status == "healthy"
    session = client.sessions.create(server.agent_id, USER)

    # A server that echoes the key in every part of its error body, stack included.
    echo = {
        "error": {
            "code": "BOOM",
            "message": f"rejected key {KEY}",
            "details": {"echo": KEY, "stack": STACK, "nested": [{"Stack": STACK}]},
            "stack": STACK,
        }
    }
    server.faults.fail_next(500, body=echo, count=3, route="get_session")
    with pytest.raises(InternalServerError) as echoed:
        client.sessions.get(session.id)
    errors.append(echoed.value)
    assert echoed.value.message == "rejected key <redacted>"
    assert echoed.value.details == {"echo": "<redacted>", "nested": [{}]}

    # The local server's own errors carry a Node.js stack.
    with pytest.raises(SessionNotFoundError) as not_found:
        client.sessions.renew(UNKNOWN)
    errors.append(not_found.value)

    # Without the key, or with another one.
    for other in (None, "not-" + KEY):
        with ElizaClient(server.base_url, api_key=other, max_retries=0) as anonymous:
            with pytest.raises(AuthenticationError) as denied:
                anonymous.sessions.list()
            errors.append(denied.value)

    # A send whose outcome is unknown (reconciled through the history), and a read timeout.
    server.faults.drop_connection(when="after_store", route="send_message")
    assert client.sessions.send_message(session.id, "dropped").session_status is None
    server.faults.delay(0.5, route="list_sessions")
    with pytest.raises(APITimeoutError) as timed_out:
        client.with_options(timeout=Timeout(connect=1, read=0.1), max_retries=0).sessions.list()
    errors.append(timed_out.value)

    # A connection that cannot be made.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with ElizaClient(f"http://127.0.0.1:{port}", api_key=KEY, max_retries=1) as unreachable:
        unreachable._transport.sleep = lambda seconds: None
        with pytest.raises(APIConnectionError) as refused:
            unreachable.sessions.health()
        errors.append(refused.value)

    for error in errors:
        assert_clean(error)

    assert any(r.levelno == logging.INFO and r.name == "eliza_client" for r in caplog.records)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in caplog.records:
        rendered = formatter.format(record)
        assert KEY not in rendered, rendered
        assert KEY not in repr(vars(record)), record
        assert "very-private" not in rendered


def test_extra_header_credentials_are_not_logged_or_kept(
    server: LocalSessionsServer, client: ElizaClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="eliza_client")
    other = client.with_options(extra_headers={"X-API-KEY": "wrong-extra-key"}, max_retries=0)
    with pytest.raises(AuthenticationError) as excinfo:
        other.sessions.health()
    assert "wrong-extra-key" not in repr(vars(excinfo.value))
    assert all("wrong-extra-key" not in r.getMessage() for r in caplog.records)
    assert "x-api-key" not in excinfo.value.headers


# --- logging -------------------------------------------------------------------------------------------------

LINE = re.compile(r"^(?P<what>\S+) (?P<path>/\S*) -> (?P<status>\d{3}) in (?P<ms>\d+\.\d) ms$")


def request_lines(caplog: pytest.LogCaptureFixture) -> list[re.Match[str]]:
    found = []
    for record in caplog.records:
        if record.name == "eliza_client" and record.levelno == logging.DEBUG:
            match = LINE.match(record.getMessage())
            if match:
                found.append(match)
    return found


def test_each_request_is_logged_at_debug(
    server: LocalSessionsServer, client: ElizaClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="eliza_client"):
        session = client.sessions.create(server.agent_id, USER)
        client.sessions.get(session.id)
        with pytest.raises(SessionNotFoundError):
            client.sessions.heartbeat(UNKNOWN)
    lines = request_lines(caplog)
    assert [(m["path"], m["status"]) for m in lines] == [
        ("/api/messaging/sessions", "201"),
        (f"/api/messaging/sessions/{session.id}", "200"),
        (f"/api/messaging/sessions/{UNKNOWN}/heartbeat", "404"),
    ]
    assert all(float(m["ms"]) >= 0 for m in lines)
    messages = [r.getMessage() for r in caplog.records if r.name == "eliza_client"]
    assert any("not retrying" in m and "404" in m for m in messages)


def test_the_debug_line_names_the_http_method(
    server: LocalSessionsServer, client: ElizaClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="eliza_client"):
        session = client.sessions.create(server.agent_id, USER)
        client.sessions.get(session.id)
        client.sessions.delete(session.id)
    assert [m["what"] for m in request_lines(caplog)] == ["POST", "GET", "DELETE"]


def test_a_retry_is_logged_at_info_with_its_reason(
    server: LocalSessionsServer, client: ElizaClient, caplog: pytest.LogCaptureFixture
) -> None:
    session = client.sessions.create(server.agent_id, USER)
    server.faults.fail_next(503, route="get_session")
    server.faults.drop_connection(route="get_session")
    with caplog.at_level(logging.DEBUG, logger="eliza_client"):
        assert client.sessions.get(session.id).id == session.id
    infos = [r.getMessage() for r in caplog.records if r.name == "eliza_client" and r.levelno == logging.INFO]
    assert len(infos) == 2
    assert infos[0].startswith("get: attempt 1 failed (status 503")
    assert "retrying in" in infos[0]
    assert infos[1].startswith("get: attempt 2 failed (APIConnectionError")
    assert "retrying in" in infos[1]
    statuses = [m["status"] for m in request_lines(caplog)]
    assert statuses == ["503", "200"]
    failures = [r.getMessage() for r in caplog.records if "failed after" in r.getMessage()]
    assert len(failures) == 1
    assert re.search(r"/api/messaging/sessions/\S+ failed after \d+\.\d ms", failures[0])


class _Config:
    """An application object whose str() is safe and whose repr() shows the key (a dataclass would)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __str__(self) -> str:
        return "Config(...)"

    def __repr__(self) -> str:
        return f"Config(key={self.key!r})"


@pytest.mark.parametrize(
    ("template", "args"),
    [
        ("config %r", (_Config(KEY),)),  # repr shows what str hid
        ("%s%s", (KEY[:10], KEY[10:])),  # each half is harmless, the message is not
        ("keys %r", ([_Config(KEY)],)),  # inside a container, repr of the item
        ("%(a)s%(b)s", {"a": KEY[:7], "b": KEY[7:]}),
    ],
)
def test_a_key_only_the_formatted_message_shows_is_still_redacted(
    client: ElizaClient, caplog: pytest.LogCaptureFixture, template: str, args: object
) -> None:
    caplog.set_level(logging.DEBUG, logger="eliza_client")
    logger = logging.getLogger("eliza_client")
    if isinstance(args, dict):
        logger.debug(template, args)
    else:
        assert isinstance(args, tuple)
        logger.debug(template, *args)
    [record] = [r for r in caplog.records if r.name == "eliza_client"]
    assert KEY not in record.getMessage()
    assert KEY not in caplog.text
    assert "<redacted>" in record.getMessage()


def test_arguments_that_cannot_be_formatted_are_dropped_not_printed(
    client: ElizaClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="eliza_client")
    logging.getLogger("eliza_client").debug("%d items", _Config(KEY))
    [record] = [r for r in caplog.records if r.name == "eliza_client"]
    assert KEY not in record.getMessage()
    assert "could not be formatted" in record.getMessage()


def test_a_message_that_is_an_object_is_scrubbed_too(client: ElizaClient, caplog: pytest.LogCaptureFixture) -> None:
    # logging.info(exc): no template, no arguments; the message is str(exc).
    caplog.set_level(logging.DEBUG, logger="eliza_client")
    logging.getLogger("eliza_client").warning(RuntimeError(f"boom {KEY}"))
    [record] = [r for r in caplog.records if r.name == "eliza_client"]
    assert KEY not in record.getMessage()
    assert record.getMessage() == "boom <redacted>"

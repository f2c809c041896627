"""Client configuration: ``with_options`` copies (retries, timeout, extra headers) that share the pool and the
closed state, use after ``close()``, and the ``ELIZA_BASE_URL`` / ``ELIZA_API_KEY`` environment fallbacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from eliza_client import (
    DEFAULT_BASE_URL,
    AuthenticationError,
    ClientClosedError,
    ElizaClient,
    InternalServerError,
    Timeout,
    ValidationError,
)
from eliza_client.testing import LocalSessionsServer

USER = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
KEY = "env-key-for-tests"


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.01) as running:
        yield running


class HeaderRecorder:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.sent.append(dict(response.request.headers))


@pytest.fixture
def recorder() -> HeaderRecorder:
    return HeaderRecorder()


@pytest.fixture
def http(recorder: HeaderRecorder) -> Iterator[requests.Session]:
    session = requests.Session()
    session.hooks["response"].append(recorder)
    yield session
    session.close()


@pytest.fixture
def client(server: LocalSessionsServer, http: requests.Session) -> Iterator[ElizaClient]:
    with ElizaClient(server.base_url, session=http, extra_headers={"X-Team": "core"}, max_retries=0) as running:
        running._transport.sleep = lambda seconds: None
        yield running


def test_with_options_shares_the_pool(client: ElizaClient) -> None:
    copy = client.with_options(timeout=7, max_retries=3, extra_headers={"X-Trace": "abc"})
    assert copy._transport is client._transport
    assert copy._transport.generated.get_requests_session() is client._transport.generated.get_requests_session()
    assert (copy.timeout, copy.max_retries) == (Timeout(7, 7), 3)
    assert (client.timeout, client.max_retries) == (Timeout.default(), 0)
    assert copy.base_url == client.base_url


def test_extra_headers_are_layered(server: LocalSessionsServer, client: ElizaClient, recorder: HeaderRecorder) -> None:
    client.sessions.health()
    client.with_options(extra_headers={"X-Trace": "abc"}).sessions.health()
    client.with_options(extra_headers={"X-Team": "ml"}).sessions.health()
    client.sessions.health()
    assert [(h.get("X-Team"), h.get("X-Trace")) for h in recorder.sent] == [
        ("core", None),
        ("core", "abc"),
        ("ml", None),
        ("core", None),
    ]
    assert all(h["User-Agent"].startswith("eliza-client/") for h in recorder.sent)


def test_max_retries_per_call(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(server.agent_id, USER)
    server.faults.fail_next(503, route="get_session")
    with pytest.raises(InternalServerError):
        client.sessions.get(session.id)
    server.faults.fail_next(503, route="get_session")
    before = server.request_count
    assert client.with_options(max_retries=1).sessions.get(session.id).id == session.id
    assert server.request_count - before == 2
    assert client.max_retries == 0


def test_closing_the_original_closes_its_copies(server: LocalSessionsServer, client: ElizaClient) -> None:
    copy = client.with_options(max_retries=1)
    assert copy.sessions.health().status == "healthy"
    client.close()
    client.close()  # idempotent
    assert client.is_closed
    assert copy.is_closed
    before = server.request_count
    with pytest.raises(ClientClosedError):
        copy.sessions.health()
    assert server.request_count == before


def test_closing_a_copy_closes_the_original(server: LocalSessionsServer) -> None:
    client = ElizaClient(server.base_url)
    client.with_options(timeout=3).close()
    with pytest.raises(ClientClosedError) as excinfo:
        client.sessions.list()
    assert isinstance(excinfo.value, RuntimeError)
    assert client.with_options(max_retries=0).is_closed


CALLS: list[Any] = [
    pytest.param(lambda c, s, a: c.sessions.health(), id="health"),
    pytest.param(lambda c, s, a: c.sessions.create(a, USER), id="create"),
    pytest.param(lambda c, s, a: c.sessions.get(s), id="get"),
    pytest.param(lambda c, s, a: c.sessions.list(), id="list"),
    pytest.param(lambda c, s, a: c.sessions.delete(s), id="delete"),
    pytest.param(lambda c, s, a: c.sessions.renew(s), id="renew"),
    pytest.param(lambda c, s, a: c.sessions.heartbeat(s), id="heartbeat"),
    pytest.param(lambda c, s, a: c.sessions.update_timeout(s, auto_renew=False), id="update_timeout"),
    pytest.param(lambda c, s, a: c.sessions.open(a, USER).__enter__(), id="open"),
    pytest.param(lambda c, s, a: c.sessions.send_message(s, "hi"), id="send_message"),
    pytest.param(lambda c, s, a: c.sessions.send_and_wait(s, "hi"), id="send_and_wait"),
    pytest.param(lambda c, s, a: c.sessions.stream(s, "hi"), id="stream"),
    pytest.param(lambda c, s, a: c.sessions.messages(s), id="messages"),
    pytest.param(lambda c, s, a: list(c.sessions.iter_messages(s)), id="iter_messages"),
]


@pytest.mark.parametrize("call", CALLS)
def test_every_method_refuses_after_close(
    server: LocalSessionsServer, call: Callable[[ElizaClient, str, str], Any]
) -> None:
    with ElizaClient(server.base_url) as client:
        session_id = client.sessions.create(server.agent_id, USER).id
    before = server.request_count
    with pytest.raises(ClientClosedError):
        call(client, session_id, server.agent_id)
    assert server.request_count == before
    assert server.stored_messages(session_id) == []


def test_a_supplied_session_is_not_closed(server: LocalSessionsServer, http: requests.Session) -> None:
    with ElizaClient(server.base_url, session=http) as client:
        client.sessions.health()
    assert client.is_closed
    assert http.get(f"{server.base_url}/api/messaging/sessions/health", timeout=5).status_code == 200


# --- environment -------------------------------------------------------------------------------------------


def test_environment_supplies_base_url_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalSessionsServer(api_key=KEY, rate_limit=None) as server:
        monkeypatch.setenv("ELIZA_BASE_URL", server.base_url)
        monkeypatch.setenv("ELIZA_API_KEY", KEY)
        with ElizaClient() as client:
            assert client.base_url == server.base_url
            assert client.sessions.health().status == "healthy"
            assert KEY not in repr(client)
        # Arguments win over the environment.
        with ElizaClient(api_key="another-key", max_retries=0) as client, pytest.raises(AuthenticationError):
            client.sessions.health()
        monkeypatch.delenv("ELIZA_API_KEY")
        with ElizaClient(max_retries=0) as client, pytest.raises(AuthenticationError):
            client.sessions.health()


def test_explicit_base_url_wins_and_the_default_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELIZA_BASE_URL", "http://127.0.0.1:9/")
    with ElizaClient("http://127.0.0.1:8/") as client:
        assert client.base_url == "http://127.0.0.1:8"
    with ElizaClient() as client:
        assert client.base_url == "http://127.0.0.1:9"
    monkeypatch.delenv("ELIZA_BASE_URL")
    with ElizaClient() as client:
        assert client.base_url == DEFAULT_BASE_URL


@pytest.mark.parametrize(
    ("make", "field"),
    [
        pytest.param(lambda: ElizaClient("ftp://host"), "base_url", id="base_url"),
        pytest.param(lambda: ElizaClient("http://h", max_retries=-1), "max_retries", id="max_retries"),
        pytest.param(lambda: ElizaClient("http://h", max_retries=True), "max_retries", id="max_retries-bool"),
        pytest.param(lambda: ElizaClient("http://h", timeout=-1), "timeout.connect", id="timeout"),
        pytest.param(
            lambda: ElizaClient("http://h", timeout=(1, 2, 3)),  # type: ignore[arg-type]
            "timeout",
            id="timeout-triple",
        ),
        pytest.param(
            lambda: ElizaClient("http://h", extra_headers={"X": 1}),  # type: ignore[dict-item]
            "extra_headers[X]",
            id="headers",
        ),
        pytest.param(lambda: ElizaClient("http://h", api_key=""), "api_key", id="api_key"),
        pytest.param(lambda: ElizaClient("http://h").with_options(max_retries=-2), "max_retries", id="with-retries"),
        pytest.param(
            lambda: ElizaClient("http://h").with_options(timeout=(0, 1)), "timeout.connect", id="with-timeout"
        ),
    ],
)
def test_invalid_options(make: Callable[[], Any], field: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make()
    assert excinfo.value.field == field

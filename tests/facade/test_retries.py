"""Retries: which failures are retried, how long the client waits, and the per-client / per-call budget."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
import responses

from eliza_client import (
    APIConnectionError,
    APITimeoutError,
    ElizaClient,
    InternalServerError,
    RateLimitError,
    SessionNotFoundError,
    Timeout,
)
from eliza_client.testing import LocalSessionsServer

USER = "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.01) as running:
        yield running


class Recorder:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Recorder:
    return Recorder()


@pytest.fixture
def client(server: LocalSessionsServer, sleeps: Recorder) -> Iterator[ElizaClient]:
    with ElizaClient(server.base_url) as running:
        running._transport.sleep = sleeps
        yield running


def test_idempotent_call_retried_on_5xx_with_backoff(
    server: LocalSessionsServer, client: ElizaClient, sleeps: Recorder
) -> None:
    server.faults.fail_next(503, count=2, route="get_sessions_health")
    before = server.request_count
    assert client.sessions.health().status == "healthy"
    assert server.request_count - before == 3
    # Exponential backoff with full jitter: the n-th wait is uniform in [0, 0.5 * 2**n].
    assert len(sleeps.delays) == 2
    assert 0 <= sleeps.delays[0] <= 0.5
    assert 0 <= sleeps.delays[1] <= 1.0


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses(server: LocalSessionsServer, client: ElizaClient, status: int) -> None:
    server.faults.fail_next(status, route="list_sessions")
    assert client.sessions.list().total == 0


def test_retry_after_is_honoured(server: LocalSessionsServer, client: ElizaClient, sleeps: Recorder) -> None:
    server.faults.fail_next(503, route="list_sessions", retry_after=3)
    client.sessions.list()
    assert sleeps.delays == [3.0]


def test_retry_after_above_the_cap_raises_at_once(
    server: LocalSessionsServer, client: ElizaClient, sleeps: Recorder
) -> None:
    server.faults.fail_next(429, route="list_sessions", retry_after=900)
    with pytest.raises(RateLimitError) as excinfo:
        client.sessions.list()
    assert excinfo.value.retry_after == 900
    assert sleeps.delays == []


def test_real_rate_limit_headers(sleeps: Recorder) -> None:
    with LocalSessionsServer(rate_limit=3, rate_limit_window_seconds=900) as limited:
        with ElizaClient(limited.base_url) as client:
            client._transport.sleep = sleeps
            for _ in range(3):
                client.sessions.health()
            with pytest.raises(RateLimitError) as excinfo:
                client.sessions.health()
    # The window is 15 minutes: far above the 60 s a blocking caller should wait, so no sleep, a typed error.
    assert excinfo.value.retry_after is not None
    assert 60 < excinfo.value.retry_after <= 900
    assert sleeps.delays == []


@responses.activate
def test_rate_limit_reset_is_used_when_retry_after_is_absent(sleeps: Recorder) -> None:
    url = "http://127.0.0.1:9/api/messaging/sessions/health"
    body = {"success": False, "error": {"code": "RATE_LIMIT_EXCEEDED", "message": "Too many requests."}}
    responses.get(url, json=body, status=429, headers={"RateLimit-Reset": "2"})
    healthy = {"status": "healthy", "activeSessions": 0, "timestamp": "2026-01-01T00:00:00.000Z", "expiringSoon": 0}
    responses.get(url, json={**healthy, "uptime": 1.5})
    with ElizaClient("http://127.0.0.1:9") as client:
        client._transport.sleep = sleeps
        assert client.sessions.health().active_sessions == 0
    assert sleeps.delays == [2.0]


@responses.activate
def test_x_should_retry_false_is_obeyed(sleeps: Recorder) -> None:
    url = "http://127.0.0.1:9/api/messaging/sessions"
    responses.get(
        url,
        json={"success": False, "error": {"code": 503, "message": "x"}},
        status=503,
        headers={"x-should-retry": "false"},
    )
    with ElizaClient("http://127.0.0.1:9") as client:
        client._transport.sleep = sleeps
        with pytest.raises(InternalServerError):
            client.sessions.list()
    assert len(responses.calls) == 1


def test_client_errors_are_not_retried(server: LocalSessionsServer, client: ElizaClient) -> None:
    before = server.request_count
    with pytest.raises(SessionNotFoundError):
        client.sessions.get(MISSING)
    assert server.request_count - before == 1


def test_max_retries_per_client_and_per_call(server: LocalSessionsServer, sleeps: Recorder) -> None:
    with ElizaClient(server.base_url, max_retries=0) as client:
        client._transport.sleep = sleeps
        server.faults.fail_next(503, count=1, route="list_sessions")
        with pytest.raises(InternalServerError):
            client.sessions.list()
        server.faults.fail_next(503, count=4, route="list_sessions")
        assert client.with_options(max_retries=4).sessions.list().total == 0
        server.faults.fail_next(503, count=5, route="list_sessions")
        with pytest.raises(InternalServerError):
            client.with_options(max_retries=4).sessions.list()


def test_connection_dropped_on_an_idempotent_call(server: LocalSessionsServer, client: ElizaClient) -> None:
    session = client.sessions.create(server.agent_id, USER)
    server.faults.drop_connection(when="after_store", route="send_heartbeat")
    beat = client.sessions.heartbeat(session.id)
    assert beat.renewal_count == 2  # the dropped heartbeat counted too: repeating it was harmless


def test_connection_refused_is_retried_then_raised(sleeps: Recorder) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with ElizaClient(f"http://127.0.0.1:{port}", timeout=Timeout(connect=1, read=1)) as client:
        client._transport.sleep = sleeps
        with pytest.raises(APIConnectionError) as excinfo:
            client.sessions.health()
    assert excinfo.value.request_sent is False
    assert len(sleeps.delays) == 2


def test_total_deadline_bounds_all_attempts(server: LocalSessionsServer) -> None:
    server.faults.delay(1.0, count=10, route="list_sessions")
    with ElizaClient(server.base_url, timeout=Timeout(connect=1, read=5, total=0.6)) as client:
        with pytest.raises(APITimeoutError) as excinfo:
            client.sessions.list()
    assert excinfo.value.phase == "total"


def test_retry_decisions_are_logged(
    server: LocalSessionsServer, client: ElizaClient, caplog: pytest.LogCaptureFixture
) -> None:
    server.faults.fail_next(502, route="list_sessions")
    with caplog.at_level(logging.DEBUG, logger="eliza_client"):
        client.sessions.list()
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("list: attempt 1 failed" in line and "retrying in" in line for line in infos)
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("/api/messaging/sessions -> 502" in line for line in debug)
    assert any("/api/messaging/sessions -> 200" in line for line in debug)

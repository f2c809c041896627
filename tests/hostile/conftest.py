"""Fixtures for the hostile-server suite: a fresh server per test and a client with short, explicit limits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eliza_client import ElizaClient, Limits, Timeout

from .server import HostileServer

SESSION_ID = "8a3f2b1c-4d5e-4f60-8a7b-9c0d1e2f3a4b"


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def make_client(server: HostileServer, **kwargs: object) -> ElizaClient:
    options: dict[str, object] = {
        "timeout": Timeout(connect=2, read=2, total=3),
        "max_retries": 0,
        "limits": Limits(max_response_bytes=1024 * 1024, max_event_bytes=64 * 1024, max_error_body_bytes=8 * 1024),
    }
    options.update(kwargs)
    client = ElizaClient(server.url, **options)  # type: ignore[arg-type]
    client._transport.sleep = lambda seconds: None
    return client

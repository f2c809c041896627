"""Fixtures for the local sessions server tests: a server on a ManualClock and a thin requests helper."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from eliza_client.testing import LocalSessionsServer, ManualClock

# The package's pytest plugin; imported so the fixtures exist even when the package is not installed (the
# entry point then is not registered). Names defined here take precedence over the plugin's.
from eliza_client.testing.pytest_plugin import eliza_server, eliza_server_factory

__all__ = ["eliza_server", "eliza_server_factory"]

#: 2025-12-31T10:00:00.000Z, the reference document's example timeline.
T0 = 1767175200000
SESSIONS = "/api/messaging/sessions"


def new_user() -> str:
    """A fresh user id."""
    return str(uuid.uuid4())


class Api:
    """Plain HTTP calls against one server (deliberately not the client library under development)."""

    def __init__(self, server: LocalSessionsServer) -> None:
        self.server = server
        self.base = server.base_url
        self.http = requests.Session()
        if server.api_key:
            self.http.headers["X-API-KEY"] = server.api_key

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.http.request(method, self.base + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def create(self, **body: Any) -> dict[str, Any]:
        body.setdefault("agentId", self.server.agent_id)
        body.setdefault("userId", new_user())
        response = self.post(SESSIONS, json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def send(self, session_id: str, content: str = "hi", **body: Any) -> requests.Response:
        return self.post(f"{SESSIONS}/{session_id}/messages", json={"content": content, **body})

    def messages(self, session_id: str, **params: Any) -> requests.Response:
        return self.get(f"{SESSIONS}/{session_id}/messages", params=params)


@pytest.fixture
def clock() -> ManualClock:
    """A clock that only moves when the test says so."""
    return ManualClock(T0)


@pytest.fixture
def server(clock: ManualClock) -> Iterator[LocalSessionsServer]:
    """A local server on the manual clock, without rate limiting, with short agent delays."""
    with LocalSessionsServer(clock=clock, rate_limit=None, reply_delay=0.01, chunk_delay=0.001) as running:
        yield running


@pytest.fixture
def api(server: LocalSessionsServer) -> Iterator[Api]:
    """HTTP helper bound to ``server``."""
    helper = Api(server)
    yield helper
    helper.close()

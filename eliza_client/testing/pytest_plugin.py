"""pytest fixtures for the local sessions server, registered through the ``pytest11`` entry point.

Installing ``eliza-client`` is enough; no ``conftest.py`` is needed::

    def test_my_bot(eliza_server):
        bot = MyBot(base_url=eliza_server.base_url, agent_id=eliza_server.agent_id)
        ...

``eliza_server`` is a running :class:`~eliza_client.testing.LocalSessionsServer` with the defaults (real clock,
real rate limit), new for every test. For anything else use ``eliza_server_factory``, which takes the same
keyword arguments as the class and stops every server it made when the test ends; a test that moves time
itself asks for a :class:`~eliza_client.testing.ManualClock`::

    def test_expiry(eliza_server_factory):
        clock = ManualClock()
        server = eliza_server_factory(clock=clock, rate_limit=None)
        ...
        clock.advance(minutes=31)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import pytest

from ._server import LocalSessionsServer

__all__ = ["ServerFactory", "eliza_server", "eliza_server_factory"]


class ServerFactory(Protocol):
    """The type of the ``eliza_server_factory`` fixture."""

    def __call__(self, **kwargs: Any) -> LocalSessionsServer:
        """Start a :class:`LocalSessionsServer` with ``kwargs``; it is stopped at teardown."""
        ...


@pytest.fixture
def eliza_server_factory() -> Iterator[ServerFactory]:
    """Start local sessions servers with any constructor arguments; all are stopped after the test."""
    started: list[LocalSessionsServer] = []

    def factory(**kwargs: Any) -> LocalSessionsServer:
        server = LocalSessionsServer(**kwargs).start()
        started.append(server)
        return server

    try:
        yield factory
    finally:
        for server in reversed(started):
            server.stop()


@pytest.fixture
def eliza_server(eliza_server_factory: ServerFactory) -> LocalSessionsServer:
    """A running local sessions server with default settings, fresh for each test."""
    return eliza_server_factory()

"""The ``eliza_client`` pytest plugin (``pytest11`` entry point): the ``eliza_server`` fixtures, registered cheaply.

pytest imports every installed plugin at startup, in every run of every project in the environment. This module
is therefore top-level (importing ``eliza_client.testing.pytest_plugin`` would run ``eliza_client/__init__``,
requests, attrs and cattrs) and imports nothing but :mod:`pytest` and :mod:`typing`; the local server is imported
by the fixtures, when a test first asks for one. The documented import path for the fixtures and their types
stays :mod:`eliza_client.testing.pytest_plugin`, which re-exports them; ``-p eliza_client`` loads the plugin by
its entry-point name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

import pytest

if TYPE_CHECKING:
    from eliza_client.testing import LocalSessionsServer

__all__ = ["ServerFactory", "eliza_server", "eliza_server_factory"]


class ServerFactory(Protocol):
    """The type of the ``eliza_server_factory`` fixture."""

    def __call__(self, **kwargs: Any) -> LocalSessionsServer:
        """Start a :class:`LocalSessionsServer` with ``kwargs``; it is stopped at teardown."""
        ...


@pytest.fixture
def eliza_server_factory() -> Iterator[ServerFactory]:
    """Start local sessions servers with any constructor arguments; all are stopped after the test."""
    from eliza_client.testing import LocalSessionsServer  # here, not at the top: see the module docstring

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

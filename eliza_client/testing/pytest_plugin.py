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

The entry point names the small top-level package ``_eliza_client_pytest``, which defines them without importing the
client (so registering the plugin costs a pytest run nothing); this module re-exports them and their type, for
annotations (``from eliza_client.testing.pytest_plugin import ServerFactory``) and for ``-p
eliza_client.testing.pytest_plugin``.
"""

from __future__ import annotations

from _eliza_client_pytest import ServerFactory, eliza_server, eliza_server_factory

__all__ = ["ServerFactory", "eliza_server", "eliza_server_factory"]

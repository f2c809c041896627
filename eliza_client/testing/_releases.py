"""The @elizaos/server releases the local server can imitate, and how their Sessions APIs differ.

Only the send route (``POST /sessions/{id}/messages``) differs between these releases in what the local server
reproduces (read from each release's ``dist/index.js``); the other nine session routes, the error bodies, the
limits, the API-key check and the rate limiter are the same in all of them.

* **1.6.5** reads neither ``transport`` nor ``mode``: every send is answered at once with a flat
  ``{id, content, authorId, createdAt, metadata, sessionStatus}`` (201, no ``success``) and the agent replies
  through the message bus (its reply lands in the history a moment later).
* **1.7.0** reads ``body.mode || "websocket"`` (``sync``/``stream``/``websocket``; ``transport`` is ignored)
  and answers ``{success, userMessage: {id, content, authorId, createdAt, metadata}, …}``. ``createMessage``
  still publishes every message on the bus, so the agent's reply is also stored after a sync or stream send.
* **1.7.2** (and **1.7.3-alpha.4**, whose sessions router is the same) reads ``body.transport ?? body.mode``
  (``http``/``sse``/``websocket`` plus the legacy names), echoes the stored row in snake_case as
  ``userMessage``, and publishes to the bus only for websocket sends.
* **1.7.3-alpha.4** adds JWT data isolation (``ENABLE_DATA_ISOLATION=true`` with ``JWT_SECRET``).
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = ["DEFAULT_SERVER_VERSION", "SERVER_VERSIONS", "Release", "SendApi", "release_for"]

#: ``flat``: 1.6.5; ``mode``: 1.7.0; ``transport``: 1.7.2 and later.
SendApi = Literal["flat", "mode", "transport"]


@attrs.frozen
class Release:
    """What distinguishes one imitated release."""

    version: str
    send_api: SendApi
    #: ``createMessage`` publishes every stored message on the internal bus (so the agent also answers a
    #: sync/stream send through the bus, and that reply is stored in the channel).
    bus_on_every_message: bool
    #: ``ENABLE_DATA_ISOLATION`` turns on the JWT check of every ``/api`` route.
    jwt_data_isolation: bool


_RELEASES = {
    release.version: release
    for release in (
        Release("1.6.5", "flat", bus_on_every_message=True, jwt_data_isolation=False),
        Release("1.7.0", "mode", bus_on_every_message=True, jwt_data_isolation=False),
        Release("1.7.2", "transport", bus_on_every_message=False, jwt_data_isolation=False),
        Release("1.7.3-alpha.4", "transport", bus_on_every_message=False, jwt_data_isolation=True),
    )
}

#: The accepted ``server_version`` values, oldest first.
SERVER_VERSIONS: tuple[str, ...] = tuple(_RELEASES)
DEFAULT_SERVER_VERSION = "1.7.2"


def release_for(version: str) -> Release:
    """The release called ``version``; ValueError naming the accepted ones for anything else."""
    release = _RELEASES.get(version) if isinstance(version, str) else None
    if release is None:
        raise ValueError(f"server_version must be one of {', '.join(SERVER_VERSIONS)}; got {version!r}")
    return release

"""Which elizaOS release the client talks to, and what that changes: only sending.

The releases users run differ in how a message is sent (``openapi.yaml``'s ``x-eliza-releases`` has the
details), nowhere else:

============  ===================================  ==================================  ==========================
send dialect  request field                        201 body                            waiting for the reply
============  ===================================  ==================================  ==========================
``1.6.5``     none is read                         flat message + ``sessionStatus``    impossible: read history
``1.7.0``     ``mode`` (sync, stream, websocket)   ``userMessage`` camelCase, ISO      ``mode: sync`` / ``stream``
``1.7.2``     ``transport`` (``?? mode``)          ``userMessage`` snake_case, epoch   ``transport: http`` / ``sse``
============  ===================================  ==================================  ==========================

A dialect is named after the first release measured to speak it; 1.7.3-alpha.4 speaks 1.7.2's.

How the client knows: a pinned ``server_version`` (``ElizaClient(server_version="1.7.0")``), else what the
answers of earlier sends showed (every send answer's shape names its dialect), else nothing yet. Until it knows,
it sends *both* fields, with the same meaning (``transport: "http", mode: "sync"``): 1.7.2 reads ``transport``
and ignores ``mode`` when ``transport`` is there, 1.7.0 reads ``mode`` and ignores ``transport``, 1.6.5 reads
neither, so that form fits every release, and no extra request (such as ``GET /api/system/version``, which
``client.server_version()`` reads on demand) is spent or can fail on the way to the first send.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from ._constants import SendTransport
from ._errors import ValidationError
from ._logs import get_logger

if TYPE_CHECKING:
    from ._converter import BusMessage
    from ._deadline import Deadline
    from ._models import ServerVersion
    from ._transport import RequestOptions, Transport

__all__ = [
    "KNOWN_RELEASES",
    "LEGACY_MODE",
    "REPLIES_IN_HISTORY",
    "ReleaseKnowledge",
    "SendAnswer",
    "SendDialect",
    "check_server_version",
    "dialect_of_version",
    "read_send_answer",
    "read_server_version",
]

logger = get_logger()

SendDialect = Literal["1.6.5", "1.7.0", "1.7.2"]

#: The releases measured against the real servers (each installed from npm and run offline), and their dialect.
KNOWN_RELEASES: Final[Mapping[str, SendDialect]] = {
    "1.6.5": "1.6.5",
    "1.7.0": "1.7.0",
    "1.7.2": "1.7.2",
    "1.7.3-alpha.4": "1.7.2",
}

#: The dialects whose servers store every agent reply in the history (1.7.2 stores only websocket-sent ones).
REPLIES_IN_HISTORY: Final[frozenset[SendDialect]] = frozenset({"1.6.5", "1.7.0"})

#: 1.7.0's name for each transport (1.7.2 still accepts these as its legacy ``mode``).
LEGACY_MODE: Final[Mapping[SendTransport, str]] = {"http": "sync", "sse": "stream", "websocket": "websocket"}

_VERSION: Final = re.compile(r"v?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")


def check_server_version(value: object) -> str | None:
    """``server_version``: None, or a release number such as ``"1.7.0"`` or ``"1.7.3-alpha.4"``.

    Raises: ``ValidationError`` naming ``server_version``.
    """
    if value is None:
        return None
    if not isinstance(value, str) or _VERSION.fullmatch(value.strip()) is None:
        raise ValidationError(
            "server_version must be a release number such as '1.7.2' or '1.7.3-alpha.4'",
            field="server_version",
            rule="format",
            value=value,
        )
    return value.strip().removeprefix("v")


def dialect_of_version(version: str) -> SendDialect | None:
    """The send dialect of a release, or None when no measured release tells it (the answers will).

    Measured releases map exactly; a release is assumed to speak like the measured one of its line where the code
    between them was read to be the same: 1.6.x like 1.6.5, 1.7.0, 1.7.2 and later 1.7.x like 1.7.2. 1.7.1 and
    other lines are left to the answers.
    """
    if version in KNOWN_RELEASES:
        return KNOWN_RELEASES[version]
    match = _VERSION.fullmatch(version)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    if (major, minor) == (1, 6):
        return "1.6.5"
    if (major, minor) == (1, 7) and patch != 1:
        return "1.7.0" if patch == 0 else "1.7.2"
    return None


class ReleaseKnowledge:
    """What one client (and its ``with_options`` copies) knows of its server's send dialect. Thread-safe."""

    def __init__(self, pinned_version: str | None) -> None:
        self.pinned_version = pinned_version
        self._lock = threading.Lock()
        self._dialect: SendDialect | None = None if pinned_version is None else dialect_of_version(pinned_version)
        self._warned = False

    @property
    def dialect(self) -> SendDialect | None:
        """The dialect to send in, or None: not known yet (send the form every release reads)."""
        return self._dialect

    def learn(self, dialect: SendDialect, *, source: str) -> None:
        """An answer (or the version endpoint) showed the dialect: use it from now on.

        A server that answers otherwise than its pin says wins (the answers are what it really speaks), with one
        warning per client, because the pin is then wrong and the caller should fix it.
        """
        with self._lock:
            if self._dialect == dialect:
                return
            # (A pin that named no dialect, such as an unmeasured 1.7.1, is not contradicted: it left this open.)
            if self.pinned_version is not None and self._dialect is not None and not self._warned:
                self._warned = True
                logger.warning(
                    "server_version is pinned to %s, but the server's %s is in the %s dialect; using %s",
                    self.pinned_version,
                    source,
                    dialect,
                    dialect,
                )
            self._dialect = dialect

    def send_fields(self, transport: SendTransport) -> tuple[SendTransport | None, str | None]:
        """``(transport, mode)`` for a send's body: the field the server reads, or both while it is unknown."""
        dialect = self._dialect
        if dialect == "1.7.2":
            return transport, None
        if dialect == "1.7.0":
            return None, LEGACY_MODE[transport]
        if dialect == "1.6.5":
            return None, None  # nothing is read; sending nothing says so on the wire
        return transport, LEGACY_MODE[transport]


@attrs.frozen
class SendAnswer:
    """A 2xx send answer, whichever release wrote it, taken apart (the values still raw JSON)."""

    dialect: SendDialect
    message: dict[str, Any]  # the stored user message
    message_type: type[BusMessage]  # how to structure ``message``: ``BusMessage`` or ``LegacyUserMessage``
    session_status: Any  # absent: None
    has_agent_response: bool
    agent_response: Any


def read_send_answer(data: Any) -> SendAnswer | None:
    """Recognise a send answer of any release by its shape; None when it is none of them.

    1.7.2 nests a snake_case ``userMessage`` (``created_at`` in epoch milliseconds), 1.7.0 nests a camelCase one
    (``createdAt``, ISO), 1.6.5 puts the camelCase message at the top level.
    """
    from eliza_sessions_api import wire

    from ._converter import BusMessage, LegacyUserMessage

    if type(data) is not dict:
        return None
    nested = data.get(wire.SendMessageResponse.user_message)
    if type(nested) is dict:
        if wire.BusMessage.created_at in nested or wire.LegacyUserMessage.created_at not in nested:
            dialect: SendDialect = "1.7.2"
            message_type: type[BusMessage] = BusMessage
            agent_key = wire.SendMessageResponse.agent_response
            status_key = wire.SendMessageResponse.session_status
        else:
            dialect, message_type = "1.7.0", LegacyUserMessage
            agent_key = wire.ModeSendMessageResponse.agent_response
            status_key = wire.ModeSendMessageResponse.session_status
        return SendAnswer(
            dialect=dialect,
            message=nested,
            message_type=message_type,
            session_status=data.get(status_key),
            has_agent_response=agent_key in data,
            agent_response=data.get(agent_key),
        )
    flat = wire.FlatSendMessageResponse
    if flat.id in data and flat.created_at in data:
        return SendAnswer(
            dialect="1.6.5",
            message={key: value for key, value in data.items() if key != flat.session_status},
            message_type=LegacyUserMessage,
            session_status=data.get(flat.session_status),
            has_agent_response=False,
            agent_response=None,
        )
    return None


def read_server_version(
    transport: Transport, options: RequestOptions, *, operation: str, deadline: Deadline | None = None
) -> ServerVersion:
    """``GET /api/system/version``; a release it names teaches ``transport.release`` the server's dialect.

    Raises: what any read raises.
    """
    from eliza_sessions_api.api.system import get_server_version

    from ._converter import structure
    from ._models import ServerVersion

    answer = transport.request(operation, lambda raw: get_server_version.sync_raw(**raw), options, deadline=deadline)
    version = structure(answer.json(), ServerVersion, operation=operation, status_code=answer.status_code)
    dialect = dialect_of_version(version.version.strip())
    if dialect is not None:
        transport.release.learn(dialect, source=f"version endpoint ({version.version})")
    return version

"""eliza_client: a synchronous Python client for the elizaOS Sessions API (``@elizaos/server`` 1.7.2).

::

    from eliza_client import ElizaClient

    with ElizaClient("http://localhost:3000", api_key="...") as client:
        with client.sessions.open(agent_id, user_id) as session:
            reply = client.sessions.send_and_wait(session.id, "Hello!")
            print(reply.agent_response.text if reply.agent_response else "(no reply)")

Everything public is importable from here; the underscore modules are private.
"""

import contextlib as _contextlib

from ._client import DEFAULT_BASE_URL, ElizaClient
from ._errors import (
    AgentError,
    AgentNotFoundError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    DeliveryState,
    DeliveryUnknownError,
    ElizaError,
    IdempotencyConflictError,
    InternalServerError,
    LocalRequestError,
    NotFoundError,
    PaginationError,
    RateLimitError,
    RedirectError,
    ReplyLostError,
    ResponseTooLargeError,
    ResponseValidationError,
    SessionExpiredError,
    SessionGoneError,
    SessionNotFoundError,
    StreamConsumedError,
    TLSError,
    ValidationError,
)
from ._message_stream import MessageStream
from ._models import (
    AgentResponse,
    ChunkEvent,
    DoneEvent,
    ErrorEvent,
    Health,
    Message,
    MessagePage,
    Reply,
    SendResult,
    Session,
    SessionList,
    SessionStats,
    SessionStatus,
    SessionTimeoutConfig,
    SessionTimeoutSettings,
    StreamEvent,
    TimeoutConfig,
    TimeoutSettings,
    UnknownEvent,
    UserMessageEvent,
)
from ._pagination import MessageIterator
from ._sessions import SessionsResource
from ._types import NOT_GIVEN, Limits, NotGiven, Timeout
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AgentError",
    "AgentNotFoundError",
    "AgentResponse",
    "AuthenticationError",
    "BadRequestError",
    "ChunkEvent",
    "ClientClosedError",
    "DeliveryState",
    "DeliveryUnknownError",
    "DoneEvent",
    "ElizaClient",
    "ElizaError",
    "ErrorEvent",
    "Health",
    "IdempotencyConflictError",
    "InternalServerError",
    "Limits",
    "LocalRequestError",
    "Message",
    "MessageIterator",
    "MessagePage",
    "MessageStream",
    "NotFoundError",
    "NotGiven",
    "PaginationError",
    "RateLimitError",
    "RedirectError",
    "Reply",
    "ReplyLostError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SendResult",
    "Session",
    "SessionExpiredError",
    "SessionGoneError",
    "SessionList",
    "SessionNotFoundError",
    "SessionStats",
    "SessionStatus",
    "SessionTimeoutConfig",
    "SessionTimeoutSettings",
    "SessionsResource",
    "StreamConsumedError",
    "StreamEvent",
    "TLSError",
    "Timeout",
    "TimeoutConfig",
    "TimeoutSettings",
    "UnknownEvent",
    "UserMessageEvent",
    "ValidationError",
    "__version__",
]

# Public names report the package, not the private module they live in (clearer reprs and docs).
for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("eliza_client._"):
        with _contextlib.suppress(AttributeError, TypeError):
            _obj.__module__ = "eliza_client"
del _name, _obj

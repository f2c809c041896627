"""eliza_client: a synchronous Python client for the elizaOS Sessions API (``@elizaos/server`` 1.7.2).

::

    from eliza_client import ElizaClient

    with ElizaClient("http://localhost:3000", api_key="...") as client:
        with client.sessions.open(agent_id, user_id) as session:
            reply = client.sessions.send_and_wait(session.id, "Hello!")
            print(reply.agent_response.text if reply.agent_response else "(no reply)")

Everything public is importable from here; the underscore modules are private.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from ._version import __version__

if _TYPE_CHECKING:
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
        ServerVersion,
        Session,
        SessionList,
        SessionStats,
        SessionStatus,
        SessionTimeoutConfig,
        SessionTimeoutSettings,
        StreamEvent,
        UnknownEvent,
        UserMessageEvent,
    )
    from ._pagination import MessageIterator
    from ._sessions import SessionsResource
    from ._types import NOT_GIVEN, Limits, NotGiven, Timeout

# The public names load on first use (PEP 562): `import eliza_client` costs almost nothing, and a script that only
# needs the errors or the models does not pay for the HTTP stack. `from eliza_client import ElizaClient` loads what a
# client needs; the send, stream and history machinery loads with the first call that uses it.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "_client": (
        "DEFAULT_BASE_URL",
        "ElizaClient",
    ),
    "_errors": (
        "APIConnectionError",
        "APIError",
        "APIStatusError",
        "APITimeoutError",
        "AgentError",
        "AgentNotFoundError",
        "AuthenticationError",
        "BadRequestError",
        "ClientClosedError",
        "DeliveryState",
        "DeliveryUnknownError",
        "ElizaError",
        "IdempotencyConflictError",
        "InternalServerError",
        "LocalRequestError",
        "NotFoundError",
        "PaginationError",
        "RateLimitError",
        "RedirectError",
        "ReplyLostError",
        "ResponseTooLargeError",
        "ResponseValidationError",
        "SessionExpiredError",
        "SessionGoneError",
        "SessionNotFoundError",
        "StreamConsumedError",
        "TLSError",
        "ValidationError",
    ),
    "_message_stream": ("MessageStream",),
    "_models": (
        "AgentResponse",
        "ChunkEvent",
        "DoneEvent",
        "ErrorEvent",
        "Health",
        "Message",
        "MessagePage",
        "Reply",
        "SendResult",
        "ServerVersion",
        "Session",
        "SessionList",
        "SessionStats",
        "SessionStatus",
        "SessionTimeoutConfig",
        "SessionTimeoutSettings",
        "StreamEvent",
        "UnknownEvent",
        "UserMessageEvent",
    ),
    "_pagination": ("MessageIterator",),
    "_sessions": ("SessionsResource",),
    "_types": (
        "Limits",
        "NOT_GIVEN",
        "NotGiven",
        "Timeout",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
#: Old names, still served (with a DeprecationWarning) but no longer listed in __all__.
_DEPRECATED = {"TimeoutConfig": "SessionTimeoutConfig", "TimeoutSettings": "SessionTimeoutSettings"}
# (The names are listed three times — the imports for type checkers, _EXPORTS, __all__ — and cannot drift: mypy
# rejects a name of __all__ that is not imported above, and tests/unit/test_public_api.py checks the three agree.)

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
    "ServerVersion",
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
    "UnknownEvent",
    "UserMessageEvent",
    "ValidationError",
    "__version__",
]


def __getattr__(name: str) -> object:
    new_name = _DEPRECATED.get(name)
    if new_name is not None:
        import warnings

        warnings.warn(
            f"eliza_client.{name} is deprecated; use eliza_client.{new_name}", DeprecationWarning, stacklevel=2
        )
        return __getattr__(new_name)
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'eliza_client' has no attribute {name!r}")
    import importlib

    # import_module returns the module fully initialised, also while another thread is importing it (the import
    # system's per-module lock): only that module is published here.
    _publish_module(importlib.import_module(f"eliza_client.{module}"), module)
    _publish()  # the modules it imported in turn (the errors a client raises, say)
    return globals()[name]


def _publish_module(loaded: object, module: str) -> None:
    import contextlib

    for public in _EXPORTS[module]:
        value = getattr(loaded, public)
        if getattr(value, "__module__", "").startswith("eliza_client._"):
            with contextlib.suppress(AttributeError, TypeError):  # an alias or a constant: nothing to rename
                value.__module__ = "eliza_client"
        globals()[public] = value  # later look-ups skip __getattr__


def _publish() -> None:
    """Publish the public names of every module already imported (and completely initialised), so that what they
    raise or return reports ``eliza_client``, not the private module (clearer reprs, tracebacks and docs)."""
    import sys

    for module in _EXPORTS:
        loaded = sys.modules.get(f"eliza_client.{module}")
        spec = getattr(loaded, "__spec__", None)
        if loaded is not None and not getattr(spec, "_initializing", False):
            _publish_module(loaded, module)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

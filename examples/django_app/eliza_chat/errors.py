"""The one place where eliza_client's exceptions become HTTP responses.

Every view is wrapped in :func:`maps_eliza_errors`; the streaming view, whose headers are already sent when
an error can still happen, turns the same :func:`map_error` result into an SSE ``error`` event. So a given
upstream failure always looks the same to the browser.

Every body is ``{"error": {"type": ..., "message": ..., ...}}``. What never goes into one: the API key, the
upstream server's stack traces (the client strips them already; this layer does not copy upstream bodies at
all), upstream 5xx messages, and the user's message content.

==========================  ======  =====================================================================
eliza_client exception       HTTP    why
==========================  ======  =====================================================================
ValidationError              400     the browser's input broke a rule; ``field`` and ``rule`` say which
ReplyLostError               202     the message *was* stored, only the reply is gone: a 2xx so that no
                                     client or proxy retries it (a resend would duplicate the message)
DeliveryUnknownError         502     upstream failed ambiguously; ``client_message_id`` lets the caller
                                     look for the message in the history before resending
AuthenticationError          502     *our* upstream key is wrong or missing: a server misconfiguration,
                                     not the browser's fault (401 would tell it to log in)
SessionGoneError             410     expired (410) or unknown (404) upstream alike: start a new session
AgentNotFoundError           404     the requested agent does not exist
BadRequestError              400     upstream rejected the request (e.g. SESSION_RENEWAL_FAILED)
RateLimitError               429     with ``Retry-After`` when upstream named a wait. Upstream counts
                                     requests per client IP, and every user of this site shares our IP
APITimeoutError              504     upstream too slow (checked before its parent APIConnectionError)
APIConnectionError           503     upstream unreachable (the request was never sent; safe to retry)
                             502     the connection broke after the request was sent
AgentError                   502     the agent failed to answer; the message is stored (do not resend)
InternalServerError          502     upstream failed
other APIStatusError         502     any other upstream status (403, 413, ...)
ClientClosedError            503     the process is shutting down
other ElizaError             502     a malformed upstream answer (ResponseValidationError,
                                     PaginationError)
==========================  ======  =====================================================================
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from eliza_client import (
    AgentError,
    AgentNotFoundError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    DeliveryUnknownError,
    ElizaError,
    InternalServerError,
    RateLimitError,
    ReplyLostError,
    SessionGoneError,
    ValidationError,
)

from .serializers import message_json

__all__ = ["MappedError", "error_response", "map_error", "maps_eliza_errors"]

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class MappedError:
    """What the browser gets for one exception: status, JSON body, extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, kind: str, message: str, **extra: Any) -> MappedError:
    return MappedError(status, {"error": {"type": kind, "message": message, **extra}})


def map_error(exc: ElizaError) -> MappedError:
    """The HTTP answer for ``exc`` (see the module docstring for the table)."""
    # Order matters where classes overlap: SessionNotFoundError is a NotFoundError *and* a SessionGoneError,
    # APITimeoutError is an APIConnectionError, ReplyLost/DeliveryUnknown are APIErrors.
    if isinstance(exc, ValidationError):
        # The client never copies message content into a ValidationError, so its message is safe to return;
        # value_repr is left out anyway (it can echo what the user typed).
        return _error(400, "validation_error", exc.message, field=exc.field, rule=exc.rule)
    if isinstance(exc, ReplyLostError):
        return _error(
            202,
            "reply_lost",
            "Your message was delivered, but the agent's reply was lost. Do not resend it; "
            "send a follow-up or reload the conversation.",
            retryable=False,
            sent_message=message_json(exc.sent_message),
        )
    if isinstance(exc, DeliveryUnknownError):
        return _error(
            502,
            "delivery_unknown",
            "The chat service failed and it is unknown whether your message was stored. "
            "Reload the conversation before sending it again.",
            retryable=False,
            client_message_id=exc.client_message_id,
        )
    if isinstance(exc, AuthenticationError):
        # Deliberately vague for the browser; the log line tells the operator what to fix.
        logger.error("the chat service rejected our API key: check the ELIZA_API_KEY setting")
        return _error(502, "upstream_misconfigured", "The chat service is misconfigured.")
    if isinstance(exc, SessionGoneError):
        return _error(410, "session_gone", "This chat session has ended or does not exist; start a new one.")
    if isinstance(exc, AgentNotFoundError):
        return _error(404, "agent_not_found", "No such agent.")
    if isinstance(exc, BadRequestError):
        # 4xx messages are the upstream's validation text (already scrubbed of stacks and keys by the client).
        return _error(400, "upstream_rejected", exc.message, code=exc.code)
    if isinstance(exc, RateLimitError):
        message = "Too many requests to the chat service; try again later."
        if exc.retry_after is None:
            return _error(429, "rate_limited", message)
        # Retry-After must be whole seconds; rounding up never invites a too-early retry.
        seconds = max(1, math.ceil(exc.retry_after))
        mapped = _error(429, "rate_limited", message, retry_after=seconds)
        return MappedError(mapped.status, mapped.body, {"Retry-After": str(seconds)})
    if isinstance(exc, APITimeoutError):
        return _error(504, "upstream_timeout", "The chat service did not answer in time.", phase=exc.phase)
    if isinstance(exc, APIConnectionError):
        if not exc.request_sent:
            return _error(503, "upstream_unavailable", "The chat service cannot be reached.", retryable=True)
        return _error(502, "upstream_connection_lost", "The connection to the chat service broke.")
    if isinstance(exc, AgentError):
        return _error(502, "agent_failed", "The assistant could not answer; your message was saved.", stored=True)
    if isinstance(exc, InternalServerError):
        return _error(502, "upstream_error", "The chat service failed.")
    if isinstance(exc, APIStatusError):
        return _error(502, "upstream_error", "The chat service answered unexpectedly.", upstream_status=exc.status_code)
    if isinstance(exc, ClientClosedError):
        return _error(503, "shutting_down", "The server is shutting down.", retryable=True)
    return _error(502, "upstream_error", "The chat service answered unexpectedly.")


def error_response(exc: ElizaError) -> JsonResponse:
    """:func:`map_error` as a ``JsonResponse``; logs upstream failures (reprs are key-free)."""
    mapped = map_error(exc)
    if mapped.status >= 500:
        logger.warning("chat service call failed: %r", exc)
    response = JsonResponse(mapped.body, status=mapped.status)
    for name, value in mapped.headers.items():
        response[name] = value
    return response


def maps_eliza_errors(view: View) -> View:
    """Decorate a view so that any :class:`ElizaError` it raises becomes the mapped JSON response.

    Other exceptions propagate (they are bugs here, and Django's 500 handling applies).
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ElizaError as exc:
            return error_response(exc)

    return wrapper

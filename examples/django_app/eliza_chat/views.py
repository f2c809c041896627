"""The chat API: JSON views over ``client.sessions``, all sharing the process's one ElizaClient.

=========================================  ======  ============================================================
``POST   /sessions/``                      201     open a session (``agent_id``, ``user_id``, ``metadata``)
``GET    /sessions/<id>/``                 200     its state
``DELETE /sessions/<id>/``                 204     end it
``POST   /sessions/<id>/messages/``        201     send ``content``, answer with the agent's reply
``GET    /sessions/<id>/messages/``        200     one page of history, newest first (``limit``, ``cursor``)
``POST   /sessions/<id>/stream/``          200     send ``content``, stream the reply as server-sent events
``GET    /``                               200     a small page that uses the above
=========================================  ======  ============================================================

Errors are mapped in one place (``errors.py``). A real application would also check that the session belongs
to ``request.user`` (for example by keeping the ids it created in the Django session); the example leaves
authentication out to stay short.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from eliza_client import (
    ChunkEvent,
    DoneEvent,
    ElizaError,
    ErrorEvent,
    MessageStream,
    UserMessageEvent,
    ValidationError,
)

from .client import get_client
from .errors import map_error, maps_eliza_errors
from .serializers import agent_response_json, message_json, session_json

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


# --- request parsing ----------------------------------------------------------------------------------------
# Malformed input raises eliza_client's own ValidationError, so it takes the same 400 path as the client's
# checks (same body shape, with field and rule) instead of a second error format.


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("the request body is not valid JSON", field="body", rule="json") from None
    if not isinstance(data, dict):
        raise ValidationError("the request body must be a JSON object", field="body", rule="type")
    return data


def _content(request: HttpRequest) -> Any:
    # Only presence is checked here; type and length (1-4000 UTF-16 units) are the client's checks.
    body = _json_body(request)
    if "content" not in body:
        raise ValidationError("content is required", field="content", rule="required")
    return body["content"]


def _page_size(request: HttpRequest) -> int:
    raw = request.GET.get("limit", str(DEFAULT_PAGE_SIZE))
    try:
        limit = int(raw)
    except ValueError:
        raise ValidationError("limit must be an integer", field="limit", rule="type") from None
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit", rule="range")
    return limit


# --- views --------------------------------------------------------------------------------------------------


@require_GET
@ensure_csrf_cookie
def index(request: HttpRequest) -> HttpResponse:
    """A minimal chat page (sets the CSRF cookie its JavaScript sends back)."""
    return render(request, "eliza_chat/index.html", {"agent_id": settings.ELIZA_AGENT_ID or ""})


@require_POST
@maps_eliza_errors
def create_session(request: HttpRequest) -> HttpResponse:
    """Open a session with ``agent_id`` (default: the ``ELIZA_AGENT_ID`` setting) for ``user_id``."""
    body = _json_body(request)
    agent_id = body.get("agent_id") or settings.ELIZA_AGENT_ID
    if not agent_id:
        raise ValidationError(
            "agent_id is required (no ELIZA_AGENT_ID is configured)", field="agent_id", rule="required"
        )
    # A real app would derive the user from request.user (e.g. a UUID column on the user model).
    user_id = body.get("user_id") or str(uuid.uuid4())
    session = get_client().sessions.create(agent_id, user_id, metadata=body.get("metadata"))
    response = JsonResponse(session_json(session), status=201)
    response["Location"] = f"/sessions/{session.id}/"
    return response


@require_http_methods(["GET", "DELETE"])
@maps_eliza_errors
def session_detail(request: HttpRequest, session_id: str) -> HttpResponse:
    """GET: the session's state (does not renew it). DELETE: end the session."""
    client = get_client()
    if request.method == "DELETE":
        client.sessions.delete(session_id)
        return HttpResponse(status=204)
    return JsonResponse(session_json(client.sessions.get(session_id)))


@require_http_methods(["GET", "POST"])
@maps_eliza_errors
def messages(request: HttpRequest, session_id: str) -> HttpResponse:
    """POST: send ``content`` and wait for the agent's reply. GET: one page of history."""
    if request.method == "POST":
        return _send_and_wait(request, session_id)
    return _history_page(request, session_id)


def _send_and_wait(request: HttpRequest, session_id: str) -> HttpResponse:
    # send_and_wait delivers exactly once even when it has to retry (the client tags the message and checks the
    # history before resending), so a flaky upstream never duplicates the user's message.
    reply = get_client().sessions.send_and_wait(session_id, _content(request))
    payload = {
        "message": message_json(reply.message),
        # None when the agent chose not to answer.
        "reply": agent_response_json(reply.agent_response) if reply.agent_response is not None else None,
    }
    return JsonResponse(payload, status=201)


def _history_page(request: HttpRequest, session_id: str) -> HttpResponse:
    """One page of the library's resumable history, newest first, with both of its cursors.

    ``next_cursor`` (null at the start of the conversation) fetches the next *older* page: "load older".
    ``newer_cursor`` asks for what arrived after this page's newest message: polling. Both are the library's
    opaque tokens, passed through unchanged; any ``cursor`` this view returned is accepted back, and the page
    it names continues the walk exactly (no message skipped or repeated, also when many share a millisecond).
    A page fetched with a ``newer_cursor`` holds at most ``limit`` of the new messages, the newest; when more
    arrived, its ``next_cursor`` walks down to the rest (and stops where the poll began), and its own
    ``newer_cursor`` is the next polling point. The page's JavaScript does that walk (see index.html), so every
    request here is one upstream page: a view's work stays bounded however many messages a poll finds.

    A tampered or foreign cursor is the library's ``ValidationError`` naming ``cursor``: a 400 like any other.
    """
    limit = _page_size(request)
    # An empty ?cursor= means "the newest page", as no cursor does.
    cursor = request.GET.get("cursor") or None
    page = get_client().sessions.messages(session_id, limit=limit, cursor=cursor)
    return JsonResponse(
        {
            "messages": [message_json(m) for m in page.messages],
            "next_cursor": page.next_cursor,
            "newer_cursor": page.newer_cursor,
        }
    )


def _sse(event: str, data: Any) -> bytes:
    # json.dumps escapes newlines inside strings, so the data always fits on the one `data:` line SSE needs.
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _relay(stream: MessageStream) -> Iterator[bytes]:
    """Re-emit the client's typed events as the browser's SSE events: message, chunk*, then done or error.

    Runs after the 200 and its headers have gone out, so a failure here can only be reported in the stream:
    the same mapping as the JSON errors, as an ``error`` event carrying the status it would have had.
    """
    # `with`: when the browser disconnects, Django closes this generator, and the upstream connection is
    # released instead of waiting for the agent to finish.
    with stream:
        try:
            for event in stream:
                if isinstance(event, UserMessageEvent):
                    yield _sse("message", {"message": message_json(event.message)})
                elif isinstance(event, ChunkEvent):
                    yield _sse("chunk", {"text": event.text, "index": event.index})
                elif isinstance(event, DoneEvent):
                    yield _sse("done", {"reply": agent_response_json(event.agent_response)})
                    return
                elif isinstance(event, ErrorEvent):
                    # The agent's error text is upstream-internal: logged, not forwarded.
                    logger.warning("the agent failed while streaming: %s", event.error)
                    error = {"type": "agent_error", "message": "The agent failed to reply."}
                    yield _sse("error", {"status": 502, "error": error})
                    return
                # Other (UnknownEvent) types come from a newer server; the page would not know them.
        except ElizaError as exc:
            mapped = map_error(exc)
            if mapped.status >= 500:
                logger.warning("the reply stream broke: %r", exc)
            yield _sse("error", {"status": mapped.status, **mapped.body})
            return
    # The stream ended without a reply: the agent chose not to answer.
    yield _sse("done", {"reply": None})


@require_POST
@maps_eliza_errors
def stream(request: HttpRequest, session_id: str) -> HttpResponse:
    """Send ``content`` and stream the reply as ``text/event-stream``.

    POST, read with ``fetch()`` and a stream reader rather than ``EventSource``: EventSource can only GET and
    reconnects by itself, and every reconnect would send the message again.
    """
    # Opened here, before the response exists, so that failures before the first event (gone session, rate
    # limit, bad content, ...) still get their real status code through maps_eliza_errors.
    upstream = get_client().sessions.stream(session_id, _content(request))
    response = StreamingHttpResponse(_relay(upstream), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    # Tells nginx not to buffer the stream (no effect elsewhere). For the same reason GZipMiddleware is not used.
    response["X-Accel-Buffering"] = "no"
    return response

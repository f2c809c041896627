from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import requests

from ... import errors
from ...client import AuthenticatedClient, Client, RequestTimeout
from ...models.auth_error import AuthError
from ...models.middleware_error import MiddlewareError
from ...models.send_message_request import SendMessageRequest
from ...models.send_message_response import SendMessageResponse
from ...models.session_error import SessionError
from ...models.transport_failure import TransportFailure
from ...types import UNSET, Response, Unset


def _get_kwargs(
    session_id: str,
    *,
    body: SendMessageRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/messaging/sessions/{session_id}/messages".format(
            session_id=quote(str(session_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: requests.Response
) -> (
    AuthError
    | MiddlewareError
    | MiddlewareError
    | SessionError
    | MiddlewareError
    | SessionError
    | TransportFailure
    | SendMessageResponse
    | SessionError
    | str
    | None
):
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 201:
        response_201 = SendMessageResponse.from_dict(response.json())

        return response_201

    if response.status_code == 400:

        def _parse_response_400(data: object) -> MiddlewareError | SessionError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = SessionError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_1 = MiddlewareError.from_dict(data)

            return componentsschemas_error_response_type_1

        response_400 = _parse_response_400(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = AuthError.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = SessionError.from_dict(response.json())

        return response_404

    if response.status_code == 410:
        response_410 = SessionError.from_dict(response.json())

        return response_410

    if response.status_code == 429:
        response_429 = MiddlewareError.from_dict(response.json())

        return response_429

    if response.status_code == 500:

        def _parse_response_500(data: object) -> MiddlewareError | SessionError | TransportFailure:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_send_message_server_error_type_0 = SessionError.from_dict(data)

                return componentsschemas_send_message_server_error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_send_message_server_error_type_1 = MiddlewareError.from_dict(data)

                return componentsschemas_send_message_server_error_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_send_message_server_error_type_2 = TransportFailure.from_dict(data)

            return componentsschemas_send_message_server_error_type_2

        response_500 = _parse_response_500(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: requests.Response
) -> Response[
    AuthError
    | MiddlewareError
    | MiddlewareError
    | SessionError
    | MiddlewareError
    | SessionError
    | TransportFailure
    | SendMessageResponse
    | SessionError
    | str
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_raw(
    session_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
    headers: Mapping[str, str] | None = None,
    timeout: RequestTimeout | Unset = UNSET,
    verify: str | bool | Unset = UNSET,
    stream: bool = False,
) -> requests.Response:
    """Send the request and return the unparsed ``requests.Response``

    ``headers`` are added to this request only; ``timeout`` (seconds, a ``(connect, read)`` tuple, or None for
    none) and ``verify`` override the client's settings for this request only. With ``stream=True`` the body
    is left unread (for event streams): the caller must close the response.

    Raises:
        requests.Timeout: If the request takes longer than the timeout.
        requests.RequestException: If the request cannot be sent or its answer cannot be read.
    """

    kwargs = _get_kwargs(
        session_id=session_id,
        body=body,
    )

    return client.send(kwargs, headers=headers, timeout=timeout, verify=verify, stream=stream)


def sync_detailed(
    session_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
    headers: Mapping[str, str] | None = None,
    timeout: RequestTimeout | Unset = UNSET,
    verify: str | bool | Unset = UNSET,
) -> Response[
    AuthError
    | MiddlewareError
    | MiddlewareError
    | SessionError
    | MiddlewareError
    | SessionError
    | TransportFailure
    | SendMessageResponse
    | SessionError
    | str
]:
    """Send a user message to the session's agent.

     Checks, in this order: `transport` (or legacy `mode`) is valid; `content` is a string; the session
    exists (404) and has not expired (410); `content` is 1–4000 **UTF-16 code units** long
    (whitespace-only content is accepted; 2000 emoji pass, 2001 do not); the serialized `metadata` is at
    most 10 240 characters. So a bad transport answers 400 even for an unknown session, while empty
    content on an unknown session answers 404. A bad legacy `mode` gets the transport message (`Invalid
    transport "foo". Must be one of: http, sse, websocket, sync, stream`); `transport` wins over `mode`,
    and a null `transport` falls back to `mode`. Transport names that are `Object.prototype` keys
    (`toString`, `constructor`, …) slip through validation and behave like `websocket`.

    **An empty body answers 400 or 500 depending on `Content-Type`:** with no body and no `Content-Type`
    the server answers **500** `INTERNAL_SERVER_ERROR` (`details` is the string `Cannot read properties
    of undefined (reading 'transport')`); with `Content-Type: application/json` and an empty body it
    answers 400 `Invalid content: Invalid message request format`, like a body without `content`.

    The user message is stored **before** the agent is involved, whatever the transport, and the session
    is renewed when `autoRenew` is on. Sending is therefore not idempotent: repeating a request whose
    reply was lost stores the message twice (the server has no idempotency key; clients can tag the
    message in `metadata` and look for it in the history before repeating). Any other body field, such
    as an author id, is ignored: the author is always the session's user.

    * `websocket` (default): 201 at once with `userMessage` and `sessionStatus`; the agent's reply
      arrives over Socket.IO and is **stored**, so it later appears in the history (70–370 ms later with
      a fast model).
    * `http` (legacy `sync`): waits for the agent, then 201 with `agentResponse` as well (absent or null
      when the agent chose not to answer). The reply is **not stored**. If the agent fails the status is
      500 with a `TransportFailure` body, and the user message is already stored.
    * `sse` (legacy `stream`): 200 `text/event-stream` (no charset, chunked, no `Content-Length`). Each
      event is exactly `event: <name>` LF, `data: <compact single-line JSON>` LF, LF; no `id:`, `retry:`
      or keep-alive comments. Events: `user_message` (a `BusMessage`, always first), `chunk`
      (`SseChunk`, zero or more; none at all when the model does not stream), then either `done` (an
      `AgentResponse`; the server then closes the stream) or `error` (`SseError`; likewise). The `chunk`
      texts are pieces of the reply's extracted text and concatenate to `done.text`; their `messageId`
      is `done.responseId`. The headers are flushed at once, but **`user_message` is not**: it arrives
      only when the agent starts answering (hundreds of milliseconds later with a slow model; together
      with `done` with an instant one), so a client must not expect it before the agent starts working.
      No `sessionStatus`. The reply is **not stored**. Validation errors (bad transport, unknown
      session, …) are ordinary JSON errors sent before the stream starts.

    `sessionStatus.isNearExpiration` is always false in this reply (the handler flags the session as
    warned before computing it); on an `autoRenew: false` session `wasRenewed` is false and `expiresAt`
    and `renewalCount` do not move. `userMessage` is the snake_case bus structure with `created_at` in
    epoch milliseconds — unlike the camelCase, ISO-dated messages of the history — and never carries
    `in_reply_to_message_id`. The agent's `inReplyTo` is **not** `userMessage.id` (see `AgentResponse`):
    do not correlate a reply with its message by it. Attachments are echoed in
    `userMessage.raw_message.attachments` but never forwarded to the agent on `http`/`sse` and never
    returned by the history. The caller's `metadata` is merged over the session's metadata and may
    overwrite the reserved keys `sessionId`, `agentId`, `userId` and `timeoutConfig` (the overwritten
    values are what the history returns). Its type is not checked: a string is spread into the message
    metadata one key per character (`"ab"` → `{"0": "a", "1": "b", …}`).

    Args:
        session_id (str):
        body (SendMessageRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        requests.Timeout: If the request takes longer than the timeout.
        requests.RequestException: If the request cannot be sent or its answer cannot be read.

    Returns:
        Response[AuthError | MiddlewareError | MiddlewareError | SessionError | MiddlewareError | SessionError | TransportFailure | SendMessageResponse | SessionError | str]
    """

    response = sync_raw(
        session_id=session_id,
        client=client,
        body=body,
        headers=headers,
        timeout=timeout,
        verify=verify,
    )

    return _build_response(client=client, response=response)


def sync(
    session_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
    headers: Mapping[str, str] | None = None,
    timeout: RequestTimeout | Unset = UNSET,
    verify: str | bool | Unset = UNSET,
) -> (
    AuthError
    | MiddlewareError
    | MiddlewareError
    | SessionError
    | MiddlewareError
    | SessionError
    | TransportFailure
    | SendMessageResponse
    | SessionError
    | str
    | None
):
    """Send a user message to the session's agent.

     Checks, in this order: `transport` (or legacy `mode`) is valid; `content` is a string; the session
    exists (404) and has not expired (410); `content` is 1–4000 **UTF-16 code units** long
    (whitespace-only content is accepted; 2000 emoji pass, 2001 do not); the serialized `metadata` is at
    most 10 240 characters. So a bad transport answers 400 even for an unknown session, while empty
    content on an unknown session answers 404. A bad legacy `mode` gets the transport message (`Invalid
    transport "foo". Must be one of: http, sse, websocket, sync, stream`); `transport` wins over `mode`,
    and a null `transport` falls back to `mode`. Transport names that are `Object.prototype` keys
    (`toString`, `constructor`, …) slip through validation and behave like `websocket`.

    **An empty body answers 400 or 500 depending on `Content-Type`:** with no body and no `Content-Type`
    the server answers **500** `INTERNAL_SERVER_ERROR` (`details` is the string `Cannot read properties
    of undefined (reading 'transport')`); with `Content-Type: application/json` and an empty body it
    answers 400 `Invalid content: Invalid message request format`, like a body without `content`.

    The user message is stored **before** the agent is involved, whatever the transport, and the session
    is renewed when `autoRenew` is on. Sending is therefore not idempotent: repeating a request whose
    reply was lost stores the message twice (the server has no idempotency key; clients can tag the
    message in `metadata` and look for it in the history before repeating). Any other body field, such
    as an author id, is ignored: the author is always the session's user.

    * `websocket` (default): 201 at once with `userMessage` and `sessionStatus`; the agent's reply
      arrives over Socket.IO and is **stored**, so it later appears in the history (70–370 ms later with
      a fast model).
    * `http` (legacy `sync`): waits for the agent, then 201 with `agentResponse` as well (absent or null
      when the agent chose not to answer). The reply is **not stored**. If the agent fails the status is
      500 with a `TransportFailure` body, and the user message is already stored.
    * `sse` (legacy `stream`): 200 `text/event-stream` (no charset, chunked, no `Content-Length`). Each
      event is exactly `event: <name>` LF, `data: <compact single-line JSON>` LF, LF; no `id:`, `retry:`
      or keep-alive comments. Events: `user_message` (a `BusMessage`, always first), `chunk`
      (`SseChunk`, zero or more; none at all when the model does not stream), then either `done` (an
      `AgentResponse`; the server then closes the stream) or `error` (`SseError`; likewise). The `chunk`
      texts are pieces of the reply's extracted text and concatenate to `done.text`; their `messageId`
      is `done.responseId`. The headers are flushed at once, but **`user_message` is not**: it arrives
      only when the agent starts answering (hundreds of milliseconds later with a slow model; together
      with `done` with an instant one), so a client must not expect it before the agent starts working.
      No `sessionStatus`. The reply is **not stored**. Validation errors (bad transport, unknown
      session, …) are ordinary JSON errors sent before the stream starts.

    `sessionStatus.isNearExpiration` is always false in this reply (the handler flags the session as
    warned before computing it); on an `autoRenew: false` session `wasRenewed` is false and `expiresAt`
    and `renewalCount` do not move. `userMessage` is the snake_case bus structure with `created_at` in
    epoch milliseconds — unlike the camelCase, ISO-dated messages of the history — and never carries
    `in_reply_to_message_id`. The agent's `inReplyTo` is **not** `userMessage.id` (see `AgentResponse`):
    do not correlate a reply with its message by it. Attachments are echoed in
    `userMessage.raw_message.attachments` but never forwarded to the agent on `http`/`sse` and never
    returned by the history. The caller's `metadata` is merged over the session's metadata and may
    overwrite the reserved keys `sessionId`, `agentId`, `userId` and `timeoutConfig` (the overwritten
    values are what the history returns). Its type is not checked: a string is spread into the message
    metadata one key per character (`"ab"` → `{"0": "a", "1": "b", …}`).

    Args:
        session_id (str):
        body (SendMessageRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        requests.Timeout: If the request takes longer than the timeout.
        requests.RequestException: If the request cannot be sent or its answer cannot be read.

    Returns:
        AuthError | MiddlewareError | MiddlewareError | SessionError | MiddlewareError | SessionError | TransportFailure | SendMessageResponse | SessionError | str
    """

    return sync_detailed(
        session_id=session_id,
        client=client,
        body=body,
        headers=headers,
        timeout=timeout,
        verify=verify,
    ).parsed

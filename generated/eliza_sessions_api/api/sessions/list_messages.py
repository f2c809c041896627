from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import requests

from ... import errors
from ...client import AuthenticatedClient, Client, RequestTimeout
from ...models.auth_error import AuthError
from ...models.message_page import MessagePage
from ...models.middleware_error import MiddlewareError
from ...models.session_error import SessionError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    session_id: str,
    *,
    limit: int | Unset = 50,
    before: int | Unset = UNSET,
    after: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["before"] = before

    params["after"] = after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/messaging/sessions/{session_id}/messages".format(
            session_id=quote(str(session_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: requests.Response
) -> AuthError | MessagePage | MiddlewareError | MiddlewareError | SessionError | SessionError | None:
    if response.status_code == 200:
        response_200 = MessagePage.from_dict(response.json())

        return response_200

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

        def _parse_response_500(data: object) -> MiddlewareError | SessionError:
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

        response_500 = _parse_response_500(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: requests.Response
) -> Response[AuthError | MessagePage | MiddlewareError | MiddlewareError | SessionError | SessionError]:
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
    limit: int | Unset = 50,
    before: int | Unset = UNSET,
    after: int | Unset = UNSET,
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
        limit=limit,
        before=before,
        after=after,
    )

    return client.send(kwargs, headers=headers, timeout=timeout, verify=verify, stream=stream)


def sync_detailed(
    session_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    before: int | Unset = UNSET,
    after: int | Unset = UNSET,
    headers: Mapping[str, str] | None = None,
    timeout: RequestTimeout | Unset = UNSET,
    verify: str | bool | Unset = UNSET,
) -> Response[AuthError | MessagePage | MiddlewareError | MiddlewareError | SessionError | SessionError]:
    """Get one page of the session's message history.

     Messages come **newest first**. Not counted as activity. Cursor semantics, exactly as the server
    implements them:

    * no cursor, or `before` only: the newest `limit` messages (strictly older than `before`).
    * `after` only: the server loads only the newest min(1000, 20 × `limit`) messages, keeps those
      strictly newer than `after` and, when more than `limit` remain, returns the **oldest** `limit` of
      them (still ordered newest first). Older messages outside that window are silently ignored.
    * both: the server loads min(500, 10 × `limit`) messages older than `before`, keeps those newer than
      `after`, and returns the newest `limit` of them.

    The comparisons are strict and the storage order has no tie-breaker, so messages that share the
    cursor's millisecond are skipped by a naive `before = cursors.before` loop. `hasMore` only means
    "this page is full" (an exact multiple of `limit` costs one extra, empty page). `cursors` is omitted
    on an empty page. `before` and `after` are read with integer-prefix parsing: an ISO date string is
    **misread**, not rejected (`2026-01-01T00:00:00Z` means 2026 ms after the epoch), `123abc` means 123
    and `1.9e12` means 1; only values with no leading digits are rejected. `limit` is clamped, never
    rejected: values below 1 become 1, above 100 become 100, non-numeric values become 50. An empty
    `before=` is ignored; other query parameters (`page`, `offset`) are ignored too. Attachments sent
    with a message are not returned.

    The history holds the user messages and the agent replies of the `websocket` transport (stored about
    70–370 ms after the send); replies given over `http` or `sse` are never stored. The two kinds carry
    different `metadata` (see `MessageMetadata`): a plain text agent reply has exactly `thought`,
    `actions`, `isDm` (false), `agent_id`, `agentName` and `channelType` (`"GROUP"`).

    Args:
        session_id (str):
        limit (int | Unset):  Default: 50.
        before (int | Unset): Milliseconds since the Unix epoch, within the years 1-9999
            (0001-01-01T00:00:00.000Z to
            9999-12-31T23:59:59.999Z): the dates the server's database can hold and query. As a query
            parameter the
            server answers 400 `Invalid date from timestamp` beyond JavaScript's date range (±8.64e15)
            and **500**
            `INTERNAL_SERVER_ERROR` between that and these bounds (the database rejects the date).
        after (int | Unset): Milliseconds since the Unix epoch, within the years 1-9999
            (0001-01-01T00:00:00.000Z to
            9999-12-31T23:59:59.999Z): the dates the server's database can hold and query. As a query
            parameter the
            server answers 400 `Invalid date from timestamp` beyond JavaScript's date range (±8.64e15)
            and **500**
            `INTERNAL_SERVER_ERROR` between that and these bounds (the database rejects the date).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        requests.Timeout: If the request takes longer than the timeout.
        requests.RequestException: If the request cannot be sent or its answer cannot be read.

    Returns:
        Response[AuthError | MessagePage | MiddlewareError | MiddlewareError | SessionError | SessionError]
    """

    response = sync_raw(
        session_id=session_id,
        client=client,
        limit=limit,
        before=before,
        after=after,
        headers=headers,
        timeout=timeout,
        verify=verify,
    )

    return _build_response(client=client, response=response)


def sync(
    session_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    before: int | Unset = UNSET,
    after: int | Unset = UNSET,
    headers: Mapping[str, str] | None = None,
    timeout: RequestTimeout | Unset = UNSET,
    verify: str | bool | Unset = UNSET,
) -> AuthError | MessagePage | MiddlewareError | MiddlewareError | SessionError | SessionError | None:
    """Get one page of the session's message history.

     Messages come **newest first**. Not counted as activity. Cursor semantics, exactly as the server
    implements them:

    * no cursor, or `before` only: the newest `limit` messages (strictly older than `before`).
    * `after` only: the server loads only the newest min(1000, 20 × `limit`) messages, keeps those
      strictly newer than `after` and, when more than `limit` remain, returns the **oldest** `limit` of
      them (still ordered newest first). Older messages outside that window are silently ignored.
    * both: the server loads min(500, 10 × `limit`) messages older than `before`, keeps those newer than
      `after`, and returns the newest `limit` of them.

    The comparisons are strict and the storage order has no tie-breaker, so messages that share the
    cursor's millisecond are skipped by a naive `before = cursors.before` loop. `hasMore` only means
    "this page is full" (an exact multiple of `limit` costs one extra, empty page). `cursors` is omitted
    on an empty page. `before` and `after` are read with integer-prefix parsing: an ISO date string is
    **misread**, not rejected (`2026-01-01T00:00:00Z` means 2026 ms after the epoch), `123abc` means 123
    and `1.9e12` means 1; only values with no leading digits are rejected. `limit` is clamped, never
    rejected: values below 1 become 1, above 100 become 100, non-numeric values become 50. An empty
    `before=` is ignored; other query parameters (`page`, `offset`) are ignored too. Attachments sent
    with a message are not returned.

    The history holds the user messages and the agent replies of the `websocket` transport (stored about
    70–370 ms after the send); replies given over `http` or `sse` are never stored. The two kinds carry
    different `metadata` (see `MessageMetadata`): a plain text agent reply has exactly `thought`,
    `actions`, `isDm` (false), `agent_id`, `agentName` and `channelType` (`"GROUP"`).

    Args:
        session_id (str):
        limit (int | Unset):  Default: 50.
        before (int | Unset): Milliseconds since the Unix epoch, within the years 1-9999
            (0001-01-01T00:00:00.000Z to
            9999-12-31T23:59:59.999Z): the dates the server's database can hold and query. As a query
            parameter the
            server answers 400 `Invalid date from timestamp` beyond JavaScript's date range (±8.64e15)
            and **500**
            `INTERNAL_SERVER_ERROR` between that and these bounds (the database rejects the date).
        after (int | Unset): Milliseconds since the Unix epoch, within the years 1-9999
            (0001-01-01T00:00:00.000Z to
            9999-12-31T23:59:59.999Z): the dates the server's database can hold and query. As a query
            parameter the
            server answers 400 `Invalid date from timestamp` beyond JavaScript's date range (±8.64e15)
            and **500**
            `INTERNAL_SERVER_ERROR` between that and these bounds (the database rejects the date).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        requests.Timeout: If the request takes longer than the timeout.
        requests.RequestException: If the request cannot be sent or its answer cannot be read.

    Returns:
        AuthError | MessagePage | MiddlewareError | MiddlewareError | SessionError | SessionError
    """

    return sync_detailed(
        session_id=session_id,
        client=client,
        limit=limit,
        before=before,
        after=after,
        headers=headers,
        timeout=timeout,
        verify=verify,
    ).parsed

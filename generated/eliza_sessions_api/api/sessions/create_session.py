from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import requests

from ... import errors
from ...client import AuthenticatedClient, Client, RequestTimeout
from ...models.auth_error import AuthError
from ...models.create_session_request import CreateSessionRequest
from ...models.created_session import CreatedSession
from ...models.middleware_error import MiddlewareError
from ...models.session_error import SessionError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CreateSessionRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/messaging/sessions",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: requests.Response
) -> AuthError | CreatedSession | MiddlewareError | MiddlewareError | SessionError | SessionError | None:
    if response.status_code == 201:
        response_201 = CreatedSession.from_dict(response.json())

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
) -> Response[AuthError | CreatedSession | MiddlewareError | MiddlewareError | SessionError | SessionError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_raw(
    *,
    client: AuthenticatedClient | Client,
    body: CreateSessionRequest,
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
        body=body,
    )

    return client.send(kwargs, headers=headers, timeout=timeout, verify=verify, stream=stream)


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateSessionRequest,
    headers: Mapping[str, str] | None = None,
    timeout: RequestTimeout | Unset = UNSET,
    verify: str | bool | Unset = UNSET,
) -> Response[AuthError | CreatedSession | MiddlewareError | MiddlewareError | SessionError | SessionError]:
    """Open a session between a user and an agent.

     Checks, in this order: `agentId` and `userId` are strings (else 400 `Missing required fields:
    agentId, userId`, always naming both); each is an 8-4-4-4-12 hexadecimal UUID of any version (the
    nil UUID passes, although the error details claim "UUID v4"); the agent is loaded (else 404
    `AGENT_NOT_FOUND`); the serialized `metadata` is at most 10 240 characters. The user is never
    checked to exist.

    `timeoutConfig` values are **clamped, never rejected** here: `timeoutMinutes` to the server's range
    (5–1440 by default), a given `maxDurationMinutes` to at least `timeoutMinutes` and at most 2880,
    `warningThresholdMinutes` to at least 1. A `maxDurationMinutes` left out keeps the default (720)
    even when it is below the timeout: `{"timeoutMinutes": 99999}` gives a 1440-minute timeout, a
    720-minute maximum duration and `expiresAt` = `createdAt` + 720 minutes. Numeric strings are
    accepted (`"10"`, even hexadecimal `"0x40"` = 64); `null` or `""` become the minimum; non-numeric
    values such as `"abc"` fall back to the server default (30). `autoRenew` is stored verbatim whatever
    its JSON type (the string `"false"` is echoed back and behaves as true).

    The type of `metadata` is not enforced either: a string or an array is stored and echoed as-is in
    `metadata` (hence `SessionMetadata`), and `null` becomes `{}`. A missing body (with or without
    `Content-Type`), a JSON array or `{}` answers 400 `Missing required fields`; a top-level JSON
    primitive (`"x"`) answers 500 `MiddlewareError`.

    The reply lacks `lastActivity`, `renewalCount`, `timeRemaining` and `isNearExpiration`; GET the
    session for those. Creating a session is not idempotent: repeating the request opens a second
    session.

    Args:
        body (CreateSessionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        requests.Timeout: If the request takes longer than the timeout.
        requests.RequestException: If the request cannot be sent or its answer cannot be read.

    Returns:
        Response[AuthError | CreatedSession | MiddlewareError | MiddlewareError | SessionError | SessionError]
    """

    response = sync_raw(
        client=client,
        body=body,
        headers=headers,
        timeout=timeout,
        verify=verify,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateSessionRequest,
    headers: Mapping[str, str] | None = None,
    timeout: RequestTimeout | Unset = UNSET,
    verify: str | bool | Unset = UNSET,
) -> AuthError | CreatedSession | MiddlewareError | MiddlewareError | SessionError | SessionError | None:
    """Open a session between a user and an agent.

     Checks, in this order: `agentId` and `userId` are strings (else 400 `Missing required fields:
    agentId, userId`, always naming both); each is an 8-4-4-4-12 hexadecimal UUID of any version (the
    nil UUID passes, although the error details claim "UUID v4"); the agent is loaded (else 404
    `AGENT_NOT_FOUND`); the serialized `metadata` is at most 10 240 characters. The user is never
    checked to exist.

    `timeoutConfig` values are **clamped, never rejected** here: `timeoutMinutes` to the server's range
    (5–1440 by default), a given `maxDurationMinutes` to at least `timeoutMinutes` and at most 2880,
    `warningThresholdMinutes` to at least 1. A `maxDurationMinutes` left out keeps the default (720)
    even when it is below the timeout: `{"timeoutMinutes": 99999}` gives a 1440-minute timeout, a
    720-minute maximum duration and `expiresAt` = `createdAt` + 720 minutes. Numeric strings are
    accepted (`"10"`, even hexadecimal `"0x40"` = 64); `null` or `""` become the minimum; non-numeric
    values such as `"abc"` fall back to the server default (30). `autoRenew` is stored verbatim whatever
    its JSON type (the string `"false"` is echoed back and behaves as true).

    The type of `metadata` is not enforced either: a string or an array is stored and echoed as-is in
    `metadata` (hence `SessionMetadata`), and `null` becomes `{}`. A missing body (with or without
    `Content-Type`), a JSON array or `{}` answers 400 `Missing required fields`; a top-level JSON
    primitive (`"x"`) answers 500 `MiddlewareError`.

    The reply lacks `lastActivity`, `renewalCount`, `timeRemaining` and `isNearExpiration`; GET the
    session for those. Creating a session is not idempotent: repeating the request opens a second
    session.

    Args:
        body (CreateSessionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        requests.Timeout: If the request takes longer than the timeout.
        requests.RequestException: If the request cannot be sent or its answer cannot be read.

    Returns:
        AuthError | CreatedSession | MiddlewareError | MiddlewareError | SessionError | SessionError
    """

    return sync_detailed(
        client=client,
        body=body,
        headers=headers,
        timeout=timeout,
        verify=verify,
    ).parsed

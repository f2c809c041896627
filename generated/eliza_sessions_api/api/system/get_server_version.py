from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import requests

from ... import errors
from ...client import AuthenticatedClient, Client, RequestTimeout
from ...models.auth_error import AuthError
from ...models.middleware_error import MiddlewareError
from ...models.server_version import ServerVersion
from ...models.session_error import SessionError
from ...types import UNSET, Response, Unset


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/system/version",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: requests.Response
) -> AuthError | MiddlewareError | MiddlewareError | SessionError | ServerVersion | None:
    if response.status_code == 200:
        response_200 = ServerVersion.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = AuthError.from_dict(response.json())

        return response_401

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
) -> Response[AuthError | MiddlewareError | MiddlewareError | SessionError | ServerVersion]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_raw(
    *,
    client: AuthenticatedClient | Client,
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

    kwargs = _get_kwargs()

    return client.send(kwargs, headers=headers, timeout=timeout, verify=verify, stream=stream)


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    headers: Mapping[str, str] | None = None,
    timeout: RequestTimeout | Unset = UNSET,
    verify: str | bool | Unset = UNSET,
) -> Response[AuthError | MiddlewareError | MiddlewareError | SessionError | ServerVersion]:
    """Report the server's release.

     The same answer on 1.6.5, 1.7.0, 1.7.2 and 1.7.3: `version` is the `@elizaos/server` package version
    (for example `1.7.2` or `1.7.3-alpha.4`), the rest describes the process. Behind the API key when
    one
    is set, but never behind the data-isolation JWT check (it is one of that check's public routes: a
    `BearerAuth` token is not needed, and not read).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        requests.Timeout: If the request takes longer than the timeout.
        requests.RequestException: If the request cannot be sent or its answer cannot be read.

    Returns:
        Response[AuthError | MiddlewareError | MiddlewareError | SessionError | ServerVersion]
    """

    response = sync_raw(
        client=client,
        headers=headers,
        timeout=timeout,
        verify=verify,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    headers: Mapping[str, str] | None = None,
    timeout: RequestTimeout | Unset = UNSET,
    verify: str | bool | Unset = UNSET,
) -> AuthError | MiddlewareError | MiddlewareError | SessionError | ServerVersion | None:
    """Report the server's release.

     The same answer on 1.6.5, 1.7.0, 1.7.2 and 1.7.3: `version` is the `@elizaos/server` package version
    (for example `1.7.2` or `1.7.3-alpha.4`), the rest describes the process. Behind the API key when
    one
    is set, but never behind the data-isolation JWT check (it is one of that check's public routes: a
    `BearerAuth` token is not needed, and not read).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        requests.Timeout: If the request takes longer than the timeout.
        requests.RequestException: If the request cannot be sent or its answer cannot be read.

    Returns:
        AuthError | MiddlewareError | MiddlewareError | SessionError | ServerVersion
    """

    return sync_detailed(
        client=client,
        headers=headers,
        timeout=timeout,
        verify=verify,
    ).parsed

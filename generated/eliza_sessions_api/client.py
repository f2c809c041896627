from collections.abc import Mapping
from typing import Any, Self

import requests
from attrs import define, evolve, field

from .types import UNSET, Unset

# A timeout as requests takes it: seconds for the whole wait, a (connect, read) pair, or None for none.
RequestTimeout = float | tuple[float | None, float | None] | None


def _query_value(value: Any) -> Any:
    # requests turns True into "True"; JSON-minded servers (and OpenAPI's examples) expect "true".
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [_query_value(item) for item in value]
    return value


def _encode_query(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {key: _query_value(value) for key, value in params.items()}


@define
class Client:
    """A class for keeping track of data related to the API

    Requests are sent through one ``requests.Session``, created on first use or set with
    ``set_requests_session``. The client never mutates that session: its headers, cookies, timeout and
    TLS settings are passed with each request, so one session can be shared with other code and threads.
    The following are accepted as keyword arguments:

        ``base_url``: The base URL for the API, all requests are made to a relative path to this URL

        ``cookies``: A dictionary of cookies to be sent with every request

        ``headers``: A dictionary of headers to be sent with every request

        ``timeout``: The default timeout of every request: seconds, a ``(connect, read)`` tuple, or None.
        API functions raise ``requests.Timeout`` if it is exceeded; each call may override it.

        ``verify_ssl``: Whether or not to verify the SSL certificate of the API server (or a CA bundle
        path). This should be True in production, but can be set to False for testing purposes.

        ``follow_redirects``: Whether or not to follow redirects. Default value is False.

        ``requests_args``: A dictionary of additional arguments passed to every ``Session.request`` call.


    Attributes:
        raise_on_unexpected_status: Whether or not to raise an errors.UnexpectedStatus if the API returns a
            status code that was not documented in the source OpenAPI document. Can also be provided as a keyword
            argument to the constructor.
    """

    raise_on_unexpected_status: bool = field(default=False, kw_only=True)
    _base_url: str = field(alias="base_url")
    _cookies: dict[str, str] = field(factory=dict, kw_only=True, alias="cookies")
    _headers: dict[str, str] = field(factory=dict, kw_only=True, alias="headers")
    _timeout: RequestTimeout = field(default=None, kw_only=True, alias="timeout")
    _verify_ssl: str | bool = field(default=True, kw_only=True, alias="verify_ssl")
    _follow_redirects: bool = field(default=False, kw_only=True, alias="follow_redirects")
    _requests_args: dict[str, Any] = field(factory=dict, kw_only=True, alias="requests_args")
    _session: requests.Session | None = field(default=None, init=False)

    def __repr__(self) -> str:
        # Headers and tokens may hold secrets; repr() reaches logs and tracebacks, so it shows neither.
        return f"Client(base_url={self._base_url!r})"

    def with_headers(self, headers: dict[str, str]) -> "Client":
        """Get a new client matching this one with additional headers (sharing its requests.Session)"""
        return self._share_session(evolve(self, headers={**self._headers, **headers}))

    def with_cookies(self, cookies: dict[str, str]) -> "Client":
        """Get a new client matching this one with additional cookies (sharing its requests.Session)"""
        return self._share_session(evolve(self, cookies={**self._cookies, **cookies}))

    def with_timeout(self, timeout: RequestTimeout) -> "Client":
        """Get a new client matching this one with a new timeout (sharing its requests.Session)"""
        return self._share_session(evolve(self, timeout=timeout))

    def _share_session(self, other: "Client") -> "Client":
        other._session = self._session
        return other

    def set_requests_session(self, session: requests.Session) -> Self:
        """Manually set the underlying requests.Session

        The session is used as it is and never modified; the client's headers, cookies, timeout and TLS
        settings still apply to each request.
        """
        self._session = session
        return self

    def get_requests_session(self) -> requests.Session:
        """Get the underlying requests.Session, constructing a new one if not previously set"""
        if self._session is None:
            self._session = requests.Session()
        return self._session

    def send(
        self,
        request: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: RequestTimeout | Unset = UNSET,
        verify: str | bool | Unset = UNSET,
        stream: bool = False,
    ) -> requests.Response:
        """Send one request described by an endpoint module's ``_get_kwargs`` through the requests.Session

        This is where the generic endpoint description (the generator's vocabulary) becomes a
        requests call: a raw ``content`` body is sent as ``data``, booleans in the query string become
        ``true``/``false`` (requests would send ``True``), and headers are layered client < endpoint <
        ``headers``. ``timeout`` and ``verify`` override the client's settings for this request only
        (``timeout=None`` means no timeout). With ``stream=True`` the body is not read: the caller must
        close the response.
        """
        merged_headers = dict(self._headers)
        merged_headers.update(request.get("headers") or {})
        if headers:
            merged_headers.update(headers)
        cookies = {**self._cookies, **(request.get("cookies") or {})}
        return self.get_requests_session().request(
            request["method"],
            self.build_url(request["url"]),
            params=_encode_query(request.get("params")),
            json=request.get("json"),
            data=request["content"] if "content" in request else request.get("data"),
            files=request.get("files"),
            headers=merged_headers,
            cookies=cookies or None,
            timeout=self._timeout if isinstance(timeout, Unset) else timeout,
            verify=self._verify_ssl if isinstance(verify, Unset) else verify,
            allow_redirects=self._follow_redirects,
            stream=stream,
            **self._requests_args,
        )

    def build_url(self, path: str) -> str:
        """The absolute URL of an API path"""
        return self._base_url.rstrip("/") + path

    def close(self) -> None:
        """Close the underlying requests.Session, if this client created or was given one"""
        if self._session is not None:
            self._session.close()

    def __enter__(self) -> Self:
        """Enter a context manager that closes the requests.Session on exit"""
        self.get_requests_session()
        return self

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        """Close the requests.Session"""
        self.close()


@define
class AuthenticatedClient:
    """A Client which has been authenticated for use on secured endpoints

    Requests are sent through one ``requests.Session``, created on first use or set with
    ``set_requests_session``. The client never mutates that session: its headers, cookies, timeout and
    TLS settings are passed with each request, so one session can be shared with other code and threads.
    The following are accepted as keyword arguments:

        ``base_url``: The base URL for the API, all requests are made to a relative path to this URL

        ``cookies``: A dictionary of cookies to be sent with every request

        ``headers``: A dictionary of headers to be sent with every request

        ``timeout``: The default timeout of every request: seconds, a ``(connect, read)`` tuple, or None.
        API functions raise ``requests.Timeout`` if it is exceeded; each call may override it.

        ``verify_ssl``: Whether or not to verify the SSL certificate of the API server (or a CA bundle
        path). This should be True in production, but can be set to False for testing purposes.

        ``follow_redirects``: Whether or not to follow redirects. Default value is False.

        ``requests_args``: A dictionary of additional arguments passed to every ``Session.request`` call.


    Attributes:
        raise_on_unexpected_status: Whether or not to raise an errors.UnexpectedStatus if the API returns a
            status code that was not documented in the source OpenAPI document. Can also be provided as a keyword
            argument to the constructor.
        token: The token to use for authentication
        prefix: The prefix to use for the Authorization header
        auth_header_name: The name of the Authorization header
    """

    raise_on_unexpected_status: bool = field(default=False, kw_only=True)
    _base_url: str = field(alias="base_url")
    _cookies: dict[str, str] = field(factory=dict, kw_only=True, alias="cookies")
    _headers: dict[str, str] = field(factory=dict, kw_only=True, alias="headers")
    _timeout: RequestTimeout = field(default=None, kw_only=True, alias="timeout")
    _verify_ssl: str | bool = field(default=True, kw_only=True, alias="verify_ssl")
    _follow_redirects: bool = field(default=False, kw_only=True, alias="follow_redirects")
    _requests_args: dict[str, Any] = field(factory=dict, kw_only=True, alias="requests_args")
    _session: requests.Session | None = field(default=None, init=False)

    token: str
    prefix: str = "Bearer"
    auth_header_name: str = "Authorization"

    def __repr__(self) -> str:
        # Headers and tokens may hold secrets; repr() reaches logs and tracebacks, so it shows neither.
        return f"AuthenticatedClient(base_url={self._base_url!r})"

    def with_headers(self, headers: dict[str, str]) -> "AuthenticatedClient":
        """Get a new client matching this one with additional headers (sharing its requests.Session)"""
        return self._share_session(evolve(self, headers={**self._headers, **headers}))

    def with_cookies(self, cookies: dict[str, str]) -> "AuthenticatedClient":
        """Get a new client matching this one with additional cookies (sharing its requests.Session)"""
        return self._share_session(evolve(self, cookies={**self._cookies, **cookies}))

    def with_timeout(self, timeout: RequestTimeout) -> "AuthenticatedClient":
        """Get a new client matching this one with a new timeout (sharing its requests.Session)"""
        return self._share_session(evolve(self, timeout=timeout))

    def _share_session(self, other: "AuthenticatedClient") -> "AuthenticatedClient":
        other._session = self._session
        return other

    def set_requests_session(self, session: requests.Session) -> Self:
        """Manually set the underlying requests.Session

        The session is used as it is and never modified; the client's headers, cookies, timeout and TLS
        settings still apply to each request.
        """
        self._session = session
        return self

    def get_requests_session(self) -> requests.Session:
        """Get the underlying requests.Session, constructing a new one if not previously set"""
        if self._session is None:
            self._session = requests.Session()
        return self._session

    def send(
        self,
        request: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: RequestTimeout | Unset = UNSET,
        verify: str | bool | Unset = UNSET,
        stream: bool = False,
    ) -> requests.Response:
        """Send one request described by an endpoint module's ``_get_kwargs`` through the requests.Session

        This is where the generic endpoint description (the generator's vocabulary) becomes a
        requests call: a raw ``content`` body is sent as ``data``, booleans in the query string become
        ``true``/``false`` (requests would send ``True``), and headers are layered client < endpoint <
        ``headers``. ``timeout`` and ``verify`` override the client's settings for this request only
        (``timeout=None`` means no timeout). With ``stream=True`` the body is not read: the caller must
        close the response.
        """
        merged_headers = dict(self._headers)
        merged_headers[self.auth_header_name] = f"{self.prefix} {self.token}" if self.prefix else self.token
        merged_headers.update(request.get("headers") or {})
        if headers:
            merged_headers.update(headers)
        cookies = {**self._cookies, **(request.get("cookies") or {})}
        return self.get_requests_session().request(
            request["method"],
            self.build_url(request["url"]),
            params=_encode_query(request.get("params")),
            json=request.get("json"),
            data=request["content"] if "content" in request else request.get("data"),
            files=request.get("files"),
            headers=merged_headers,
            cookies=cookies or None,
            timeout=self._timeout if isinstance(timeout, Unset) else timeout,
            verify=self._verify_ssl if isinstance(verify, Unset) else verify,
            allow_redirects=self._follow_redirects,
            stream=stream,
            **self._requests_args,
        )

    def build_url(self, path: str) -> str:
        """The absolute URL of an API path"""
        return self._base_url.rstrip("/") + path

    def close(self) -> None:
        """Close the underlying requests.Session, if this client created or was given one"""
        if self._session is not None:
            self._session.close()

    def __enter__(self) -> Self:
        """Enter a context manager that closes the requests.Session on exit"""
        self.get_requests_session()
        return self

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        """Close the requests.Session"""
        self.close()

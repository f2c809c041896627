"""ElizaClient: configuration, the shared connection pool, per-call options, and the client's lifetime."""

from __future__ import annotations

import functools
import os
import weakref
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Self
from urllib.parse import unquote, urlsplit

import requests

from eliza_sessions_api.client import AuthenticatedClient, Client

from ._config import check_base_url, check_extra_headers, check_secret, header_secrets, redact_url
from ._constants import (
    API_KEY_HEADER,
    AUTHORIZATION_HEADER,
    DEFAULT_MAX_RETRIES,
    DEFAULT_POOL_MAXSIZE,
    DEFAULT_RECONCILE_WINDOW,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_BEARER_TOKEN,
    ENV_SERVER_VERSION,
    TIMEOUT_MINUTES_MAX,
    TIMEOUT_MINUTES_MIN,
)
from ._deadline import GuardedAdapter
from ._environment import pin_environment
from ._errors import ValidationError
from ._logs import SecretRegistration
from ._releases import ReleaseKnowledge, check_server_version
from ._transport import RequestOptions, Transport
from ._types import NOT_GIVEN, Limits, NotGiven, Timeout, TimeoutLike
from ._version import __version__

if TYPE_CHECKING:
    from ._models import ServerVersion
    from ._sessions import SessionsResource

__all__ = ["DEFAULT_BASE_URL", "ElizaClient"]

#: The elizaOS server's default address, used when neither ``base_url`` nor ``ELIZA_BASE_URL`` is given.
DEFAULT_BASE_URL = "http://localhost:3000"


def _check_retries(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(
            f"max_retries must be a non-negative integer, got {value!r}", field="max_retries", rule="range", value=value
        )
    return value


def _check_range(value: object) -> tuple[float, float]:
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or not 0 < value[0] <= value[1]
    ):
        raise ValidationError(
            "timeout_minutes_range must be a (minimum, maximum) pair of positive numbers",
            field="timeout_minutes_range",
            rule="type",
        )
    return (float(value[0]), float(value[1]))


def _check_window(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < float("inf"):
        raise ValidationError(
            "reconcile_window must be a non-negative number of seconds",
            field="reconcile_window",
            rule="range",
            value=value,
        )
    return float(value)


class ElizaClient:
    """A blocking client for the elizaOS Sessions API.

    ::

        with ElizaClient("http://localhost:3000", api_key="...") as client:
            session = client.sessions.create(agent_id, user_id)
            client.sessions.send_message(session.id, "Hello")

    ``base_url`` and ``api_key`` fall back to the ``ELIZA_BASE_URL`` and ``ELIZA_API_KEY`` environment variables
    (then to ``http://localhost:3000`` and no key). ``timeout`` is seconds, a ``(connect, read)`` pair or a
    :class:`Timeout` (default: 5 s to connect, 30 s between bytes, 60 s for the whole call — every attempt,
    backoff and body, however slowly it arrives); sends that wait for the agent (``send_and_wait``, ``stream``)
    use ``reply_timeout`` for reading instead (default 120 s) and get it added to their total deadline.
    ``max_retries`` (default 2) bounds the retries of a failed call; see the README's "Retries" section for which
    failures are retried. ``session`` lets you supply your own ``requests.Session`` (used as is, never modified,
    not closed by ``close()``; the total deadline then cuts a dripping body but not a dripping status line,
    which only the client's own adapter can watch); otherwise the client creates one with a connection pool of
    ``pool_maxsize`` connections.
    ``timeout_minutes_range`` is the range of session timeouts the client accepts: the server's default
    ``SESSION_MIN_TIMEOUT_MINUTES``/``SESSION_MAX_TIMEOUT_MINUTES`` (5, 1440); set it to match a server
    configured otherwise. ``limits`` caps what is read from the server (:class:`Limits`: 64 MiB a body or
    stream, 8 MiB an event, 64 KiB of an error body). ``reconcile_window`` (default 35 s) is how long after an
    unanswered send the server may still store it: the client looks for the message in the history until then
    before it resends (see the README's "Exactly once" table).

    One client is safe to share between threads (a Django app's, for example): it holds no per-call state, and
    ``with_options`` copies share its connection pool. Create one per process; close it when done (or use
    ``with``). After ``close()`` every call raises :class:`ClientClosedError`.

    The API key is sent as ``X-API-KEY``; ``bearer_token`` (or ``ELIZA_BEARER_TOKEN``), a JWT for servers that
    isolate data (1.7.3 and later with ``ENABLE_DATA_ISOLATION``), as ``Authorization: Bearer``. Neither ever
    appears in ``repr()``, logs or exception messages.

    ``server_version`` (or ``ELIZA_SERVER_VERSION``) pins the server's release, such as ``"1.7.0"``: sends then
    use that release's request form from the first one. Without it the client sends a form every supported
    release (1.6.5, 1.7.0, 1.7.2, 1.7.3) reads alike until an answer shows the release's own, and uses that from
    then on; ``server_version()`` asks the server. The public API and models are the same for every release;
    on 1.6.5, which cannot answer with the reply, ``send_and_wait`` and ``stream`` read it from the history.

    Raises:
        ValidationError: an option has the wrong type or range.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: TimeoutLike | NotGiven = NOT_GIVEN,
        reply_timeout: float | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        extra_headers: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
        pool_maxsize: int = DEFAULT_POOL_MAXSIZE,
        verify: bool | str = True,
        timeout_minutes_range: tuple[float, float] = (TIMEOUT_MINUTES_MIN, TIMEOUT_MINUTES_MAX),
        limits: Limits | None = None,
        reconcile_window: float = DEFAULT_RECONCILE_WINDOW,
        server_version: str | None = None,
        bearer_token: str | None = None,
    ) -> None:
        if limits is not None and not isinstance(limits, Limits):
            raise ValidationError("limits must be a Limits instance", field="limits", rule="type")
        base_url = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        url = check_base_url(base_url)
        api_key = api_key if api_key is not None else os.environ.get(ENV_API_KEY) or None
        if api_key is not None:
            api_key = check_secret(api_key, "api_key")
        bearer_token = bearer_token if bearer_token is not None else os.environ.get(ENV_BEARER_TOKEN) or None
        if bearer_token is not None:
            bearer_token = check_secret(bearer_token, "bearer_token")
        pinned = check_server_version(
            server_version if server_version is not None else os.environ.get(ENV_SERVER_VERSION) or None
        )
        headers_checked = check_extra_headers(extra_headers or {})
        # Released by close() (or when the client is garbage-collected): a closed client leaves no key behind.
        secrets = SecretRegistration()
        password = url.password
        secrets.add(
            api_key,
            bearer_token,
            *header_secrets(headers_checked),
            password,
            unquote(password) if password else None,
        )
        self._base_url = base_url.rstrip("/")
        owns_session = session is None
        if session is None:
            session = requests.Session()
            # One retry layer only (ours): urllib3's retries stay off, or attempts would multiply. The guarded
            # adapter lets the total deadline cut a connection that is still receiving bytes (see _deadline).
            adapter = GuardedAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            # The environment (proxies, no_proxy, ~/.netrc, the CA bundle) is read now, once, instead of on every
            # request; a caller's own session is left as it is (see _environment).
            verify = pin_environment(session, self._base_url, verify)
            # Credentials the environment supplied are secrets like the API key: scrubbed from logs and errors.
            if isinstance(session.auth, tuple):
                secrets.add(str(session.auth[1]))
            for proxy in session.proxies.values():
                proxy_password = urlsplit(proxy).password
                secrets.add(proxy_password, unquote(proxy_password) if proxy_password else None)
        headers = {"User-Agent": f"eliza-client/{__version__} python-requests/{requests.__version__}"}
        if bearer_token is not None:
            headers[AUTHORIZATION_HEADER] = f"Bearer {bearer_token}"
        generated: AuthenticatedClient | Client
        if api_key is not None:
            generated = AuthenticatedClient(
                base_url=self._base_url,
                token=api_key,
                prefix="",
                auth_header_name=API_KEY_HEADER,
                headers=headers,
                verify_ssl=verify,
            )
        else:
            generated = Client(base_url=self._base_url, headers=headers, verify_ssl=verify)
        generated.set_requests_session(session)
        self._transport = Transport(
            generated, owns_session=owns_session, limits=limits or Limits(), release=ReleaseKnowledge(pinned)
        )
        self._secrets = secrets
        # One release, whichever comes first: close() calls the finalizer (which then never runs again), or the
        # garbage collector does. A closed client must not leave Python code for the collector to run: it may run
        # it anywhere, even deep inside a decoder's recursion, where the call itself fails (RecursionError).
        self._transport.on_close = weakref.finalize(self._transport, secrets.release)
        resolved = Timeout.default() if isinstance(timeout, NotGiven) else Timeout.coerce(timeout)
        self._options = RequestOptions(
            timeout=resolved,
            max_retries=_check_retries(max_retries),
            extra_headers=headers_checked,
        )
        self._reply_timeout = reply_timeout
        self._timeout_minutes_range = _check_range(timeout_minutes_range)
        self._reconcile_window = _check_window(reconcile_window)

    @functools.cached_property
    def sessions(self) -> SessionsResource:
        """Sessions, messages and their lifetime: see :class:`SessionsResource`.

        Built on first use, with the send, stream and history machinery it loads (a client that is only created,
        or only configured, does not pay for importing it). Two threads' first uses may each build one (cached_property
        takes no lock from Python 3.12 on); that is harmless: a resource holds no state of its own.
        """
        import eliza_client

        from ._sessions import SessionsResource

        eliza_client._publish()  # the modules just loaded report their public names as eliza_client's
        return SessionsResource(
            self._transport,
            self._options,
            reply_timeout=self._reply_timeout,
            timeout_minutes_range=self._timeout_minutes_range,
            reconcile_window=self._reconcile_window,
        )

    def server_version(self) -> ServerVersion:
        """The server's release, read from ``GET /api/system/version`` (one request, retried like any read).

        What it says also tells the client how to send to this server, as a pinned ``server_version`` would.

        Raises: what any call raises (:class:`AuthenticationError` without the right API key,
        :class:`NotFoundError` from a server or proxy without the route, …).
        """
        from ._releases import read_server_version

        version = read_server_version(self._transport, self._options, operation="server_version")
        return version

    @property
    def base_url(self) -> str:
        """The server's base URL (without a trailing slash)."""
        return self._base_url

    @property
    def timeout(self) -> Timeout:
        """The timeout calls use unless overridden."""
        return self._options.timeout

    @property
    def max_retries(self) -> int:
        """How many times a failed call may be retried."""
        return self._options.max_retries

    def with_options(
        self,
        *,
        timeout: TimeoutLike | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
    ) -> ElizaClient:
        """A copy of this client with other per-call options, sharing its connection pool and its lifetime.

        ``extra_headers`` are added to (and override) this client's extra headers. Closing either client closes
        both (they share the pool); close the original when done.

        Raises:
            ValidationError: an option has the wrong type or range.
        """
        options = self._options
        new_options = RequestOptions(
            timeout=options.timeout if isinstance(timeout, NotGiven) else Timeout.coerce(timeout),
            max_retries=options.max_retries if isinstance(max_retries, NotGiven) else _check_retries(max_retries),
            extra_headers=options.extra_headers
            if isinstance(extra_headers, NotGiven)
            else {**options.extra_headers, **self._header_secrets(check_extra_headers(extra_headers))},
        )
        clone = object.__new__(ElizaClient)
        clone._base_url = self._base_url
        clone._transport = self._transport
        clone._secrets = self._secrets
        clone._options = new_options
        clone._reply_timeout = self._reply_timeout
        clone._timeout_minutes_range = self._timeout_minutes_range
        clone._reconcile_window = self._reconcile_window
        return clone

    def _header_secrets(self, headers: dict[str, str]) -> dict[str, str]:
        # A copy's credentials live as long as the shared transport, like the original's.
        self._secrets.add(*header_secrets(headers))
        return headers

    def close(self) -> None:
        """Release the connection pool (unless the ``requests.Session`` was supplied by the caller).

        Safe to call more than once. Later calls on this client (and its ``with_options`` copies) raise
        :class:`ClientClosedError`.
        """
        self._transport.close()

    @property
    def is_closed(self) -> bool:
        """Whether ``close()`` has been called."""
        return self._transport.closed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        # Never the API key: repr() ends up in logs and tracebacks.
        base_url = redact_url(self._base_url)
        return f"ElizaClient(base_url={base_url!r}, max_retries={self.max_retries}, timeout={self.timeout!r})"

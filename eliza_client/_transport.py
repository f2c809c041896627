"""Runs one API operation: the generated endpoint function, over the shared requests.Session, with retries.

Every request is one call of a generated endpoint module's ``sync_raw`` (which builds the request from the
spec and sends it with the client's ``requests.Session``), bound by the caller to its arguments — a
:data:`RawCall`, so mypy checks every argument against the generated signature. This module adds what the
generated layer does not know about:

* **one deadline per public call** (``Timeout.total``), held while bytes keep arriving: each attempt's socket is
  watched by a :class:`~._deadline.SocketGuard` that cuts it when the deadline passes, whatever the server drips;
* **bounded reading**: the body is always read here, in pieces, after decompression, and never past the client's
  :class:`~._types.Limits` (an error body is read up to its own, smaller cap and the rest is left on the wire);
* **only 2xx is success**: redirects are not followed (the API key must not travel to another origin) and are
  raised as :class:`RedirectError` like any other unexpected status;
* **one table of transport failures** (:func:`transport_error`): what each proves about whether the request
  reached the server, and whether repeating it can help;
* **one JSON decoder** (:meth:`Answer.json`, on ``_json.parse``): resources get decoded data or an open stream,
  never a ``requests.Response``;
* the retry loop driven by ``_retries.should_retry``, and one DEBUG log line per request (method and path of the
  request that was sent, status, duration — never headers or bodies).

For an operation that is not safe to repeat (create, send) an attempt whose outcome is unknown — the request
may have reached the server — is never repeated here: ``OutcomeUnknown`` is raised instead, carrying the retry
decision, so the caller can first find out what happened (see ``_sending.py``).
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, TypedDict
from urllib.parse import urlsplit

import attrs
import requests
import urllib3.exceptions

from eliza_sessions_api.client import AuthenticatedClient, Client, RequestTimeout

from ._deadline import Deadline, GuardPhase, SocketGuard, attach_response, guarding
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    ElizaError,
    LocalRequestError,
    ResponseTooLargeError,
    ResponseValidationError,
    TLSError,
    error_from_response,
)
from ._json import MalformedJSON
from ._json import parse as parse_json
from ._logs import get_logger
from ._releases import ReleaseKnowledge
from ._retries import OperationSafety, RetryDecision, backoff_delay, should_retry
from ._types import Limits, Timeout

__all__ = [
    "Answer",
    "OpenStream",
    "OutcomeUnknown",
    "RawCall",
    "RawOptions",
    "RequestOptions",
    "Transport",
    "transport_error",
]

logger = get_logger()

#: Bytes asked of the socket per read: small enough that the size caps are checked often, large enough to be cheap.
_READ_SIZE: Final = 64 * 1024


@attrs.frozen
class RequestOptions:
    """The options in force for one call (the client's, overridden by ``with_options``)."""

    timeout: Timeout
    max_retries: int
    extra_headers: Mapping[str, str] = attrs.field(factory=dict)


class RawOptions(TypedDict):
    """What the transport adds to every generated ``sync_raw`` call: the client, headers, timeout, streaming."""

    client: AuthenticatedClient | Client
    headers: Mapping[str, str] | None
    timeout: RequestTimeout
    stream: bool


#: One generated endpoint call with the operation's own arguments already bound, e.g.
#: ``lambda raw: get_session.sync_raw(session_id, **raw)``: mypy checks those arguments against the generated
#: signature, so a parameter renamed in openapi.yaml fails the type check instead of a request.
RawCall = Callable[[RawOptions], requests.Response]


class Answer:
    """A complete 2xx answer: status, headers and the (decompressed, size-checked) body.

    ``attempt`` is the number of the attempt that got it, counting ``attempts_before`` and the transport's own
    retries (a send's retry budget is spent across both). :meth:`json` decodes the body (once).
    """

    __slots__ = ("_data", "attempt", "content", "headers", "operation", "status_code")

    def __init__(
        self, status_code: int, headers: Mapping[str, str], content: bytes, attempt: int = 1, *, operation: str
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.attempt = attempt
        self.operation = operation
        self._data: Any = _NOT_DECODED

    def json(self) -> Any:
        """The body decoded as JSON — the one decoding path of every answer.

        Raises:
            ResponseValidationError: the body is not JSON (it keeps the body, scrubbed and truncated).
        """
        if self._data is _NOT_DECODED:
            self._data = decode_json(self.content, operation=self.operation, status_code=self.status_code)
        return self._data


_NOT_DECODED: Final[Any] = object()


def decode_json(body: bytes | str, *, operation: str, status_code: int, field: str | None = None) -> Any:
    """``_json.parse``, failing as the ``ResponseValidationError`` of ``operation`` (``field``: where the body was,
    e.g. an event's name).

    Raises:
        ResponseValidationError: with the body (scrubbed, then truncated) and the reason; none for a body nested
            too deeply to keep.
    """
    try:
        return parse_json(body)
    except MalformedJSON as err:
        failure = err
    where = f"the {field!r} event's data" if field else "the response"
    if failure.too_deep:
        raise ResponseValidationError(
            f"{operation}: {where} is {failure.reason}",
            status_code=status_code,
            field=field,
            operation=operation,
        )
    raise ResponseValidationError(
        f"{operation}: {where} is not JSON ({failure.reason})",
        status_code=status_code,
        field=field,
        body=body,
        operation=operation,
    )


class OutcomeUnknown(Exception):
    """An unsafe operation's attempt failed after the request may have reached the server.

    ``sent_at`` is when that attempt started (``time.monotonic()``): a request still held by the server may be
    handled until some time after it.
    """

    def __init__(self, error: ElizaError, decision: RetryDecision, attempt: int, sent_at: float) -> None:
        super().__init__(str(error))
        self.error = error
        self.decision = decision
        self.attempt = attempt
        self.sent_at = sent_at


# --- transport failures ----------------------------------------------------------------------------------------

# What reaches the caller in place of the socket-level detail: short, and never an object repr.
_REASONS: Final[tuple[tuple[type[BaseException], str], ...]] = (
    (urllib3.exceptions.NameResolutionError, "the host name could not be resolved"),
    (ConnectionRefusedError, "connection refused"),
    # Before ConnectionResetError, of which it is a subclass.
    (http.client.RemoteDisconnected, "the server closed the connection without answering"),
    (ConnectionResetError, "connection reset by the server"),
    (BrokenPipeError, "the server closed the connection while the request was being sent"),
    (http.client.IncompleteRead, "the connection closed before the whole body arrived"),
    (urllib3.exceptions.IncompleteRead, "the connection closed before the whole body arrived"),
    (urllib3.exceptions.InvalidChunkLength, "the body's chunked encoding is broken"),
    (http.client.BadStatusLine, "the answer is not HTTP"),
    (http.client.LineTooLong, "a header line is too long"),
    (http.client.HTTPException, "the answer is not valid HTTP"),
    (urllib3.exceptions.DecodeError, "the body could not be decompressed"),
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it wraps (requests and urllib3 keep the cause in ``args[0]`` or ``.reason``), its
    ``__cause__``/``__context__``: everything that may say what really happened, each once."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nested in (*getattr(current, "args", ()), getattr(current, "reason", None)):
            if isinstance(nested, BaseException):
                todo.append(nested)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)


def _find(exc: BaseException, *types: type[BaseException]) -> BaseException | None:
    return next((e for e in _chain(exc) if isinstance(e, types)), None)


def _reason(exc: BaseException) -> str:
    for cls, text in _REASONS:
        if _find(exc, cls) is not None:
            return text
    oserror = next((e for e in _chain(exc) if isinstance(e, OSError) and e.strerror), None)
    if isinstance(oserror, OSError) and oserror.strerror:
        return oserror.strerror.lower()
    return type(exc).__name__


def _where(url: str | None) -> str:
    """``host:port`` of a URL, never its user-info, path or query."""
    if not url:
        return "the server"
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "the server"
    return f"{parts.hostname}:{port}" if parts.hostname else "the server"


def transport_error(
    exc: BaseException,
    operation: str,
    *,
    url: str | None,
    guard: SocketGuard | None = None,
    deadline: Deadline | None = None,
    reading_body: bool = False,
) -> APIError:
    """The one table of transport failures: turn what requests/urllib3/the socket raised into a typed error.

    ========================================  =================  ===============  =========================
    failure                                   error              request_sent     retried
    ========================================  =================  ===============  =========================
    our deadline guard cut the socket         APITimeoutError    yes              no ("total") / as read
                                              (guard's phase)
    connect timeout (TCP or TLS handshake)    APITimeoutError    no               yes, every operation
                                              ("connect")
    refused, DNS, unreachable (no connection) APIConnectionError no               yes, every operation
    read timeout (headers, body or stream)    APITimeoutError    yes              safe ops; sends reconcile
                                              ("read")
    reset, closed, broken body, bad HTTP      APIConnectionError yes              safe ops; sends reconcile
    TLS handshake or certificate failure      TLSError           no               never (retrying can't help)
    invalid URL, header or body (local)       LocalRequestError  no               never (a bug or bad config)
    ========================================  =================  ===============  =========================

    The message names ``host:port`` and a short reason, never an object repr, user-info or the API key; the
    original exception is chained (``raise … from``) by the caller.
    """
    where = _where(url)
    passed = deadline is not None and deadline.passed()
    if guard is not None and guard.fired is not None:
        phase: GuardPhase = guard.fired
        what = "the call's total timeout" if phase == "total" else "the stream's idle timeout"
        return APITimeoutError(
            f"{operation}: {what} ran out while talking to {where}", phase=phase, request_sent=True, operation=operation
        )
    connect_timeout = _find(exc, urllib3.exceptions.ConnectTimeoutError)
    # urllib3's NewConnectionError (refused, unreachable) is a ConnectTimeoutError subclass; it is no timeout.
    if isinstance(exc, requests.ConnectTimeout) or (
        connect_timeout is not None
        and not isinstance(connect_timeout, urllib3.exceptions.NewConnectionError)
        and not reading_body
    ):
        return APITimeoutError(
            f"{operation}: timed out connecting to {where}",
            phase="total" if passed else "connect",
            request_sent=False,
            operation=operation,
        )
    # Opening a new connection, before a byte of the request was written (urllib3 reports a TLS handshake that
    # times out as a read timeout, and one cut by the peer as a reset).
    handshaking = guard is not None and guard.sent is False and not reading_body
    if isinstance(exc, requests.ReadTimeout) or _find(exc, urllib3.exceptions.ReadTimeoutError, socket.timeout):
        if handshaking:
            return APITimeoutError(
                f"{operation}: timed out opening the connection to {where} (TLS handshake)",
                phase="total" if passed else "connect",
                request_sent=False,
                operation=operation,
            )
        return APITimeoutError(
            f"{operation}: {where} sent nothing within the read timeout",
            phase="total" if passed else "read",
            request_sent=True,
            operation=operation,
        )
    if _find(exc, ssl.SSLError, requests.exceptions.SSLError, urllib3.exceptions.SSLError) is not None:
        if not reading_body:
            return TLSError(f"{operation}: TLS with {where} failed ({_tls_reason(exc)})", operation=operation)
        return APIConnectionError(
            f"{operation}: the TLS connection to {where} broke while reading the answer",
            request_sent=True,
            operation=operation,
        )
    local = (
        requests.exceptions.InvalidURL,
        requests.exceptions.InvalidHeader,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
        requests.exceptions.InvalidJSONError,
        urllib3.exceptions.LocationParseError,
        UnicodeError,
    )
    if isinstance(exc, local) or (not isinstance(exc, requests.RequestException) and isinstance(exc, ValueError)):
        return LocalRequestError(
            f"{operation}: the request could not be built ({type(exc).__name__}); no request was sent",
            operation=operation,
        )
    never_sent = handshaking or (
        not reading_body
        and _find(exc, urllib3.exceptions.NewConnectionError, urllib3.exceptions.NameResolutionError) is not None
    )
    return APIConnectionError(
        f"{operation}: {'could not connect to' if never_sent else 'connection to'} {where} failed: {_reason(exc)}",
        request_sent=not never_sent,
        operation=operation,
    )


def _tls_reason(exc: BaseException) -> str:
    cert = _find(exc, ssl.SSLCertVerificationError)
    if isinstance(cert, ssl.SSLCertVerificationError) and cert.verify_message:
        return f"certificate: {cert.verify_message}"
    inner = _find(exc, ssl.SSLError)
    if isinstance(inner, ssl.SSLError) and inner.reason:
        return str(inner.reason).lower().replace("_", " ")
    return "handshake failed"


# --- reading ---------------------------------------------------------------------------------------------------


class OpenStream:
    """A 2xx answer whose body is still on the wire (an event stream), with the guard that bounds it.

    :meth:`chunks` yields the decompressed body in pieces as they arrive, never more than ``limit`` bytes in all;
    :meth:`rearm` moves the guard's expiry (the stream's idle limit, measured between events by the reader).
    """

    def __init__(
        self,
        response: requests.Response,
        guard: SocketGuard,
        *,
        operation: str,
        limit: int,
        deadline: Deadline,
        attempt: int = 1,
    ) -> None:
        self.status_code = response.status_code
        self.attempt = attempt
        self.headers: Mapping[str, str] = response.headers
        self.operation = operation
        self.deadline = deadline
        self._response = response
        self._guard = guard
        self._limit = limit
        self._closed = False

    def rearm(self, expires: float | None, phase: GuardPhase) -> None:
        self._guard.rearm(expires, phase)

    def chunks(self) -> Iterator[bytes]:
        """The body, decompressed, piece by piece as it arrives.

        Raises: ``APITimeoutError`` (idle or total limit, or the read timeout), ``APIConnectionError`` (the
        connection broke), ``ResponseTooLargeError`` (more than the limit).
        """
        raw = self._response.raw
        received = 0
        try:
            while True:
                piece = raw.read1(_READ_SIZE, decode_content=True)
                if not piece:
                    if self._guard.fired is not None:
                        raise _Cut()
                    return
                received += len(piece)
                if received > self._limit:
                    raise ResponseTooLargeError(
                        f"{self.operation}: the event stream passed the limit of {self._limit} bytes",
                        status_code=self.status_code,
                        limit=self._limit,
                        operation=self.operation,
                    )
                yield piece
        except ResponseTooLargeError:
            self.close(discard=True)
            raise
        except (_Cut, Exception) as exc:
            if isinstance(exc, APIError | ResponseValidationError):
                raise
            self.close(discard=True)
            raise transport_error(
                exc,
                self.operation,
                url=self._response.url,
                guard=self._guard,
                deadline=self.deadline,
                reading_body=True,
            ) from (None if isinstance(exc, _Cut) else exc)

    def close(self, *, discard: bool = False) -> None:
        """Release the connection (``discard``: close it rather than return it to the pool). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._guard.disarm()
        if discard:
            _discard(self._response)
        else:
            self._response.close()


class _Cut(Exception):
    """The body ended early because the guard shut the socket down (it reads as a clean end of stream)."""


def _discard(response: requests.Response) -> None:
    # Closing the raw response closes its connection: whatever is left unread must never be read by the next call.
    try:
        response.raw.close()
    except Exception:  # closing a broken connection may fail; it is gone either way
        logger.debug("closing a discarded connection failed", exc_info=True)
    response.close()


def _read_body(
    response: requests.Response, guard: SocketGuard | None, limit: int, *, operation: str, error_body: bool
) -> tuple[bytes, bool]:
    """Read the whole (decompressed) body, or up to ``limit`` bytes of it.

    Returns ``(body, complete)``. For a success body (``error_body`` false) more than ``limit`` bytes raise
    ``ResponseTooLargeError``; for an error body the first ``limit`` bytes are kept and the rest is left unread
    (the connection is discarded). Transport failures propagate as requests/urllib3 raised them.
    """
    raw = response.raw
    parts: list[bytes] = []
    size = 0
    while True:
        piece = raw.read1(_READ_SIZE, decode_content=True)
        if not piece:
            if guard is not None and guard.fired is not None:
                raise _Cut()
            response.close()  # the body was read to its end: the connection is back in the pool already
            return b"".join(parts), True
        size += len(piece)
        if size > limit:
            if error_body:
                parts.append(piece[: len(piece) - (size - limit)])
                _discard(response)
                return b"".join(parts), False
            _discard(response)
            raise ResponseTooLargeError(
                f"{operation}: the response body passed the limit of {limit} bytes",
                status_code=response.status_code,
                limit=limit,
                operation=operation,
            )
        parts.append(piece)


def _deadline_timeout(timeout: Timeout, deadline: Deadline) -> tuple[float | None, float | None]:
    connect, read = timeout.as_requests()
    left = deadline.remaining()
    if left is None:
        return connect, read
    left = max(left, 0.001)
    return (left if connect is None else min(connect, left), left if read is None else min(read, left))


class Transport:
    """Shared by a client and all its ``with_options`` copies: the generated client, the session, the state."""

    def __init__(
        self,
        generated: AuthenticatedClient | Client,
        *,
        owns_session: bool,
        limits: Limits,
        on_close: Callable[[], None] | None = None,
        release: ReleaseKnowledge | None = None,
    ) -> None:
        self.generated = generated
        self.owns_session = owns_session
        self.limits = limits
        #: What is known of the server's release (its send dialect), shared by every copy of the client.
        self.release = release if release is not None else ReleaseKnowledge(None)
        #: Called once by close() (the client sets it to the finalizer that releases its secrets).
        self.on_close = on_close
        self._closed = threading.Event()
        # Backoff waits end early when the client is closed (the next attempt then raises ClientClosedError).
        # Tests may replace it to skip the waits.
        self.sleep: Callable[[float], object] = self._closed.wait

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            if self.owns_session:
                self.generated.close()
            if self.on_close is not None:
                self.on_close()

    def request(
        self,
        operation: str,
        call: RawCall,
        options: RequestOptions,
        *,
        safety: OperationSafety = OperationSafety.IDEMPOTENT,
        deadline: Deadline | None = None,
        attempts_before: int = 0,
        can_reconcile: bool = False,
    ) -> Answer:
        """Run ``call`` until it succeeds or retrying must stop; return the 2xx answer with its body read (see
        :meth:`open_stream` for event streams).

        ``operation`` is the public method's name (it names the call in errors and logs); ``safety`` says whether
        repeating the request is harmless. ``deadline`` is the public call's (several requests may share it); by
        default one starts now from ``options.timeout.total``. ``attempts_before`` counts attempts already spent
        on this operation (by a caller that reconciled and is trying again), so ``max_retries`` bounds the whole
        operation. ``can_reconcile``: the caller can find out whether an unsafe operation took effect, so an
        ambiguous failure raises ``OutcomeUnknown`` to it; otherwise that failure is raised as it is, without a
        retry.

        Raises:
            ClientClosedError: the client was closed.
            APIStatusError: (a subclass for) the final error response; ``RedirectError`` for a 3xx.
            APIConnectionError / APITimeoutError / TLSError / LocalRequestError: the final transport failure.
            ResponseTooLargeError: the body passed ``Limits.max_response_bytes``.
            OutcomeUnknown: with ``can_reconcile``, an unsafe operation failed in a way that may have taken effect
                (internal: never reaches users).
        """
        result = self._run(operation, call, options, safety, deadline, attempts_before, can_reconcile, stream=False)
        assert isinstance(result, Answer)
        return result

    def open_stream(
        self,
        operation: str,
        call: RawCall,
        options: RequestOptions,
        *,
        safety: OperationSafety = OperationSafety.IDEMPOTENT,
        deadline: Deadline,
        attempts_before: int = 0,
        can_reconcile: bool = False,
    ) -> OpenStream | Answer:
        """Like :meth:`request`, but a 2xx ``text/event-stream`` answer is returned unread, as an :class:`OpenStream`
        (any other 2xx answer is read and returned as an :class:`Answer`)."""
        return self._run(operation, call, options, safety, deadline, attempts_before, can_reconcile, stream=True)

    def _run(
        self,
        operation: str,
        call: RawCall,
        options: RequestOptions,
        safety: OperationSafety,
        deadline: Deadline | None,
        attempts_before: int,
        can_reconcile: bool,
        *,
        stream: bool,
    ) -> Answer | OpenStream:
        if self.closed:
            raise ClientClosedError()
        timeout = options.timeout
        if deadline is None:
            deadline = Deadline(timeout.total)
        attempt = attempts_before
        previous: APIError | None = None
        while True:
            attempt += 1
            if self.closed:
                # Closed during the backoff: no further request goes out (its key may be released already).
                raise ClientClosedError() from previous
            if deadline.passed():
                raise APITimeoutError(
                    f"{operation}: the call's total timeout ran out before attempt {attempt}",
                    phase="total",
                    request_sent=False,
                    operation=operation,
                )
            error: APIError
            sent_at = time.monotonic()
            try:
                outcome = self._attempt(operation, call, options, deadline, stream, attempt)
            except APIError as err:
                if self.closed:
                    raise ClientClosedError() from err
                error = err
            except ResponseTooLargeError as err:
                if self.closed:
                    raise ClientClosedError() from err
                # A 2xx too large to read: the handler ran, so an unsafe operation may well have taken effect.
                if can_reconcile and safety is OperationSafety.UNSAFE:
                    retry = attempt <= options.max_retries
                    decision = RetryDecision(
                        retry=retry,
                        reason="the 2xx answer was too large to read; it may have taken effect",
                        delay=backoff_delay(attempt - 1) if retry else 0.0,
                        reconcile=True,
                    )
                    raise OutcomeUnknown(err, decision, attempt, sent_at) from None
                raise
            else:
                if isinstance(outcome, Answer | OpenStream):
                    return outcome
                error = outcome
            decision = should_retry(
                safety=safety,
                attempt=attempt,
                max_retries=options.max_retries,
                error=error,
                time_remaining=deadline.remaining(),
            )
            if decision.reconcile and safety is OperationSafety.UNSAFE:
                if not can_reconcile:
                    # No way to tell whether it took effect (create): repeating could do it twice.
                    logger.debug("%s: not retrying, the outcome is unknown: %s", operation, decision.reason)
                    raise error
                logger.debug("%s: %s", operation, decision.reason)
                raise OutcomeUnknown(error, decision, attempt, sent_at)
            if not decision.retry:
                logger.debug("%s: not retrying: %s", operation, decision.reason)
                raise error
            logger.info(
                "%s: attempt %d failed (%s); retrying in %.2f s", operation, attempt, decision.reason, decision.delay
            )
            previous = error
            self.sleep(decision.delay)

    def _attempt(
        self, operation: str, call: RawCall, options: RequestOptions, deadline: Deadline, stream: bool, attempt: int
    ) -> Answer | OpenStream | APIStatusError:
        """One HTTP exchange: a 2xx answer, the error answer as a typed error (returned, for the retry loop), or a
        raised transport error."""
        started = time.monotonic()
        guard = SocketGuard(deadline.expires, "total")
        response: requests.Response | None = None
        keep_guard = False  # an open stream takes the guard with it
        try:
            with guarding(guard):
                response = call(
                    {
                        "client": self.generated,
                        "headers": options.extra_headers or None,
                        "timeout": _deadline_timeout(options.timeout, deadline),
                        "stream": True,
                    }
                )
            attach_response(guard, response.raw)  # a caller's own session: its adapters do not attach
            status = response.status_code
            if logger.isEnabledFor(logging.DEBUG):  # the arguments cost more than the call when it is off
                sent = response.request
                logger.debug("%s %s -> %d in %.1f ms", sent.method, _path(sent), status, _ms(started))
            limits = self.limits
            if 200 <= status < 300:
                if stream and response.headers.get("Content-Type", "").startswith("text/event-stream"):
                    keep_guard = True
                    return OpenStream(
                        response,
                        guard,
                        operation=operation,
                        limit=limits.max_response_bytes,
                        deadline=deadline,
                        attempt=attempt,
                    )
                body, _ = _read_body(response, guard, limits.max_response_bytes, operation=operation, error_body=False)
                return Answer(status, response.headers, body, attempt, operation=operation)
            # Redirects are not followed (the key must not travel to another origin): an error like any other.
            body, _ = _read_body(response, guard, limits.max_error_body_bytes, operation=operation, error_body=True)
            return error_from_response(status, response.headers, body, operation=operation)
        except (APIError, ResponseValidationError):
            raise
        except (_Cut, Exception) as exc:
            if response is not None:
                _discard(response)
            error = transport_error(
                exc,
                operation,
                url=self.generated.build_url("/"),
                guard=guard,
                deadline=deadline,
                reading_body=response is not None,
            )
            request = response.request if response is not None else getattr(exc, "request", None)
            method = getattr(request, "method", None) or "-"
            logger.debug("%s %s failed after %.1f ms: %s", method, _path(request), _ms(started), error.message)
            raise error from (None if isinstance(exc, _Cut) else exc)
        finally:
            if not keep_guard:
                guard.disarm()


def _path(request: object) -> str:
    """The path of the request that was sent, without its query string (``-`` when none was built)."""
    url = getattr(request, "path_url", None)
    return url.split("?", 1)[0] if isinstance(url, str) else "-"


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000

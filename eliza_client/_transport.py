"""Runs one API operation: the generated endpoint function, over the shared requests.Session, with retries.

Every request goes through a generated endpoint module's ``sync_raw`` (which builds the request from the
spec and sends it with the client's ``requests.Session``); this module adds what the generated layer does not
know about: per-call options, the ``total`` deadline, turning requests' exceptions and error responses into
the typed errors of ``_errors``, the retry loop driven by ``_retries.should_retry``, and one DEBUG log line per
request (method, path, status, duration — never headers or bodies).

For an operation that is not safe to repeat (create, send) an attempt whose outcome is unknown — the request
may have reached the server — is never repeated here: ``OutcomeUnknown`` is raised instead, carrying the retry
decision, so the caller can first find out what happened (see ``_sending.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import attrs
import requests
import urllib3.exceptions

from eliza_sessions_api.client import AuthenticatedClient, Client

from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientClosedError,
    TimeoutPhase,
    error_from_response,
)
from ._logs import get_logger
from ._retries import OPERATION_SAFETY, OperationSafety, RetryDecision, should_retry
from ._types import Timeout

__all__ = ["OutcomeUnknown", "RequestOptions", "Transport"]

logger = get_logger()


@attrs.frozen
class RequestOptions:
    """The options in force for one call (the client's, overridden by ``with_options``)."""

    timeout: Timeout
    max_retries: int
    extra_headers: Mapping[str, str] = attrs.field(factory=dict)


class OutcomeUnknown(Exception):
    """An unsafe operation's attempt failed after the request may have reached the server."""

    def __init__(self, error: APIError, decision: RetryDecision, attempt: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.decision = decision
        self.attempt = attempt


def _deadline_timeout(timeout: Timeout, deadline: float | None) -> tuple[float | None, float | None]:
    connect, read = timeout.as_requests()
    if deadline is None:
        return connect, read
    left = max(deadline - time.monotonic(), 0.001)
    return (left if connect is None else min(connect, left), left if read is None else min(read, left))


def connection_error(exc: requests.RequestException, operation: str, *, deadline_passed: bool) -> APIConnectionError:
    """Classify a requests exception: which phase failed, and could the request have reached the server?"""
    phase: TimeoutPhase
    if isinstance(exc, requests.ConnectTimeout):
        phase = "total" if deadline_passed else "connect"
        return APITimeoutError(
            f"{operation}: timed out connecting", phase=phase, request_sent=False, operation=operation
        )
    if isinstance(exc, requests.ReadTimeout):
        phase = "total" if deadline_passed else "read"
        return APITimeoutError(
            f"{operation}: timed out waiting for the answer", phase=phase, request_sent=True, operation=operation
        )
    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", reason)
    # Only a failure to establish the connection proves the server never saw the request.
    never_sent = isinstance(inner, urllib3.exceptions.NewConnectionError | urllib3.exceptions.NameResolutionError)
    if isinstance(exc, requests.exceptions.SSLError):
        never_sent = True
    kind = type(inner).__name__ if inner is not None else type(exc).__name__
    return APIConnectionError(
        f"{operation}: connection failed ({kind})", request_sent=not never_sent, operation=operation
    )


class Transport:
    """Shared by a client and all its ``with_options`` copies: the generated client, the session, the state."""

    def __init__(self, generated: AuthenticatedClient | Client, *, owns_session: bool) -> None:
        self.generated = generated
        self.owns_session = owns_session
        self._closed = threading.Event()
        self.sleep: Callable[[float], None] = time.sleep  # tests may replace it to skip backoff waits

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            if self.owns_session:
                self.generated.close()

    def request(
        self,
        operation: str,
        endpoint: ModuleType,
        options: RequestOptions,
        *,
        path: str,
        stream: bool = False,
        attempts_before: int = 0,
        can_reconcile: bool = False,
        **arguments: Any,
    ) -> requests.Response:
        """Call ``endpoint.sync_raw(**arguments)`` until it succeeds or retrying must stop; return the 2xx response.

        ``attempts_before`` counts attempts already spent on this operation (by a caller that reconciled and is
        trying again), so ``max_retries`` bounds the whole operation. ``can_reconcile``: the caller can find out
        whether an unsafe operation took effect, so an ambiguous failure raises ``OutcomeUnknown`` to it;
        otherwise that failure is raised as it is, without a retry.

        Raises:
            ClientClosedError: the client was closed.
            APIStatusError: (a subclass for) the final error response.
            APIConnectionError / APITimeoutError: the final transport failure.
            OutcomeUnknown: with ``can_reconcile``, an unsafe operation failed in a way that may have taken effect
                (internal: never reaches users).
        """
        if self.closed:
            raise ClientClosedError()
        safety = OPERATION_SAFETY[operation]
        timeout = options.timeout
        deadline = time.monotonic() + timeout.total if timeout.total is not None else None
        attempt = attempts_before
        while True:
            attempt += 1
            started = time.monotonic()
            error: APIError
            try:
                response: requests.Response = endpoint.sync_raw(
                    client=self.generated,
                    headers=options.extra_headers or None,
                    timeout=_deadline_timeout(timeout, deadline),
                    stream=stream,
                    **arguments,
                )
            except requests.RequestException as exc:
                passed = deadline is not None and time.monotonic() >= deadline
                error = connection_error(exc, operation, deadline_passed=passed)
                method = getattr(exc.request, "method", None) or "-"
                logger.debug(
                    "%s %s failed after %.1f ms: %s", method, path, (time.monotonic() - started) * 1000, error.message
                )
                if self.closed:
                    raise ClientClosedError() from exc
            else:
                elapsed = (time.monotonic() - started) * 1000
                logger.debug("%s %s -> %d in %.1f ms", response.request.method, path, response.status_code, elapsed)
                if response.status_code < 400:
                    return response
                try:
                    error = error_from_response(
                        response.status_code, response.headers, response.content, operation=operation
                    )
                except requests.RequestException as exc:  # the error body itself could not be read
                    error = connection_error(exc, operation, deadline_passed=False)
                finally:
                    response.close()
            remaining = None if deadline is None else deadline - time.monotonic()
            decision = should_retry(
                safety=safety,
                attempt=attempt,
                max_retries=options.max_retries,
                error=error,
                time_remaining=remaining,
            )
            if decision.reconcile and safety is OperationSafety.UNSAFE:
                if not can_reconcile:
                    # No way to tell whether it took effect (create): repeating could do it twice.
                    logger.debug("%s: not retrying, the outcome is unknown: %s", operation, decision.reason)
                    raise error
                logger.debug("%s: %s", operation, decision.reason)
                raise OutcomeUnknown(error, decision, attempt)
            if not decision.retry:
                logger.debug("%s: not retrying: %s", operation, decision.reason)
                raise error
            logger.info(
                "%s: attempt %d failed (%s); retrying in %.2f s", operation, attempt, decision.reason, decision.delay
            )
            self.sleep(decision.delay)

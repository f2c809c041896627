"""Whether to repeat a failed request, and how long to wait first: pure functions, no sleeping, no I/O.

The retry loop (``_transport.Transport._run``) asks :func:`should_retry` after every failed attempt and sleeps the
``delay``; both functions are deterministic given their inputs (the jitter source is injectable), so every
rule is unit-tested without a network.

The policy, by operation safety (:class:`OperationSafety`):

* The request provably never reached the server (connection refused, connect timeout): retry every
  operation.
* The request may have been processed (read timeout, connection dropped after sending, 408, 5xx): retry
  idempotent operations; for unsafe ones (create, send) set ``reconcile`` - the caller must first find out
  whether the first attempt took effect (for a send: look for its ``clientMessageId`` in history) and only
  then repeat it.
* 429: retry every operation (the rate limiter answers before any handler runs), after the wait the server
  asked for when it named one.
* A server-requested wait longer than ``MAX_RETRY_AFTER`` (60 s) is never slept: no retry, and the caller
  raises (``RateLimitError.retry_after`` tells the user how long).
* ``x-should-retry: true|false`` from the server overrides the status rules (not the attempt budget, the
  wait cap, or the need to reconcile).
* Other 4xx: never.

Why not urllib3's ``Retry``: its policy is per HTTP verb, while ours is per operation (renew and heartbeat
are POSTs that are safe to repeat; create and send are POSTs that are not); it has no hook to reconcile
before repeating a send; it ignores ``RateLimit-Reset`` and ``x-should-retry`` and would sleep through a
6-hour ``Retry-After``; and when it gives up it raises ``RetryError`` and the server's error body is lost.
The adapter is therefore mounted with ``max_retries=0`` and every decision is made here.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable, Mapping
from typing import Final

import attrs

from ._constants import INITIAL_RETRY_DELAY, MAX_RETRY_AFTER, MAX_RETRY_DELAY, RETRYABLE_STATUSES
from ._errors import APIConnectionError, APIStatusError, APITimeoutError
from ._headers import header, parse_retry_after

__all__ = [
    "OperationSafety",
    "RetryDecision",
    "backoff_delay",
    "parse_retry_after",
    "should_retry",
]


_MAX_EXPONENT: Final = 64


class OperationSafety(enum.Enum):
    """Whether repeating an operation is harmless.

    ``IDEMPOTENT``: health, get, list, list_messages, renew, heartbeat (a repeat only bumps
    ``renewalCount``), update_timeout (it sends the full config), delete (a repeat answers 404).
    ``UNSAFE``: create and send, where a repeat makes a second session or a duplicate message.
    """

    IDEMPOTENT = "idempotent"
    UNSAFE = "unsafe"


@attrs.frozen
class RetryDecision:
    """The answer of :func:`should_retry`.

    ``retry``: another attempt is allowed. ``delay``: seconds to wait before it (0 when ``retry`` is false).
    ``reconcile``: the failed attempt may have taken effect on the server - the caller must check before
    repeating (and, when it cannot check, must not repeat); it is reported even when ``retry`` is false so
    that the caller can tell "failed" from "outcome unknown". ``reason``: one line for the log.
    """

    retry: bool
    reason: str
    delay: float = 0.0
    reconcile: bool = False


def backoff_delay(retries_taken: int, *, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number ``retries_taken + 1``: exponential backoff with full jitter.

    The ceiling is ``min(INITIAL_RETRY_DELAY * 2**retries_taken, MAX_RETRY_DELAY)`` (0.5, 1, 2, 4, 8, 8 …)
    and the delay is uniform in ``[0, ceiling]``. Full jitter, rather than openai's [0.75, 1] band, because
    all threads of a process share one per-IP rate limit and should not wake up together.

    Raises: ``ValueError`` if ``retries_taken`` is negative.
    """
    if retries_taken < 0:
        raise ValueError(f"retries_taken must be >= 0, got {retries_taken}")
    # The exponent is bounded so that a huge retries_taken cannot overflow the float; the cap wins long before.
    ceiling = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, _MAX_EXPONENT), MAX_RETRY_DELAY)
    fraction = min(max(rng(), 0.0), 1.0)
    return ceiling * fraction


def _should_retry_header(headers: Mapping[str, str] | None) -> bool | None:
    value = header(headers, "x-should-retry")
    if value is None:
        return None
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None


def should_retry(
    *,
    safety: OperationSafety,
    attempt: int,
    max_retries: int,
    status_code: int | None = None,
    error: BaseException | None = None,
    headers: Mapping[str, str] | None = None,
    time_remaining: float | None = None,
    rng: Callable[[], float] = random.random,
) -> RetryDecision:
    """Decide what to do after a failed attempt.

    ``attempt`` counts the attempts made so far, the failed one included (1 after the first). Pass either
    the error response's ``status_code`` and ``headers``, or the ``error`` raised (an
    :class:`APIConnectionError` / :class:`APITimeoutError` from the transport; an :class:`APIStatusError`
    supplies its own status and headers). ``time_remaining`` is what is left of a ``total`` deadline, if one
    is set: a retry that would not start before it is refused.

    Any other exception is never retried: it is a bug or a usage error, not a transient failure.

    Raises: ``ValueError`` if neither a status nor an error is given, or ``attempt < 1`` / ``max_retries < 0``.
    """
    if attempt < 1 or max_retries < 0:
        raise ValueError(f"need attempt >= 1 and max_retries >= 0, got {attempt} and {max_retries}")
    if status_code is None and isinstance(error, APIStatusError):
        status_code = error.status_code
        headers = headers if headers is not None else error.headers
    if status_code is None and error is None:
        raise ValueError("should_retry needs a status_code or an error")

    unsafe = safety is OperationSafety.UNSAFE
    server_delay: float | None = None

    if status_code is not None:
        if status_code < 400:
            return RetryDecision(False, f"status {status_code} is not retryable (redirects are never followed)")
        ambiguous = unsafe and (status_code == 408 or status_code >= 500)
        retryable = status_code in RETRYABLE_STATUSES
        what = f"status {status_code}"
        # RateLimit-Reset is sent on every response; it only means "wait" on a 429.
        server_delay = parse_retry_after(headers, include_rate_limit_reset=status_code == 429)
        if server_delay is not None and server_delay > MAX_RETRY_AFTER:
            return RetryDecision(
                False,
                f"{what}: server asked to wait {server_delay:.1f}s, above the {MAX_RETRY_AFTER:.0f}s cap",
                reconcile=ambiguous,
            )
    elif isinstance(error, APIConnectionError):
        what = type(error).__name__
        if not error.retryable:
            return RetryDecision(False, f"{what} is not transient", reconcile=unsafe and error.request_sent)
        if isinstance(error, APITimeoutError) and error.phase == "total":
            return RetryDecision(False, "total timeout exhausted", reconcile=unsafe and error.request_sent)
        ambiguous = unsafe and error.request_sent
        retryable = True
        what = f"{what} (request {'may have been' if error.request_sent else 'was not'} sent)"
    else:
        return RetryDecision(False, f"{type(error).__name__} is not a transient error")

    if attempt > max_retries:
        return RetryDecision(False, f"{what}: no retries left ({max_retries} allowed)", reconcile=ambiguous)

    override = _should_retry_header(headers)
    if override is False:
        return RetryDecision(False, f"{what}: server sent x-should-retry: false", reconcile=ambiguous)
    if override is True:
        retryable = True
        what += ", x-should-retry: true"
    if not retryable:
        return RetryDecision(False, f"{what} is not retryable", reconcile=ambiguous)

    delay = server_delay if server_delay is not None else backoff_delay(attempt - 1, rng=rng)
    if time_remaining is not None and delay >= time_remaining:
        return RetryDecision(False, f"{what}: waiting {delay:.2f}s would pass the total timeout", reconcile=ambiguous)
    if ambiguous:
        return RetryDecision(True, f"{what}: outcome unknown, reconcile before retrying", delay, True)
    return RetryDecision(True, f"{what}: retrying", delay)

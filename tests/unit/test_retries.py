"""Every rule of the retry policy, Retry-After parsing, and the backoff bounds."""

from __future__ import annotations

import email.utils

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eliza_client._constants import INITIAL_RETRY_DELAY, MAX_RETRY_AFTER, MAX_RETRY_DELAY
from eliza_client._errors import APIConnectionError, APITimeoutError, error_from_response
from eliza_client._retries import (
    OperationSafety,
    RetryDecision,
    backoff_delay,
    parse_retry_after,
    should_retry,
)

IDEMPOTENT = OperationSafety.IDEMPOTENT
UNSAFE = OperationSafety.UNSAFE


def half() -> float:
    return 0.5


def decide(safety: OperationSafety, **kwargs: object) -> RetryDecision:
    params: dict[str, object] = {"attempt": 1, "max_retries": 2, "rng": half}
    params.update(kwargs)
    return should_retry(safety=safety, **params)  # type: ignore[arg-type]


# --- operation safety ----------------------------------------------------------------------------------


# --- parse_retry_after ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After-Ms": "250", "Retry-After": "9"}, 0.25),
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "0.75"}, 0.75),
        ({"RETRY-AFTER": " 2 "}, 2.0),
        ({"RateLimit-Reset": "42"}, 42.0),
        ({"Retry-After": "5", "RateLimit-Reset": "42"}, 5.0),
        ({"retry-after-ms": "-1", "Retry-After": "4"}, 4.0),
        ({"Retry-After": "soon", "RateLimit-Reset": "7"}, 7.0),
        ({"Retry-After": "-3"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "inf"}, None),
        ({"RateLimit-Reset": "garbage"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str] | None, expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_http_date() -> None:
    now = 1_767_175_200.0
    future = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"Retry-After": future}, now=lambda: now) == pytest.approx(30.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after({"Retry-After": past}, now=lambda: now) == 0.0


def test_parse_retry_after_can_ignore_ratelimit_reset() -> None:
    assert parse_retry_after({"RateLimit-Reset": "42"}, include_rate_limit_reset=False) is None


@given(st.dictionaries(st.sampled_from(["retry-after", "Retry-After-Ms", "ratelimit-reset", "x"]), st.text()))
def test_parse_retry_after_never_raises_and_is_non_negative(headers: dict[str, str]) -> None:
    value = parse_retry_after(headers)
    assert value is None or value >= 0


# --- backoff -------------------------------------------------------------------------------------------


def test_backoff_ceiling_doubles_then_caps() -> None:
    ceilings = [backoff_delay(n, rng=lambda: 1.0) for n in range(7)]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert backoff_delay(3, rng=lambda: 0.0) == 0.0
    assert backoff_delay(1, rng=lambda: 0.25) == 0.25


def test_backoff_rejects_negative() -> None:
    with pytest.raises(ValueError, match="retries_taken"):
        backoff_delay(-1)


@given(retries=st.integers(min_value=0, max_value=10_000), fraction=st.floats(min_value=-1, max_value=2))
def test_backoff_always_within_zero_and_cap(retries: int, fraction: float) -> None:
    delay = backoff_delay(retries, rng=lambda: fraction)
    assert 0.0 <= delay <= min(INITIAL_RETRY_DELAY * 2 ** min(retries, 64), MAX_RETRY_DELAY)


@given(
    attempt=st.integers(min_value=1, max_value=50),
    status=st.sampled_from([408, 429, 500, 502, 503, 504]),
    retry_after=st.none() | st.floats(min_value=0, max_value=1e6, allow_nan=False),
    safety=st.sampled_from(list(OperationSafety)),
)
def test_any_retry_delay_is_within_bounds(
    attempt: int, status: int, retry_after: float | None, safety: OperationSafety
) -> None:
    headers = {} if retry_after is None else {"Retry-After": repr(retry_after)}
    decision = should_retry(safety=safety, attempt=attempt, max_retries=100, status_code=status, headers=headers)
    assert 0.0 <= decision.delay <= max(MAX_RETRY_DELAY, MAX_RETRY_AFTER)
    if not decision.retry:
        assert decision.delay == 0.0


# --- statuses ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_idempotent_operations_retry_transient_statuses(status: int) -> None:
    decision = decide(IDEMPOTENT, status_code=status)
    assert decision.retry
    assert not decision.reconcile
    assert decision.delay == 0.25  # full jitter: half of the first ceiling (0.5)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 413, 422, 501, 505])
@pytest.mark.parametrize("safety", list(OperationSafety))
def test_other_statuses_are_never_retried(status: int, safety: OperationSafety) -> None:
    decision = decide(safety, status_code=status)
    assert not decision.retry
    assert decision.delay == 0.0
    assert decision.reconcile == (safety is UNSAFE and status >= 500)


def test_unsafe_operation_retries_429_without_reconciling() -> None:
    decision = decide(UNSAFE, status_code=429, headers={"Retry-After": "2"})
    assert decision == RetryDecision(True, decision.reason, 2.0, False)


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_unsafe_operation_must_reconcile_after_408_and_5xx(status: int) -> None:
    decision = decide(UNSAFE, status_code=status)
    assert decision.retry
    assert decision.reconcile
    assert "reconcile" in decision.reason


def test_success_status_is_not_retried() -> None:
    assert not decide(IDEMPOTENT, status_code=201).retry


# --- server-requested waits ----------------------------------------------------------------------------


def test_server_delay_wins_over_backoff() -> None:
    assert decide(IDEMPOTENT, status_code=503, headers={"Retry-After": "1.5"}).delay == 1.5
    assert decide(IDEMPOTENT, status_code=429, headers={"retry-after-ms": "100"}).delay == 0.1
    assert decide(IDEMPOTENT, status_code=429, headers={"RateLimit-Reset": "12"}).delay == 12.0


def test_server_delay_at_the_cap_is_slept_above_it_is_not() -> None:
    at_cap = decide(IDEMPOTENT, status_code=429, headers={"Retry-After": str(MAX_RETRY_AFTER)})
    assert at_cap.retry
    assert at_cap.delay == MAX_RETRY_AFTER
    above = decide(IDEMPOTENT, status_code=429, headers={"RateLimit-Reset": "850"})
    assert not above.retry
    assert "cap" in above.reason
    assert above.delay == 0.0


def test_ratelimit_reset_only_counts_on_a_429() -> None:
    # RateLimit-Reset is on every response; a 503 must not read the 15-minute window as "wait 850 s".
    decision = decide(IDEMPOTENT, status_code=503, headers={"RateLimit-Reset": "850"})
    assert decision.retry
    assert decision.delay == 0.25


def test_long_wait_on_unsafe_5xx_still_reports_reconcile() -> None:
    decision = decide(UNSAFE, status_code=503, headers={"Retry-After": "3600"})
    assert not decision.retry
    assert decision.reconcile


# --- x-should-retry ------------------------------------------------------------------------------------


def test_x_should_retry_false_overrides() -> None:
    decision = decide(IDEMPOTENT, status_code=503, headers={"x-should-retry": "false"})
    assert not decision.retry
    assert "x-should-retry" in decision.reason


def test_x_should_retry_true_overrides_but_keeps_reconcile() -> None:
    assert decide(IDEMPOTENT, status_code=409, headers={"X-Should-Retry": "true"}).retry
    decision = decide(UNSAFE, status_code=501, headers={"x-should-retry": "TRUE"})
    assert decision.retry
    assert decision.reconcile


def test_x_should_retry_does_not_extend_the_budget_or_the_cap() -> None:
    assert not decide(IDEMPOTENT, attempt=3, status_code=503, headers={"x-should-retry": "true"}).retry
    headers = {"x-should-retry": "true", "Retry-After": "600"}
    assert not decide(IDEMPOTENT, status_code=503, headers=headers).retry


def test_x_should_retry_garbage_is_ignored() -> None:
    assert decide(IDEMPOTENT, status_code=503, headers={"x-should-retry": "maybe"}).retry
    assert not decide(IDEMPOTENT, status_code=400, headers={"x-should-retry": "1"}).retry


# --- connection errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("safety", list(OperationSafety))
@pytest.mark.parametrize(
    "error", [APIConnectionError("refused", request_sent=False), APITimeoutError(phase="connect")], ids=str
)
def test_request_never_sent_is_retried_for_every_operation(safety: OperationSafety, error: APIConnectionError) -> None:
    decision = decide(safety, error=error)
    assert decision.retry
    assert not decision.reconcile


@pytest.mark.parametrize(
    "error", [APIConnectionError("reset", request_sent=True), APITimeoutError(phase="read")], ids=str
)
def test_request_maybe_sent_retries_idempotent_and_reconciles_unsafe(error: APIConnectionError) -> None:
    assert decide(IDEMPOTENT, error=error) == RetryDecision(True, decide(IDEMPOTENT, error=error).reason, 0.25)
    unsafe = decide(UNSAFE, error=error)
    assert unsafe.retry
    assert unsafe.reconcile


def test_total_timeout_is_never_retried() -> None:
    decision = decide(IDEMPOTENT, error=APITimeoutError(phase="total"))
    assert not decision.retry
    assert decide(UNSAFE, error=APITimeoutError(phase="total")).reconcile


@pytest.mark.parametrize("error", [KeyError("bug"), RuntimeError("x"), ValueError("y")])
def test_foreign_exceptions_are_never_retried(error: Exception) -> None:
    assert not decide(IDEMPOTENT, error=error).retry


def test_status_error_supplies_its_own_status_and_headers() -> None:
    err = error_from_response(429, {"Retry-After": "1"}, b"")
    decision = decide(UNSAFE, error=err)
    assert decision.retry
    assert decision.delay == 1.0


# --- budget and deadline -------------------------------------------------------------------------------


def test_attempts_exhausted() -> None:
    assert decide(IDEMPOTENT, attempt=2, status_code=503).retry
    exhausted = decide(IDEMPOTENT, attempt=3, status_code=503)
    assert not exhausted.retry
    assert "no retries left" in exhausted.reason
    assert not decide(IDEMPOTENT, attempt=1, max_retries=0, status_code=503).retry
    assert decide(UNSAFE, attempt=3, error=APITimeoutError(phase="read")).reconcile


def test_backoff_grows_with_attempts() -> None:
    delays = [decide(IDEMPOTENT, attempt=n, max_retries=10, status_code=503, rng=lambda: 1.0).delay for n in (1, 2, 3)]
    assert delays == [0.5, 1.0, 2.0]


def test_deadline_refuses_a_retry_that_would_not_start_in_time() -> None:
    assert not decide(IDEMPOTENT, status_code=503, time_remaining=0.1).retry
    assert decide(IDEMPOTENT, status_code=503, time_remaining=1.0).retry
    assert decide(UNSAFE, status_code=503, time_remaining=0.0).reconcile


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="status_code or an error"):
        decide(IDEMPOTENT)
    with pytest.raises(ValueError, match="attempt"):
        decide(IDEMPOTENT, attempt=0, status_code=503)
    with pytest.raises(ValueError, match="max_retries"):
        decide(IDEMPOTENT, max_retries=-1, status_code=503)

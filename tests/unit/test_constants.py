"""The defaults the rest of the facade (and the README) rely on."""

from __future__ import annotations

import typing

from eliza_client import _constants as c


def test_retry_and_timeout_defaults() -> None:
    assert (c.DEFAULT_MAX_RETRIES, c.INITIAL_RETRY_DELAY, c.MAX_RETRY_DELAY, c.MAX_RETRY_AFTER) == (2, 0.5, 8.0, 60.0)
    assert (c.DEFAULT_CONNECT_TIMEOUT, c.DEFAULT_READ_TIMEOUT, c.DEFAULT_REPLY_READ_TIMEOUT) == (5.0, 30.0, 120.0)
    assert c.DEFAULT_POOL_MAXSIZE == 32
    assert sorted(c.RETRYABLE_STATUSES) == [408, 429, 500, 502, 503, 504]


def test_names_and_server_limits() -> None:
    assert (c.ENV_BASE_URL, c.ENV_API_KEY, c.ENV_LOG) == ("ELIZA_BASE_URL", "ELIZA_API_KEY", "ELIZA_CLIENT_LOG")
    assert c.API_KEY_HEADER == "X-API-KEY"
    assert (c.CONTENT_MAX_LENGTH, c.METADATA_MAX_LENGTH) == (4000, 10240)
    assert (c.PAGE_LIMIT_MIN, c.PAGE_LIMIT_DEFAULT, c.PAGE_LIMIT_MAX) == (1, 50, 100)
    assert (c.TIMEOUT_MINUTES_MIN, c.TIMEOUT_MINUTES_MAX, c.MAX_DURATION_MINUTES_MAX) == (5, 1440, 2880)
    assert c.WARNING_THRESHOLD_MINUTES_MIN == 1
    assert c.JS_DATE_MAX_MS == 8.64e15
    # 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: what the server's database can query.
    assert (c.QUERY_MIN_MS, c.QUERY_MAX_MS) == (-62_135_596_800_000, 253_402_300_799_999)
    assert c.CLIENT_MESSAGE_ID_KEY == "clientMessageId"
    assert typing.get_args(c.SendTransport) == ("websocket", "http", "sse")
    assert set(c.__all__) == {name for name in vars(c) if name.isupper() or name == "SendTransport"}

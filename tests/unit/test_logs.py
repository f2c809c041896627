"""The library logger: no output unless asked, and no secret in any record it emits."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from eliza_client import _logs
from eliza_client._logs import (
    REDACTED,
    get_logger,
    logger,
    scrub,
    secret_filter,
    setup_logging,
)

KEY = "eliza-test-key-7f3a9c1e5b"


@pytest.fixture
def key() -> Iterator[str]:
    secret_filter.add(KEY)
    yield KEY
    secret_filter.discard(KEY)


@pytest.fixture
def env_handler_cleanup() -> Iterator[None]:
    level = logger.level
    yield
    for handler in _logs._env_handler:
        logger.removeHandler(handler)
    _logs._env_handler.clear()
    logger.setLevel(level)


def test_logger_identity_and_etiquette() -> None:
    assert logger.name == "eliza_client"
    # Only a NullHandler unless ELIZA_CLIENT_LOG asked for more: the library never prints by itself.
    extra = [h for h in logger.handlers if not isinstance(h, logging.NullHandler) and h not in _logs._env_handler]
    assert extra == []
    assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)
    assert secret_filter in logger.filters
    assert get_logger() is logger


def test_key_never_reaches_a_captured_record(key: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="eliza_client")
    child = get_logger("transport")
    assert child.name == "eliza_client.transport"
    logger.debug("sending with key %s", key)
    logger.info("headers %s", {"X-API-KEY": "not-registered-but-named", "Accept": "application/json"})
    logger.info("mapping args %(h)s", {"h": key})
    child.warning(f"inline {key} in an f-string", extra={"request_key": key, "ctx": {"k": [key]}})
    try:
        raise RuntimeError(f"boom with {key}")
    except RuntimeError:
        logger.exception("failed")
        child.error("failed again", exc_info=True, stack_info=True)

    assert len(caplog.records) == 6
    assert key not in caplog.text
    assert "not-registered-but-named" not in caplog.text
    for record in caplog.records:
        everything = record.getMessage() + str(record.exc_text) + str(record.stack_info) + str(vars(record))
        assert key not in everything
    assert REDACTED in caplog.records[0].getMessage()
    assert "application/json" in caplog.records[1].getMessage()
    assert caplog.records[3].request_key == REDACTED  # type: ignore[attr-defined]
    assert "boom with <redacted>" in (caplog.records[4].exc_text or "")
    assert "RuntimeError: boom with <redacted>" in caplog.text  # the traceback is still printed, scrubbed


def test_secrets_are_reference_counted(caplog: pytest.LogCaptureFixture) -> None:
    secret_filter.add(KEY)
    secret_filter.add(KEY)
    secret_filter.discard(KEY)
    assert scrub(f"x{KEY}x") == f"x{REDACTED}x"
    secret_filter.discard(KEY)
    assert scrub(f"x{KEY}x") == f"x{KEY}x"
    secret_filter.discard(KEY)  # one too many is harmless
    secret_filter.add("")  # ignored: replacing "" would garble every message
    assert scrub("abc") == "abc"


def test_longer_secret_is_replaced_whole() -> None:
    secret_filter.add("abc")
    secret_filter.add("abcdef")
    try:
        assert scrub("abcdef abc") == f"{REDACTED} {REDACTED}"
    finally:
        secret_filter.discard("abc")
        secret_filter.discard("abcdef")


def test_filter_survives_bad_records() -> None:
    bad_format = logging.LogRecord("eliza_client", logging.INFO, __file__, 1, "%s %s", (1,), None)
    assert secret_filter.filter(bad_format)
    cyclic: dict[str, object] = {}
    cyclic["self"] = cyclic
    record = logging.LogRecord("eliza_client", logging.INFO, __file__, 1, "ok", None, None)
    record.cyclic = cyclic
    assert secret_filter.filter(record)


def test_setup_logging_is_opt_in(env_handler_cleanup: None) -> None:
    assert setup_logging({}) is None
    assert setup_logging({"ELIZA_CLIENT_LOG": "verbose"}) is None
    assert not _logs._env_handler


def test_setup_logging_debug_prints_scrubbed_lines_to_stderr(
    env_handler_cleanup: None, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = setup_logging({"ELIZA_CLIENT_LOG": " DEBUG "})
    assert handler is not None
    assert setup_logging({"ELIZA_CLIENT_LOG": "info"}) is handler  # idempotent; the level follows
    assert handler.level == logging.INFO
    assert setup_logging({"ELIZA_CLIENT_LOG": "debug"}) is handler
    assert logger.level == logging.DEBUG
    # Rebind the handler's stream to the captured stderr of this test.
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(sys.stderr)
    get_logger("sessions").debug("GET /api/messaging/sessions with %s", key)
    err = capsys.readouterr().err
    assert "GET /api/messaging/sessions with <redacted>" in err
    assert key not in err
    assert logger.handlers.count(handler) == 1

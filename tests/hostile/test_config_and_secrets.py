"""Bad configuration fails at construction, naming the field and never the secret; secrets are scrubbed in every
form a server may echo them; a closed client releases its keys; log records keep their templates."""

from __future__ import annotations

import gc
import json
import logging
import time
import traceback
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import pytest

from eliza_client import APIConnectionError, APIStatusError, ElizaClient, ElizaError, ResponseValidationError
from eliza_client._logs import get_logger, secret_filter

from .server import Conn, HostileServer, head, respond

SESSION_ID = "8a3f2b1c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
KEY = 'sk-"eliza"/secret+key=0123456789'


def texts_of(error: BaseException) -> list[str]:
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(vars(current)), repr(current.args)]
        current = current.__cause__ or current.__context__
    texts.append("".join(traceback.format_exception(error)))
    return texts


def assert_nowhere(secret: str, error: BaseException) -> None:
    for text in texts_of(error):
        assert secret not in text, text
        # Nor a telling piece of it (a cut made before scrubbing leaves one).
        for start in range(0, max(len(secret) - 8, 1)):
            assert secret[start : start + 9] not in text, (secret[start : start + 9], text)


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


# --- configuration ---------------------------------------------------------------------------------------------

BAD_KEYS = [
    ("sk-line\r\nX-Injected: 1", "control_character"),
    ("sk-line\nbreak", "control_character"),
    ("sk-nul\x00key", "control_character"),
    (" sk-leading-space", "whitespace"),
    ("sk-trailing-space ", "whitespace"),
    ("sk-ключ-secret", "encoding"),
]


@pytest.mark.parametrize(("key", "rule"), BAD_KEYS)
def test_a_bad_api_key_fails_at_construction_without_showing_it(key: str, rule: str) -> None:
    with pytest.raises(ElizaError) as info:
        ElizaClient("http://127.0.0.1:9", api_key=key)
    error = info.value
    assert error.field == "api_key"  # type: ignore[attr-defined]
    assert error.rule == rule  # type: ignore[attr-defined]
    assert error.value_repr is None  # type: ignore[attr-defined]
    assert_nowhere(key.strip(), error)


@pytest.mark.parametrize(("key", "rule"), BAD_KEYS[:2])
def test_a_bad_key_from_the_environment_fails_too(monkeypatch: pytest.MonkeyPatch, key: str, rule: str) -> None:
    monkeypatch.setenv("ELIZA_API_KEY", key)
    with pytest.raises(ElizaError) as info:
        ElizaClient("http://127.0.0.1:9")
    assert (info.value.field, info.value.rule) == ("api_key", rule)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("value", "rule"), BAD_KEYS)
def test_a_bad_extra_header_value_fails_at_construction_and_in_with_options(value: str, rule: str) -> None:
    with pytest.raises(ElizaError) as info:
        ElizaClient("http://127.0.0.1:9", extra_headers={"Authorization": value})
    assert (info.value.field, info.value.rule) == ("extra_headers[Authorization]", rule)  # type: ignore[attr-defined]
    assert_nowhere(value.strip(), info.value)
    with ElizaClient("http://127.0.0.1:9") as client, pytest.raises(ElizaError) as again:
        client.with_options(extra_headers={"X-Trace": value})
    assert again.value.field == "extra_headers[X-Trace]"  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["", "Bad Name", "X:Y", "Ключ", "X\r\nY"])
def test_a_header_name_must_be_a_token(name: str) -> None:
    with pytest.raises(ElizaError) as info:
        ElizaClient("http://127.0.0.1:9", extra_headers={name: "v"})
    assert (info.value.field, info.value.rule) == ("extra_headers", "header_name")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://host name:3000", "format"),
        ("http://host:3000/ path", "format"),
        ("http://host\t:3000", "format"),
        ("ftp://host", "scheme"),
        ("localhost:3000", "scheme"),
        ("http://", "host"),
        ("http://:3000", "host"),
        ("http://host:99999", "port"),
        ("http://host:0", "port"),
        ("http://host:abc", "port"),
        ("http://host/?q=1", "format"),
        ("http://host/#frag", "format"),
    ],
)
def test_a_malformed_base_url_fails_at_construction(url: str, rule: str) -> None:
    with pytest.raises(ElizaError) as info:
        ElizaClient(url)
    assert (info.value.field, info.value.rule) == ("base_url", rule)  # type: ignore[attr-defined]


def test_a_malformed_base_url_from_the_environment_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELIZA_BASE_URL", "http://bad host")
    with pytest.raises(ElizaError) as info:
        ElizaClient()
    assert info.value.field == "base_url"  # type: ignore[attr-defined]


def test_good_urls_are_accepted() -> None:
    for url in ("http://localhost:3000", "https://eliza.example/api-prefix/", "http://[::1]:3000", "http://u:p@h"):
        ElizaClient(url).close()


# --- secrets ---------------------------------------------------------------------------------------------------


def test_base_url_user_info_is_redacted_and_its_password_scrubbed(hostile: HostileServer) -> None:
    url = f"http://admin:PASSW0RD-9f3b@127.0.0.1:{hostile.port}"
    hostile.script = respond(400, {"error": {"code": "X", "message": "who is admin:PASSW0RD-9f3b?"}})
    with ElizaClient(url, max_retries=0) as client:
        assert "PASSW0RD" not in repr(client)
        assert "admin:<redacted>@127.0.0.1" in repr(client)
        with pytest.raises(APIStatusError) as info:
            client.sessions.get(SESSION_ID)
    assert_nowhere("PASSW0RD-9f3b", info.value)


@pytest.mark.parametrize(
    "echo",
    [KEY, quote(KEY, safe=""), quote_plus(KEY), json.dumps(KEY)[1:-1]],
    ids=["raw", "url-encoded", "form-encoded", "json-escaped"],
)
def test_an_echoed_key_is_scrubbed_in_every_form(hostile: HostileServer, echo: str) -> None:
    body = '{"error": {"code": "BAD", "message": "key ' + echo.replace("\\", "\\\\").replace('"', '\\"') + '"}}'
    hostile.script = respond(401, body.encode())
    with ElizaClient(hostile.url, api_key=KEY, max_retries=0) as client, pytest.raises(APIStatusError) as info:
        client.sessions.get(SESSION_ID)
    assert_nowhere(echo, info.value)


@pytest.mark.parametrize(
    ("header", "value", "secret"),
    [
        ("X-API-KEY", "sk-from-extra-headers-42", "sk-from-extra-headers-42"),
        ("Authorization", "Bearer tok-abcdef-123456", "tok-abcdef-123456"),
        ("Cookie", "session=cookie-secret-77", "session=cookie-secret-77"),
        ("X-Auth-Token", "gateway-token-8080", "gateway-token-8080"),
        ("Api-Key", "plain-api-key-31337", "plain-api-key-31337"),
    ],
)
def test_keys_given_through_extra_headers_are_secrets(
    hostile: HostileServer, header: str, value: str, secret: str
) -> None:
    hostile.script = respond(500, {"error": {"code": "X", "message": f"saw {secret}"}})
    with ElizaClient(hostile.url, extra_headers={header: value}, max_retries=0) as client:
        with pytest.raises(APIStatusError) as info:
            client.sessions.get(SESSION_ID)
    assert_nowhere(secret, info.value)


def test_a_key_straddling_the_cut_of_a_non_json_body_is_scrubbed_first(hostile: HostileServer) -> None:
    text = "x" * 490 + KEY + "y" * 100  # the 500-character cut falls inside the key
    hostile.script = respond(200, text.encode(), {"Content-Type": "text/plain"})
    with ElizaClient(hostile.url, api_key=KEY, max_retries=0) as client:
        with pytest.raises(ResponseValidationError) as info:
            client.sessions.get(SESSION_ID)
    assert info.value.body is not None
    assert_nowhere(KEY, info.value)


def test_the_raw_key_in_an_sse_error_or_unknown_event_is_scrubbed(hostile: HostileServer) -> None:
    events = (
        b'event: novel\ndata: {"saw": "' + KEY.replace('"', '\\"').encode() + b'"}\n\n'
        b'event: error\ndata: {"error": "rejected ' + KEY.replace('"', '\\"').encode() + b'"}\n\n'
    )

    def script(conn: Conn) -> bool:
        conn.send(head(200, {"Content-Type": "text/event-stream", "Content-Length": str(len(events))}) + events)
        return False

    hostile.script = script
    with ElizaClient(hostile.url, api_key=KEY, max_retries=0) as client:
        with client.sessions.stream(SESSION_ID, "hi") as stream:
            seen = list(stream)
    text = repr(seen) + repr([vars(e) if hasattr(e, "__dict__") else e for e in seen])
    assert len(seen) == 2
    assert KEY not in text
    assert json.dumps(KEY)[1:-1] not in text


def test_a_closed_or_collected_client_releases_its_keys() -> None:
    before = dict(secret_filter._counts)
    clients = [ElizaClient("http://127.0.0.1:9", api_key=f"sk-closed-{i:05d}-secret") for i in range(2000)]
    assert len(secret_filter._counts) >= len(before) + 2000
    for client in clients:
        client.close()
    assert dict(secret_filter._counts) == before
    ElizaClient("http://127.0.0.1:9", api_key="sk-never-closed-secret")  # dropped without close()
    gc.collect()
    assert "sk-never-closed-secret" not in secret_filter._counts
    # And a with_options copy's header key lives as long as the shared client.
    with ElizaClient("http://127.0.0.1:9") as client:
        client.with_options(extra_headers={"Authorization": "Bearer tok-copy-secret"})
        assert "tok-copy-secret" in secret_filter._counts
    assert "tok-copy-secret" not in secret_filter._counts


def test_scrubbing_a_line_costs_no_more_after_many_clients_came_and_went() -> None:
    line = "GET /api/messaging/sessions/8a3f2b1c-4d5e-4f60-8a7b-9c0d1e2f3a4b -> 200 in 1.2 ms " * 4
    with ElizaClient("http://127.0.0.1:9", api_key="sk-the-one-live-key"):

        def cost() -> float:
            started = time.perf_counter()
            for _ in range(2000):
                secret_filter.scrub(line)
            return time.perf_counter() - started

        baseline = min(cost() for _ in range(3))
        for index in range(2000):
            ElizaClient("http://127.0.0.1:9", api_key=f"sk-transient-{index:05d}").close()
        after = min(cost() for _ in range(3))
    # One live key either way: the 2 000 closed clients left nothing to scan for (generous bound for noise).
    assert after < baseline * 3, (baseline, after)


def test_the_log_filter_keeps_templates_and_scrubs_arguments(caplog: pytest.LogCaptureFixture) -> None:
    logger = get_logger()
    with ElizaClient("http://127.0.0.1:9", api_key=KEY), caplog.at_level(logging.INFO, logger="eliza_client"):
        logger.info("sending %s with %s", "hello", KEY)
        logger.info("headers %s", {"X-API-KEY": "anything", "Accept": "json"})
        logger.info("plain %s and %d", "text", 3)
    first, second, third = caplog.records[-3:]
    assert first.msg == "sending %s with %s"  # the template is untouched: error trackers group by it
    assert KEY not in first.getMessage()
    assert "<redacted>" in first.getMessage()
    assert "anything" not in second.getMessage()
    assert third.msg == "plain %s and %d"
    assert third.args == ("text", 3)
    assert third.getMessage() == "plain text and 3"


def test_a_connection_error_names_host_and_port_but_never_user_info() -> None:
    with ElizaClient("http://bob:pa55-secret-word@127.0.0.1:9", max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            client.sessions.get(SESSION_ID)
    assert "127.0.0.1:9" in info.value.message
    assert_nowhere("pa55-secret-word", info.value)

"""The error tree, and error_from_response against every wire error shape of the 1.7.2 server."""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eliza_client import _errors
from eliza_client._errors import (
    AgentNotFoundError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    DeliveryUnknownError,
    ElizaError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    ResponseValidationError,
    SessionExpiredError,
    SessionGoneError,
    SessionNotFoundError,
    StreamConsumedError,
    ValidationError,
    error_from_response,
)
from eliza_client._logs import secret_filter

SESSION_ID = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
STACK = (
    "SessionNotFoundError: Session with ID 'x' not found\n"
    "    at /srv/eliza/node_modules/@elizaos/server/dist/index.js:31337:11\n"
    "    at Layer.handle [as handle_request] (/srv/eliza/node_modules/express/lib/router/layer.js:95:5)"
)
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def sessions_error(code: str, message: str, **extra: Any) -> bytes:
    """Shape 1, as 1.7.2 sends it: always a stack, details when the error has any."""
    error: dict[str, Any] = {"code": code, "message": message, "timestamp": "2025-12-31T10:03:01.000Z"}
    error.update(extra)
    error["stack"] = STACK
    return json.dumps({"error": error}).encode()


def assert_no_stack(err: APIStatusError) -> None:
    texts = [str(err), repr(err), json.dumps(err.body), json.dumps(err.details), json.dumps(err.headers)]
    for text in texts:
        assert "/srv/eliza" not in text
        assert "stack" not in text.lower() or "<removed>" in text


# --- the tree ------------------------------------------------------------------------------------------


def _doc_edges() -> set[tuple[str, str]]:
    doc = _errors.__doc__ or ""
    block = doc.split("::", 1)[1].split("\n\n")[1]
    edges: set[tuple[str, str]] = set()
    stack: list[str] = []
    base_indent: int | None = None
    for line in block.splitlines():
        match = re.match(r"(?P<prefix>[ │├└─]*)(?P<name>[A-Z]\w+)", line)
        assert match, line
        if base_indent is None:
            base_indent = len(match["prefix"])
        depth = (len(match["prefix"]) - base_indent) // 4
        del stack[depth:]
        if stack:
            edges.add((stack[-1], match["name"]))
        stack.append(match["name"])
    return edges


def _code_edges() -> set[tuple[str, str]]:
    classes = [obj for obj in vars(_errors).values() if isinstance(obj, type) and issubclass(obj, ElizaError)]
    return {(base.__name__, cls.__name__) for cls in classes for base in cls.__bases__ if issubclass(base, ElizaError)}


def _all_subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_docstring_tree_matches_the_classes() -> None:
    assert _doc_edges() == _code_edges()
    # Every subclass anywhere (not only in the module namespace) appears in the drawing.
    drawn = {name for edge in _doc_edges() for name in edge}
    assert {cls.__name__ for cls in _all_subclasses(ElizaError)} <= drawn
    assert set(_errors.__all__) >= drawn


def test_session_gone_catches_expired_and_not_found() -> None:
    assert SessionNotFoundError.__mro__[:7] == (
        SessionNotFoundError,
        NotFoundError,
        SessionGoneError,
        APIStatusError,
        APIError,
        ElizaError,
        Exception,
    )
    for status, body in (
        (410, sessions_error("SESSION_EXPIRED", f"Session '{SESSION_ID}' expired at 2025-12-31T10:32:00.000Z")),
        (404, sessions_error("SESSION_NOT_FOUND", f"Session with ID '{SESSION_ID}' not found")),
    ):
        with pytest.raises(SessionGoneError):
            raise error_from_response(status, JSON_HEADERS, body)
    assert not issubclass(AgentNotFoundError, SessionGoneError)


def test_usage_errors_are_also_builtin_errors() -> None:
    assert issubclass(ValidationError, ValueError)
    assert issubclass(ClientClosedError, RuntimeError)
    assert issubclass(StreamConsumedError, RuntimeError)
    for cls in (ValidationError, ClientClosedError, StreamConsumedError, ResponseValidationError):
        assert not issubclass(cls, APIError)


# --- the five wire shapes ------------------------------------------------------------------------------


def test_shape1_sessions_envelope_404() -> None:
    err = error_from_response(
        404,
        JSON_HEADERS,
        sessions_error("SESSION_NOT_FOUND", f"Session with ID '{SESSION_ID}' not found"),
        operation="get",
    )
    assert type(err) is SessionNotFoundError
    assert err.status_code == 404
    assert err.code == "SESSION_NOT_FOUND"
    assert err.message == f"Session with ID '{SESSION_ID}' not found"
    assert str(err) == f"404 SESSION_NOT_FOUND: Session with ID '{SESSION_ID}' not found"
    assert err.operation == "get"
    assert err.details is None
    assert err.body == {
        "error": {
            "code": "SESSION_NOT_FOUND",
            "message": f"Session with ID '{SESSION_ID}' not found",
            "timestamp": "2025-12-31T10:03:01.000Z",
        }
    }
    assert repr(err) == (
        "SessionNotFoundError(status_code=404, code='SESSION_NOT_FOUND', operation='get', "
        f"message=\"Session with ID '{SESSION_ID}' not found\")"
    )
    assert_no_stack(err)


def test_shape1_expired_is_410() -> None:
    message = f"Session '{SESSION_ID}' expired at 2025-12-31T10:32:00.000Z"
    err = error_from_response(410, JSON_HEADERS, sessions_error("SESSION_EXPIRED", message))
    assert type(err) is SessionExpiredError
    assert (err.code, err.message) == ("SESSION_EXPIRED", message)
    assert_no_stack(err)


def test_shape1_agent_not_found() -> None:
    agent = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    err = error_from_response(
        404, JSON_HEADERS, sessions_error("AGENT_NOT_FOUND", f"Agent with ID '{agent}' not found")
    )
    assert type(err) is AgentNotFoundError
    assert isinstance(err, NotFoundError)
    assert not isinstance(err, SessionGoneError)


def test_shape1_validation_error_keeps_details_without_stack() -> None:
    details = {"missingFields": ["agentId", "userId"], "stack": "nested /srv/eliza frame"}
    body = sessions_error("VALIDATION_ERROR", "Missing required fields: agentId, userId", details=details)
    err = error_from_response(400, JSON_HEADERS, body, operation="create")
    assert type(err) is BadRequestError
    assert err.code == "VALIDATION_ERROR"
    assert err.details == {"missingFields": ["agentId", "userId"]}
    assert str(err) == "400 VALIDATION_ERROR: Missing required fields: agentId, userId"
    assert_no_stack(err)


def test_shape1_renewal_failed_is_a_bad_request_with_its_code() -> None:
    err = error_from_response(400, {}, sessions_error("SESSION_RENEWAL_FAILED", "Cannot renew session"))
    assert type(err) is BadRequestError
    assert err.code == "SESSION_RENEWAL_FAILED"


def test_shape1_internal_error_with_string_details() -> None:
    body = sessions_error("INTERNAL_SERVER_ERROR", "An unexpected error occurred", details="db is down")
    err = error_from_response(500, JSON_HEADERS, body)
    assert type(err) is InternalServerError
    assert err.details == "db is down"
    assert_no_stack(err)


def test_shape2_middleware_rate_limit_with_headers() -> None:
    body = (
        b'{"success":false,"error":{"code":"RATE_LIMIT_EXCEEDED",'
        b'"message":"Too many requests. Please try again later."}}'
    )
    headers = {
        "RateLimit-Policy": "1000;w=900",
        "RateLimit-Limit": "1000",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "42",
        "Content-Type": "application/json; charset=utf-8",
    }
    err = error_from_response(429, headers, body, operation="send")
    assert type(err) is RateLimitError
    assert err.retry_after == 42.0
    assert err.code == "RATE_LIMIT_EXCEEDED"
    assert str(err) == "429 RATE_LIMIT_EXCEEDED: Too many requests. Please try again later."
    assert err.headers["ratelimit-remaining"] == "0"
    assert "retry_after=42.0" in repr(err)


def test_shape2_rate_limit_prefers_retry_after_and_may_name_none() -> None:
    body = b'{"success":false,"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Too many"}}'
    err = error_from_response(429, {"Retry-After": "3", "RateLimit-Reset": "900"}, body)
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 3.0
    err = error_from_response(429, {}, body)
    assert isinstance(err, RateLimitError)
    assert err.retry_after is None


def test_shape2_content_type_error() -> None:
    body = (
        b'{"success":false,"error":{"code":"INVALID_CONTENT_TYPE","message":"Invalid or missing Content-Type header"}}'
    )
    err = error_from_response(400, JSON_HEADERS, body)
    assert type(err) is BadRequestError
    assert err.code == "INVALID_CONTENT_TYPE"


def test_shape2_numeric_code_route_not_found() -> None:
    body = b'{"success":false,"error":{"message":"API endpoint not found","code":404}}'
    err = error_from_response(404, JSON_HEADERS, body)
    assert type(err) is NotFoundError
    assert err.code == 404
    assert str(err) == "404: API endpoint not found"


def test_shape2_malformed_json_500_with_only_message_and_numeric_code() -> None:
    body = b'{"success":false,"error":{"message":"Unexpected end of JSON input","code":500}}'
    err = error_from_response(500, JSON_HEADERS, body)
    assert type(err) is InternalServerError
    assert err.code == 500
    assert err.message == "Unexpected end of JSON input"


def test_shape3_api_key_401() -> None:
    body = b'{"error":"API key required","message":"Missing or invalid X-API-KEY header"}'
    err = error_from_response(401, JSON_HEADERS, body)
    assert type(err) is AuthenticationError
    assert err.code is None
    assert err.message == "API key required (Missing or invalid X-API-KEY header)"
    assert str(err) == "401: API key required (Missing or invalid X-API-KEY header)"


def test_shape3_jwt_variant_with_string_details() -> None:
    err = error_from_response(401, JSON_HEADERS, b'{"error":"Invalid JWT token","details":"jwt expired"}')
    assert type(err) is AuthenticationError
    assert (err.message, err.details) == ("Invalid JWT token", "jwt expired")


def test_shape4_plain_string_error_of_http_transport() -> None:
    body = b'{"success":false,"error":"Failed to process message in HTTP transport"}'
    err = error_from_response(500, JSON_HEADERS, body, operation="send")
    assert type(err) is InternalServerError
    assert err.code is None
    assert str(err) == "500: Failed to process message in HTTP transport"
    assert err.body == {"success": False, "error": "Failed to process message in HTTP transport"}


def test_text_plain_401_of_older_builds() -> None:
    err = error_from_response(401, {"Content-Type": "text/plain"}, b"Unauthorized: Invalid or missing X-API-KEY")
    assert type(err) is AuthenticationError
    assert err.message == "Unauthorized: Invalid or missing X-API-KEY"
    assert err.body == "Unauthorized: Invalid or missing X-API-KEY"


@pytest.mark.parametrize(
    ("status", "cls", "message"),
    [
        (502, InternalServerError, "Bad Gateway"),
        (503, InternalServerError, "Service Unavailable"),
        (404, NotFoundError, "Not Found"),
        (418, APIStatusError, "I'm a Teapot"),
        (403, APIStatusError, "Forbidden"),
        (499, APIStatusError, "HTTP status 499"),
    ],
)
def test_empty_body_uses_the_reason_phrase(status: int, cls: type[APIStatusError], message: str) -> None:
    err = error_from_response(status, {}, b"")
    assert type(err) is cls
    assert err.message == message
    assert err.body is None
    assert err.code is None


def test_html_proxy_page_is_kept_truncated_but_not_used_as_message() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>" + b"x" * 2000 + b"</body></html>"
    err = error_from_response(502, {"Content-Type": "text/html"}, page)
    assert err.message == "Bad Gateway"
    assert isinstance(err.body, str)
    assert len(err.body) == 500
    assert err.body.startswith("<html>")


def test_non_utf8_and_non_object_json_bodies() -> None:
    err = error_from_response(500, {}, b"\xff\xfe\x00garbage")
    assert isinstance(err, InternalServerError)
    for body in (b"[1, 2]", b'"just a string"', b"42", b"null", b'{"error": 5}'):
        err = error_from_response(400, JSON_HEADERS, body)
        assert type(err) is BadRequestError
        assert err.message == "Bad Request"


# --- secrets -------------------------------------------------------------------------------------------


def test_stack_removed_at_any_depth_and_case() -> None:
    body = {
        "error": {
            "code": "X",
            "message": "m",
            "Stack": "/srv/eliza top",
            "details": {"inner": [{"stack": "/srv/eliza deep"}], "STACK": "/srv/eliza caps"},
        }
    }
    err = error_from_response(500, JSON_HEADERS, json.dumps(body).encode())
    assert err.details == {"inner": [{}]}
    assert_no_stack(err)


def test_stack_removed_from_malformed_and_truncated_json_and_text() -> None:
    full = sessions_error("SESSION_NOT_FOUND", "gone")
    for body in (full[: full.index(b"/srv") + 30], full + b"trailing garbage", b"Error: boom\n" + STACK.encode()):
        err = error_from_response(404, {"Content-Type": "text/plain"}, body)
        assert_no_stack(err)


def test_credential_headers_are_not_stored() -> None:
    headers = {
        "X-API-KEY": "s3cret-key",
        "Authorization": "Bearer abc",
        "Set-Cookie": "sid=1",
        "ETag": 'W/"1"',
    }
    err = error_from_response(500, headers, b"")
    assert err.headers == {"etag": 'W/"1"'}
    assert "s3cret" not in repr(err) + str(err)


def test_registered_api_key_is_scrubbed_from_message_body_and_details() -> None:
    key = "sk-eliza-0123456789abcdef"
    secret_filter.add(key)
    try:
        body = json.dumps({"error": {"code": "E", "message": f"bad key {key}", "details": {"echo": key}}}).encode()
        err = error_from_response(401, {"X-Echo": key}, body)
        everything = str(err) + repr(err) + json.dumps(err.body) + json.dumps(err.details) + json.dumps(err.headers)
        assert key not in everything
        assert "<redacted>" in err.message
        text_err = error_from_response(401, {}, f"Unauthorized: {key}".encode())
        assert key not in str(text_err) + repr(text_err) + str(text_err.body)
        for err2 in (
            APIConnectionError(f"could not reach with {key}"),
            ResponseValidationError(f"bad {key}", status_code=200, body=key.encode()),
        ):
            assert key not in str(err2) + repr(err2)
    finally:
        secret_filter.discard(key)


def test_hand_built_status_error_is_sanitised_too() -> None:
    err = APIStatusError(
        "boom",
        status_code=500,
        body={"error": {"stack": "/srv/eliza x"}},
        details={"stack": "/srv/eliza y", "ok": 1},
        headers={"x-api-key": "k"},
    )
    assert err.body == {"error": {}}
    assert err.details == {"ok": 1}
    assert err.headers == {}


# --- the other classes ---------------------------------------------------------------------------------


def test_timeout_error_phase_decides_request_sent() -> None:
    assert APITimeoutError(phase="connect").request_sent is False
    assert APITimeoutError(phase="read").request_sent is True
    assert APITimeoutError(phase="total", request_sent=False).request_sent is False
    err = APITimeoutError(phase="read", operation="send")
    assert isinstance(err, APIConnectionError)
    assert str(err) == "Request timed out (read timeout)."
    assert repr(err) == (
        "APITimeoutError(operation='send', phase='read', request_sent=True, "
        "message='Request timed out (read timeout).')"
    )
    assert APIConnectionError().request_sent is True


def test_delivery_unknown_names_the_client_message_id() -> None:
    err = DeliveryUnknownError(client_message_id="m-1", session_id=SESSION_ID, operation="send_message")
    assert "m-1" in str(err)
    assert err.operation == "send_message"
    assert (err.client_message_id, err.session_id) == ("m-1", SESSION_ID)


def test_validation_error_fields_and_short_value_repr() -> None:
    err = ValidationError("limit: must be between 1 and 100", field="limit", rule="range", value=500)
    assert (err.field, err.rule, err.value_repr, str(err)) == (
        "limit",
        "range",
        "500",
        "limit: must be between 1 and 100",
    )
    assert repr(err) == "ValidationError(field='limit', rule='range', message='limit: must be between 1 and 100')"
    long = ValidationError("x", field="f", rule="r", value="y" * 10_000)
    assert long.value_repr is not None
    assert len(long.value_repr) < 80
    assert ValidationError("x", field="content", rule="max_length").value_repr is None


def test_response_validation_error_truncates_body() -> None:
    err = ResponseValidationError("bad", status_code=201, field="userMessage.created_at", body=b"z" * 5000)
    assert err.body is not None
    assert len(err.body) == 500
    assert (err.status_code, err.field) == (201, "userMessage.created_at")
    assert ResponseValidationError("bad", status_code=200).body is None


def _one_of_each() -> list[ElizaError]:
    return [
        ValidationError("m", field="f", rule="r", value=1),
        ClientClosedError(),
        StreamConsumedError(),
        ResponseValidationError("m", status_code=200, field="f", body="b"),
        APIConnectionError("m", request_sent=False, operation="get"),
        APITimeoutError(phase="connect"),
        DeliveryUnknownError(client_message_id="c", session_id="s"),
        error_from_response(404, {"ETag": "1"}, sessions_error("SESSION_NOT_FOUND", "gone"), operation="get"),
        error_from_response(410, {}, sessions_error("SESSION_EXPIRED", "expired")),
        error_from_response(429, {"Retry-After": "2"}, b""),
        error_from_response(401, {}, b"Unauthorized"),
        error_from_response(503, {}, b""),
        error_from_response(400, {}, b'{"error":{"code":"VALIDATION_ERROR","message":"x","details":{"a":1}}}'),
        error_from_response(404, {}, sessions_error("AGENT_NOT_FOUND", "no agent")),
    ]


@pytest.mark.parametrize("err", _one_of_each(), ids=lambda e: type(e).__name__)
def test_errors_pickle_with_their_attributes(err: ElizaError) -> None:
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert str(copy) == str(err)
    assert repr(copy) == repr(err)
    assert copy.__dict__ == err.__dict__


# --- fuzz ----------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(status=st.integers(min_value=-1000, max_value=10_000), body=st.binary(max_size=300))
def test_error_from_response_is_total_on_arbitrary_bytes(status: int, body: bytes) -> None:
    err = error_from_response(status, {"content-type": "application/json"}, body)
    assert isinstance(err, APIStatusError)
    assert err.status_code == status
    str(err), repr(err)


@settings(max_examples=300)
@given(
    status=st.integers(min_value=400, max_value=599),
    value=json_values,
    secret=st.from_regex(r"SECRET[0-9a-f]{12}", fullmatch=True),
    where=st.lists(st.text(min_size=1, max_size=5), max_size=3),
    cut=st.integers(min_value=0, max_value=10_000),
)
def test_no_stack_value_ever_leaks(status: int, value: Any, secret: str, where: list[str], cut: int) -> None:
    # Bury {"stack": secret} under a random path inside a random JSON document.
    nested: Any = {"stack": secret, "message": "m"}
    for key in where:
        nested = {key: nested, "sibling": value}
    document = {"error": nested, "other": value}
    raw = json.dumps(document, ensure_ascii=False).encode()
    candidates = [raw, raw[:cut], raw + b"}}garbage", json.dumps(document, indent=2).encode()]
    for body in candidates:
        err = error_from_response(status, {}, body)
        seen = str(err) + repr(err) + json.dumps(err.body) + json.dumps(err.details) + err.message
        assert secret not in seen
        assert secret[:10] not in seen

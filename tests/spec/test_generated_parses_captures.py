"""The generated client parses every captured JSON response of the real server into the documented model.

`test_captures_conform` proves the captures match openapi.yaml; this proves the code generated from it copes
with them too (a string `details`, non-object session metadata, the missing `in_reply_to_message_id`, …): each
body goes through the operation's generated `_parse_response` and must come out as the model its shape names.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
import requests

from eliza_sessions_api import Client
from eliza_sessions_api.models import AuthError, MiddlewareError, SessionError, TransportFailure

from .test_captures_conform import Exchange, find_operation, pointer_get, validated_exchanges

ERROR_TYPES = (AuthError, MiddlewareError, SessionError, TransportFailure)


def json_exchanges() -> list[Exchange]:
    return [
        e
        for e in validated_exchanges()
        if e.method != "HEAD" and any(v.startswith("application/json") for v in e.header_values("Content-Type"))
    ]


def expected_type(status: int, body: Any) -> type | None:
    """The error model a body's shape names, or None for a success body."""
    if status < 400:
        return None
    error = body.get("error")
    if isinstance(error, str):
        return AuthError if "message" in body else TransportFailure
    return MiddlewareError if "success" in body else SessionError


def parse(exchange: Exchange) -> Any:
    """The exchange's response through the generated `_parse_response` of the operation it routes to."""
    operation = find_operation(exchange.method, exchange.path)
    assert operation is not None
    tag = pointer_get(operation.pointer)["tags"][0]  # the generator puts each endpoint in its first tag's package
    module = importlib.import_module(f"eliza_sessions_api.api.{tag}.{operation.operation_id}")
    response = requests.Response()
    response.status_code = exchange.status
    response._content = exchange.body.encode()
    response.headers.update(dict(exchange.headers))
    return module._parse_response(
        client=Client(base_url="http://127.0.0.1", raise_on_unexpected_status=True), response=response
    )


@pytest.mark.parametrize("exchange", json_exchanges(), ids=lambda e: e.key)
def test_generated_client_parses_the_capture(exchange: Exchange) -> None:
    parsed = parse(exchange)
    wanted = expected_type(exchange.status, json.loads(exchange.body))
    if wanted is None:
        assert parsed is not None
        assert not isinstance(parsed, ERROR_TYPES)
    else:
        assert isinstance(parsed, wanted)


def test_string_details_and_non_object_metadata_survive() -> None:
    """The shapes the spec was corrected for come through the generated models intact."""
    by_id = {e.id: e for e in json_exchanges()}
    internal = parse(by_id["send.no_body"])
    assert isinstance(internal, SessionError)
    assert internal.error.details == "Cannot read properties of undefined (reading 'transport')"
    assert parse(by_id["create.metadata_string"]).metadata == "abc"
    assert parse(by_id["create.metadata_array"]).metadata == ["p", "q"]
    reply = parse(by_id["send.websocket_default"])
    assert "in_reply_to_message_id" not in reply.user_message.additional_properties

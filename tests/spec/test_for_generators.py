"""The generator-facing document (`scripts/spec/for_generators.py`) says what openapi.yaml says, in a form
generators can type.

Its proof of use is the consumer matrix (`nox -s consumers`); these tests hold the derivation to the server: every
recorded exchange of every release validates against the release's generator-facing document (the event streams
on stream_message's path), in OpenAPI 3.1 and 3.0.3 alike, and the 3.0.3 form has no 3.1 construct left.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from .test_captures_conform import (
    CAPTURES,
    NOT_OPERATIONS,
    RELEASE_CAPTURES,
    ROOT,
    SPEC_PATH,
    Exchange,
    find_operation,
    in_sessions_api,
    load_exchanges,
    release_document,
    use_document,
    violations,
)

RELEASES = ("1.7.2", *sorted(RELEASE_CAPTURES))
SEND_PATH = "/api/messaging/sessions/{sessionId}/messages"


@cache
def _module() -> Any:
    location = ROOT / "scripts" / "spec" / "for_generators.py"
    spec = importlib.util.spec_from_file_location("_eliza_spec_for_generators", location)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _source(version: str) -> dict[str, Any]:
    if version == "1.7.2":
        document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
        return document
    return release_document(version)


def generator_document(version: str, *, openapi_30: bool = False) -> dict[str, Any]:
    document: dict[str, Any] = _module().generator_document(_source(version), openapi_30=openapi_30)
    return document


def _captures(version: str) -> tuple[str, ...]:
    return CAPTURES if version == "1.7.2" else RELEASE_CAPTURES[version]


def _as_a_generated_client_sends_it(exchange: Exchange) -> Exchange:
    """An event-stream answer is what stream_message gets: the same request on the slashed path."""
    streamed = any(v.startswith("text/event-stream") for v in exchange.header_values("Content-Type"))
    if streamed and exchange.method == "POST" and not exchange.path.endswith("/"):
        return replace(exchange, path=exchange.path + "/")
    return exchange


@pytest.mark.parametrize("openapi_30", [False, True], ids=["3.1", "3.0"])
@pytest.mark.parametrize("version", RELEASES)
def test_the_generator_document_is_valid_openapi(version: str, openapi_30: bool) -> None:
    document = generator_document(version, openapi_30=openapi_30)
    assert document["openapi"] == ("3.0.3" if openapi_30 else "3.1.0")
    validate(document)


@pytest.mark.parametrize("version", RELEASES)
def test_every_recorded_exchange_validates_against_the_generator_document(version: str) -> None:
    # The 3.1 form is what the validator reads (JSON Schema 2020-12); the 3.0.3 form is checked structurally below.
    exchanges = [
        _as_a_generated_client_sends_it(e)
        for e in load_exchanges(_captures(version))
        if in_sessions_api(e) and e.id not in NOT_OPERATIONS
    ]
    assert len(exchanges) > 150
    document = generator_document(version)
    with use_document(document):
        found = {e.key: problems for e in exchanges if (problems := violations(e))}
        streamed = [e for e in exchanges if e.path.endswith("/messages/")]
        routed = {find_operation(e.method, e.path).operation_id for e in streamed}  # type: ignore[union-attr]
    assert found == {}
    if version == "1.6.5":  # no streaming transport at all: nothing to split off
        assert streamed == []
        assert SEND_PATH + "/" not in document["paths"]
    else:
        assert streamed, f"the {version} capture has no event stream"
        assert routed == {"stream_message"}


@pytest.mark.parametrize("version", ["1.7.2", "1.7.0"])
def test_send_message_answers_only_json_and_stream_message_only_the_stream(version: str) -> None:
    document = generator_document(version)
    send = document["paths"][SEND_PATH]["post"]
    stream = document["paths"][SEND_PATH + "/"]["post"]
    assert send["operationId"] == "send_message"
    assert stream["operationId"] == "stream_message"
    successes = {status: list(answer["content"]) for status, answer in send["responses"].items() if status < "300"}
    assert successes == {"201": ["application/json"]}
    assert list(stream["responses"]["200"]["content"]) == ["text/event-stream"]
    assert "201" not in stream["responses"]
    assert set(stream["responses"]) == {"200", *(s for s in send["responses"] if s != "201")}
    request = document["components"]["schemas"]["StreamMessageRequest"]
    field, value = ("transport", "sse") if version == "1.7.2" else ("mode", "stream")
    assert request["properties"][field]["enum"] == [value]
    assert field in request["required"]
    assert set(request["properties"]) == {"content", field, "attachments", "metadata"}


def test_the_generator_document_renames_only_send_message_response_and_drops_only_unused_schemas() -> None:
    source, derived = _source("1.7.2"), generator_document("1.7.2")
    before, after = set(source["components"]["schemas"]), set(derived["components"]["schemas"])
    assert after - before == {"SentMessage", "StreamMessageRequest"}
    # Only the older releases' send bodies (and the message shape only they use) go.
    assert before - after == {
        "SendMessageResponse",
        "FlatSendMessageResponse",
        "ModeSendMessageResponse",
        "LegacyUserMessage",
    }
    assert "x-eliza-releases" not in derived
    assert "SendMessageResponse" not in yaml.safe_dump(derived["paths"])


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@pytest.mark.parametrize("version", RELEASES)
def test_the_3_0_form_has_no_3_1_construct_left(version: str) -> None:
    document = generator_document(version, openapi_30=True)
    for node in _walk(document):
        assert not isinstance(node.get("type"), list), node
        assert node.get("type") != "null", node
        assert "const" not in node, node
        assert "$defs" not in node, node
        assert not isinstance(node.get("examples"), list), node
    assert "summary" not in document["info"]
    assert "identifier" not in document["info"]["license"]
    schemas = document["components"]["schemas"]
    metadata = schemas["SessionMetadata"]
    assert [branch["type"] for branch in metadata["oneOf"]] == ["object", "string", "array", "number", "boolean"]
    if version in ("1.7.2", "1.7.3-alpha.4"):
        reply = schemas["SentMessage"]["properties"]["agentResponse"]
        assert reply["nullable"] is True
        assert reply["allOf"] == [{"$ref": "#/components/schemas/AgentResponse"}]


@pytest.mark.parametrize("openapi_30", [False, True], ids=["3.1", "3.0"])
def test_no_type_list_of_several_types_is_left(openapi_30: bool) -> None:
    document = generator_document("1.7.2", openapi_30=openapi_30)
    for node in _walk(document):
        kinds = node.get("type")
        assert not isinstance(kinds, list) or len([k for k in kinds if k != "null"]) <= 1, node
    auto_renew = document["components"]["schemas"]["TimeoutConfig"]["properties"]["autoRenew"]
    expected = ["boolean", "string", "number", "array", "object"] + ([] if openapi_30 else ["null"])
    assert [branch["type"] for branch in auto_renew["oneOf"]] == expected
    assert auto_renew.get("nullable", False) is openapi_30


def test_every_object_schema_of_the_generator_document_says_it_accepts_more_keys() -> None:
    # The spec's objects are open (JSON Schema's default); the generator document says so, because
    # openapi-generator reads a missing additionalProperties as false and its clients then reject new keys.
    document = generator_document("1.7.2")
    objects = [n for n in _walk(document) if n.get("type") == "object" and "$ref" not in n]
    assert len(objects) >= 40
    assert [n for n in objects if "additionalProperties" not in n] == []
    assert document["components"]["schemas"]["Session"]["additionalProperties"] is True
    assert "additionalProperties" not in _source("1.7.2")["components"]["schemas"]["Session"]


def test_the_command_writes_the_document(tmp_path: Any) -> None:
    out = tmp_path / "g.yaml"
    assert _module().main(["--openapi-3.0", "-o", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["openapi"] == "3.0.3"
    assert _module().main(["--server-version", "9.9.9", "-o", str(out)]) == 2

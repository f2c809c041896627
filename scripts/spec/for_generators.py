#!/usr/bin/env python3
"""Derive the generator-facing OpenAPI document from ``openapi.yaml`` (the single source).

``openapi.yaml`` describes the server exactly, and one thing it must say exactly no code generator can use:
``send_message`` answers ``200 text/event-stream`` for ``transport: "sse"`` and ``201 application/json``
otherwise. Every generator types such an operation's result as the union of both, which collapses to ``string``
(or ``string | SendMessageResponse``), and ignores the event schemas (the stream schema's ``$defs``). The
derived document differs in exactly these ways, and nowhere else:

* ``send_message`` keeps only the JSON answers (201 and the errors);
* a second operation, ``stream_message``, is the same request with ``transport: "sse"`` (or, for 1.7.0, ``mode:
  "stream"``) required, on the same path with a trailing slash (``…/messages/``: the server matches paths with
  or without one, and OpenAPI allows one operation per method and path), answering the event stream;
* the schema ``SendMessageResponse`` is called ``SentMessage``: @hey-api/openapi-ts and others name the
  operation's own result type ``SendMessageResponse`` and would rename one of them;
* a schema whose ``type`` is a list of several types (``SessionMetadata``, ``autoRenew``, ``attachments``, the
  echoed values in ``ErrorDetails``) is the equivalent ``oneOf`` of one branch per type (one JSON type each, so
  exactly one matches): openapi-generator drops the object and array members of a type list and oapi-codegen
  refuses one; as ``anyOf``, openapi-generator's Java template does not compile and its typescript-fetch one
  gives an empty interface, while every generator of the matrix reads the ``oneOf`` (``null`` stays a branch);
* every object schema without ``additionalProperties`` says ``additionalProperties: true``, which JSON Schema
  means anyway: openapi-generator reads a missing one as ``false`` (its ``disallowAdditionalPropertiesIfNotPresent``
  default), and its Java and Go clients then reject any answer with a key the spec does not list, which the
  spec allows and a later release may send;
* ``x-eliza-releases`` is left out (the document describes one release), and so are the schemas nothing in
  the document uses (the older releases' send bodies), which generators would otherwise emit as dead models.

``--openapi-3.0`` also rewrites the 3.1 document as OpenAPI 3.0.3 for generators that read only 3.0 (oapi-codegen's
kin-openapi): type lists become ``oneOf`` of single types (``nullable`` for ``null``), ``oneOf [X, {type: null}]``
becomes a nullable ``allOf [X]``, schema ``examples`` lists become ``example``, ``$defs`` becomes ``x-defs``, and
the 3.1-only ``info`` fields are dropped. ``--server-version`` derives the document of another release first
(``scripts/spec/releases.py``)::

    python scripts/spec/for_generators.py -o openapi.generators.yaml
    python scripts/spec/for_generators.py --openapi-3.0 -o openapi.generators-3.0.yaml
    python scripts/spec/for_generators.py --server-version 1.7.0 -o openapi.generators-1.7.0.yaml

Exit codes: 0 written; 2 bad arguments or a document this script does not know how to derive from.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from releases import RELEASES_KEY, OverlayError, load_spec, release_document

MESSAGES_PATH = "/api/messaging/sessions/{sessionId}/messages"
STREAM_PATH = MESSAGES_PATH + "/"
RENAMED = {"SendMessageResponse": "SentMessage"}
_REF_PREFIX = "#/components/schemas/"


class DeriveError(ValueError):
    """The source document lacks what the derivation relies on; the message says what."""


def generator_document(document: dict[str, Any], *, openapi_30: bool = False) -> dict[str, Any]:
    """The generator-facing document of ``document`` (a release's exact document); the input is not changed."""
    derived = copy.deepcopy(document)
    derived.pop(RELEASES_KEY, None)
    _split_stream(derived)
    _rename_schemas(derived, RENAMED)
    _prune_unused_schemas(derived)
    derived = _type_lists_as_unions(derived)
    _open_objects(derived)
    info = derived.setdefault("info", {})
    info["description"] = (
        str(info.get("description", "")).rstrip()
        + "\n\nThis is the generator-facing form of the document (`scripts/spec/for_generators.py`): the"
        " event-stream answer of send_message is the separate operation stream_message (same request, on the"
        " path with a trailing slash), and `SendMessageResponse` is called `SentMessage`.\n"
    )
    if openapi_30:
        derived = to_openapi_30(derived)
    return derived


def _split_stream(document: dict[str, Any]) -> None:
    path_item = document.get("paths", {}).get(MESSAGES_PATH)
    if not isinstance(path_item, dict) or not isinstance(path_item.get("post"), dict):
        raise DeriveError(f"no POST {MESSAGES_PATH} (send_message) in the document")
    send = path_item["post"]
    responses = send.get("responses", {})
    stream_answer = responses.pop("200", None)
    if stream_answer is None:  # 1.6.5: no streaming at all, nothing to split
        return
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    request = schemas.get("SendMessageRequest")
    if not isinstance(request, dict):
        raise DeriveError("components.schemas.SendMessageRequest is missing")
    schemas["StreamMessageRequest"] = _stream_request(request)
    send["description"] = (
        str(send.get("description", "")).rstrip()
        + "\n\nIn this document the `sse` transport is the operation stream_message.\n"
    )
    stream = {
        "operationId": "stream_message",
        "tags": list(send.get("tags", [])),
        "summary": "Send a user message and receive the agent's reply as server-sent events.",
        "description": (
            "send_message with the streaming transport, as its own operation (see send_message for the events,"
            " their order and what is stored). The path is send_message's with a trailing slash, which the server"
            " treats as the same route."
        ),
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": _REF_PREFIX + "StreamMessageRequest"}}},
        },
        "responses": {"200": stream_answer}
        | {status: copy.deepcopy(answer) for status, answer in responses.items() if status != "201"},
    }
    for key in ("security", "parameters"):
        if key in send:
            stream[key] = copy.deepcopy(send[key])
    stream_item: dict[str, Any] = {"post": stream}
    if "parameters" in path_item:
        stream_item = {"parameters": copy.deepcopy(path_item["parameters"]), **stream_item}
    paths = document["paths"]
    # Keep the stream operation right after its JSON sibling, so documents read in order.
    document["paths"] = {}
    for key, value in paths.items():
        document["paths"][key] = value
        if key == MESSAGES_PATH:
            document["paths"][STREAM_PATH] = stream_item


def _stream_request(request: dict[str, Any]) -> dict[str, Any]:
    """SendMessageRequest with the streaming value of its transport field required (and the other field gone)."""
    stream = copy.deepcopy(request)
    properties = stream.get("properties", {})
    if "transport" in properties:
        field, value = "transport", "sse"
        properties.pop("mode", None)
    elif "mode" in properties:  # 1.7.0 reads only `mode`
        field, value = "mode", "stream"
    else:
        raise DeriveError("SendMessageRequest has neither `transport` nor `mode`, but send_message streams")
    properties[field] = {
        "type": "string",
        "enum": [value],
        "description": f"Always `{value}`: this operation is the streaming transport.",
    }
    stream["required"] = [*stream.get("required", []), field]
    stream["description"] = f"The body of stream_message: SendMessageRequest with `{field}: {value}`."
    return stream


def _rename_schemas(document: dict[str, Any], names: dict[str, str]) -> None:
    schemas = document.get("components", {}).get("schemas", {})
    for old, new in names.items():
        if old not in schemas:
            continue
        if new in schemas:
            raise DeriveError(f"cannot rename schema {old} to {new}: {new} exists")
        document["components"]["schemas"] = schemas = {
            (new if key == old else key): value for key, value in schemas.items()
        }
    refs = {_REF_PREFIX + old: _REF_PREFIX + new for old, new in names.items()}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref in refs:
                node["$ref"] = refs[ref]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)


def _type_lists_as_unions(node: Any) -> Any:
    if isinstance(node, list):
        return [_type_lists_as_unions(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _type_lists_as_unions(value) for key, value in node.items()}
    kinds = out.get("type")
    if isinstance(kinds, list) and len([kind for kind in kinds if kind != "null"]) > 1:
        _split_types(out, kinds)
    return out


def _split_types(schema: dict[str, Any], kinds: list[str]) -> None:
    """``schema`` (whose ``type`` is the list ``kinds``) as a ``oneOf`` of one branch per type, in place."""
    schema.pop("type", None)
    branches = [_single_type(kind, schema) for kind in kinds]
    for keyword in ("items", "additionalProperties", "properties", "required"):
        schema.pop(keyword, None)
    schema["oneOf"] = branches


def _open_objects(document: dict[str, Any]) -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            # A schema is an object schema by its type, or by listing properties without a type.
            is_object = node.get("type") == "object" or (
                "type" not in node and isinstance(node.get("properties"), dict)
            )
            if is_object and "additionalProperties" not in node and "$ref" not in node:
                node["additionalProperties"] = True
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document.get("components", {}).get("schemas", {}))
    walk(document.get("paths", {}))


def _refs_in(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
                found.add(ref[len(_REF_PREFIX) :])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _prune_unused_schemas(document: dict[str, Any]) -> None:
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    outside = {key: value for key, value in document.items() if key != "components"}
    outside["components"] = {key: value for key, value in document.get("components", {}).items() if key != "schemas"}
    used: set[str] = set()
    pending = _refs_in(outside)
    while pending:
        name = pending.pop()
        if name in used or name not in schemas:
            continue
        used.add(name)
        pending |= _refs_in(schemas[name])
    document["components"]["schemas"] = {name: schema for name, schema in schemas.items() if name in used}


def to_openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3.1 document (as this project writes them) rewritten as OpenAPI 3.0.3."""
    converted = copy.deepcopy(document)
    converted["openapi"] = "3.0.3"
    info = converted.get("info", {})
    info.pop("summary", None)
    if isinstance(info.get("license"), dict):
        info["license"].pop("identifier", None)
    converted.pop("jsonSchemaDialect", None)
    converted.pop("webhooks", None)
    result: dict[str, Any] = _schemas_30(converted)
    return result


def _schemas_30(node: Any) -> Any:
    if isinstance(node, list):
        return [_schemas_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _schemas_30(value) for key, value in node.items()}
    # Only schemas have a list `type`, a list `examples` (elsewhere `examples` is a map) or `const`; a property
    # *named* type or examples has a schema (a mapping) as its value, so it is left alone here.
    if isinstance(out.get("examples"), list):
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    if isinstance(out.get("$defs"), dict):  # 3.0 schemas have no $defs: the map (the SSE events) becomes x-defs
        out["x-defs"] = out.pop("$defs")
    kinds = out.get("type")
    if isinstance(kinds, list):
        out.pop("type")
        nullable = "null" in kinds
        kinds = [kind for kind in kinds if kind != "null"]
        if len(kinds) == 1:
            out["type"] = kinds[0]
            _keep_keywords_of(out, kinds[0])
        else:
            _split_types(out, kinds)
        if nullable:
            out["nullable"] = True
    for union in ("oneOf", "anyOf"):
        members = out.get(union)
        if isinstance(members, list) and {"type": "null"} in members:
            rest = [member for member in members if member != {"type": "null"}]
            del out[union]
            if len(rest) == 1:
                out["allOf"] = rest
            else:
                out[union] = rest
            out["nullable"] = True
    return out


_KEYWORDS_OF = {"object": ("properties", "additionalProperties", "required"), "array": ("items",)}


def _keep_keywords_of(schema: dict[str, Any], kind: str) -> None:
    for other, keywords in _KEYWORDS_OF.items():
        if other != kind:
            for keyword in keywords:
                schema.pop(keyword, None)


def _single_type(kind: str, schema: dict[str, Any]) -> dict[str, Any]:
    branch: dict[str, Any] = {"type": kind}
    if kind == "object" and "additionalProperties" not in schema:
        branch["additionalProperties"] = True
    for keyword in _KEYWORDS_OF.get(kind, ()):
        if keyword in schema:
            branch[keyword] = copy.deepcopy(schema[keyword])
    if kind == "array" and "items" not in branch:
        branch["items"] = {}
    return branch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-version", help="derive from this release's document (default: openapi.yaml)")
    parser.add_argument("--openapi-3.0", dest="openapi_30", action="store_true", help="write OpenAPI 3.0.3")
    parser.add_argument("-o", "--output", help="where to write it (default: stdout)")
    args = parser.parse_args(argv)
    try:
        source = load_spec()
        if args.server_version:
            source = release_document(args.server_version, source)
        derived = generator_document(source, openapi_30=args.openapi_30)
    except (OverlayError, DeriveError) as err:
        print(f"for_generators.py: {err}", file=sys.stderr)
        return 2
    text = yaml.safe_dump(derived, sort_keys=False, allow_unicode=True, width=120)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""openapi.yaml agrees with the real server: every captured exchange of `@elizaos/server` 1.7.2 conforms to it.

The captures in `scripts/real_server/captures/` are the raw wire traffic of the real server (see
`scripts/real_server/OBSERVED.md`). For every exchange on a `/api/messaging/sessions…` route this test finds the
operation the way the server routes it (path template + method; paths match case-insensitively and one trailing
slash is tolerated; `HEAD` is answered by the `GET` route), then checks that

* the status is one the operation documents,
* the documented response headers are there when `required` and match their schema when present,
* the `Content-Type` is one of the documented media types and the body validates against its schema
  (JSON Schema 2020-12, as OpenAPI 3.1 defines it, with `format` asserted), and
* a `text/event-stream` body is framed as the operation describes, and each event's data validates against the
  schema its event name maps to in the media type schema's `$defs`.

Exchanges that are not API operations (unknown routes and methods, CORS preflights) are listed in
`NOT_OPERATIONS` with the reason, and exchanges outside the Sessions API in `OUTSIDE_SESSIONS_API`; the test
fails when an exchange is in neither list and matches no operation, so nothing is skipped silently.

Schemas are validated with `jsonschema_rs` (a dependency of the pinned schemathesis, so the test needs nothing
beyond the project's `test` extra); `$ref`s resolve against the spec itself through a `jsonschema_rs.Registry`.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jsonschema_rs
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi.yaml"
CAPTURE_DIR = ROOT / "scripts" / "real_server" / "captures"
CAPTURES = ("1.7.2.json", "1.7.2-slow-model.json")
SPEC_URI = "urn:eliza-client:openapi"
SESSIONS_PREFIX = "/api/messaging/sessions"
VERSION_PATH = "/api/system/version"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Exchanges on /api/messaging/sessions… that reach no operation of the spec, with the reason. Only genuinely
# non-API traffic belongs here: every id is checked to match no operation.
_UNKNOWN_ROUTE = "no such route: the server's unknown-route fallback answers 404 MiddlewareError (there is no 405)"
_PREFLIGHT = "CORS preflight: answered 204 by the CORS middleware before authentication, not an API operation"
NOT_OPERATIONS: dict[str, str] = {
    "auth.options_no_key": _PREFLIGHT,
    "route.options_preflight": _PREFLIGHT,
    "route.unknown_subpath": f"GET …/sessions/{{id}}/unknown — {_UNKNOWN_ROUTE}",
    "route.put_session": f"PUT …/sessions/{{id}} — {_UNKNOWN_ROUTE}",
    "route.delete_collection": f"DELETE …/sessions — {_UNKNOWN_ROUTE}",
    "route.get_renew": f"GET …/sessions/{{id}}/renew — {_UNKNOWN_ROUTE}",
    "route.post_health": f"POST …/sessions/health — {_UNKNOWN_ROUTE}",
}

# Exchanges the capture made outside /api/messaging/sessions (evidence about the server, not this API).
OUTSIDE_SESSIONS_API: dict[str, str] = {
    "auth.unknown_route_no_key": "GET /api/nope: 401 before routing (unknown /api route, server has a key)",
    "auth.healthz_no_key": "GET /healthz: the server's public liveness route",
    "ratelimit.healthz_outside_api": "GET /healthz: the server's public liveness route",
    "route.unknown_api": "GET /api/nope: the unknown-route fallback",
    "route.healthz": "GET /healthz: the server's public liveness route",
    "route.health": "GET /health: the server's public health route",
    "route.root_ping": "GET /api/server/ping: another API of the server",
    "route.non_api_unknown": "GET /no-such-page: 403 text/plain from the disabled web UI",
}


# ---------------------------------------------------------------------------------------------------------------
# The captures


@dataclass(frozen=True)
class Exchange:
    key: str  # "<capture file>#<index>:<id>", unique across captures
    id: str
    method: str
    path: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: str

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def with_body(self, body: Any) -> Exchange:
        return replace(self, body=body if isinstance(body, str) else json.dumps(body))

    def with_header(self, name: str, value: str | None) -> Exchange:
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name.lower())
        return replace(self, headers=kept if value is None else (*kept, (name, value)))


@cache
def load_exchanges(names: tuple[str, ...] = CAPTURES) -> tuple[Exchange, ...]:
    found: list[Exchange] = []
    for name in names:
        capture = json.loads((CAPTURE_DIR / name).read_text())
        for index, raw in enumerate(capture["exchanges"]):
            request, response = raw["request"], raw["response"]
            found.append(
                Exchange(
                    key=f"{name}#{index}:{raw['id']}",
                    id=raw["id"],
                    method=request["method"].upper(),
                    path=request["path"],
                    status=response["status"],
                    headers=tuple((k, v) for k, v in response["headers"]),
                    body=response["body"] or "",
                )
            )
    return tuple(found)


def in_sessions_api(exchange: Exchange) -> bool:
    """On a route of the spec: the Sessions API, or the version route it reads."""
    path = urlsplit(exchange.path).path.lower().rstrip("/")
    return path in (SESSIONS_PREFIX, VERSION_PATH) or path.startswith(SESSIONS_PREFIX + "/")


# ---------------------------------------------------------------------------------------------------------------
# The spec


#: The document the checks use instead of ``SPEC_PATH``'s while ``use_document`` is active (another release's).
_document: dict[str, Any] | None = None


@cache
def load_spec() -> dict[str, Any]:
    if _document is not None:
        return _document
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return spec


def set_document(document: dict[str, Any] | None) -> None:
    """Check against ``document`` (a release's OpenAPI document) from now on; None: ``SPEC_PATH``'s again.

    (A private copy of this module, loaded by path, keeps its own document: the integration suite and
    ``scripts/real_server/drift.py`` check another release that way without touching this module's.)
    """
    global _document  # noqa: PLW0603 -- one switch for the module-level caches that every check reads
    _document = document
    for cached in (load_spec, registry, validator):
        cached.cache_clear()


@contextmanager
def use_document(document: dict[str, Any]) -> Iterator[None]:
    """Check against ``document`` inside the block, then against what was checked before."""
    previous = _document
    set_document(document)
    try:
        yield
    finally:
        set_document(previous)


@cache
def registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry([(SPEC_URI, load_spec())], draft=jsonschema_rs.Draft202012)


@cache
def validator(pointer: str) -> jsonschema_rs.Validator:
    """A validator for the schema at `pointer` (a JSON pointer into the spec); `$ref`s resolve in the spec."""
    return jsonschema_rs.Draft202012Validator(
        {"$ref": SPEC_URI + "#" + quote(pointer, safe="/~")},
        registry=registry(),
        validate_formats=True,
        offline=True,
    )


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer_get(pointer: str) -> Any:
    node: Any = load_spec()
    for token in pointer.split("/")[1:]:
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def deref(pointer: str) -> str:
    """Follow OpenAPI (non-schema) `$ref`s, e.g. to components/responses, returning the target's pointer."""
    node = pointer_get(pointer)
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are expected, found {ref}"
        pointer = ref[1:]
        node = pointer_get(pointer)
    return pointer


@dataclass(frozen=True)
class Operation:
    template: str
    method: str  # lowercase, as in the spec
    pointer: str  # JSON pointer to the operation object

    @property
    def operation_id(self) -> str:
        operation_id: str = pointer_get(self.pointer)["operationId"]
        return operation_id


def _segments_match(template: str, path: str) -> bool:
    wanted, got = template.strip("/").split("/"), path.strip("/").split("/")
    if len(wanted) != len(got):
        return False
    for want, have in zip(wanted, got, strict=True):
        if want.startswith("{") and want.endswith("}"):
            if not have:
                return False
        elif want.lower() != have.lower():  # the server's routing is case-insensitive
            return False
    return True


def find_operation(method: str, raw_path: str) -> Operation | None:
    """The operation the server routes `method raw_path` to, or None."""
    path = urlsplit(raw_path).path
    slashed = path.endswith("/") and path != "/"
    if slashed:  # one trailing slash is tolerated
        path = path[:-1]
    paths = load_spec()["paths"]
    # Concrete paths win over templated ones (OpenAPI's rule, and the server's registration order). A document
    # that spells one path both ways (the generator-facing one: stream_message is send_message's path with a
    # trailing slash) routes each spelling to its own operation.
    candidates = sorted(paths, key=lambda template: (template.count("{"), template.endswith("/") != slashed))
    wanted = method.lower()
    for template in candidates:
        if not _segments_match(template, path):
            continue
        item = paths[template]
        for candidate in (wanted, "get") if wanted == "head" else (wanted,):
            if candidate in item:
                return Operation(template, candidate, f"/paths/{escape(template)}/{candidate}")
    return None


# ---------------------------------------------------------------------------------------------------------------
# Checking one exchange

SSE_EVENT = re.compile(r"event: ([^\r\n]*)\ndata: ([^\r\n]*)\n\n")
TERMINAL_EVENTS = ("done", "error")


def _schema_errors(pointer: str, instance: Any, where: str) -> list[str]:
    return [
        f"{where}: {error.message} at /{'/'.join(map(str, error.instance_path))}"
        f" (schema {error.absolute_keyword_location or error.schema_path})"
        for error in validator(pointer).iter_errors(instance)
    ]


def _header_value(schema: dict[str, Any], raw: str) -> Any:
    """A header's text as the JSON value its (simple) schema describes, so that `type` can be checked."""
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", raw.strip()):
        return int(raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _check_headers(exchange: Exchange, response_pointer: str) -> Iterator[str]:
    for name in pointer_get(response_pointer).get("headers", {}):
        header_pointer = deref(f"{response_pointer}/headers/{escape(name)}")
        header = pointer_get(header_pointer)
        values = exchange.header_values(name)
        if not values:
            if header.get("required", False):
                yield f"required header {name} is missing"
            continue
        for value in values:
            yield from _schema_errors(
                f"{header_pointer}/schema", _header_value(pointer_get(f"{header_pointer}/schema"), value), name
            )


def _check_event_stream(body: str, media_pointer: str) -> Iterator[str]:
    events: list[tuple[str, str]] = []
    position = 0
    while position < len(body):
        match = SSE_EVENT.match(body, position)
        if match is None:
            yield f"event stream: not an `event:` line, one `data:` line and a blank line at byte {position}"
            return
        events.append((match.group(1), match.group(2)))
        position = match.end()
    documented = pointer_get(media_pointer).get("schema", {}).get("$defs", {})
    names = [name for name, _ in events]
    if not names or names[0] != "user_message":
        yield f"event stream: the first event must be user_message, got {names[:1]}"
    if not names or names[-1] not in TERMINAL_EVENTS or sum(n in TERMINAL_EVENTS for n in names) != 1:
        yield f"event stream: must end with exactly one done or error event, got {names}"
    if names.count("user_message") != 1:
        yield f"event stream: exactly one user_message event expected, got {names}"
    for index, (name, data) in enumerate(events):
        if name not in documented:
            yield f"event stream: event {index} `{name}` is not in the stream schema's $defs"
            continue
        try:
            payload = json.loads(data)
        except json.JSONDecodeError as error:
            yield f"event stream: event {index} `{name}` data is not JSON: {error}"
            continue
        yield from _schema_errors(f"{media_pointer}/schema/$defs/{escape(name)}", payload, f"event {index} `{name}`")


def violations(exchange: Exchange) -> list[str]:
    """Everything about `exchange` that openapi.yaml does not allow (empty when it conforms)."""
    operation = find_operation(exchange.method, exchange.path)
    if operation is None:
        return [f"{exchange.method} {exchange.path} matches no operation of the spec"]
    status = str(exchange.status)
    responses_pointer = f"{operation.pointer}/responses"
    responses = pointer_get(responses_pointer)
    documented_as = status if status in responses else f"{status[0]}XX" if f"{status[0]}XX" in responses else None
    documented_as = documented_as or ("default" if "default" in responses else None)
    if documented_as is None:
        return [f"status {status} is not documented for {operation.operation_id} (documents {sorted(responses)})"]
    response_pointer = deref(f"{responses_pointer}/{escape(documented_as)}")
    found = list(_check_headers(exchange, response_pointer))

    content: dict[str, Any] = pointer_get(response_pointer).get("content", {})
    content_types = exchange.header_values("Content-Type")
    media_type = content_types[0].split(";")[0].strip().lower() if content_types else None
    if not content:
        if exchange.body:
            found.append(f"status {status} documents no body, got {len(exchange.body)} characters")
        return found
    if media_type not in content:
        found.append(f"Content-Type {media_type} is not documented for {status} (documents {sorted(content)})")
        return found
    if exchange.method == "HEAD":  # the GET route's answer without its body
        if exchange.body:
            found.append("HEAD answered with a body")
        return found
    media_pointer = f"{response_pointer}/content/{escape(media_type)}"
    if media_type == "text/event-stream":
        found.extend(_check_event_stream(exchange.body, media_pointer))
    elif media_type == "application/json" or media_type.endswith("+json"):
        try:
            body = json.loads(exchange.body)
        except json.JSONDecodeError as error:
            found.append(f"body is not JSON: {error}")
        else:
            found.extend(_schema_errors(f"{media_pointer}/schema", body, "body"))
    else:
        found.extend(_schema_errors(f"{media_pointer}/schema", exchange.body, "body"))
    return found


# ---------------------------------------------------------------------------------------------------------------
# The tests


def validated_exchanges() -> list[Exchange]:
    return [e for e in load_exchanges() if in_sessions_api(e) and e.id not in NOT_OPERATIONS]


def by_id(exchange_id: str) -> Exchange:
    return next(e for e in load_exchanges() if e.id == exchange_id)


def test_every_exchange_is_validated_or_listed_with_a_reason() -> None:
    exchanges = load_exchanges()
    outside = {e.id for e in exchanges if not in_sessions_api(e)}
    assert outside == set(OUTSIDE_SESSIONS_API), "an exchange outside /api/messaging/sessions is not listed"
    for exchange in exchanges:
        if exchange.id in NOT_OPERATIONS:
            assert in_sessions_api(exchange)
            assert find_operation(exchange.method, exchange.path) is None, (
                f"{exchange.id} is listed as not an operation but routes to one: validate it instead"
            )
        elif in_sessions_api(exchange):
            assert find_operation(exchange.method, exchange.path) is not None, (
                f"{exchange.id}: {exchange.method} {exchange.path} hits no operation of the spec"
            )
    assert {e.id for e in exchanges} >= set(NOT_OPERATIONS), "a listed exchange is no longer in the captures"
    # The captures cover all ten operations.
    covered = {find_operation(e.method, e.path) for e in validated_exchanges()}
    all_operations = {
        Operation(template, method, f"/paths/{escape(template)}/{method}")
        for template, item in load_spec()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert covered == all_operations


@pytest.mark.parametrize("exchange", validated_exchanges(), ids=lambda e: e.key)
def test_capture_conforms_to_the_spec(exchange: Exchange) -> None:
    assert violations(exchange) == []


def test_path_spellings_route_like_the_server() -> None:
    """Captures that use a path or method the spec does not spell out reach the operation the server picked."""
    expected = {
        "get.uppercase_path": "get_session",  # /API/MESSAGING/SESSIONS/{id}: matching is case-insensitive
        "get.trailing_slash": "get_session",  # …/{id}/: one trailing slash is tolerated
        "create.trailing_slash": "create_session",
        "route.head_session": "get_session",  # HEAD is answered by the GET route, without a body
        "route.delete_health": "delete_session",  # DELETE …/sessions/health: the id "health"
    }
    for exchange_id, operation_id in expected.items():
        exchange = by_id(exchange_id)
        operation = find_operation(exchange.method, exchange.path)
        assert operation is not None
        assert operation.operation_id == operation_id, exchange_id
        assert violations(exchange) == []


def _json_edit(**changes: Any) -> Callable[[Exchange], Exchange]:
    """A mutation that sets top-level keys of a JSON body (a value of `_DELETE` removes the key)."""

    def mutate(exchange: Exchange) -> Exchange:
        body = json.loads(exchange.body)
        for key, value in changes.items():
            if value is _DELETE:
                del body[key]
            else:
                body[key] = value
        return exchange.with_body(body)

    return mutate


_DELETE = object()


def _cut_before_done(exchange: Exchange) -> Exchange:
    return exchange.with_body(exchange.body[: exchange.body.index("event: done")])


def _string_chunk_index(exchange: Exchange) -> Exchange:
    return exchange.with_body(exchange.body.replace('"index":0', '"index":"0"', 1))


def _iso_cursors(exchange: Exchange) -> Exchange:
    body = json.loads(exchange.body)
    body["cursors"]["before"] = "2026-11-27T03:47:48.931Z"
    return exchange.with_body(body)


def _numeric_details(exchange: Exchange) -> Exchange:
    body = json.loads(exchange.body)
    body["error"]["details"] = 42
    return exchange.with_body(body)


MUTATIONS: list[tuple[str, str, Callable[[Exchange], Exchange], str]] = [
    # (exchange id, what changes, mutation, a fragment of the expected violation)
    ("get.ok", "renewalCount as a string", _json_edit(renewalCount="0"), "type"),
    ("get.ok", "a required key missing", _json_edit(expiresAt=_DELETE), "required"),
    ("get.ok", "a non-ISO date", _json_edit(createdAt="yesterday"), "date-time"),
    ("get.ok", "an undocumented status", lambda e: replace(e, status=418), "not documented"),
    ("get.ok", "an undocumented content type", lambda e: e.with_header("Content-Type", "text/html"), "Content-Type"),
    ("get.ok", "RateLimit-Remaining missing on a 200", lambda e: e.with_header("RateLimit-Remaining", None), "Remain"),
    ("create.ok", "a non-UUID id", _json_edit(sessionId="abc"), "does not match"),
    ("create.metadata_string", "session metadata null", _json_edit(metadata=None), "metadata"),
    ("send.no_body", "details neither object nor string", _numeric_details, "details"),
    ("ratelimit.health_429", "Retry-After missing", lambda e: e.with_header("Retry-After", None), "Retry-After"),
    ("ratelimit.health_429", "RateLimit-Reset not a number", lambda e: e.with_header("RateLimit-Reset", "x"), "Reset"),
    ("send.sse", "the stream cut before `done`", _cut_before_done, "exactly one done or error"),
    ("stream.sse_chunks", "a chunk index as a string", _string_chunk_index, "`chunk`"),
    ("send.sse", "an unframed stream", lambda e: e.with_body(e.body.replace("\n\n", "\n", 1)), "blank line"),
    ("send.sse", "an undocumented event", lambda e: e.with_body(e.body.replace("event: done", "event: end")), "$defs"),
    ("send.sse", "Cache-Control missing", lambda e: e.with_header("Cache-Control", None), "Cache-Control"),
    ("messages.default", "cursors as ISO strings", _iso_cursors, "cursors"),
]


@pytest.mark.parametrize(
    ("exchange_id", "mutation", "expected"),
    [pytest.param(exchange_id, mutate, expected, id=what) for exchange_id, what, mutate, expected in MUTATIONS],
)
def test_validator_catches_a_violation(
    exchange_id: str, mutation: Callable[[Exchange], Exchange], expected: str
) -> None:
    original = by_id(exchange_id)
    assert violations(original) == []
    found = violations(mutation(original))
    assert found, "the mutated capture was accepted"
    assert any(expected in violation for violation in found), found


def test_no_enum_on_response_fields() -> None:
    """Forward compatibility: no `enum`/`const` in anything a response can contain (a new value must parse)."""
    seen: set[str] = set()

    def walk(node: Any, where: str) -> Iterator[str]:
        if isinstance(node, dict):
            if "$ref" in node and node["$ref"] not in seen:
                seen.add(node["$ref"])
                yield from walk(pointer_get(node["$ref"][1:]), node["$ref"])
            for keyword in ("enum", "const"):
                if keyword in node:
                    yield f"{where}: {keyword}"
            for key, value in node.items():
                if key not in ("examples", "example", "description"):
                    yield from walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}/{index}")

    found: list[str] = []
    for template, item in load_spec()["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                found.extend(walk(item[method]["responses"], f"{method.upper()} {template}"))
    assert found == []


# ---------------------------------------------------------------------------------------------------------------
# Every release: its capture against its own document (openapi.yaml with the release's overlay applied)

#: The capture of each release that openapi.yaml's x-eliza-releases derives a document for (1.7.2's are above).
RELEASE_CAPTURES: dict[str, tuple[str, ...]] = {
    "1.6.5": ("1.6.5.json",),
    "1.7.0": ("1.7.0.json",),
    "1.7.3-alpha.4": ("1.7.3-alpha.4.json",),
}


@cache
def _releases_module() -> Any:
    location = ROOT / "scripts" / "spec" / "releases.py"
    spec = importlib.util.spec_from_file_location("_eliza_spec_releases", location)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def release_document(version: str) -> dict[str, Any]:
    """The OpenAPI document of ``version``, derived by ``scripts/spec/releases.py`` from openapi.yaml."""
    document: dict[str, Any] = _releases_module().release_document(version)
    return document


def _release_violations(version: str, document: dict[str, Any]) -> dict[str, list[str]]:
    exchanges = [
        e for e in load_exchanges(RELEASE_CAPTURES[version]) if in_sessions_api(e) and e.id not in NOT_OPERATIONS
    ]
    assert len(exchanges) > 150, f"the {version} capture has only {len(exchanges)} exchanges"
    with use_document(document):
        found = {e.key: problems for e in exchanges if (problems := violations(e))}
        covered = {find_operation(e.method, e.path) for e in exchanges}
        operations = {
            Operation(template, method, f"/paths/{escape(template)}/{method}")
            for template, item in load_spec()["paths"].items()
            for method in item
            if method in HTTP_METHODS
        }
    assert covered == operations, f"the {version} capture does not cover every operation"
    return found


def test_the_releases_are_the_ones_the_spec_lists() -> None:
    assert set(_releases_module().releases(load_spec())) == {"1.7.2", *RELEASE_CAPTURES}


@pytest.mark.parametrize("version", sorted(RELEASE_CAPTURES))
def test_every_release_capture_conforms_to_its_release_document(version: str) -> None:
    assert _release_violations(version, release_document(version)) == {}


@pytest.mark.parametrize("version", ["1.6.5", "1.7.0"])
def test_the_older_releases_need_their_overlay(version: str) -> None:
    """Without its overlay an older release's sends violate the 1.7.2 document, and only its sends: the overlay
    is what makes the release test pass, and it describes exactly the part that differs."""
    found = _release_violations(version, yaml.safe_load(SPEC_PATH.read_text()))
    assert found, f"{version}'s capture conforms to the 1.7.2 document: its overlay is not needed?"
    for key, problems in found.items():
        exchange = next(e for e in load_exchanges(RELEASE_CAPTURES[version]) if e.key == key)
        operation = find_operation(exchange.method, exchange.path)
        assert operation is not None
        assert operation.operation_id == "send_message", (key, problems)

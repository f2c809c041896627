"""The HTTP side of the local server: an Express-like request pipeline on ``http.server``.

Why the standard library: the package may depend only on requests/attrs/cattrs at run time, and a test server
is more useful when installing the client is all it takes. ``http.server`` gives HTTP/1.1 keep-alive and
threading; what it lacks (chunked request bodies, exact Express headers, SSE flushing, clean shutdown of open
keep-alive connections) is small and written out below.

The pipeline follows the real server's middleware order, because the order is observable:

1. CORS preflight (``OPTIONS`` → 204, before anything else);
2. JSON body parser (malformed JSON → 500, even without an API key);
3. API-key check (401, not counted by the rate limiter);
3b. with data isolation (1.7.3-alpha.4), the JWT check (401, not counted either);
4. rate limiter (``RateLimit-*`` headers from here on; 429);
5. Content-Type check for POST/PUT/PATCH with a body (400 ``INVALID_CONTENT_TYPE``);
6. the sessions routes and ``GET /api/system/version``, else 404 ``API endpoint not found``.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import errno
import hashlib
import http.server
import ipaddress
import json
import logging
import re
import socket
import socketserver
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator, Mapping, Sequence
from http import HTTPStatus
from types import TracebackType
from typing import Any, Literal

import attrs

from . import _errors as err
from ._agent import DeterministicAgent, ReplyScheduler, agent_id_for
from ._clock import Clock, SystemClock
from ._faults import FaultRule, Faults
from ._js import UNDEFINED, JsonSyntaxError, iso_from_ms, js_stringify, parse_json_body
from ._jwt import JwtError, verify_jwt
from ._ratelimit import FixedWindowRateLimiter
from ._releases import DEFAULT_SERVER_VERSION, Release, release_for
from ._state import SendPrepared, SessionsState, Settings

__all__ = ["LocalSessionsServer"]

logger = logging.getLogger("eliza_client.testing")

_JSON_TYPE = "application/json; charset=utf-8"
_KEEP_ALIVE_SECONDS = 5
_MAX_BODY = 64 * 1024 * 1024
_DEFAULT_JSON_LIMIT = 2 * 1024 * 1024

# The helmet headers of 1.7.2, in wire order. Responses made before the API router (preflight, 401, malformed
# JSON, /healthz, 403) carry the app-level set; the API router's own helmet switches Referrer-Policy and adds
# HSTS, and a later middleware sets X-XSS-Protection, which is why a 429 still says "0".
_CSP = (
    "default-src 'self';style-src 'self' 'unsafe-inline' https: http:;script-src * 'unsafe-inline' 'unsafe-eval';"
    "img-src 'self' data: blob: https: http:;font-src 'self' https: http: data:;"
    "connect-src 'self' ws: wss: https: http:;media-src 'self' blob: data:;object-src 'none';"
    "frame-src 'self' data:;base-uri 'self';form-action 'self'"
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
Level = Literal["app", "limiter", "api"]


def _helmet(level: Level) -> list[tuple[str, str]]:
    app = level == "app"
    return [
        ("Content-Security-Policy", _CSP),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "cross-origin"),
        ("Origin-Agent-Cluster", "?1"),
        ("Referrer-Policy", "no-referrer-when-downgrade" if app else "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-DNS-Prefetch-Control", "off"),
        ("X-Download-Options", "noopen"),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("X-Permitted-Cross-Domain-Policies", "none"),
        ("X-XSS-Protection", "1; mode=block" if level == "api" else "0"),
    ]


_CORS_METHODS = "GET,POST,PUT,DELETE,PATCH,OPTIONS"
_CORS_HEADERS = "Content-Type,Authorization,X-API-KEY"
_VALID_BODY_TYPES = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")
_RATE_LIMIT_BODY = {
    "success": False,
    "error": {"code": "RATE_LIMIT_EXCEEDED", "message": "Too many requests. Please try again later."},
}

# (method, path pattern) → operationId, in the sessions router's registration order (first match wins, so
# GET /sessions/health is the health route while DELETE /sessions/health is "session 'health' not found").
_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (method, re.compile(pattern, re.IGNORECASE), operation)
    for method, pattern, operation in (
        ("GET", r"/api/messaging/sessions/health/?", "get_sessions_health"),
        ("POST", r"/api/messaging/sessions/?", "create_session"),
        ("GET", r"/api/messaging/sessions/(?P<id>[^/]+)/?", "get_session"),
        ("POST", r"/api/messaging/sessions/(?P<id>[^/]+)/messages/?", "send_message"),
        ("GET", r"/api/messaging/sessions/(?P<id>[^/]+)/messages/?", "list_messages"),
        ("POST", r"/api/messaging/sessions/(?P<id>[^/]+)/renew/?", "renew_session"),
        ("PATCH", r"/api/messaging/sessions/(?P<id>[^/]+)/timeout/?", "update_session_timeout"),
        ("POST", r"/api/messaging/sessions/(?P<id>[^/]+)/heartbeat/?", "send_heartbeat"),
        ("DELETE", r"/api/messaging/sessions/(?P<id>[^/]+)/?", "delete_session"),
        ("GET", r"/api/messaging/sessions/?", "list_sessions"),
    )
)
_PING_PATH = re.compile(r"/api/server/ping/?", re.IGNORECASE)
_VERSION_PATH = re.compile(r"/api/system/version/?", re.IGNORECASE)
# entity-auth.ts PUBLIC_AUTH_ROUTES: `req.path.endsWith(route)` (case-sensitive, relative to /api) skips the JWT.
_JWT_EXEMPT_SUFFIXES = ("/auth/register", "/auth/login", "/auth/refresh", "/system/version", "/system/config")
_HEALTHZ_PATH = re.compile(r"/healthz/?", re.IGNORECASE)
_HEALTH_PATH = re.compile(r"/health/?", re.IGNORECASE)
_API_PATH = re.compile(r"/api(?:/.*)?", re.IGNORECASE | re.DOTALL)
_BAD_PERCENT = re.compile(r"%(?![0-9a-fA-F]{2})")


def route(method: str, path: str) -> tuple[str | None, str | None]:
    """The operationId and raw (still percent-encoded) ``sessionId`` for a request, or (None, None)."""
    lookup = "GET" if method == "HEAD" else method  # Express answers HEAD with the GET route
    for route_method, pattern, operation in _ROUTES:
        if route_method == lookup:
            match = pattern.fullmatch(path)
            if match:
                return operation, match.groupdict().get("id")
    return None, None


class _ParamDecodeError(ValueError):
    pass


def decode_uri_component(raw: str) -> str:
    """``decodeURIComponent`` (Express decodes route params with it; '+' stays '+')."""
    if _BAD_PERCENT.search(raw):
        raise _ParamDecodeError(raw)
    try:
        return urllib.parse.unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise _ParamDecodeError(raw) from None


def parse_query(query: str) -> dict[str, str]:
    """Node's ``querystring.parse`` reduced to what the handlers read: repeated keys become
    ``String(array)``, i.e. the values joined with commas."""
    grouped: dict[str, list[str]] = {}
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True, errors="replace"):
        grouped.setdefault(key, []).append(value)
    return {key: ",".join(values) for key, values in grouped.items()}


def weak_etag(body: bytes) -> str:
    """Express's default ETag: ``W/"<length hex>-<base64 sha1, 27 chars>"``."""
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode("ascii")[:27]
    return f'W/"{len(body):x}-{digest}"'


@attrs.define
class Request:
    """One parsed HTTP request."""

    method: str
    path: str
    query: str
    headers: Any  # email.message.Message: case-insensitive .get()
    body: bytes
    has_body: bool
    client_ip: str

    def header(self, name: str) -> str | None:
        """The first value of header ``name``, or None."""
        value = self.headers.get(name)
        return None if value is None else str(value)


@attrs.define
class Response:
    """A response before it is written; ``stream`` makes it a chunked (SSE) response."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    #: SSE events as (bytes, is_final); a final event leaves in one write with the terminating chunk, as
    #: Node's res.write(done) + res.end() do, so a client that stops reading at `done` still sees the end.
    stream: Iterator[tuple[bytes, bool]] | None = None


def _json_body(payload: Any) -> bytes:
    return js_stringify(payload).encode("utf-8")


#: The key ``future_fields=True`` adds to every JSON object the server sends, and its value.
FUTURE_FIELD = ("futureField", {"addedIn": "a later release", "list": [1, "two", None]})


def _with_future_field(value: Any) -> Any:
    """``value`` with :data:`FUTURE_FIELD` added to every object in it, nested ones included (a copy)."""
    if isinstance(value, dict):
        copied = {key: _with_future_field(item) for key, item in value.items()}
        copied.setdefault(FUTURE_FIELD[0], FUTURE_FIELD[1])
        return copied
    if isinstance(value, list):
        return [_with_future_field(item) for item in value]
    return value


def _error_code_for(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP_{status}"
    return re.sub(r"[^A-Z0-9]+", "_", phrase.upper()).strip("_") or f"HTTP_{status}"


class _App:
    """The request pipeline; shared by all connection threads."""

    def __init__(self, owner: LocalSessionsServer) -> None:
        self.owner = owner
        self.state = owner._state
        self.clock = owner.clock
        self.limiter = owner._limiter
        self.json_limit = owner._json_limit

    # --------------------------------------------------------------------------------------- building blocks

    @staticmethod
    def base_headers(request: Request, level: Level = "api") -> list[tuple[str, str]]:
        """helmet, then CORS (origin reflected, credentials allowed), then HSTS inside the API router."""
        headers = _helmet(level)
        origin = request.header("Origin")
        if origin is not None:
            headers.append(("Access-Control-Allow-Origin", origin))
        headers.append(("Vary", "Origin"))
        headers.append(("Access-Control-Allow-Credentials", "true"))
        if level != "app":
            headers.append(_HSTS)
        return headers

    def json(
        self,
        request: Request,
        status: int,
        payload: Any,
        extra: Sequence[tuple[str, str]] = (),
        level: Level = "api",
    ) -> Response:
        """An Express ``res.json`` reply."""
        if self.owner.future_fields:
            payload = _with_future_field(payload)
        return self.send(request, status, _json_body(payload), _JSON_TYPE, extra, level)

    def send(
        self,
        request: Request,
        status: int,
        body: bytes,
        content_type: str,
        extra: Sequence[tuple[str, str]] = (),
        level: Level = "api",
    ) -> Response:
        """An Express ``res.send`` reply: content type, weak ETag (Content-Length is added when written)."""
        headers = self.base_headers(request, level)
        headers.extend(extra)
        headers.append(("Content-Type", content_type))
        headers.append(("Content-Length", str(len(body))))
        headers.append(("ETag", weak_etag(body)))
        return Response(status, headers, body)

    def generic_500(self, request: Request, message: str) -> Response:
        """The app-level error handler's body (malformed JSON, oversize body, bad charset)."""
        return self.json(request, 500, {"success": False, "error": {"message": message, "code": 500}}, level="app")

    def fault_response(self, request: Request, rule: FaultRule) -> Response:
        if rule.body is not None:
            payload: Any = rule.body
        elif rule.status == 429:
            payload = _RATE_LIMIT_BODY
        else:
            try:
                phrase = HTTPStatus(rule.status).phrase
            except ValueError:
                phrase = "Error"
            payload = {"success": False, "error": {"code": _error_code_for(rule.status), "message": phrase}}
        extra: list[tuple[str, str]] = []
        if rule.retry_after is not None:
            seconds = rule.retry_after
            extra.append(("Retry-After", str(int(seconds)) if float(seconds).is_integer() else str(seconds)))
        return self.json(request, rule.status, payload, extra)

    # --------------------------------------------------------------------------------------- pipeline

    def handle(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            headers = self.base_headers(request, "app")
            headers += [
                ("Access-Control-Allow-Methods", _CORS_METHODS),
                ("Access-Control-Allow-Headers", _CORS_HEADERS),
                ("Content-Length", "0"),
            ]
            return Response(204, headers)
        if not _API_PATH.fullmatch(request.path):
            return self.outside_api(request)

        body = UNDEFINED
        content_type = request.header("Content-Type")
        if request.has_body and content_type is not None and _is_json(content_type):
            charset = _charset(content_type)
            if not charset.startswith("utf-"):
                return self.generic_500(request, f'unsupported charset "{charset.upper()}"')
            if len(request.body) > self.json_limit:
                return self.generic_500(request, "request entity too large")
            text = request.body.decode("utf-8", errors="replace").removeprefix("\ufeff")
            try:
                body = parse_json_body(text)
            except JsonSyntaxError as error:
                return self.generic_500(request, str(error))

        api_key = self.owner.api_key
        if api_key:
            provided = request.headers.get_all("X-API-KEY") or []
            if ", ".join(str(v) for v in provided) != api_key:
                unauthorized = {"error": "API key required", "message": "Missing or invalid X-API-KEY header"}
                return self.json(request, 401, unauthorized, level="app")

        if self.owner.data_isolation and self.owner.jwt_secret:
            rejected = self.check_jwt(request)
            if rejected is not None:
                return rejected

        limits: list[tuple[str, str]] = []
        if self.limiter is not None:
            decision = self.limiter.hit(request.client_ip)
            limits = decision.headers()
            if not decision.allowed:
                extra = [*limits, ("Retry-After", str(decision.reset_seconds))]
                return self.json(request, 429, _RATE_LIMIT_BODY, extra, level="limiter")

        if request.method in ("POST", "PUT", "PATCH"):
            length = request.header("Content-Length")
            if (
                length
                and length != "0"
                and not (content_type and any(kind in content_type for kind in _VALID_BODY_TYPES))
            ):
                bad_type = {
                    "success": False,
                    "error": {"code": "INVALID_CONTENT_TYPE", "message": "Invalid or missing Content-Type header"},
                }
                return self.json(request, 400, bad_type, limits)

        operation, raw_id = route(request.method, request.path)
        if operation is None and request.method in ("GET", "HEAD") and _PING_PATH.fullmatch(request.path):
            return self.json(request, 200, {"pong": True, "timestamp": self.clock.now_ms()}, limits)
        if operation is None and request.method in ("GET", "HEAD") and _VERSION_PATH.fullmatch(request.path):
            return self.json(request, 200, self.version_info(), limits)
        if operation is None:
            not_found = {"success": False, "error": {"message": "API endpoint not found", "code": 404}}
            return self.json(request, 404, not_found, limits)
        try:
            session_id = "" if raw_id is None else decode_uri_component(raw_id)
            response = self.dispatch(request, operation, session_id, body, limits)
        except _ParamDecodeError as error:
            failure = err.internal_error("URIError", f"Failed to decode param '{error}'")
            response = self.json(request, failure.status, failure.body(self.clock.now_ms()), limits)
        except err.SessionError as problem:
            response = self.json(request, problem.status, problem.body(self.clock.now_ms()), limits)
        except Exception as unexpected:
            logger.exception("local sessions server: unexpected error in %s", operation)
            failure = err.internal_error(type(unexpected).__name__, str(unexpected))
            response = self.json(request, failure.status, failure.body(self.clock.now_ms()), limits)
        return _maybe_not_modified(request, response)

    def version_info(self) -> dict[str, Any]:
        """``getVersionInfo()`` of src/api/system/version.ts (the environment is hard-coded there)."""
        return {
            "version": self.owner.server_version,
            "source": "server",
            "timestamp": iso_from_ms(self.clock.now_ms()),
            "environment": "development",
            "uptime": self.owner.uptime(),
        }

    def check_jwt(self, request: Request) -> Response | None:
        """``jwtAuthMiddleware`` (1.7.3-alpha.4 with ENABLE_DATA_ISOLATION and JWT_SECRET): None lets it pass."""
        relative = request.path[len("/api") :] or "/"
        if relative.endswith(_JWT_EXEMPT_SUFFIXES):
            return None
        header = request.header("Authorization")
        if not header or not header.startswith("Bearer "):
            return self.json(request, 401, {"error": "JWT token required for data isolation"}, level="app")
        token = header.replace("Bearer ", "", 1)
        secret = self.owner.jwt_secret or ""
        try:
            verify_jwt(token, secret, self.clock.now_ms() // 1000, self.owner.jwt_issuer_whitelist)
        except JwtError as error:
            body = {"error": "Invalid JWT token", "details": f"JWT verification failed: {error}"}
            return self.json(request, 401, body, level="app")
        return None

    def outside_api(self, request: Request) -> Response:
        """The public liveness routes; any other path outside /api is 403 (the web UI is disabled)."""
        if request.method in ("GET", "HEAD"):
            if _HEALTHZ_PATH.fullmatch(request.path):
                payload: Any = {"status": "ok", "timestamp": iso_from_ms(self.clock.now_ms())}
                return self.json(request, 200, payload, level="app")
            if _HEALTH_PATH.fullmatch(request.path):
                payload = {
                    "status": "OK",
                    "version": "unknown",
                    "timestamp": iso_from_ms(self.clock.now_ms()),
                    "dependencies": {"agents": "healthy"},
                    "agentCount": len(self.owner.agent_ids),
                }
                return self.json(request, 200, payload, level="app")
        return self.send(request, 403, b"Forbidden", "text/plain; charset=utf-8", level="app")

    def dispatch(
        self, request: Request, operation: str, session_id: str, body: Any, limits: list[tuple[str, str]]
    ) -> Response:
        state = self.state
        if operation == "get_sessions_health":
            return self.json(request, 200, state.health(self.owner.uptime()), limits)
        if operation == "create_session":
            return self.json(request, 201, state.create_session(body), limits)
        if operation == "list_sessions":
            return self.json(request, 200, state.list_sessions(), limits)
        if operation == "get_session":
            return self.json(request, 200, state.get_session(session_id), limits)
        if operation == "delete_session":
            return self.json(request, 200, state.delete_session(session_id), limits)
        if operation == "list_messages":
            return self.json(request, 200, state.list_messages(session_id, parse_query(request.query)), limits)
        if operation == "renew_session":
            return self.json(request, 200, state.renew_session(session_id), limits)
        if operation == "send_heartbeat":
            return self.json(request, 200, state.heartbeat(session_id), limits)
        if operation == "update_session_timeout":
            return self.json(request, 200, state.update_timeout(session_id, body), limits)
        prepared = state.send_message(session_id, body, self.owner.release.send_api)
        return self.transport(request, prepared, limits)

    # --------------------------------------------------------------------------------------- transports

    def transport(self, request: Request, prepared: SendPrepared, limits: list[tuple[str, str]]) -> Response:
        release = self.owner.release
        if release.send_api == "flat":
            # 1.6.5: the bus delivers the message to the agent; the answer is the stored row, flat.
            self.owner._schedule_reply(prepared, request.client_ip)
            flat = {**prepared.user_message, "sessionStatus": prepared.session_status}
            return self.json(request, 201, flat, limits)
        if prepared.transport == "websocket":
            self.owner._schedule_reply(prepared, request.client_ip)
            payload = {"success": True, "userMessage": prepared.user_message, "sessionStatus": prepared.session_status}
            return self.json(request, 201, payload, limits)
        if release.bus_on_every_message:
            # 1.7.0's createMessage published the message on the bus too: the agent also answers that way.
            self.owner._schedule_reply(prepared, request.client_ip)
        if prepared.transport == "http":
            outcome = prepared.agent.respond(prepared.content, prepared.message_id)
            if outcome.kind == "fail":
                name = "sync mode" if release.send_api == "mode" else "HTTP transport"
                failure = {"success": False, "error": f"Failed to process message in {name}"}
                return self.json(request, 500, failure, limits)
            payload = {"success": True, "userMessage": prepared.user_message}
            if outcome.content is not None:
                payload["agentResponse"] = outcome.content
            payload["sessionStatus"] = prepared.session_status
            return self.json(request, 201, payload, limits)
        headers = self.base_headers(request)
        headers += limits
        headers += [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"), ("Connection", "keep-alive")]
        return Response(200, headers, stream=self.sse_events(prepared))

    def sse_events(self, prepared: SendPrepared) -> Iterator[tuple[bytes, bool]]:
        """The SSE body, one event per item; the writer flushes after each and the pauses are real."""
        yield self.sse_frame("user_message", prepared.user_message), False
        outcome = prepared.agent.respond(prepared.content, prepared.message_id)
        if outcome.kind == "fail":
            yield self.sse_frame("error", {"error": outcome.error}), True
            return
        if outcome.content is None:
            return  # the agent never answered: no done event
        for index, piece in enumerate(outcome.chunks):
            if not self.owner._pause(self.owner.chunk_delay):
                return
            chunk = {"messageId": outcome.content["responseId"], "chunk": piece, "index": index}
            yield self.sse_frame("chunk", chunk), False
        if not self.owner._pause(self.owner.chunk_delay):
            return
        yield self.sse_frame("done", outcome.content), True

    def sse_frame(self, event: str, data: Any) -> bytes:
        if self.owner.future_fields:
            data = _with_future_field(data)
        return f"event: {event}\ndata: {js_stringify(data)}\n\n".encode()


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _is_json(content_type: str) -> bool:
    return _media_type(content_type) == "application/json"


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return "utf-8"


def _maybe_not_modified(request: Request, response: Response) -> Response:
    # Express answers a conditional GET whose ETag still matches with 304 and no body.
    if request.method not in ("GET", "HEAD") or not 200 <= response.status < 300 or response.stream is not None:
        return response
    condition = request.header("If-None-Match")
    if not condition:
        return response
    etag = next((value for name, value in response.headers if name == "ETag"), None)
    if etag is None:
        return response
    candidates = [c.strip().removeprefix("W/") for c in condition.split(",")]
    if "*" in candidates or etag.removeprefix("W/") in candidates:
        kept = [(n, v) for n, v in response.headers if n not in ("Content-Type", "Content-Length")]
        return Response(304, kept)
    return response


# ------------------------------------------------------------------------------------------- connection


class _AbortConnection(Exception):
    """Close the connection without writing anything (more)."""


class _Handler(http.server.BaseHTTPRequestHandler):
    """Reads one request at a time from a keep-alive connection and hands it to the :class:`_App`."""

    protocol_version = "HTTP/1.1"
    timeout = _KEEP_ALIVE_SECONDS  # idle keep-alive connections close after 5 s, like Node's keepAliveTimeout
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        try:
            request = self._read_request()
        except (ValueError, TimeoutError, OSError):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.send_error(HTTPStatus.BAD_REQUEST)
            return
        try:
            self.server.owner._serve(self, request)
        except (_AbortConnection, ConnectionError, TimeoutError):
            self.close_connection = True

    def _read_request(self) -> Request:
        headers = self.headers
        chunked = "chunked" in str(headers.get("Transfer-Encoding", "")).lower()
        length_header = headers.get("Content-Length")
        if chunked:
            body = self._read_chunked()
        elif length_header is not None:
            length = int(length_header)
            if length < 0 or length > _MAX_BODY:
                raise ValueError("bad Content-Length")
            body = self.rfile.read(length)
            if len(body) != length:
                raise ValueError("short body")
        else:
            body = b""
        target = self.path
        path, _, query = target.partition("?")
        return Request(
            method=self.command,
            path=path,
            query=query,
            headers=headers,
            body=body,
            has_body=chunked or length_header is not None,
            client_ip=self.client_address[0],
        )

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024)
            size = int(size_line.split(b";", 1)[0].strip() or b"x", 16)
            if size == 0:
                while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > _MAX_BODY:
                raise ValueError("body too large")
            parts.append(self.rfile.read(size))
            self.rfile.readline(8)

    # ---------------------------------------------------------------------------------------- writing

    def write_response(self, request: Request, response: Response, *, truncate: bool = False) -> None:
        """Write ``response`` (chunked when it streams); ``truncate`` sends half the body and aborts."""
        status = response.status
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Unknown"
        lines = [f"HTTP/1.1 {status} {phrase}"]
        names = {name for name, _ in response.headers}
        lines += [f"{name}: {value}" for name, value in response.headers]
        if response.stream is None and status not in (204, 304) and "Content-Length" not in names:
            lines.append(f"Content-Length: {len(response.body)}")
        # Node writes Date, then Connection/Keep-Alive unless the handler set Connection itself (SSE does),
        # then Transfer-Encoding for a body of unknown length.
        # Node dates its answers with the same clock as everything else (a skewed server sends a skewed Date).
        date = email.utils.formatdate(self.server.owner.clock.now_ms() / 1000, usegmt=True)
        if "Connection" in names:
            lines.append(f"Date: {date}")
        else:
            lines.append(f"Date: {date}")
            if self.close_connection:
                lines.append("Connection: close")
            else:
                lines.append("Connection: keep-alive")
                lines.append(f"Keep-Alive: timeout={_KEEP_ALIVE_SECONDS}")
        if response.stream is not None:
            lines.append("Transfer-Encoding: chunked")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
        send_body = request.method != "HEAD" and status not in (204, 304)

        if response.stream is None:
            body = response.body if send_body else b""
            if truncate:
                self.wfile.write(head + body[: len(body) // 2])
                raise _AbortConnection
            self.wfile.write(head + body)
            return
        if truncate:
            events = [event for event, _ in response.stream]
            self.wfile.write(head + b"".join(_chunk(e) for e in events[: len(events) // 2]))
            raise _AbortConnection
        self.wfile.write(head)
        for event, final in response.stream:
            # unbuffered socket writer: each event leaves at once
            self.wfile.write(_chunk(event) + _LAST_CHUNK if final else _chunk(event))
            if final:
                return
        if self.server.owner._stopping.is_set():
            raise _AbortConnection  # cut mid-stream by stop(): no terminating chunk
        self.wfile.write(_LAST_CHUNK)


_LAST_CHUNK = b"0\r\n\r\n"


# --- fault rewrites of a prepared response ----------------------------------------------------------------------


def _without_length(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers if name.lower() not in {"content-length", "etag"}]


def _corrupted(response: Response, rule: FaultRule) -> Response:
    """The same status as a success, a broken body (the exchange itself is well-formed HTTP)."""
    status = response.status if 200 <= response.status < 300 else 200
    headers = [(n, v) for n, v in _without_length(response.headers) if n.lower() != "content-type"]
    if rule.corruption == "empty":
        return Response(status, headers)
    if rule.corruption == "not_json":
        return Response(status, [*headers, ("Content-Type", "text/html")], b"<html><body>Bad gateway</body></html>")
    if rule.corruption == "wrong_shape":
        return Response(status, [*headers, ("Content-Type", "application/json")], b'{"unexpected":true}')
    body = response.body if response.stream is None else b"".join(event for event, _ in response.stream)
    return Response(status, [*headers, ("Content-Type", "application/json")], body[: len(body) // 2])


def _rewrite_json(response: Response, change: Any) -> Response:
    if response.stream is not None or not 200 <= response.status < 300:
        return response
    try:
        body = json.loads(response.body)
    except ValueError:
        return response
    return Response(response.status, _without_length(response.headers), _json_body(change(body)))


def _foreign(body: Any) -> Any:
    message = body.get("userMessage") if isinstance(body, dict) else None
    if isinstance(message, dict):
        message["id"] = str(uuid.uuid4())
        metadata = message.get("metadata")
        if isinstance(metadata, dict):
            metadata["clientMessageId"] = f"foreign-{uuid.uuid4()}"
    return body


def _hide_newest(body: Any, count: int) -> Any:
    if isinstance(body, dict) and isinstance(body.get("messages"), list):
        body["messages"] = body["messages"][count:]
    return body


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n"


class _HTTPServer(http.server.HTTPServer):
    """HTTPServer with one tracked thread per connection, so :meth:`close_connections` can end them all."""

    request_queue_size = 128  # 16+ clients connecting at once must not overflow the listen backlog
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: LocalSessionsServer) -> None:
        self.owner = owner
        self._conn_lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would call socket.getfqdn(), a reverse DNS lookup we neither need nor want.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection, args=(request, client_address), name="eliza-local-conn", daemon=True
        )
        with self._conn_lock:
            self._connections[request] = thread
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            with self._conn_lock:
                self._connections.pop(request, None)
            self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("local sessions server: connection error from %s", client_address, exc_info=True)

    def close_connections(self, timeout: float) -> None:
        """Shut down every open connection (idle keep-alive ones included) and join their threads."""
        with self._conn_lock:
            items = list(self._connections.items())
        for sock, _ in items:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError as error:
                if error.errno not in (errno.ENOTCONN, errno.EBADF):
                    logger.debug("shutdown failed: %s", error)
        deadline = time.monotonic() + timeout
        for _, thread in items:
            thread.join(max(0.0, deadline - time.monotonic()))


# ------------------------------------------------------------------------------------------- public API


def _check_loopback(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"host must be a loopback IPv4 address, got {host!r}") from None
    if address.version != 4 or not address.is_loopback:
        raise ValueError(f"the local server only binds loopback IPv4 addresses (127.0.0.0/8), got {host!r}")
    return host


def _parse_payload_limit(value: str | None) -> int:
    # EXPRESS_MAX_PAYLOAD uses the `bytes` package syntax ("2mb", "500kb", "1048576").
    if not value:
        return _DEFAULT_JSON_LIMIT
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*", value.lower())
    if match is None:
        return _DEFAULT_JSON_LIMIT
    factor = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}[match.group(2) or "b"]
    return int(float(match.group(1)) * factor)


class LocalSessionsServer:
    """A faithful in-process imitation of the elizaOS Sessions API on loopback (like ``moto`` for AWS).

    It imitates @elizaos/server 1.7.2 unless ``server_version`` names another release it knows
    (:data:`SERVER_VERSIONS`: 1.6.5, 1.7.0, 1.7.2, 1.7.3-alpha.4), so code can be tested against the release it
    will meet, without Node.

    Use it as a context manager (or call :meth:`start` / :meth:`stop`)::

        with LocalSessionsServer() as server:
            requests.post(f"{server.base_url}/api/messaging/sessions",
                          json={"agentId": server.agent_id, "userId": str(uuid.uuid4())})

    Args:
        api_key: when set (non-empty), every ``/api`` route, health included, needs this exact ``X-API-KEY``.
        agent_names: one agent per name; its id is :func:`agent_id_for` the name (stable uuid5).
        clock: where all server-side time comes from; :class:`SystemClock` by default, a
            :class:`ManualClock` for tests that move time instead of sleeping.
        rate_limit: requests per window per client IP (all of ``/api``); None disables the limiter and its
            headers. Like the real server, every websocket-transport message also costs
            ``ws_internal_requests`` more (the agent's own callbacks to the server) once its reply is stored.
        rate_limit_window_seconds: the window length.
        reply_delay: websocket transport: seconds (real time) before the agent's reply is stored.
        chunk_delay: SSE: seconds (real time) between events after ``user_message``.
        host: a loopback IPv4 address; nothing else is accepted.
        port: 0 picks a free port.
        env: ``SESSION_*`` settings as in the real server (e.g. ``{"SESSION_MIN_TIMEOUT_MINUTES": "1"}``),
            plus ``ELIZA_SERVER_AUTH_TOKEN`` (used when ``api_key`` is None) and ``EXPRESS_MAX_PAYLOAD``.
        ws_internal_requests: see ``rate_limit``.
        server_version: the release to imitate (``GET /api/system/version`` reports it). Only the send route
            differs: ``"1.6.5"`` ignores ``transport``/``mode`` and answers 201 with a flat ``{id, content,
            authorId, createdAt, metadata, sessionStatus}`` (the agent's reply arrives in the history, as over
            the websocket); ``"1.7.0"`` reads only ``mode`` (``sync``/``stream``/``websocket``) and answers with a
            camelCase ``userMessage``, storing the agent's reply in the history after sync and stream sends
            too; ``"1.7.2"`` (default) and ``"1.7.3-alpha.4"`` read ``transport`` (then ``mode``) as described
            in the README. Anything else raises ValueError.
        data_isolation: 1.7.3-alpha.4's ``ENABLE_DATA_ISOLATION``: every ``/api`` route except paths ending in
            ``/auth/register``, ``/auth/login``, ``/auth/refresh``, ``/system/version`` and ``/system/config``
            needs ``Authorization: Bearer <JWT>`` signed with ``jwt_secret`` (HS256/384/512, a ``sub`` claim,
            ``exp``/``nbf`` checked against ``clock``); checked after the API key, before the rate limiter;
            failures are 401 ``{"error": "JWT token required for data isolation"}`` or ``{"error": "Invalid JWT
            token", "details": "JWT verification failed: …"}``. Mint tokens with :func:`make_jwt`. None reads
            ``env["ENABLE_DATA_ISOLATION"] == "true"``. Only with ``server_version="1.7.3-alpha.4"``
            (ValueError otherwise). Without a secret the real server lets every request through, and so does
            this one.
        jwt_secret: the ``JWT_SECRET`` (None reads ``env["JWT_SECRET"]``); ``env["JWT_ISSUER_WHITELIST"]``
            (comma-separated, or ``*``) restricts the ``iss`` claim as in the real server.
        future_fields: add one key the spec does not list (``futureField``, an object) to every JSON object of
            every answer, nested ones and event data included, as a later release adding fields would: the spec
            says every response may carry unlisted keys, and a client (or a generated one) must cope.

    Time-related behaviour follows the real server, including its periodic cleanup: every
    ``SESSION_CLEANUP_INTERVAL_MINUTES`` (default 5) after start, expired sessions are dropped silently, after
    which they answer 404 instead of 410. With a :class:`ManualClock`, expect 410 only when no cleanup tick lies
    between the expiry and the request (or raise the interval through ``env``).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        agent_names: Sequence[str] = ("Eliza",),
        clock: Clock | None = None,
        rate_limit: int | None = 1000,
        rate_limit_window_seconds: int = 900,
        reply_delay: float = 0.15,
        chunk_delay: float = 0.02,
        host: str = "127.0.0.1",
        port: int = 0,
        env: Mapping[str, str] | None = None,
        ws_internal_requests: int = 3,
        server_version: str = DEFAULT_SERVER_VERSION,
        data_isolation: bool | None = None,
        jwt_secret: str | None = None,
        future_fields: bool = False,
    ) -> None:
        names = list(agent_names)
        if not names:
            raise ValueError("at least one agent name is required")
        if len(set(names)) != len(names):
            raise ValueError("agent names must be distinct (ids are derived from names)")
        if reply_delay < 0 or chunk_delay < 0:
            raise ValueError("delays must not be negative")
        settings_env = dict(env or {})
        self._release: Release = release_for(server_version)
        isolation = (
            data_isolation if data_isolation is not None else settings_env.get("ENABLE_DATA_ISOLATION") == "true"
        )
        if isolation and not self._release.jwt_data_isolation:
            raise ValueError(f"data isolation (JWT) exists only in server_version 1.7.3-alpha.4, not {server_version}")
        #: Whether the JWT check of 1.7.3-alpha.4's data isolation is on (it needs :attr:`jwt_secret` too).
        self.data_isolation: bool = isolation
        self.jwt_secret: str | None = jwt_secret if jwt_secret is not None else settings_env.get("JWT_SECRET")
        self.jwt_issuer_whitelist: str | None = settings_env.get("JWT_ISSUER_WHITELIST")
        self.api_key: str | None = api_key if api_key is not None else settings_env.get("ELIZA_SERVER_AUTH_TOKEN")
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.faults = Faults()
        self.reply_delay = reply_delay
        self.chunk_delay = chunk_delay
        self.ws_internal_requests = ws_internal_requests
        #: Whether every JSON object in every answer (bodies and event data) carries one key the spec does not
        #: list, :data:`FUTURE_FIELD`, as a later release that adds fields would send.
        self.future_fields = future_fields
        self._host = _check_loopback(host)
        self._port = port
        self._agents = [DeterministicAgent(name, agent_id_for(name)) for name in names]
        self._state = SessionsState(Settings.from_env(settings_env), self._agents, self.clock, self.clock.now_ms())
        self._limiter = (
            FixedWindowRateLimiter(rate_limit, rate_limit_window_seconds, self.clock)
            if rate_limit is not None
            else None
        )
        self._json_limit = _parse_payload_limit(settings_env.get("EXPRESS_MAX_PAYLOAD"))
        self._scheduler = ReplyScheduler()
        self._stopping = threading.Event()
        self._count_lock = threading.Lock()
        self._request_count = 0
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._started_at = time.monotonic()
        self._app = _App(self)

    # --------------------------------------------------------------------------------------- properties

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (available once started)."""
        if self._httpd is None:
            raise RuntimeError("the server is not running; call start() or use it as a context manager")
        return f"http://{self._host}:{self._httpd.server_port}"

    @property
    def server_version(self) -> str:
        """The imitated @elizaos/server release (what ``GET /api/system/version`` reports)."""
        return self._release.version

    @property
    def release(self) -> Release:
        """How the imitated release differs from the others (see :mod:`eliza_client.testing._releases`)."""
        return self._release

    @property
    def port(self) -> int:
        """The bound port (available once started)."""
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return self._httpd.server_port

    @property
    def agent_id(self) -> str:
        """The id of the first agent."""
        return self._agents[0].agent_id

    @property
    def agent_ids(self) -> tuple[str, ...]:
        """The ids of all agents, in ``agent_names`` order."""
        return tuple(agent.agent_id for agent in self._agents)

    @property
    def agents(self) -> dict[str, str]:
        """Agent name → id."""
        return {agent.name: agent.agent_id for agent in self._agents}

    @property
    def request_count(self) -> int:
        """Total HTTP requests received (faulted and dropped ones included)."""
        with self._count_lock:
            return self._request_count

    @property
    def settings(self) -> Settings:
        """The parsed ``SESSION_*`` settings."""
        return self._state.settings

    # --------------------------------------------------------------------------------------- inspection

    def stored_messages(self, session_id: str) -> list[dict[str, Any]]:
        """What is stored in the session's channel, oldest first, as SimplifiedMessage dicts.

        Works after the session was deleted or expired (messages outlive sessions, as in the database).
        Raises KeyError for an id this server never created.
        """
        return self._state.stored_messages(session_id)

    def wait_for_agent_replies(self, timeout: float = 5.0) -> bool:
        """Block until every scheduled websocket-transport reply has been stored; False on timeout."""
        return self._scheduler.wait_idle(timeout)

    def run_cleanup(self) -> None:
        """Run the periodic session cleanup now (expired sessions then answer 404 instead of 410)."""
        self._state.run_cleanup()

    def uptime(self) -> float:
        """Seconds since the server was created (the health route's ``uptime``)."""
        return time.monotonic() - self._started_at

    # --------------------------------------------------------------------------------------- lifecycle

    def start(self) -> LocalSessionsServer:
        """Bind and serve in a background thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError("already started")
        if self._stopping.is_set():
            raise RuntimeError("a stopped server cannot be restarted; create a new one")
        self._httpd = _HTTPServer((self._host, self._port), self)
        self._scheduler.start()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="eliza-local-server", daemon=True
        )
        self._thread.start()
        logger.info("local sessions server listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join every thread; safe to call twice."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
            httpd.close_connections(timeout=10.0)
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._scheduler.stop()

    def __enter__(self) -> LocalSessionsServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._httpd is not None else "not running"
        return f"<LocalSessionsServer {self.server_version} {where} agents={list(self.agents)}>"

    # --------------------------------------------------------------------------------------- internals

    def _pause(self, seconds: float) -> bool:
        """Sleep in real time; False if the server is stopping (callers then give up)."""
        if seconds <= 0:
            return not self._stopping.is_set()
        return not self._stopping.wait(seconds)

    def _schedule_reply(self, prepared: SendPrepared, client_ip: str) -> None:
        def deliver() -> None:
            outcome = prepared.agent.respond(prepared.content, prepared.message_id)
            if outcome.kind != "reply":
                return
            self._state.store_agent_reply(prepared.channel_id, prepared.agent, outcome)
            if self._limiter is not None:
                self._limiter.charge(client_ip, self.ws_internal_requests)

        self._scheduler.schedule(self.reply_delay, deliver)

    def _serve(self, handler: _Handler, request: Request) -> None:
        """Handle one request with any armed fault applied."""
        with self._count_lock:
            self._request_count += 1
        operation, _ = route(request.method, request.path)
        if request.method == "OPTIONS" or not _API_PATH.fullmatch(request.path):
            operation = None
        rule = self.faults.take(operation)
        if rule is not None and rule.when == "before":
            if rule.kind == "fail":
                handler.write_response(request, self._app.fault_response(request, rule))
                return
            if rule.kind == "drop":
                raise _AbortConnection
            if rule.kind == "delay" and not self._pause(rule.seconds):
                raise _AbortConnection
            if rule.kind == "corrupt":
                # Nothing handled: a bare success status of the route, then the broken body.
                status = 201 if operation in {"create_session", "send_message"} else 200
                handler.write_response(request, _corrupted(Response(status, [], b"{}"), rule))
                return
        response = self._app.handle(request)
        if rule is not None and rule.when == "after_store":
            if rule.kind == "fail":
                handler.write_response(request, self._app.fault_response(request, rule))
                return
            if rule.kind == "drop":
                raise _AbortConnection
            if rule.kind == "delay" and not self._pause(rule.seconds):
                raise _AbortConnection
            if rule.kind == "truncate":
                handler.write_response(request, response, truncate=True)
                return
            if rule.kind == "corrupt":
                response = _corrupted(response, rule)
            elif rule.kind == "foreign_ack":
                response = _rewrite_json(response, _foreign)
            elif rule.kind == "stale":
                response = _rewrite_json(response, lambda body: _hide_newest(body, rule.hide_newest))
        handler.write_response(request, response)

"""What the integration suite (and the conformance suites) share: the targets, and a recorder that validates every
response against the OpenAPI document of the release under test.

**Targets.** The suite runs against the local server (``eliza_client.testing.LocalSessionsServer``) by default and
against a real ``@elizaos/server`` when ``ELIZA_REAL_BASE_URL`` is set (``scripts/real_server/harness.py run`` sets
it, and ``ELIZA_REAL_KEYED_*`` / ``ELIZA_REAL_STREAM_*`` for the instance with an API key and the one whose model
streams). A :class:`Target` is one server: its base URL, API key, agent id and *capabilities* - what only the local
server can do (inject faults, move its clock instantly, show what it stored).

**Release.** :data:`SERVER_VERSION` is the release under test: the harness's ``ELIZA_REAL_SERVER_VERSION`` for the
real servers, otherwise ``ELIZA_LOCAL_SERVER_VERSION`` (default 1.7.2). The local servers imitate that release
(``LocalSessionsServer(server_version=...)``), so the suites also run per release without Node::

    ELIZA_LOCAL_SERVER_VERSION=1.6.5 pytest tests/integration

**Recorder.** Every HTTP exchange made through a ``requests.Session`` from :meth:`Recorder.session` is checked
against the release's document (``openapi.yaml`` for 1.7.2; for another release the document its
``x-eliza-releases`` overlay derives, see ``scripts/spec/releases.py``): the schema for its operation and status
(headers, content type, body; ``text/event-stream`` bodies event by event), with a copy of the spec helper of
``tests/spec/test_captures_conform.py`` (the same code that checks the captured real-server traffic) pointed at
that document. A streamed response is checked once it has been read to its end: the hook tees the
bytes the client reads, so the client still reads it incrementally. The session goes to ``ElizaClient(...,
session=...)`` (the client never modifies a session it is given) or is used directly for plain requests.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import EllipsisType, ModuleType
from typing import Any
from urllib.parse import urlsplit

import requests

from eliza_client import ElizaClient, Message
from eliza_client.testing import LocalSessionsServer, ManualClock, SystemClock

__all__ = [
    "DEFAULT_SERVER_VERSION",
    "KEYED_API_KEY",
    "REAL_ENV",
    "RELEASE_FACTS",
    "SERVER_VERSION",
    "SESSIONS",
    "Exchange",
    "Recorder",
    "ReleaseFacts",
    "Target",
    "Targets",
    "TravelClock",
    "local_targets",
    "make_client",
    "real_targets",
    "release_document",
    "spec_violations",
    "wait_for_agent_messages",
    "write_stats",
]

SESSIONS = "/api/messaging/sessions"
#: Set by the harness: the real server's base URL. The suites run against the local server when it is unset.
REAL_ENV = "ELIZA_REAL_BASE_URL"
#: Set by the harness: the release of the real servers it started.
REAL_VERSION_ENV = "ELIZA_REAL_SERVER_VERSION"
#: The release the local servers imitate when no real server is under test (default: 1.7.2).
LOCAL_VERSION_ENV = "ELIZA_LOCAL_SERVER_VERSION"
#: The release ``openapi.yaml`` describes exactly.
DEFAULT_SERVER_VERSION = "1.7.2"
#: Where a suite writes its statistics (requests, validated responses, violations, differences) as JSON.
STATS_ENV = "ELIZA_CONFORMANCE_STATS"
KEYED_API_KEY = "conformance-secret"

#: The server settings every suite assumes (the harness passes the same ones to the real server): one-minute
#: sessions are allowed (expiry is seen in ~61 s), and the periodic sweep never runs during a suite (so an
#: expired session answers 410 on first access, then 404, instead of 404 at once when a sweep got there first).
SERVER_ENV: Mapping[str, str] = {"SESSION_MIN_TIMEOUT_MINUTES": "1", "SESSION_CLEANUP_INTERVAL_MINUTES": "60"}


def _server_version() -> str:
    real, local = os.environ.get(REAL_VERSION_ENV), os.environ.get(LOCAL_VERSION_ENV)
    if real and local and real != local:
        raise RuntimeError(
            f"{REAL_VERSION_ENV}={real} but {LOCAL_VERSION_ENV}={local}: the local servers must imitate the real "
            "release under test"
        )
    return real or local or DEFAULT_SERVER_VERSION


#: The release under test: the real servers' (the harness says which), or the one the local servers imitate.
SERVER_VERSION = _server_version()


@dataclass(frozen=True)
class ReleaseFacts:
    """How a release's send route behaves, as measured on the real servers (2026-12-02, ``release_probe.py``;
    ``/tmp/notes/release-facts.md`` of the ``releases`` branch) - what the suites expect of it, written down here
    rather than read from the local server or the facade under test."""

    version: str
    #: The body field the send route reads: None (1.6.5 reads neither), ``"mode"`` (1.7.0), ``"transport"``.
    reads: str | None
    #: The error message (a 400 VALIDATION_ERROR) of a send whose ``transport`` / ``mode`` is ``"carrier-pigeon"``,
    #: or None when the send is accepted (201) because the release does not read that field.
    bad_transport_error: str | None
    bad_mode_error: str | None
    #: The agent's reply comes back in the send's answer (sync JSON / an SSE stream). 1.6.5 answers every send at
    #: once, flat: the facade reads the reply from the history (``send_and_wait``: no responseId; ``stream``: a
    #: 201 JSON answer, no chunks, ``done`` once the reply is stored).
    replies_in_band: bool
    #: An agent reply is stored in the history for every accepted send (1.6.5, 1.7.0; on 1.7.0 a sync/stream
    #: send's stored reply has another id than the in-band one: the model runs twice). 1.7.2+: websocket only.
    stores_every_reply: bool


RELEASE_FACTS: Mapping[str, ReleaseFacts] = {
    facts.version: facts
    for facts in (
        ReleaseFacts("1.6.5", None, None, None, replies_in_band=False, stores_every_reply=True),
        ReleaseFacts(
            "1.7.0",
            "mode",
            None,
            'Invalid mode "carrier-pigeon". Must be one of: sync, stream, websocket',
            replies_in_band=True,
            stores_every_reply=True,
        ),
        *(
            ReleaseFacts(
                version,
                "transport",
                'Invalid transport "carrier-pigeon". Must be one of: http, sse, websocket, sync, stream',
                'Invalid transport "carrier-pigeon". Must be one of: http, sse, websocket, sync, stream',
                replies_in_band=True,
                stores_every_reply=False,
            )
            for version in ("1.7.2", "1.7.3-alpha.4")
        ),
    )
}


# ------------------------------------------------------------------------------------------------ spec checks

_ROOT = Path(__file__).resolve().parents[2]
_VALIDATOR_MODULE = _ROOT / "tests" / "spec" / "test_captures_conform.py"


def release_document(version: str) -> dict[str, Any]:
    """The OpenAPI document of ``version``, derived from ``openapi.yaml`` by ``scripts/spec/releases.py``."""
    document: dict[str, Any] = _validator_for(version).load_spec()
    return document


@cache
def _validator_for(version: str) -> ModuleType:
    """A private copy of the capture validator (``tests/spec/test_captures_conform.py``) checking against the
    document of ``version`` (a copy, so that the spec tests' own module keeps checking ``openapi.yaml``)."""
    name = f"_integration_validator_{version.replace('.', '_').replace('-', '_')}"
    loader = importlib.util.spec_from_file_location(name, _VALIDATOR_MODULE)
    assert loader is not None, f"cannot load {_VALIDATOR_MODULE}"
    assert loader.loader is not None, f"cannot load {_VALIDATOR_MODULE}"
    module = importlib.util.module_from_spec(loader)
    sys.modules[name] = module  # dataclasses look their module up there
    loader.loader.exec_module(module)
    module.set_document(module.release_document(version))
    return module


@dataclass(frozen=True)
class Exchange:
    """One request and its response, as sent and received."""

    method: str
    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: str
    streamed: bool

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def base_url(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def json(self) -> Any:
        return json.loads(self.body)


def spec_violations(exchange: Exchange, version: str = SERVER_VERSION) -> list[str]:
    """What the document of release ``version`` does not allow about this exchange (empty when it conforms)."""
    validator = _validator_for(version)
    found: list[str] = validator.violations(
        validator.Exchange(
            key=f"{exchange.method} {exchange.path}",
            id=f"{exchange.method} {exchange.path}",
            method=exchange.method,
            path=exchange.path,
            status=exchange.status,
            headers=exchange.headers,
            body=exchange.body,
        )
    )
    return found


# ------------------------------------------------------------------------------------------------ recorder


class Recorder:
    """Records (and, unless ``validate=False``, validates against the document of release ``version``) every
    exchange of the sessions it makes; thread-safe."""

    def __init__(self, *, validate: bool = True, version: str = SERVER_VERSION) -> None:
        self.validate = validate
        self.version = version
        self.notes: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.exchanges: list[Exchange] = []
        self.violations: list[str] = []
        self._unfinished: dict[int, tuple[str, Callable[[], None]]] = {}
        self._sessions: list[requests.Session] = []

    # -- sessions

    def session(self, api_key: str | None = None, headers: Mapping[str, str] | None = None) -> requests.Session:
        """A ``requests.Session`` whose every response is recorded and validated (closed by :meth:`close`)."""
        http = requests.Session()
        http.trust_env = False  # loopback only: never a proxy from the environment
        if api_key is not None:
            http.headers["X-API-KEY"] = api_key
        http.headers.update(headers or {})
        http.hooks["response"].append(self._hook)
        with self._lock:
            self._sessions.append(http)
        return http

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for http in sessions:
            http.close()

    # -- recording

    def _hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        if not kwargs.get("stream"):
            self._record(response, response.content, streamed=False)
            return response
        # Streamed: tee what the client reads. The body is validated when the client has read it to its end or
        # closes the response (the facade stops reading an event stream at its `done` event and closes it).
        original_iter, original_close = response.iter_content, response.close
        buffer = bytearray()
        key = id(response)
        state = {"recorded": False}

        def finish() -> None:
            if not state["recorded"]:
                state["recorded"] = True
                with self._lock:
                    self._unfinished.pop(key, None)
                body = bytes(buffer)
                already_read = getattr(response, "_content", False)
                if not body and isinstance(already_read, bytes):
                    body = already_read  # read past iter_content (schemathesis reads event streams from `raw`)
                self._record(response, body, streamed=True)

        def iter_content(chunk_size: int | None = 1, decode_unicode: bool = False) -> Iterator[Any]:
            for chunk in original_iter(chunk_size, decode_unicode):
                buffer.extend(chunk if isinstance(chunk, bytes) else chunk.encode())
                yield chunk
            finish()

        # The facade reads bodies piece by piece from the raw response (bounded reads), not via iter_content.
        raw = response.raw
        original_read1 = raw.read1

        def read1(amt: int | None = None, decode_content: bool | None = None) -> bytes:
            piece: bytes = original_read1(amt, decode_content)
            buffer.extend(piece)
            if not piece:
                finish()
            return piece

        raw.read1 = read1

        def close() -> None:
            finish()
            original_close()

        response.iter_content = iter_content  # type: ignore[method-assign]
        response.close = close  # type: ignore[method-assign]
        with self._lock:
            self._unfinished[key] = (f"{response.request.method} {response.url} -> {response.status_code}", finish)
        return response

    def _record(self, response: requests.Response, body: bytes, *, streamed: bool) -> None:
        request = response.request
        exchange = Exchange(
            method=str(request.method),
            url=str(response.url),
            status=response.status_code,
            headers=tuple(response.headers.items()),
            body=body.decode("utf-8", "replace"),
            streamed=streamed,
        )
        found = (
            [
                f"{exchange.method} {exchange.path} -> {exchange.status}: {v}"
                for v in spec_violations(exchange, self.version)
            ]
            if self.validate
            else []
        )
        with self._lock:
            self.exchanges.append(exchange)
            self.violations.extend(found)

    # -- reading

    def mark(self) -> tuple[int, int]:
        """A position to compare against later (exchanges, violations so far)."""
        with self._lock:
            return len(self.exchanges), len(self.violations)

    def since(self, mark: tuple[int, int]) -> tuple[list[Exchange], list[str]]:
        with self._lock:
            return self.exchanges[mark[0] :], self.violations[mark[1] :]

    def unfinished(self) -> list[str]:
        """Streamed responses that were opened but neither read to the end nor closed (so not validated)."""
        with self._lock:
            return [description for description, _ in self._unfinished.values()]

    def settle(self) -> None:
        """Validate every open streamed response with what has been read of it so far."""
        with self._lock:
            pending = [finish for _, finish in self._unfinished.values()]
        for finish in pending:
            finish()

    def count(self) -> int:
        with self._lock:
            return len(self.exchanges)

    def requests_by_server(self) -> dict[str, int]:
        with self._lock:
            return dict(Counter(exchange.base_url for exchange in self.exchanges))


def write_stats(suite: str, stats: Mapping[str, Any]) -> None:
    """Merge ``stats`` under ``suite`` into the JSON file named by ``$ELIZA_CONFORMANCE_STATS`` (if set)."""
    target = os.environ.get(STATS_ENV)
    if not target:
        return
    path = Path(target)
    data: dict[str, Any] = {}
    if path.is_file():
        with contextlib.suppress(ValueError):
            data = json.loads(path.read_text())
    data[suite] = dict(stats)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


# ------------------------------------------------------------------------------------------------ clock


class TravelClock(ManualClock):
    """A :class:`ManualClock` that follows the wall clock between jumps: ``now = wall time + offset``.

    The shared local server needs time to pass normally (messages get distinct, increasing timestamps as on the
    real server) and a test of expiry needs to skip a minute without sleeping: :meth:`advance` moves the offset.
    """

    def __init__(self) -> None:
        super().__init__(0)
        self._wall = SystemClock()

    def now_ms(self) -> int:
        with self._lock:
            return self._wall.now_ms() + self._now

    def advance(self, *, minutes: float = 0, seconds: float = 0, ms: float = 0) -> int:
        with self._lock:
            self._now += round(minutes * 60_000 + seconds * 1000 + ms)
            return self._wall.now_ms() + self._now

    def set(self, ms: int) -> None:
        with self._lock:
            self._now = int(ms) - self._wall.now_ms()


# ------------------------------------------------------------------------------------------------ targets

#: Capabilities only the local server has.
FAULTS = "faults"  # arm faults (503s, dropped connections) on the next requests
CLOCK = "clock"  # move the server's clock instead of sleeping
INSPECT = "inspect"  # read what the server stored, bypassing the API


@dataclass
class Target:
    """One server the suite talks to."""

    kind: str  # "local" | "real"
    name: str  # "main" | "keyed" | "stream"
    base_url: str
    agent_id: str
    api_key: str | None
    capabilities: frozenset[str] = frozenset()
    server: LocalSessionsServer | None = None
    clock: TravelClock | None = None

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    def travel(self, seconds: float) -> None:
        """Let ``seconds`` pass on the server: instantly on the local server, by sleeping on the real one."""
        if self.clock is not None:
            self.clock.advance(seconds=seconds)
        else:
            time.sleep(seconds)

    @property
    def local(self) -> LocalSessionsServer:
        """The local server (only for tests that need a local-only capability)."""
        assert self.server is not None, f"{self.kind} target has no local server"
        return self.server


@dataclass
class Targets:
    main: Target  # no key, SESSION_MIN_TIMEOUT_MINUTES=1
    keyed: Target  # ELIZA_SERVER_AUTH_TOKEN set, default settings
    stream: Target  # a model that streams its reply (SSE chunk events)
    stop: Callable[[], None] = lambda: None


def real_targets() -> Targets:
    """The servers the harness started (from its ``ELIZA_REAL_*`` variables)."""
    env = os.environ

    def need(name: str) -> str:
        value = env.get(name)
        if not value:
            raise RuntimeError(
                f"{name} is not set: run the suite through `nox -s conformance` (scripts/real_server/conformance.py "
                "shows the harness options it needs: --keyed-instance --stream-instance)"
            )
        return value

    main = Target(
        "real", "main", need("ELIZA_REAL_BASE_URL"), need("ELIZA_REAL_AGENT_ID"), env.get("ELIZA_REAL_API_KEY")
    )
    keyed = Target(
        "real",
        "keyed",
        need("ELIZA_REAL_KEYED_BASE_URL"),
        need("ELIZA_REAL_KEYED_AGENT_ID"),
        need("ELIZA_REAL_KEYED_API_KEY"),
    )
    stream = Target("real", "stream", need("ELIZA_REAL_STREAM_BASE_URL"), need("ELIZA_REAL_STREAM_AGENT_ID"), None)
    return Targets(main, keyed, stream)


def local_targets(version: str = SERVER_VERSION) -> Targets:
    """Local servers configured like the harness configures the real ones (the rate limit included), imitating
    release ``version``."""
    clock = TravelClock()
    main_server = LocalSessionsServer(
        agent_names=("ConformanceAgent",),
        clock=clock,
        env=SERVER_ENV,
        reply_delay=0.05,
        chunk_delay=0.002,
        server_version=version,
    ).start()
    keyed_server = LocalSessionsServer(
        agent_names=("ConformanceAgent",), api_key=KEYED_API_KEY, server_version=version
    ).start()
    capabilities = frozenset({FAULTS, CLOCK, INSPECT})
    main = Target("local", "main", main_server.base_url, main_server.agent_id, None, capabilities, main_server, clock)
    keyed = Target(
        "local", "keyed", keyed_server.base_url, keyed_server.agent_id, KEYED_API_KEY, capabilities, keyed_server
    )
    # The local agent streams its replies in chunks: the main server doubles as the streaming instance.
    stream = Target(
        "local", "stream", main_server.base_url, main_server.agent_id, None, capabilities, main_server, clock
    )

    def stop() -> None:
        keyed_server.stop()
        main_server.stop()

    return Targets(main, keyed, stream, stop)


# ------------------------------------------------------------------------------------------------ helpers


def make_client(
    target: Target,
    recorder: Recorder,
    *,
    api_key: str | EllipsisType | None = ...,
    max_retries: int = 2,
    extra_headers: Mapping[str, str] | None = None,
) -> ElizaClient:
    """A facade client for ``target`` over a recorded session (``api_key`` defaults to the target's)."""
    key = target.api_key if isinstance(api_key, EllipsisType) else api_key
    return ElizaClient(
        target.base_url,
        api_key=key,
        session=recorder.session(),
        reply_timeout=30,
        max_retries=max_retries,
        extra_headers=extra_headers,
    )


def wait_for_agent_messages(client: ElizaClient, session_id: str, count: int, timeout: float = 15.0) -> list[Message]:
    """Poll the history until it holds ``count`` agent messages (websocket-transport replies are stored
    ~70-370 ms after the send on the real server); return the newest page."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.sessions.messages(session_id, limit=100)
        agent = [message for message in page.messages if message.is_agent]
        if len(agent) >= count:
            return list(page.messages)
        if time.monotonic() > deadline:
            raise AssertionError(f"only {len(agent)} of {count} agent replies stored after {timeout} s")
        time.sleep(0.15)

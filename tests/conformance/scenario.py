"""The differential scenario: one scripted conversation with a Sessions API server, in plain ``requests``, whose
transcript can be compared between a real ``@elizaos/server`` release (1.7.2 unless told otherwise) and the local
server imitating the same release.

About 55 requests cover success on every route, validation errors, clamping, pagination edges, expiry (a
one-minute session, so the scenario lasts ~62 s on the real server; the local server's clock jumps instead),
auth (a second server with an API key), and the middleware answers (malformed JSON, wrong content type, unknown
route). Each step records

* the status, the media type, the error ``code`` (when the body has one),
* the body's *shape* - keys and JSON types, recursively (``text/event-stream``: the events' names and the shapes
  of their data),
* the body's *values* with everything that legitimately differs between two servers masked: ids (any UUID),
  times (ISO strings, epoch-ms fields, durations, uptime), the agent's reply text (a fixed model on the real
  server, an echo on the local one), stack traces and the text of internal errors,
* the names of the response headers (minus the per-response ones: Date, ETag, lengths).

:func:`compare` lists every difference between two transcripts; a difference is acceptable only when it is in
:data:`KNOWN_DIVERGENCES` (or, for another release, that release's entry of :data:`RELEASE_DIVERGENCES`) with its
reason.

On the releases that store the agent's reply to every send (1.6.5, 1.7.0: ``Servers.stores_every_reply``), the
scenario waits (unrecorded) for each accepted send's reply to be stored before the next step, so that the history
steps see the same messages in the same order on both servers.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

SESSIONS = "/api/messaging/sessions"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ISO = re.compile(r"[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")
#: Keys whose number values are times or durations (epoch ms, ms, seconds).
_TIME_KEYS = frozenset({"created_at", "before", "after", "timeRemaining", "uptime", "timeSinceCreation"})
#: Keys whose string values are the agent's words (the real server's model is fixed, the local agent echoes).
_AGENT_TEXT_KEYS = frozenset({"text", "thought", "chunk"})
_LONG = 200  # longer strings are recorded by length and start (4000-character contents, echoed metadata)
_VOLATILE_HEADERS = frozenset({"date", "etag", "content-length", "transfer-encoding"})

#: Differences between the real server and the local one that are known and accepted, by step, with the reason.
#: A difference not listed here fails the comparison; an entry that no longer matches a difference fails too.
KNOWN_DIVERGENCES: dict[str, str] = {
    # (The two NUL-character steps diverged until the local server learned that the database rejects U+0000.)
}

#: The known and accepted differences between a real release and the local server imitating it, by release (the
#: 1.7.2 entry is :data:`KNOWN_DIVERGENCES`); the same rules: each with its reason, none may go stale.
RELEASE_DIVERGENCES: dict[str, dict[str, str]] = {
    "1.6.5": {},
    "1.7.0": {},
    "1.7.2": KNOWN_DIVERGENCES,
    "1.7.3-alpha.4": {},
}


# ------------------------------------------------------------------------------------------------ normalizing


def _mask_string(text: str) -> str:
    return _ISO.sub("<time>", _UUID.sub("<uuid>", text))


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return _type(value)


def masked(value: Any, key: str = "", agent: bool = False) -> Any:
    """The value with ids, times, agent text, stacks and internal error texts masked."""
    if isinstance(value, dict):
        is_agent = agent or value.get("isAgent") is True or value.get("source_type") == "agent_response"
        out = {}
        for name, item in sorted(value.items()):
            if name == "stack" and isinstance(item, str):
                out[name] = "<stack>"
            elif name == "details" and isinstance(item, str):
                out[name] = "<internal error text>"
            elif name == "originalError" and isinstance(item, str):
                out[name] = "<database error text>"  # the database driver's own words (query text, parameters)
            elif name == "content" and is_agent and isinstance(item, str):
                out[name] = "<agent text>"
            else:
                out[name] = masked(item, name, is_agent)
        return out
    if isinstance(value, list):
        return [masked(item, key, agent) for item in value]
    if isinstance(value, str):
        if key in _AGENT_TEXT_KEYS:
            return "<agent text>"
        if len(value) > _LONG:
            return f"<{len(value)} characters: {_mask_string(value[:24])}…>"
        return _mask_string(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and key in _TIME_KEYS:
        return "<time>"
    return value


# ------------------------------------------------------------------------------------------------ transcript


@dataclass
class Step:
    name: str
    request: str
    status: int
    media_type: str
    code: Any
    shape: Any
    values: Any
    headers: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "request": self.request,
            "status": self.status,
            "media_type": self.media_type,
            "code": self.code,
            "shape": self.shape,
            "values": self.values,
            "headers": self.headers,
        }


def _sse_events(body: str) -> list[dict[str, Any]]:
    events = []
    for block in body.split("\n\n"):
        if not block.strip():
            continue
        name, data = "message", ""
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
        try:
            parsed: Any = json.loads(data)
        except ValueError:
            parsed = data
        events.append({"event": name, "data": parsed})
    return events


def _one_chunk_per_run(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A run of ``chunk`` events counts as one: how many pieces a reply comes in is the model's business."""
    kept: list[dict[str, Any]] = []
    for event in events:
        if not (event["event"] == "chunk" and kept and kept[-1]["event"] == "chunk"):
            kept.append(event)
    return kept


def step_of(name: str, template: str, response: requests.Response) -> Step:
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    body: Any
    if media_type == "text/event-stream":
        events = _one_chunk_per_run(_sse_events(response.text))
        body_shape: Any = [{"event": e["event"], "data": shape(e["data"])} for e in events]
        values: Any = [{"event": e["event"], "data": masked(e["data"])} for e in events]
        code = None
    else:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        body_shape, values = shape(body), masked(body)
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
    headers = sorted({h.lower() for h in response.headers} - _VOLATILE_HEADERS)
    return Step(name, template, response.status_code, media_type, code, body_shape, values, headers)


@dataclass
class Servers:
    """Where the scenario runs: the main server (``SESSION_MIN_TIMEOUT_MINUTES=1``) and the keyed one."""

    base_url: str
    agent_id: str
    keyed_base_url: str
    keyed_agent_id: str
    keyed_api_key: str
    wait: Callable[[float], None] = time.sleep  # let server time pass (the local server's clock can jump)
    http: requests.Session = field(default_factory=requests.Session)
    #: The release stores the agent's reply to every accepted send (1.6.5, 1.7.0), not only to websocket sends.
    stores_every_reply: bool = False


class Scenario:
    """Runs the steps, collecting the transcript."""

    def __init__(self, servers: Servers) -> None:
        self.s = servers
        self.steps: list[Step] = []
        self._accepted_sends: dict[str, int] = {}  # session id -> sends answered 2xx (stores_every_reply only)

    # -- plumbing

    def call(
        self, name: str, method: str, template: str, *, base: str | None = None, **kwargs: Any
    ) -> requests.Response:
        """One recorded step; ``template`` may contain ``{A}`` etc., filled from ``kwargs['ids']``."""
        ids: dict[str, str] = kwargs.pop("ids", {})
        path = template.format(**ids)
        kwargs.setdefault("timeout", 60)
        response = self.s.http.request(method, (base or self.s.base_url) + path, **kwargs)
        self.steps.append(step_of(name, f"{method} {template}", response))
        if method == "POST" and template.endswith("/messages"):
            # Two sends inside one millisecond have no order the server defines (no tie-breaker), and the history
            # steps compare order: let a little server time pass after each send (the local clock just jumps).
            self.s.wait(0.003)
            if self.s.stores_every_reply and 200 <= response.status_code < 300 and base is None:
                # The reply lands in the history ~100-200 ms later: wait for it, so that it is stored before the
                # next message on both servers.
                session_id = path.split("/")[-2]
                self._accepted_sends[session_id] = self._accepted_sends.get(session_id, 0) + 1
                self._wait_for_agent_reply(session_id, self._accepted_sends[session_id])
        return response

    def _user(self) -> str:
        return str(uuid.uuid4())

    def _unknown(self) -> dict[str, str]:
        return {"U": str(uuid.uuid4())}

    def _wait_for_agent_reply(self, session_id: str, count: int) -> None:
        """Poll (unrecorded) until ``count`` agent replies are stored (websocket sends, ~150 ms on the real one)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            page = self.s.http.get(f"{self.s.base_url}{SESSIONS}/{session_id}/messages?limit=100", timeout=30).json()
            if sum(1 for m in page.get("messages", []) if m.get("isAgent")) >= count:
                return
            time.sleep(0.15)
        raise AssertionError(f"the agent's reply was not stored in session {session_id} within 20 s")

    # -- the scenario

    def run(self) -> list[Step]:
        s = self.s
        agent = s.agent_id
        self.call("health.initial", "GET", f"{SESSIONS}/health")

        # A one-minute session without auto-renew, checked for expiry at the end.
        expiring = self.call(
            "create.one_minute",
            "POST",
            SESSIONS,
            json={"agentId": agent, "userId": self._user(), "timeoutConfig": {"timeoutMinutes": 1, "autoRenew": False}},
        )
        expiring_id = expiring.json()["sessionId"]
        expiring_since = time.monotonic()

        created = self.call(
            "create.ok", "POST", SESSIONS, json={"agentId": agent, "userId": self._user(), "metadata": {"app": "diff"}}
        )
        a = created.json()["sessionId"]
        ids = {"A": a, "E": expiring_id}

        # Clamping, not rejecting.
        for name, config in (
            ("create.clamp_low", {"timeoutMinutes": 0, "maxDurationMinutes": 99999, "warningThresholdMinutes": 0}),
            ("create.clamp_strings", {"timeoutMinutes": "10", "maxDurationMinutes": "0x40", "autoRenew": "false"}),
            ("create.clamp_high", {"timeoutMinutes": 99999}),
            ("create.clamp_garbage", {"timeoutMinutes": "abc", "warningThresholdMinutes": None}),
        ):
            self.call(name, "POST", SESSIONS, json={"agentId": agent, "userId": self._user(), "timeoutConfig": config})

        # Validation errors on create.
        self.call("create.empty_body", "POST", SESSIONS, json={})
        self.call("create.agent_not_string", "POST", SESSIONS, json={"agentId": 5, "userId": self._user()})
        self.call("create.user_not_uuid", "POST", SESSIONS, json={"agentId": agent, "userId": "nope"})
        self.call("create.unknown_agent", "POST", SESSIONS, json={"agentId": str(uuid.uuid4()), "userId": self._user()})
        self.call(
            "create.metadata_too_big",
            "POST",
            SESSIONS,
            json={"agentId": agent, "userId": self._user(), "metadata": {"k": "v" * 10240}},
        )
        self.call(
            "create.metadata_string",
            "POST",
            SESSIONS,
            json={"agentId": agent, "userId": self._user(), "metadata": "abc"},
        )

        self.call("get.ok", "GET", f"{SESSIONS}/{{A}}", ids=ids)
        self.call("get.unknown", "GET", f"{SESSIONS}/{{U}}", ids=self._unknown())

        # Sends: every transport, and the validation around content.
        messages = f"{SESSIONS}/{{A}}/messages"
        self.call("send.websocket", "POST", messages, ids=ids, json={"content": "hello ws", "metadata": {"n": 1}})
        self._wait_for_agent_reply(a, 1)
        self.call("send.http", "POST", messages, ids=ids, json={"content": "hello http", "transport": "http"})
        self.call("send.sse", "POST", messages, ids=ids, json={"content": "hello sse", "transport": "sse"})
        self.call("send.legacy_sync", "POST", messages, ids=ids, json={"content": "hello sync", "mode": "sync"})
        self.call("send.whitespace", "POST", messages, ids=ids, json={"content": "   ", "transport": "http"})
        self.call("send.4000", "POST", messages, ids=ids, json={"content": "x" * 4000, "transport": "http"})
        self.call(
            "send.attachments",
            "POST",
            messages,
            ids=ids,
            json={"content": "see file", "transport": "http", "attachments": [{"type": "image", "url": "u"}]},
        )
        self.call("send.4001", "POST", messages, ids=ids, json={"content": "x" * 4001, "transport": "http"})
        self.call("send.empty", "POST", messages, ids=ids, json={"content": ""})
        self.call("send.bad_transport", "POST", messages, ids=ids, json={"content": "hi", "transport": "pigeon"})
        self.call(
            "send.empty_body_json",
            "POST",
            messages,
            ids=ids,
            data=b"",
            headers={"Content-Type": "application/json"},
        )
        self.call(
            "send.unknown_session", "POST", f"{SESSIONS}/{{U}}/messages", ids=self._unknown(), json={"content": "hi"}
        )

        # History and pagination edges (8 messages stored: 7 from the user, 1 agent reply).
        self.call("messages.default", "GET", messages, ids=ids)
        self.call("messages.limit_0", "GET", messages, ids=ids, params={"limit": "0"})
        self.call("messages.limit_abc", "GET", messages, ids=ids, params={"limit": "abc"})
        self.call("messages.limit_1000", "GET", messages, ids=ids, params={"limit": "1000"})
        page = self.call("messages.limit_3", "GET", messages, ids=ids, params={"limit": "3"}).json()
        cursor = page["cursors"]["before"]
        self.call("messages.before_cursor", "GET", messages, ids=ids, params={"limit": "3", "before": str(cursor)})
        oldest = self.call("messages.oldest", "GET", messages, ids=ids, params={"limit": "100"}).json()["messages"]
        first_ms = _epoch_ms(oldest[-1]["createdAt"])
        self.call("messages.after_only", "GET", messages, ids=ids, params={"after": str(first_ms), "limit": "2"})
        self.call(
            "messages.before_and_after",
            "GET",
            messages,
            ids=ids,
            params={"after": str(first_ms), "before": str(cursor), "limit": "2"},
        )
        self.call("messages.empty_page", "GET", messages, ids=ids, params={"before": "1"})
        self.call("messages.iso_after", "GET", messages, ids=ids, params={"after": "2026-01-01T00:00:00Z"})
        self.call("messages.before_abc", "GET", messages, ids=ids, params={"before": "abc"})
        self.call("messages.after_too_big", "GET", messages, ids=ids, params={"after": "99999999999999999"})
        self.call("messages.before_year_9999", "GET", messages, ids=ids, params={"before": "253402300799999"})
        self.call("messages.before_year_10000", "GET", messages, ids=ids, params={"before": "253402300800000"})
        self.call("messages.before_year_1", "GET", messages, ids=ids, params={"before": "-62135596800000"})
        self.call("messages.before_year_0", "GET", messages, ids=ids, params={"before": "-62135596800001"})

        # Lifetime.
        self.call("renew.ok", "POST", f"{SESSIONS}/{{A}}/renew", ids=ids)
        self.call("heartbeat.ok", "POST", f"{SESSIONS}/{{A}}/heartbeat", ids=ids)
        timeout = f"{SESSIONS}/{{A}}/timeout"
        self.call(
            "patch.ok",
            "PATCH",
            timeout,
            ids=ids,
            json={"timeoutMinutes": 20, "autoRenew": True, "maxDurationMinutes": 100, "warningThresholdMinutes": 3},
        )
        self.call("patch.empty_resets", "PATCH", timeout, ids=ids, json={})
        self.call("patch.out_of_range", "PATCH", timeout, ids=ids, json={"timeoutMinutes": 2000})
        self.call("patch.bad_format", "PATCH", timeout, ids=ids, json={"autoRenew": "yes"})
        self.call("renew.unknown", "POST", f"{SESSIONS}/{{U}}/renew", ids=self._unknown())
        self.call("heartbeat.unknown", "POST", f"{SESSIONS}/{{U}}/heartbeat", ids=self._unknown())
        self.call("list.ok", "GET", SESSIONS)

        # Middleware answers.
        self.call(
            "middleware.malformed_json",
            "POST",
            SESSIONS,
            data=b'{"agentId": ',
            headers={"Content-Type": "application/json"},
        )
        self.call(
            "middleware.wrong_content_type", "POST", SESSIONS, data=b"agentId=x", headers={"Content-Type": "text/plain"}
        )
        self.call("middleware.unknown_route", "GET", f"{SESSIONS}/{{A}}/nope", ids=ids)
        self.call("middleware.put_session", "PUT", f"{SESSIONS}/{{A}}", ids=ids, json={})

        self.call("delete.ok", "DELETE", f"{SESSIONS}/{{A}}", ids=ids)
        self.call("delete.again", "DELETE", f"{SESSIONS}/{{A}}", ids=ids)

        # Expiry: 61.5 s after the one-minute session was created.
        s.wait(max(0.0, 61.5 - (time.monotonic() - expiring_since)))
        self.call("health.expired_unswept", "GET", f"{SESSIONS}/health")
        self.call("expiry.first_access", "GET", f"{SESSIONS}/{{E}}", ids=ids)
        self.call("expiry.second_access", "GET", f"{SESSIONS}/{{E}}", ids=ids)

        # Auth, on the keyed server.
        keyed, key = s.keyed_base_url, s.keyed_api_key
        self.call("auth.no_key", "GET", f"{SESSIONS}/health", base=keyed)
        self.call("auth.wrong_key", "GET", f"{SESSIONS}/health", base=keyed, headers={"X-API-KEY": key + "x"})
        self.call("auth.bearer", "GET", f"{SESSIONS}/health", base=keyed, headers={"Authorization": f"Bearer {key}"})
        self.call("auth.unknown_session_no_key", "GET", f"{SESSIONS}/{{U}}", base=keyed, ids=self._unknown())
        self.call("auth.ok", "GET", f"{SESSIONS}/health", base=keyed, headers={"x-api-key": key})
        self.call(
            "auth.create_default_minimum",
            "POST",
            SESSIONS,
            base=keyed,
            headers={"X-API-KEY": key},
            json={"agentId": s.keyed_agent_id, "userId": self._user(), "timeoutConfig": {"timeoutMinutes": 2}},
        )

        # Last, because the local server diverges here (see KNOWN_DIVERGENCES) and nothing may depend on it.
        last = self.call("create.for_nul", "POST", SESSIONS, json={"agentId": agent, "userId": self._user()})
        nul_ids = {"N": last.json()["sessionId"]}
        self.call(
            "send.nul_in_content",
            "POST",
            f"{SESSIONS}/{{N}}/messages",
            ids=nul_ids,
            json={"content": "a\u0000b", "transport": "http"},
        )
        self.call(
            "create.nul_in_metadata",
            "POST",
            SESSIONS,
            json={"agentId": agent, "userId": self._user(), "metadata": {"k": "\u0000"}},
        )
        return self.steps


def _epoch_ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


# ------------------------------------------------------------------------------------------------ comparing


@dataclass(frozen=True)
class Difference:
    step: str
    aspect: str  # status | media_type | code | shape | values | headers | missing
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.step}: {self.aspect} differs: {self.expected!r} != {self.actual!r}"


def _diff(a: Any, b: Any, where: str = "") -> Iterator[str]:
    """Human-readable paths where two JSON-like values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a:
                yield f"{where}/{key}: only in the second"
            elif key not in b:
                yield f"{where}/{key}: only in the first"
            else:
                yield from _diff(a[key], b[key], f"{where}/{key}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{where}: {len(a)} items != {len(b)} items"
        for index, (x, y) in enumerate(zip(a, b, strict=False)):
            yield from _diff(x, y, f"{where}/{index}")
    elif a != b:
        yield f"{where or '/'}: {json.dumps(a)[:120]} != {json.dumps(b)[:120]}"


def compare(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> list[Difference]:
    """Every difference between two transcripts (``expected`` is the real server's)."""
    found: list[Difference] = []
    by_name = {step["name"]: step for step in actual}
    for step in expected:
        other = by_name.get(step["name"])
        if other is None:
            found.append(Difference(step["name"], "missing", "present", "absent"))
            continue
        for aspect in ("request", "status", "media_type", "code"):
            if step[aspect] != other[aspect]:
                found.append(Difference(step["name"], aspect, step[aspect], other[aspect]))
        for aspect in ("shape", "values", "headers"):
            paths = list(_diff(step[aspect], other[aspect]))
            if paths:
                found.append(Difference(step["name"], aspect, "; ".join(paths[:6]), f"{len(paths)} path(s)"))
    for name in by_name.keys() - {step["name"] for step in expected}:
        found.append(Difference(name, "missing", "absent", "present"))
    return found


def divergences(version: str = "1.7.2") -> dict[str, str]:
    """The documented local-vs-real divergences of ``version``, by step, with the reason."""
    return RELEASE_DIVERGENCES[version]


def unexplained(differences: list[Difference], version: str = "1.7.2") -> list[Difference]:
    known = divergences(version)
    return [d for d in differences if d.step not in known]


def stale_divergences(differences: list[Difference], version: str = "1.7.2") -> list[str]:
    """Known divergences that no longer show up (the entry should go)."""
    seen = {d.step for d in differences}
    return sorted(set(divergences(version)) - seen)

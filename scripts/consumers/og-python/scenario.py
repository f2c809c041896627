"""The consumer scenario (scripts/consumers/SCENARIO.md) against the client openapi-generator 7.25.0 (python)
generates into ./generated (package eliza_og_client). Only the generated client's functions and types; no casts."""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import urllib3
from eliza_og_client import (
    AgentResponse,
    ApiClient,
    ApiException,
    AuthError,
    BusMessage,
    Configuration,
    CreatedSession,
    CreateSessionRequest,
    MessagePage,
    SendMessageRequest,
    SentMessage,
    Session,
    SessionError,
    SessionMetadata,
    SessionsApi,
    SseChunk,
    SseError,
    StreamMessageRequest,
    TimeoutConfigInput,
    UpdateTimeoutRequest,
)

T = TypeVar("T")

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise SystemExit(f"{name} is not set")
    return value


BASE_URL = env("ELIZA_BASE_URL")
API_KEY = env("ELIZA_API_KEY")
AGENT_ID = env("ELIZA_AGENT_ID")
USER_ID = env("ELIZA_USER_ID")

api = SessionsApi(ApiClient(Configuration(host=BASE_URL, api_key={"ApiKeyAuth": API_KEY})))
no_key_api = SessionsApi(ApiClient(Configuration(host=BASE_URL)))


class StepFailure(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise StepFailure(what)


failed: set[str] = set()


def emit(step: str, ok: bool, detail: str) -> None:
    if not ok:
        failed.add(step)
    print(json.dumps({"step": step, "ok": ok, "detail": " ".join(detail.split())}), flush=True)


def describe(error: Exception) -> str:
    if isinstance(error, ApiException):
        return f"HTTP {error.status}: {(error.body or '')[:300]}"
    return f"{type(error).__name__}: {error}"


def step(name: str, needs: list[str], body: Callable[[], tuple[T, str]]) -> T | None:
    """Runs one step unless one of `needs` failed; returns its value, or None when it failed or was skipped."""
    missing = next((need for need in needs if need in failed), None)
    if missing is not None:
        emit(name, False, f"skipped: {missing} failed")
        return None
    try:
        value, detail = body()
    except Exception as error:
        if not isinstance(error, StepFailure):
            traceback.print_exc(file=sys.stderr)
        emit(name, False, describe(error))
        return None
    emit(name, True, detail)
    return value


def platform_of(metadata: SessionMetadata) -> object:
    """`SessionMetadata` is a oneOf wrapper: narrow its `actual_instance` to the object (a dict)."""
    instance = metadata.actual_instance
    if isinstance(instance, dict):
        return instance.get("platform")
    return None


def s_health() -> tuple[object, str]:
    health = api.get_sessions_health()
    check(health.status == "healthy", f"status is {health.status!r}")
    check(isinstance(health.active_sessions, int), f"activeSessions is {health.active_sessions!r}")
    return health, f"status healthy, activeSessions {health.active_sessions}"


def s_create() -> tuple[CreatedSession, str]:
    # Models are built with their wire (alias) names: without the pydantic mypy plugin, mypy reads pydantic's
    # dataclass_transform and accepts only the aliases in __init__ (the generated oneOf wrappers fail that plugin).
    response = api.create_session_with_http_info(
        CreateSessionRequest(
            agentId=AGENT_ID,
            userId=USER_ID,
            metadata={"platform": "consumer-matrix", "tier": 2},
            timeoutConfig=TimeoutConfigInput(timeoutMinutes=30, autoRenew=True, maxDurationMinutes=120),
        )
    )
    check(response.status_code == 201, f"status {response.status_code}")
    session = response.data
    check(bool(UUID.match(session.session_id)), f"sessionId {session.session_id}")
    check(session.timeout_config.timeout_minutes == 30, f"timeoutMinutes {session.timeout_config.timeout_minutes}")
    platform = platform_of(session.metadata)
    check(platform == "consumer-matrix", f"metadata.platform is {platform!r}")
    return session, f"201, session {session.session_id}, metadata.platform consumer-matrix"


def main() -> int:
    step("health", [], s_health)
    created = step("create", [], s_create)
    session_id = created.session_id if created is not None else ""

    def s_get() -> tuple[Session, str]:
        session = api.get_session(session_id)
        check(session.session_id == session_id, f"sessionId {session.session_id}")
        check(isinstance(session.renewal_count, int), f"renewalCount {session.renewal_count!r}")
        platform = platform_of(session.metadata)
        check(platform == "consumer-matrix", f"metadata.platform is {platform!r}")
        wrapper = session.timeout_config.auto_renew  # a oneOf wrapper (Optional when the spec lets it be null)
        auto_renew = wrapper.actual_instance if wrapper is not None else None
        check(auto_renew is True, f"timeoutConfig.autoRenew is {auto_renew!r}")
        return session, f"renewalCount {session.renewal_count}, metadata.platform consumer-matrix, autoRenew true"

    got = step("get", ["create"], s_get)

    def s_list() -> tuple[object, str]:
        listing = api.list_sessions()
        check(any(s.session_id == session_id for s in listing.sessions), "the session is not listed")
        check(listing.total >= 1, f"total {listing.total}")
        check(listing.stats.total_sessions >= 1, f"stats.totalSessions {listing.stats.total_sessions}")
        return listing, f"listed among {listing.total}, stats.totalSessions {listing.stats.total_sessions}"

    step("list", ["create"], s_list)

    def s_send() -> tuple[SentMessage, str]:
        response = api.send_message_with_http_info(session_id, SendMessageRequest(content="hello"))
        check(response.status_code == 201, f"status {response.status_code}")
        result = response.data
        check(result.success is True, f"success {result.success}")
        check(result.user_message.content == "hello", f"userMessage.content {result.user_message.content!r}")
        check(isinstance(result.user_message.created_at, int), f"created_at {result.user_message.created_at!r}")
        return result, f"201, userMessage {result.user_message.id}, created_at {result.user_message.created_at}"

    sent = step("send", ["create"], s_send)

    def s_send_wait() -> tuple[SentMessage, str]:
        response = api.send_message_with_http_info(
            session_id, SendMessageRequest(content="what is 2+2?", transport="http")
        )
        check(response.status_code == 201, f"status {response.status_code}")
        reply = response.data.agent_response
        if reply is None:
            raise StepFailure("agentResponse is null or absent")
        check(bool(reply.text), "agentResponse.text is empty")
        return response.data, f"201, agentResponse.text {reply.text!r}"

    step("send_wait", ["create"], s_send_wait)

    def s_send_stream() -> tuple[list[tuple[str, BusMessage | SseChunk | AgentResponse | SseError | None]], str]:
        # The generated stream_message() declares its 200 body as `str` (read whole). Instead the scenario calls
        # stream_message_without_preload_content(), which hands back the urllib3 response unread, and splits its
        # bytes by hand into `event:`/`data:` blocks (blank-line separated), parsing each `data:` line with the
        # generated models' from_json.
        raw: urllib3.HTTPResponse = api.stream_message_without_preload_content(
            session_id, StreamMessageRequest(content="stream please", transport="sse")
        )
        check(raw.status == 200, f"status {raw.status}")
        events: list[tuple[str, BusMessage | SseChunk | AgentResponse | SseError | None]] = []
        buffer = ""

        def take(block: str) -> None:
            name, data = "", ""
            for line in block.split("\n"):
                if line.startswith("event:"):
                    name = line[len("event:") :].strip()
                elif line.startswith("data:"):
                    data += line[len("data:") :].strip()
            if not name and not data:
                return
            parsed: BusMessage | SseChunk | AgentResponse | SseError | None = None
            if name == "user_message":
                parsed = BusMessage.from_json(data)
            elif name == "chunk":
                parsed = SseChunk.from_json(data)
            elif name == "done":
                parsed = AgentResponse.from_json(data)
            elif name == "error":
                parsed = SseError.from_json(data)
            events.append((name, parsed))

        for piece in raw.stream(1024, decode_content=True):
            buffer += piece.decode("utf-8").replace("\r\n", "\n")
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                take(block)
        take(buffer)
        raw.release_conn()
        check(len(events) >= 2, f"only {len(events)} events")
        first_name, first = events[0]
        check(first_name == "user_message" and isinstance(first, BusMessage), f"first event is {first_name}")
        check(isinstance(first, BusMessage) and first.content == "stream please", "user_message content")
        last_name, last = events[-1]
        if not (last_name == "done" and isinstance(last, AgentResponse)):
            raise StepFailure(f"last event is {last_name}")
        check(bool(last.text), "done.text is empty")
        middle = [n for n, _ in events[1:-1]]
        check(all(n == "chunk" for n in middle), f"between them: {middle}")
        return events, (
            "hand-parsed SSE from stream_message_without_preload_content() (the generated stream_message() gives a "
            f"str): user_message, {len(middle)} chunk, done text {last.text!r}"
        )

    step("send_stream", ["create"], s_send_stream)

    def s_history() -> tuple[MessagePage, str]:
        page = api.list_messages(session_id, limit=2)
        check(len(page.messages) <= 2, f"{len(page.messages)} messages")
        times = [m.created_at for m in page.messages]
        check(all(times[i] <= times[i - 1] for i in range(1, len(times))), "not newest first")
        check(isinstance(page.has_more, bool), f"hasMore {page.has_more!r}")
        if page.cursors is None:
            raise StepFailure("no cursors")
        check(isinstance(page.cursors.before, int), f"cursors.before {page.cursors.before!r}")
        return page, f"{len(page.messages)} messages, hasMore {page.has_more}, cursors.before {page.cursors.before}"

    history = step("history", ["create"], s_history)

    def s_history_before() -> tuple[MessagePage, str]:
        if history is None or history.cursors is None:
            raise StepFailure("no cursor from history")
        oldest = min(m.created_at for m in history.messages)
        page = api.list_messages(session_id, limit=50, before=history.cursors.before)
        newer = [m for m in page.messages if not m.created_at < oldest]
        check(not newer, f"{len(newer)} messages not older than {oldest.isoformat()}")
        return page, f"{len(page.messages)} messages, all older than {oldest.isoformat()}"

    step("history_before", ["history"], s_history_before)

    def s_history_after() -> tuple[MessagePage, str]:
        if sent is None:
            raise StepFailure("no message from send")
        page = api.list_messages(session_id, limit=50, after=sent.user_message.created_at - 1)
        check(any(m.id == sent.user_message.id for m in page.messages), "step 5's message is missing")
        return page, f"{len(page.messages)} messages, step 5's message among them"

    step("history_after", ["send"], s_history_after)

    def s_renew() -> tuple[Session, str]:
        if got is None:
            raise StepFailure("no session from get")
        response = api.renew_session_with_http_info(session_id)
        check(response.status_code == 200, f"status {response.status_code}")
        renewed = response.data
        check(renewed.renewal_count > got.renewal_count, f"renewalCount {renewed.renewal_count}")
        return renewed, f"renewalCount {got.renewal_count} -> {renewed.renewal_count}"

    step("renew", ["get"], s_renew)

    def s_heartbeat() -> tuple[Session, str]:
        if got is None:
            raise StepFailure("no session from get")
        response = api.send_heartbeat_with_http_info(session_id)
        check(response.status_code == 200, f"status {response.status_code}")
        beat = response.data
        last: datetime = beat.last_activity
        check(last >= got.last_activity, f"lastActivity {last.isoformat()} before {got.last_activity.isoformat()}")
        return beat, f"lastActivity {last.isoformat()}"

    step("heartbeat", ["get"], s_heartbeat)

    def s_update_timeout() -> tuple[Session, str]:
        response = api.update_session_timeout_with_http_info(
            session_id, UpdateTimeoutRequest(timeoutMinutes=60, autoRenew=True)
        )
        check(response.status_code == 200, f"status {response.status_code}")
        updated = response.data
        check(updated.timeout_config.timeout_minutes == 60, f"timeoutMinutes {updated.timeout_config.timeout_minutes}")
        return updated, "timeoutConfig.timeoutMinutes 60"

    step("update_timeout", ["create"], s_update_timeout)

    def s_delete() -> tuple[object, str]:
        response = api.delete_session_with_http_info(session_id)
        check(response.status_code == 200, f"status {response.status_code}")
        deleted = response.data
        check(deleted.success is True, f"success {deleted.success}")
        check(isinstance(deleted.message, str), f"message {deleted.message!r}")
        return deleted, f"success, {deleted.message!r}"

    step("delete", ["create"], s_delete)

    # The generated client raises ApiException subclasses whose `data` is the error body deserialized into the model
    # the spec declares for that status (typed `Any` on the exception): narrowed with isinstance.
    def s_error_404() -> tuple[SessionError, str]:
        try:
            api.get_session(session_id)
        except ApiException as error:
            check(error.status == 404, f"status {error.status}")
            body = error.data
            if not isinstance(body, SessionError):
                raise StepFailure(f"error body is {type(body).__name__}, not SessionError") from error
            check(body.error.code == "SESSION_NOT_FOUND", f"error.code {body.error.code!r}")
            check(isinstance(body.error.message, str), "error.message is not a string")
            return body, f"404 SessionError, error.code {body.error.code}"
        raise StepFailure("the deleted session was found")

    step("error_404", ["delete"], s_error_404)

    def s_error_401() -> tuple[AuthError, str]:
        try:
            no_key_api.get_sessions_health()
        except ApiException as error:
            check(error.status == 401, f"status {error.status}")
            body = error.data
            if not isinstance(body, AuthError):
                raise StepFailure(f"error body is {type(body).__name__}, not AuthError") from error
            check(body.error == "API key required", f"error {body.error!r}")
            return body, f"401 AuthError, error {body.error!r}"
        raise StepFailure("health answered without the API key")

    step("error_401", [], s_error_401)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())

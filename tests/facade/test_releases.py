"""One public API for every release: the client against the local server being 1.6.5, 1.7.0, 1.7.2 and 1.7.3-alpha.4.

Each release sends differently (``openapi.yaml``'s ``x-eliza-releases``); the client must give the same models, the
same guarantees (exactly once, typed errors) and the reply wherever the release puts it. The request bodies the
client wrote are read back from a caller's ``requests.Session`` hook, so what went on the wire is asserted, not
assumed.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
import responses

from eliza_client import (
    AgentResponse,
    APITimeoutError,
    AuthenticationError,
    DoneEvent,
    ElizaClient,
    ElizaError,
    InternalServerError,
    Message,
    Reply,
    ReplyLostError,
    SendResult,
    ServerVersion,
    SessionStatus,
    Timeout,
    UserMessageEvent,
    ValidationError,
)
from eliza_client.testing import SILENT_MARKER, LocalSessionsServer, make_jwt

RELEASES = ("1.6.5", "1.7.0", "1.7.2", "1.7.3-alpha.4")
#: The request field(s) each release reads for a send that waits, once the client knows the release.
WAIT_FIELDS = {
    "1.6.5": {},
    "1.7.0": {"mode": "sync"},
    "1.7.2": {"transport": "http"},
    "1.7.3-alpha.4": {"transport": "http"},
}
USER = "5b0c6a8e-3f1d-4c2b-9e7a-1d2c3b4a5f60"


class Wire:
    """A caller's session that keeps every request body it sent (decoded) and every status it got."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.trust_env = False
        self.sent: list[tuple[str, str, Any]] = []
        self.session.hooks["response"].append(self._keep)

    def _keep(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        body = response.request.body
        decoded = json.loads(body) if body else None
        self.sent.append((response.request.method or "", response.request.path_url, decoded))

    def send_bodies(self) -> list[dict[str, Any]]:
        return [body for method, path, body in self.sent if method == "POST" and path.endswith("/messages")]


def request_fields(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in ("transport", "mode") if key in body}


@pytest.fixture(params=RELEASES)
def release(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server(release: str) -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(server_version=release, rate_limit=None, reply_delay=0.05, chunk_delay=0.001) as srv:
        yield srv


@pytest.fixture
def wire() -> Iterator[Wire]:
    recording = Wire()
    yield recording
    recording.session.close()


def open_session(client: ElizaClient, server: LocalSessionsServer) -> str:
    return client.sessions.create(server.agent_id, USER).id


@pytest.mark.parametrize("pinned", [False, True])
def test_every_send_method_gives_the_same_models_on_every_release(
    server: LocalSessionsServer, release: str, wire: Wire, pinned: bool
) -> None:
    with ElizaClient(
        server.base_url, session=wire.session, server_version=release if pinned else None, reply_timeout=10
    ) as client:
        sid = open_session(client, server)

        sent = client.sessions.send_message(sid, "hello")
        assert isinstance(sent, SendResult)
        assert isinstance(sent.message, Message)
        assert (sent.message.content, sent.message.is_agent) == ("hello", False)
        assert isinstance(sent.message.created_at, datetime)
        assert sent.message.created_at.tzinfo is not None
        assert sent.message.client_message_id is not None
        assert isinstance(sent.session_status, SessionStatus)

        reply = client.sessions.send_and_wait(sid, "how are you")
        assert isinstance(reply, Reply)
        assert reply.message.content == "how are you"
        assert isinstance(reply.agent_response, AgentResponse)
        assert reply.agent_response.text == "You said: how are you"

        with client.sessions.stream(sid, "tell me") as stream:
            events = list(stream)
        assert isinstance(events[0], UserMessageEvent)
        assert events[0].message.content == "tell me"
        assert isinstance(events[-1], DoneEvent)
        assert events[-1].agent_response.text == "You said: tell me"
        assert stream.text == "You said: tell me"

        stored = list(client.sessions.iter_messages(sid, oldest_first=True))
    history = [m.content for m in stored]
    # Every message once (the client never sent one twice), in the conversation's order (by time: the server
    # defines no order among messages of the same millisecond).
    for text in ("hello", "how are you", "tell me"):
        assert history.count(text) == 1
    when = {m.content: m.created_at for m in stored}
    assert when["hello"] <= when["how are you"] <= when["tell me"]

    bodies = wire.send_bodies()
    assert len(bodies) == 3
    if pinned:
        # Pinned: the release's own form from the very first request.
        assert request_fields(bodies[1]) == WAIT_FIELDS[release]
    else:
        # Unknown at first: both fields, meaning the same thing (every release reads one of them, or neither) ...
        assert request_fields(bodies[0]) == {"transport": "websocket", "mode": "websocket"}
        # ... and the release's own form once an answer showed it.
        assert request_fields(bodies[1]) == WAIT_FIELDS[release]


def test_a_wait_on_1_6_5_reads_the_reply_from_the_history_and_says_so_when_none_comes(wire: Wire) -> None:
    with (
        LocalSessionsServer(server_version="1.6.5", rate_limit=None, reply_delay=0.05) as server,
        ElizaClient(server.base_url, session=wire.session, reply_timeout=1.5) as client,
    ):
        sid = open_session(client, server)
        first = client.sessions.send_and_wait(sid, "first").agent_response
        assert first is not None
        # The reply read from the history is that stored message: its id is the reply's id.
        stored_reply = next(m for m in client.sessions.iter_messages(sid) if m.is_agent)
        assert first.response_id == stored_reply.id
        with pytest.raises(ReplyLostError) as caught:
            client.sessions.send_and_wait(sid, f"quiet please {SILENT_MARKER}")
        error = caught.value
        assert error.delivery == "stored"  # do not resend: it is in the conversation
        assert error.sent_message.content == f"quiet please {SILENT_MARKER}"
        assert "no agent reply appeared in the history" in str(error)
        stored = [m["content"] for m in server.stored_messages(sid)]
        assert stored.count(f"quiet please {SILENT_MARKER}") == 1


def test_a_reply_is_matched_to_its_own_message_not_an_earlier_one(wire: Wire) -> None:
    # The reply to the first message lands after the second was sent: the second's reply must be its own.
    with (
        LocalSessionsServer(server_version="1.6.5", rate_limit=None, reply_delay=0.3) as server,
        ElizaClient(server.base_url, session=wire.session, reply_timeout=5) as client,
    ):
        sid = open_session(client, server)
        client.sessions.send_message(sid, "one")
        reply = client.sessions.send_and_wait(sid, "two")
        assert reply.agent_response is not None
        assert reply.agent_response.text == "You said: two"


@pytest.mark.parametrize("release", ["1.6.5", "1.7.0"])
def test_a_lost_answer_on_a_release_that_stores_replies_still_gives_the_reply(release: str, wire: Wire) -> None:
    # The answer is dropped after the store: the client finds the message (never sends it twice) and, since these
    # releases store every reply, reads the reply from the history instead of raising ReplyLostError.
    with (
        LocalSessionsServer(server_version=release, rate_limit=None, reply_delay=0.05) as server,
        ElizaClient(
            server.base_url, session=wire.session, server_version=release, reply_timeout=5, reconcile_window=0.5
        ) as client,
    ):
        sid = open_session(client, server)
        server.faults.drop_connection(when="after_store", route="send_message")
        reply = client.sessions.send_and_wait(sid, "are you there")
        assert reply.agent_response is not None
        assert reply.agent_response.text == "You said: are you there"
        assert [m["content"] for m in server.stored_messages(sid)].count("are you there") == 1
        server.faults.drop_connection(when="after_store", route="send_message")
        with client.sessions.stream(sid, "and now") as stream:
            assert stream.until_done().text == "You said: and now"
        assert [m["content"] for m in server.stored_messages(sid)].count("and now") == 1


def test_a_wrong_pin_is_corrected_by_the_answers_with_one_warning(wire: Wire, caplog: pytest.LogCaptureFixture) -> None:
    # Pinned to 1.7.2 but the server is 1.7.0: `transport` is not read, the answer says 1.7.0, the reply comes
    # from the history this once, and the next send uses 1.7.0's form.
    with (
        LocalSessionsServer(server_version="1.7.0", rate_limit=None, reply_delay=0.05) as server,
        ElizaClient(server.base_url, session=wire.session, server_version="1.7.2", reply_timeout=5) as client,
        caplog.at_level(logging.WARNING, logger="eliza_client"),
    ):
        sid = open_session(client, server)
        first = client.sessions.send_and_wait(sid, "first")
        second = client.sessions.send_and_wait(sid, "second")
    assert first.agent_response is not None
    assert first.agent_response.text == "You said: first"
    assert second.agent_response is not None
    assert second.agent_response.text == "You said: second"
    bodies = wire.send_bodies()
    assert [request_fields(b) for b in bodies] == [{"transport": "http"}, {"mode": "sync"}]
    warnings = [r.getMessage() for r in caplog.records if "pinned" in r.getMessage()]
    assert len(warnings) == 1
    assert "1.7.0" in warnings[0]


def test_server_version_reads_the_release_and_teaches_the_client(server: LocalSessionsServer, release: str) -> None:
    wire = Wire()
    with ElizaClient(server.base_url, session=wire.session) as client:
        version = client.server_version()
        assert isinstance(version, ServerVersion)
        assert version.version == release
        assert version.timestamp is not None
        assert version.uptime is not None
        sid = open_session(client, server)
        client.sessions.send_and_wait(sid, "hi")
    # Known from the version endpoint: the very first send is in the release's own form.
    assert request_fields(wire.send_bodies()[0]) == WAIT_FIELDS[release]


@pytest.mark.parametrize("value", [5, "", "latest", "1.7", "1.7.2.1", " ", "1.7.2 beta"])
def test_a_bad_server_version_is_a_validation_error_naming_it(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        ElizaClient("http://127.0.0.1:9", server_version=value)  # type: ignore[arg-type]
    assert caught.value.field == "server_version"


def test_an_unmeasured_release_is_accepted_and_learnt_from_the_answers(
    wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        LocalSessionsServer(server_version="1.7.0", rate_limit=None, reply_delay=0.05) as server,
        ElizaClient(server.base_url, session=wire.session, server_version="1.7.1", reply_timeout=5) as client,
        caplog.at_level(logging.WARNING, logger="eliza_client"),
    ):
        sid = open_session(client, server)
        assert client.sessions.send_and_wait(sid, "hi").agent_response is not None
        assert client.sessions.send_and_wait(sid, "again").agent_response is not None
    assert not [r for r in caplog.records if "pinned" in r.getMessage()]  # 1.7.1 named no form: nothing to correct
    assert request_fields(wire.send_bodies()[0]) == {"transport": "http", "mode": "sync"}
    assert request_fields(wire.send_bodies()[-1]) == {"mode": "sync"}  # learnt from the first answer


def test_the_environment_pins_the_release(monkeypatch: pytest.MonkeyPatch, wire: Wire) -> None:
    monkeypatch.setenv("ELIZA_SERVER_VERSION", "1.7.0")
    with (
        LocalSessionsServer(server_version="1.7.0", rate_limit=None, reply_delay=0.05) as server,
        ElizaClient(server.base_url, session=wire.session, reply_timeout=5) as client,
    ):
        client.sessions.send_and_wait(open_session(client, server), "hi")
    assert request_fields(wire.send_bodies()[0]) == {"mode": "sync"}


def test_copies_of_a_client_share_what_it_learnt(wire: Wire) -> None:
    with (
        LocalSessionsServer(server_version="1.7.0", rate_limit=None, reply_delay=0.05) as server,
        ElizaClient(server.base_url, session=wire.session, reply_timeout=5) as client,
    ):
        sid = open_session(client, server)
        client.sessions.send_message(sid, "learn")
        client.with_options(max_retries=0).sessions.send_and_wait(sid, "from the copy")
    assert request_fields(wire.send_bodies()[1]) == {"mode": "sync"}


def test_a_caller_chosen_id_is_exactly_once_on_every_release(server: LocalSessionsServer, release: str) -> None:
    with ElizaClient(server.base_url, reply_timeout=5) as client:
        sid = open_session(client, server)
        cmid = str(uuid.uuid4())
        first = client.sessions.send_message(sid, "once", client_message_id=cmid)
        again = client.sessions.send_message(sid, "once", client_message_id=cmid)
    assert first.message.id == again.message.id
    assert [m["content"] for m in server.stored_messages(sid)].count("once") == 1


# --- data isolation (1.7.3): a bearer token on every call, kept secret ------------------------------------------

JWT_SECRET = "isolation-secret-4f1c"


@pytest.fixture
def isolated() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(
        server_version="1.7.3-alpha.4", data_isolation=True, jwt_secret=JWT_SECRET, rate_limit=None, reply_delay=0.05
    ) as srv:
        yield srv


def test_a_bearer_token_opens_a_data_isolation_server(isolated: LocalSessionsServer) -> None:
    token = make_jwt(JWT_SECRET, "user-1")
    with ElizaClient(isolated.base_url, bearer_token=token, reply_timeout=5) as client:
        sid = open_session(client, isolated)
        assert client.sessions.send_and_wait(sid, "hi").agent_response is not None
        assert [m.content for m in client.sessions.iter_messages(sid)] == ["hi"]
        assert client.server_version().version == "1.7.3-alpha.4"


def test_the_token_comes_from_the_environment(isolated: LocalSessionsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELIZA_BEARER_TOKEN", make_jwt(JWT_SECRET, "user-2"))
    with ElizaClient(isolated.base_url) as client:
        assert client.sessions.health().status == "healthy"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (None, None),
        (make_jwt("another-secret", "user-1"), "signature verification failed"),
        (make_jwt(JWT_SECRET, "user-1", exp=1), '"exp" claim timestamp check failed'),
        ("not.a.jwt", "JWT verification failed"),
    ],
    ids=["missing", "foreign-signature", "expired", "garbage"],
)
def test_a_refused_token_is_an_authentication_error_naming_the_credential(
    isolated: LocalSessionsServer, token: str | None, reason: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        ElizaClient(isolated.base_url, bearer_token=token) as client,
        caplog.at_level(logging.DEBUG, logger="eliza_client"),
        pytest.raises(AuthenticationError) as caught,
    ):
        client.sessions.list()
    error = caught.value
    assert error.status_code == 401
    assert error.credential == "bearer_token"
    if reason is None:
        assert "JWT token required" in str(error)
        assert error.details is None
    else:
        assert "Invalid JWT token" in str(error)
        assert reason in str(error.details)
    if token is not None:
        # The token is a secret: never in the error, its repr, its body or headers, the client's repr or the logs.
        seen = [str(error), repr(error), repr(error.body), repr(error.headers), repr(client), caplog.text]
        assert not [text for text in seen if token in text]


def test_the_api_key_is_checked_first_and_named_as_such() -> None:
    token = make_jwt(JWT_SECRET, "u")
    with LocalSessionsServer(
        server_version="1.7.3-alpha.4", data_isolation=True, jwt_secret=JWT_SECRET, api_key="k-1", rate_limit=None
    ) as server:
        with (
            ElizaClient(server.base_url, api_key="wrong", bearer_token=token) as client,
            pytest.raises(AuthenticationError) as caught,
        ):
            client.sessions.list()
        assert caught.value.credential == "api_key"
        with (
            ElizaClient(server.base_url, api_key="k-1") as client,
            pytest.raises(AuthenticationError) as caught,
        ):
            client.sessions.list()
        assert caught.value.credential == "bearer_token"
        with ElizaClient(server.base_url, api_key="k-1", bearer_token=token) as client:
            assert client.sessions.list().total == 0


@pytest.mark.parametrize("token", ["", " padded ", "line\nbreak", "Bearer\x00x"])
def test_a_malformed_bearer_token_is_a_validation_error_naming_it(token: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ElizaClient("http://127.0.0.1:9", bearer_token=token)
    assert caught.value.field == "bearer_token"
    assert token not in str(caught.value) or not token.strip()


# --- outside the envelope: the history the reply is read from is slow or failing ---------------------------------


def test_a_slow_history_cannot_hold_a_1_6_5_wait_past_its_deadline(wire: Wire) -> None:
    # Every history read takes 1.5 s and the agent never answers: the wait ends by the call's deadline (total 2 s
    # plus the 2 s reply timeout), saying the message is stored.
    with (
        LocalSessionsServer(server_version="1.6.5", rate_limit=None, reply_delay=0.05) as server,
        ElizaClient(
            server.base_url, session=wire.session, timeout=Timeout(1.0, 3.0, total=2.0), reply_timeout=2.0
        ) as client,
    ):
        sid = open_session(client, server)
        server.faults.delay(1.5, route="list_messages", count=100)
        started = time.monotonic()
        with pytest.raises(ElizaError) as caught:
            client.sessions.send_and_wait(sid, f"anyone {SILENT_MARKER}")
        elapsed = time.monotonic() - started
    assert elapsed < 8.0, elapsed
    assert caught.value.delivery == "stored"
    assert isinstance(caught.value, ReplyLostError | APITimeoutError)


def test_a_failing_history_during_a_1_6_5_wait_is_raised_as_stored(wire: Wire) -> None:
    with (
        LocalSessionsServer(server_version="1.6.5", rate_limit=None, reply_delay=0.05) as server,
        ElizaClient(server.base_url, session=wire.session, reply_timeout=5, max_retries=1) as client,
    ):
        sid = open_session(client, server)
        client.sessions.send_message(sid, "learn the release")  # known as 1.6.5 from here on
        server.faults.fail_next(500, route="list_messages", count=50)
        with pytest.raises(InternalServerError) as caught:
            client.sessions.send_and_wait(sid, "and the reply?")
    assert caught.value.delivery == "stored"
    assert caught.value.client_message_id is not None
    assert [m["content"] for m in server.stored_messages(sid)].count("and the reply?") == 1


def test_an_answer_in_no_release_s_shape_is_reconciled_not_trusted(wire: Wire) -> None:
    # A proxy (or a future release) answers 201 with a body none of the releases write: the client cannot read
    # the acknowledgement, finds the message in the history, and never sends it twice.
    with (
        LocalSessionsServer(server_version="1.7.2", rate_limit=None, reply_delay=0.05) as server,
        ElizaClient(server.base_url, session=wire.session, reconcile_window=0.5) as client,
    ):
        sid = open_session(client, server)
        server.faults.corrupt_body("wrong_shape", route="send_message", when="after_store")
        sent = client.sessions.send_message(sid, "odd answer")
    assert sent.message.content == "odd answer"
    assert [m["content"] for m in server.stored_messages(sid)].count("odd answer") == 1


# --- pairing a 1.6.5 reply with its message (adversarial review findings, each failed before its fix) -----------


def test_a_burst_of_messages_before_a_wait_does_not_shift_the_pairing() -> None:
    # 120 messages sent faster than the agent answers, then a wait: the window is read whole, so no reply is left
    # without its message (a 200-message cut once paired 'burst 78''s reply with the question).
    with (
        LocalSessionsServer(server_version="1.6.5", rate_limit=None, reply_delay=0.5) as server,
        ElizaClient(server.base_url, server_version="1.6.5", reply_timeout=10) as client,
    ):
        sid = open_session(client, server)
        for index in range(120):
            client.sessions.send_message(sid, f"burst {index}")
        reply = client.sessions.send_and_wait(sid, "the real question")
    assert reply.agent_response is not None
    assert reply.agent_response.text == "You said: the real question"


def test_a_late_reply_to_an_earlier_question_is_not_taken_for_the_next_one() -> None:
    # A's reply comes after A's wait gave up and after B was asked: it is A's, and B gets its own.
    with (
        LocalSessionsServer(server_version="1.6.5", rate_limit=None, reply_delay=3.0) as server,
        ElizaClient(server.base_url, server_version="1.6.5", reply_timeout=2.0) as client,
    ):
        sid = open_session(client, server)
        started = time.monotonic()
        with pytest.raises(ReplyLostError) as caught:
            client.sessions.send_and_wait(sid, "question A")
        assert caught.value.delivery == "stored"
        assert time.monotonic() - started >= 1.9  # the whole reply timeout was waited
        time.sleep(max(0.0, 2.5 - (time.monotonic() - started)))
        server.reply_delay = 1.5
        reply = client.sessions.send_and_wait(sid, "question B")
    assert reply.agent_response is not None
    assert reply.agent_response.text == "You said: question B"


def test_replies_stored_in_the_same_millisecond_as_their_message_are_paired() -> None:
    with (
        LocalSessionsServer(server_version="1.6.5", rate_limit=None, reply_delay=0.0) as server,
        ElizaClient(server.base_url, server_version="1.6.5", reply_timeout=5) as client,
    ):
        sid = open_session(client, server)
        texts = []
        for index in range(30):
            reply = client.sessions.send_and_wait(sid, f"q{index}")
            texts.append(reply.agent_response.text if reply.agent_response else None)
    assert texts == [f"You said: q{index}" for index in range(30)]


def test_a_fresh_client_retrying_a_stored_1_6_5_send_gets_its_reply() -> None:
    # The first call succeeded, the process restarted, the caller retries with its id: nothing is sent twice, and
    # the reply is read from the history (the new client asks the version endpoint which release this is).
    with LocalSessionsServer(server_version="1.6.5", rate_limit=None, reply_delay=0.05) as server:
        cmid = str(uuid.uuid4())
        with ElizaClient(server.base_url, reply_timeout=5) as first:
            sid = open_session(first, server)
            first.sessions.send_and_wait(sid, "hello", client_message_id=cmid)
        with ElizaClient(server.base_url, reply_timeout=5) as fresh:
            again = fresh.sessions.send_and_wait(sid, "hello", client_message_id=cmid)
        assert again.agent_response is not None
        assert again.agent_response.text == "You said: hello"
        assert [m["content"] for m in server.stored_messages(sid)].count("hello") == 1


@responses.activate
def test_a_server_version_with_nulls_reads_as_absent_fields() -> None:
    # (A mock: no release sends nulls here; a proxy or a newer release might.)
    body = {"version": "1.7.0", "source": None, "timestamp": None, "environment": None, "uptime": None}
    responses.get("http://eliza.test/api/system/version", json=body)
    with ElizaClient("http://eliza.test") as client:
        version = client.server_version()
    assert (version.version, version.timestamp, version.uptime, version.source) == ("1.7.0", None, None, None)

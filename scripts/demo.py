"""A guided tour of eliza-client: sessions, the three transports, history, lifetime and errors.

    python scripts/demo.py                                   # against an embedded local server
    python scripts/demo.py --base-url URL --agent-id UUID [--api-key KEY]   # against a real elizaOS server

`--base-url`, `--api-key` and `--agent-id` fall back to ELIZA_BASE_URL, ELIZA_API_KEY and ELIZA_AGENT_ID. With
no base URL at all the demo starts the project's local sessions server on 127.0.0.1 and talks to it.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

from eliza_client import (
    ChunkEvent,
    DoneEvent,
    ElizaClient,
    ErrorEvent,
    Message,
    SessionGoneError,
    UserMessageEvent,
    ValidationError,
)
from eliza_client.testing import DEFAULT_SERVER_VERSION, SERVER_VERSIONS, LocalSessionsServer

WEBSOCKET_MESSAGE = "Hello! What can you do?"
HTTP_MESSAGE = "Tell me something short."
STREAM_MESSAGE = "Stream your answer, please."
USER_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "eliza-client-demo-user"))
WIDTH = 78  # every header is exactly this wide; every line the demo writes itself fits in it
RULE = "─"


def say(text: str = "") -> None:
    print(text, flush=True)


def note(text: str, prefix: str = "") -> None:
    """Text wrapped at word boundaries to fit the width, after ``prefix`` (later lines are indented under it)."""
    indent = " " * len(prefix)
    say(textwrap.fill(text, WIDTH, initial_indent=prefix, subsequent_indent=indent, break_long_words=False))


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis if it is longer than ``width``."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if text[width - 1].isalnum() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # do not end inside a word
    return cut.rstrip(" ,;:.") + "…"


def duration(value: timedelta) -> str:
    """A duration as people write it: "under 1 s", "3 s", "2 min 5 s", "1 h 30 min", "2 d 4 h"."""
    total = round(value.total_seconds())
    if total < 0:
        return "-" + duration(-value)
    if total == 0:
        return "under 1 s" if value else "0 s"
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s")]
    return " ".join(f"{amount} {unit}" for amount, unit in parts if amount)


def minutes(value: float | None) -> str:
    return "the server default" if value is None else duration(timedelta(minutes=value))


def step(title: str) -> None:
    head = f"{RULE * 2} {shorten(title, WIDTH - 7)} "
    say()
    say(head + RULE * (WIDTH - len(head)))


@contextlib.contextmanager
def target(args: argparse.Namespace) -> Iterator[tuple[str, str | None, str]]:
    """Yield (base_url, api_key, agent_id): the given server, or an embedded local one."""
    if args.base_url:
        if not args.agent_id:
            sys.exit("--agent-id (or ELIZA_AGENT_ID) is needed with a real server")
        yield args.base_url, args.api_key, args.agent_id
        return
    # Replies to `websocket` sends are stored a moment later, as on the real server.
    with LocalSessionsServer(
        api_key="demo-key", reply_delay=0.15, chunk_delay=0.08, server_version=args.server_version
    ) as server:
        release = (
            "" if args.server_version == DEFAULT_SERVER_VERSION else f" (as @elizaos/server {args.server_version})"
        )
        say(f"Started the local sessions server at {server.base_url}{release},")
        say(f"serving agent {server.agent_id}.")
        yield server.base_url, server.api_key, server.agent_id


def wait_for_agent_reply(client: ElizaClient, session_id: str, timeout: float = 10.0) -> list[Message]:
    """The history, oldest first, once the reply to step 3's websocket send is stored (or ``timeout`` passed)."""
    deadline = time.monotonic() + timeout
    while True:
        history = list(client.sessions.iter_messages(session_id, oldest_first=True))
        if any(message.is_agent for message in history) or time.monotonic() >= deadline:
            return history
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default=os.environ.get("ELIZA_BASE_URL"))
    parser.add_argument("--api-key", default=os.environ.get("ELIZA_API_KEY"))
    parser.add_argument("--agent-id", default=os.environ.get("ELIZA_AGENT_ID"))
    parser.add_argument(
        "--server-version",
        default=DEFAULT_SERVER_VERSION,
        choices=SERVER_VERSIONS,
        help="the release the embedded local server imitates (the client finds out by itself)",
    )
    args = parser.parse_args(argv)

    with target(args) as (base_url, api_key, agent_id), ElizaClient(base_url, api_key=api_key) as client:
        step("1. Is the server there?")
        health = client.sessions.health()
        say(f"status={health.status}, active sessions={health.active_sessions}, uptime={duration(health.uptime)}")

        step("2. Open a session")
        with client.sessions.open(agent_id, USER_ID, metadata={"source": "demo"}) as session:
            note("(`sessions.open` is a `with` block: the session is deleted again when it ends)")
            say(f"session {session.id}")
            idle = minutes(session.timeout_config.timeout_minutes)
            say(f"expires at {session.expires_at:%H:%M:%S} UTC (after {idle} without activity)")

            step("3. Send over the websocket transport")
            note("send_message returns at once; the agent's reply is stored a moment later.")
            sent = client.sessions.send_message(session.id, WEBSOCKET_MESSAGE)
            say(f"stored message {sent.message.id} at {sent.message.created_at:%H:%M:%S.%f}"[:-3])
            say(f"client message id: {sent.message.client_message_id}")
            note("(sent along with the message, so that a retried send is stored exactly once)")

            step("4. Send and wait for the reply (http transport)")
            reply = client.sessions.send_and_wait(session.id, HTTP_MESSAGE)
            text = reply.agent_response.text if reply.agent_response else None
            note(text or "(the agent chose not to answer)", prefix="agent: ")

            step("5. Stream the reply as it is written (sse transport)")
            with client.sessions.stream(session.id, STREAM_MESSAGE) as stream:
                chunks = 0
                for event in stream:
                    if isinstance(event, UserMessageEvent):
                        say(f"(stored as {event.message.id})")
                        print("agent: ", end="", flush=True)
                    elif isinstance(event, ChunkEvent):
                        chunks += 1
                        print(event.text, end="", flush=True)
                    elif isinstance(event, DoneEvent):
                        # A release that cannot stream (1.6.5) sends the whole reply in `done`, without chunks.
                        say(event.agent_response.text or "" if not chunks else "")
                        say(f"(done: actions={list(event.agent_response.actions)})")
                    elif isinstance(event, ErrorEvent):
                        say(f"\n(the agent failed: {event.error})")

            step("6. Page through the history, oldest first")
            note("(complete, even where the server's own cursors skip messages)")
            history = wait_for_agent_reply(client, session.id)
            width = WIDTH - len("00:00:00.000  agent  ")
            for message in history:
                who = "agent" if message.is_agent else "user "
                say(f"{message.created_at:%H:%M:%S.%f}"[:-3] + f"  {who}  {shorten(message.content, width)}")
            replies = sum(message.is_agent for message in history)
            users = len(history) - replies
            late = "" if replies else " (the reply to step 3 had not been stored yet)"
            counted = f"{users} user messages and {replies} agent {'reply' if replies == 1 else 'replies'}{late}"
            if replies > 1:
                note(f"{counted}: this release stores every reply, whichever way it was asked for.")
            else:
                note(
                    f"{counted}: the server stores only the replies to websocket sends (step 3). Replies over the "
                    "http (step 4) and sse (step 5) transports go back to the caller and are never stored."
                )
            newest = list(itertools.islice(client.sessions.iter_messages(session.id), 2))
            say("The two newest, fetched lazily: " + ", ".join(f'"{shorten(m.content, 20)}"' for m in newest))

            step("7. Keep it alive: renew, heartbeat, change the timeout")
            before = client.sessions.get(session.id).renewal_count  # reading a session is not activity
            renewed = client.sessions.renew(session.id)
            say(f"renewed: expires {renewed.expires_at:%H:%M:%S} UTC, renewals={renewed.renewal_count}")
            if before:
                note(
                    f"(this renew + {before} before it: while auto-renew is on, every message sent renews the "
                    "session and counts as a renewal)"
                )
            else:
                note("(this renew alone: auto-renew is off, so the messages sent did not count)")
            beat = client.sessions.heartbeat(session.id)
            say(
                f"heartbeat: last activity {beat.last_activity:%H:%M:%S} UTC, {duration(beat.time_remaining)} "
                f"left, renewals={beat.renewal_count}"
            )
            if beat.renewal_count > renewed.renewal_count:
                note("(a heartbeat renews the session too while auto-renew is on)")
            else:
                note("(auto-renew is off: a heartbeat records activity but does not renew)")
            longer = client.sessions.update_timeout(session.id, timeout_minutes=60)
            config = longer.timeout_config
            say(f"timeout now {minutes(config.timeout_minutes)} without activity")
            say(f"auto-renew {config.auto_renew} and max duration {minutes(config.max_duration_minutes)} were kept")
            note("(the server's PATCH alone resets every setting it is not sent to its default)")

            step("8. Errors are typed")
            try:
                client.sessions.send_message(session.id, "")
            except ValidationError as err:
                say(f"ValidationError before any request: field={err.field!r} rule={err.rule!r}")
        try:
            client.sessions.get(session.id)
        except SessionGoneError as err:
            say("After the `with` block, get() finds the session gone:")
            say(f"{type(err).__name__} ({err.status_code} {err.code})")

        step("Done")
        note("The session was deleted when its `with` block ended; the client closes when its own ends.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

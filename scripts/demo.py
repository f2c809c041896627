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
import time
import uuid
from collections.abc import Iterator

from eliza_client import (
    ChunkEvent,
    DoneEvent,
    ElizaClient,
    ErrorEvent,
    SessionGoneError,
    UserMessageEvent,
    ValidationError,
)
from eliza_client.testing import LocalSessionsServer

USER_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "eliza-client-demo-user"))


def say(text: str = "") -> None:
    print(text, flush=True)


def step(title: str) -> None:
    say()
    say(f"── {title} " + "─" * max(0, 70 - len(title)))


@contextlib.contextmanager
def target(args: argparse.Namespace) -> Iterator[tuple[str, str | None, str]]:
    """Yield (base_url, api_key, agent_id): the given server, or an embedded local one."""
    if args.base_url:
        if not args.agent_id:
            sys.exit("--agent-id (or ELIZA_AGENT_ID) is needed with a real server")
        yield args.base_url, args.api_key, args.agent_id
        return
    # Replies to `websocket` sends are stored a moment later, as on the real server.
    with LocalSessionsServer(api_key="demo-key", reply_delay=0.15, chunk_delay=0.08) as server:
        say(f"Started the local sessions server at {server.base_url} (agent {server.agent_id}).")
        yield server.base_url, server.api_key, server.agent_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default=os.environ.get("ELIZA_BASE_URL"))
    parser.add_argument("--api-key", default=os.environ.get("ELIZA_API_KEY"))
    parser.add_argument("--agent-id", default=os.environ.get("ELIZA_AGENT_ID"))
    args = parser.parse_args(argv)

    with target(args) as (base_url, api_key, agent_id), ElizaClient(base_url, api_key=api_key) as client:
        step("1. Is the server there?")
        health = client.sessions.health()
        say(f"status={health.status}, active sessions={health.active_sessions}, uptime={health.uptime}")

        step("2. Open a session (deleted again when the `with` block ends)")
        with client.sessions.open(agent_id, USER_ID, metadata={"source": "demo"}) as session:
            say(f"session {session.id}")
            say(f"expires at {session.expires_at:%H:%M:%S} UTC ({session.timeout_config.timeout_minutes:g} min idle)")

            step("3. Send with the websocket transport: returns at once, the reply is stored later")
            sent = client.sessions.send_message(session.id, "Hello! What can you do?")
            say(f"stored message {sent.message.id} at {sent.message.created_at:%H:%M:%S.%f}"[:-3])
            say(f"client message id (for exactly-once delivery): {sent.message.client_message_id}")

            step("4. Send and wait for the reply (http transport)")
            reply = client.sessions.send_and_wait(session.id, "Tell me something short.")
            text = reply.agent_response.text if reply.agent_response else "(the agent chose not to answer)"
            say(f"agent: {text}")

            step("5. Stream the reply as it is written (sse transport)")
            with client.sessions.stream(session.id, "Stream your answer, please.") as stream:
                for event in stream:
                    if isinstance(event, UserMessageEvent):
                        say(f"(stored as {event.message.id})")
                        print("agent: ", end="", flush=True)
                    elif isinstance(event, ChunkEvent):
                        print(event.text, end="", flush=True)
                    elif isinstance(event, DoneEvent):
                        say()
                        say(f"(done: actions={list(event.response.actions)})")
                    elif isinstance(event, ErrorEvent):
                        say(f"\n(the agent failed: {event.error})")

            time.sleep(0.5)  # let the websocket-transport reply of step 3 be stored
            step("6. Page through the history, oldest first (complete even where the server's cursors are not)")
            for message in client.sessions.iter_messages(session.id, oldest_first=True):
                who = "agent" if message.is_agent else "user "
                say(f"{message.created_at:%H:%M:%S.%f}"[:-3] + f"  {who}  {message.content[:60]}")
            newest = list(itertools.islice(client.sessions.iter_messages(session.id), 2))
            say(f"(the two newest, lazily: {[m.content[:20] for m in newest]})")

            step("7. Keep it alive: renew, heartbeat, change the timeout")
            renewed = client.sessions.renew(session.id)
            say(f"renewed: expires {renewed.expires_at:%H:%M:%S}, renewals={renewed.renewal_count}")
            beat = client.sessions.heartbeat(session.id)
            say(f"heartbeat: last activity {beat.last_activity:%H:%M:%S}, {beat.time_remaining} left")
            longer = client.sessions.update_timeout(session.id, timeout_minutes=60)
            config = longer.timeout_config
            say(
                f"timeout now {config.timeout_minutes:g} min; auto-renew {config.auto_renew} and max duration "
                f"{config.max_duration_minutes:g} min were kept (the server alone would have reset them)"
            )

            step("8. Errors are typed")
            try:
                client.sessions.send_message(session.id, "")
            except ValidationError as err:
                say(f"ValidationError before any request: field={err.field!r} rule={err.rule!r}")
        try:
            client.sessions.get(session.id)
        except SessionGoneError as err:
            say(f"after the `with` block the session is gone: {type(err).__name__} ({err.status_code} {err.code})")

        step("Done")
        say("The session was deleted on leaving the `with` block; the client closes on leaving its own.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

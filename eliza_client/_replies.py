"""The agent's reply read from the history, for releases that cannot hand it back in the send's answer.

1.6.5 reads no transport: every send answers at once, and the agent's reply is stored in the history a moment
later (so is 1.7.0's, for a send whose ``transport`` it did not read). ``send_and_wait`` and ``stream`` then wait
for it there, reading the history until the reply paired with ours appears, within the client's reply timeout (and
the call's deadline). Each look is one history request (more for a crowded window): about five in the first second,
then one a second, so a reply that takes long costs requests of the server's rate limit.

Which reply answers which message: the history does not say (replies carry no link to the message they answer), so
replies are paired with the user messages in the order both were stored (the agent answers a conversation's
messages in turn), over a window reaching twice the reply timeout back. That is exact for a conversation that
waits for each reply, and for bursts of messages the agent answers in turn. What it cannot tell apart: a message
the agent chose not to answer takes the next reply, so later waits in the window end in ``ReplyLostError`` (an
honest failure, not a wrong reply) until the window has passed it; two clients sending into one session at once
may pair each other's replies; and a reply later than twice the reply timeout is taken for a newer message's.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from ._errors import ElizaError, ReplyLostError
from ._models import AgentResponse, Message
from ._pagination import FetchPage, MessageIterator

if TYPE_CHECKING:
    from ._deadline import Deadline
    from ._sending import PreparedSend
    from ._transport import Answer, Transport

__all__ = ["HistoryReplies", "agent_response_of"]

#: How many messages the pairing window may hold (one look reads at most this many).
SCAN_LIMIT: Final = 2000
#: Waits between looks: they grow from the first to the last.
FIRST_WAIT: Final = 0.1
LAST_WAIT: Final = 1.0


def agent_response_of(message: Message) -> AgentResponse:
    """An agent's stored reply as the reply a send returns (its text, and the thought and actions it stored)."""
    from eliza_sessions_api import wire

    # The agent stores its thought and actions in the reply's metadata, under the names a reply carries them.
    thought = message.metadata.get(wire.AgentResponse.thought)
    actions = message.metadata.get(wire.AgentResponse.actions)
    return AgentResponse(
        text=message.content,
        thought=thought if isinstance(thought, str) else None,
        actions=tuple(a for a in actions if isinstance(a, str)) if isinstance(actions, list) else (),
        response_id=message.id,  # the stored reply's id (what `responseId` names for a reply given in the answer)
    )


class HistoryReplies:
    """Waits for the agent's reply to a stored message in the session's history."""

    def __init__(
        self,
        transport: Transport,
        reply_timeout: float,
        history: Callable[[str, str, Deadline | None, Callable[[Answer], None] | None], FetchPage],
    ) -> None:
        self._transport = transport
        self._reply_timeout = reply_timeout  # the client's reply_timeout: how long the agent may take
        self._history = history

    def wait(self, send: PreparedSend, message: Message) -> AgentResponse:
        """The reply to ``message`` once it is in the history.

        Raises: :class:`ReplyLostError` (the message is stored) when no reply appears within the reply timeout or
        the call's deadline, or when the history is too crowded to tell which reply is ours; what the history reads
        raise (tagged ``stored``: the message is there).
        """
        started = time.monotonic()
        limit = started + self._reply_timeout
        waited, pause = 0.0, FIRST_WAIT
        while True:
            try:
                reply = self._look(send, message)
            except ElizaError as err:
                err.client_message_id, err.delivery = send.client_message_id, "stored"  # it is in the history
                raise
            if isinstance(reply, Message):
                return agent_response_of(reply)
            if reply is _CROWDED:
                raise self._lost(
                    send,
                    message,
                    f"more than {SCAN_LIMIT} messages were stored around it, too many to tell which reply is its own",
                )
            now = started + waited
            wait = min(pause, limit - now)
            remaining = send.deadline.remaining()
            if wait <= 0 or (remaining is not None and wait >= remaining):
                raise self._lost(send, message, f"no agent reply appeared in the history within {waited:.1f} s")
            # (Sleeping through the transport: a closed client wakes at once, and tests may skip the waits.)
            self._transport.sleep(wait)
            waited += wait
            pause = min(LAST_WAIT, pause * 1.5)

    @staticmethod
    def _lost(send: PreparedSend, message: Message, why: str) -> ReplyLostError:
        return ReplyLostError(
            f"{send.operation}: message {send.client_message_id} was stored, but {why} (this server release stores "
            "replies there instead of answering with them)",
            sent_message=message,
            client_message_id=send.client_message_id,
            session_id=send.session_id,
            operation=send.operation,
        )

    def _look(self, send: PreparedSend, message: Message) -> Message | object | None:
        """One read of the history back to the pairing window's start: the agent message that answers
        ``message`` if it is stored yet (None if not; ``_CROWDED`` if the window holds too many messages).

        Replies are paired with the user messages first in, first out, in the order both were stored (at the same
        millisecond a user message comes first: a reply never precedes its message). The window starts twice the
        reply timeout before our message, so an earlier message whose reply is late still counts, and the whole
        window is read: cutting it short would keep replies whose messages were cut and shift every pairing.
        """
        horizon = message.created_at - timedelta(seconds=2 * self._reply_timeout)
        newest_first = MessageIterator(
            self._history(send.operation, send.session_id, send.deadline, None),
            page_size=100,
            oldest_first=False,
            before=None,
            after=None,
        )
        window: list[Message] = []
        for stored in newest_first:
            if stored.created_at < horizon:
                break
            if len(window) >= SCAN_LIMIT:
                return _CROWDED
            window.append(stored)
        if all(stored.id != message.id for stored in window):
            return None  # our message is not (yet) in what was read: nothing can be paired with it
        # Oldest first; a stable sort keeps the server's order otherwise.
        window.sort(key=lambda stored: (stored.created_at, stored.is_agent))
        unanswered: deque[str] = deque()
        for stored in window:
            if not stored.is_agent:
                unanswered.append(stored.id)
            elif unanswered and unanswered.popleft() == message.id:
                return stored
        return None


#: What ``_look`` returns when the pairing window holds more messages than it reads.
_CROWDED: Final = object()

"""The agent's reply read from the history, for releases that cannot hand it back in the send's answer.

1.6.5 reads no transport: every send answers at once, and the agent's reply is stored in the history a moment
later (so is 1.7.0's, for a send whose ``transport`` it did not read). ``send_and_wait`` and ``stream`` then wait
for it there, reading the newest messages until an agent message newer than ours appears, within the client's
reply timeout (and the call's deadline).

Which reply answers which message: the history does not say (replies carry no link to the message they answer), so
replies are paired with the user messages in the order both were stored (the agent answers a conversation's
messages in turn), counting only the messages of the last reply timeout before ours. A message the agent chose not
to answer inside that window takes the next reply, and two clients sending into one session at once may pair each
other's replies; one conversation at a time per session, the way a chat works, is exact.
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
    from ._transport import Answer, RequestOptions, Transport

__all__ = ["HistoryReplies", "agent_response_of"]

#: How many of the newest messages one look at the history reads at most.
SCAN_LIMIT: Final = 200
#: Seconds of history before our message that are paired when the client has no reply timeout.
DEFAULT_HORIZON: Final = 120.0
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
    )


class HistoryReplies:
    """Waits for the agent's reply to a stored message in the session's history."""

    def __init__(
        self,
        transport: Transport,
        reply_options: RequestOptions,
        history: Callable[[str, str, Deadline | None, Callable[[Answer], None] | None], FetchPage],
    ) -> None:
        self._transport = transport
        self._reply_timeout = reply_options.timeout.read
        self._history = history

    def wait(self, send: PreparedSend, message: Message) -> AgentResponse:
        """The reply to ``message`` once it is in the history.

        Raises: :class:`ReplyLostError` (the message is stored) when no reply appears within the reply timeout or
        the call's deadline; what the history reads raise (tagged ``stored``: the message is there).
        """
        started = time.monotonic()
        limit = None if self._reply_timeout is None else started + self._reply_timeout
        waited, pause = 0.0, FIRST_WAIT
        while True:
            try:
                reply = self._look(send, message)
            except ElizaError as err:
                err.client_message_id, err.delivery = send.client_message_id, "stored"  # it is in the history
                raise
            if reply is not None:
                return agent_response_of(reply)
            remaining = send.deadline.remaining()
            now = started + waited
            if (limit is not None and now + pause > limit) or (remaining is not None and pause >= remaining):
                raise ReplyLostError(
                    f"{send.operation}: message {send.client_message_id} was stored, but no agent reply appeared in "
                    f"the history within {waited:.1f} s (this server release stores replies there instead of "
                    "answering with them)",
                    sent_message=message,
                    client_message_id=send.client_message_id,
                    session_id=send.session_id,
                    operation=send.operation,
                )
            self._transport.sleep(pause)
            waited += pause
            pause = min(LAST_WAIT, pause * 1.5)

    def _look(self, send: PreparedSend, message: Message) -> Message | None:
        """One newest-first read: the agent message that answers ``message``, if it is stored yet.

        Replies are paired with user messages first in, first out, over the messages of the last reply timeout
        before ours (older unanswered messages will not be answered any more), so a late reply to an earlier
        message is not taken for ours.
        """
        horizon = message.created_at - timedelta(seconds=self._reply_timeout or DEFAULT_HORIZON)
        newest_first = MessageIterator(
            self._history(send.operation, send.session_id, send.deadline, None),
            page_size=50,
            oldest_first=False,
            before=None,
            after=None,
        )
        window: list[Message] = []
        seen_ours = False
        for scanned, stored in enumerate(newest_first):
            if stored.created_at < horizon or scanned >= SCAN_LIMIT:
                break
            window.append(stored)
            seen_ours = seen_ours or stored.id == message.id
        if not seen_ours:
            return None  # our message is not (yet) in what was read: nothing can be paired with it
        unanswered: deque[str] = deque()
        for stored in reversed(window):  # oldest first
            if not stored.is_agent:
                unanswered.append(stored.id)
            elif unanswered and unanswered.popleft() == message.id:
                return stored
        return None

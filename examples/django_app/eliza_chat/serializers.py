"""eliza_client's models as the JSON this app's API returns (snake_case, ISO-8601 times).

Written out field by field rather than dumping the models: the API's shape is then a decision of this app,
and nothing the upstream server adds later (its models keep unknown fields in ``extra``) leaks through.
"""

from __future__ import annotations

from typing import Any

from eliza_client import AgentResponse, Message, Session

__all__ = ["agent_response_json", "message_json", "session_json"]


def session_json(session: Session) -> dict[str, Any]:
    """A session's public state."""
    return {
        "id": session.id,
        "agent_id": session.agent_id,
        "user_id": session.user_id,
        "created_at": session.created_at.isoformat(),
        "expires_at": session.expires_at.isoformat(),
        "time_remaining_seconds": session.time_remaining.total_seconds(),
        "is_near_expiration": session.is_near_expiration,
    }


def message_json(message: Message) -> dict[str, Any]:
    """One message of the conversation (metadata is internal bookkeeping and stays out)."""
    return {
        "id": message.id,
        "content": message.content,
        "author_id": message.author_id,
        "is_agent": message.is_agent,
        "created_at": message.created_at.isoformat(),
    }


def agent_response_json(response: AgentResponse) -> dict[str, Any]:
    """The agent's reply (its ``thought`` is the model's reasoning, not meant for the user, so it stays out)."""
    return {"text": response.text, "actions": list(response.actions)}

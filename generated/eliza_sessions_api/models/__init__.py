"""Contains all the data models used in inputs/outputs"""

from .agent_response import AgentResponse
from .attachment import Attachment
from .auth_error import AuthError
from .bus_message import BusMessage
from .create_session_request import CreateSessionRequest
from .created_session import CreatedSession
from .cursors import Cursors
from .deleted_session import DeletedSession
from .error_details import ErrorDetails
from .flat_send_message_response import FlatSendMessageResponse
from .legacy_user_message import LegacyUserMessage
from .message import Message
from .message_metadata import MessageMetadata
from .message_page import MessagePage
from .metadata import Metadata
from .middleware_error import MiddlewareError
from .middleware_error_detail import MiddlewareErrorDetail
from .mode_send_message_response import ModeSendMessageResponse
from .raw_message import RawMessage
from .send_message_request import SendMessageRequest
from .send_message_request_mode import SendMessageRequestMode
from .send_message_request_transport import SendMessageRequestTransport
from .send_message_response import SendMessageResponse
from .server_version import ServerVersion
from .session import Session
from .session_error import SessionError
from .session_error_detail import SessionErrorDetail
from .session_list import SessionList
from .session_stats import SessionStats
from .session_status import SessionStatus
from .sessions_health import SessionsHealth
from .sse_chunk import SseChunk
from .sse_error import SseError
from .timeout_config import TimeoutConfig
from .timeout_config_input import TimeoutConfigInput
from .transport_failure import TransportFailure
from .update_timeout_request import UpdateTimeoutRequest

__all__ = (
    "AgentResponse",
    "Attachment",
    "AuthError",
    "BusMessage",
    "CreatedSession",
    "CreateSessionRequest",
    "Cursors",
    "DeletedSession",
    "ErrorDetails",
    "FlatSendMessageResponse",
    "LegacyUserMessage",
    "Message",
    "MessageMetadata",
    "MessagePage",
    "Metadata",
    "MiddlewareError",
    "MiddlewareErrorDetail",
    "ModeSendMessageResponse",
    "RawMessage",
    "SendMessageRequest",
    "SendMessageRequestMode",
    "SendMessageRequestTransport",
    "SendMessageResponse",
    "ServerVersion",
    "Session",
    "SessionError",
    "SessionErrorDetail",
    "SessionList",
    "SessionsHealth",
    "SessionStats",
    "SessionStatus",
    "SseChunk",
    "SseError",
    "TimeoutConfig",
    "TimeoutConfigInput",
    "TransportFailure",
    "UpdateTimeoutRequest",
)

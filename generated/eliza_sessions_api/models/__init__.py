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
from .error_details_provided_config_type_0 import ErrorDetailsProvidedConfigType0
from .error_details_provided_metadata_type_0 import ErrorDetailsProvidedMetadataType0
from .error_details_provided_value_type_4 import ErrorDetailsProvidedValueType4
from .error_details_value_type_4 import ErrorDetailsValueType4
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
from .raw_message_attachments_type_1 import RawMessageAttachmentsType1
from .send_message_request import SendMessageRequest
from .send_message_request_mode import SendMessageRequestMode
from .send_message_request_transport import SendMessageRequestTransport
from .send_message_response import SendMessageResponse
from .server_version import ServerVersion
from .session import Session
from .session_error import SessionError
from .session_error_detail import SessionErrorDetail
from .session_list import SessionList
from .session_metadata_type_0 import SessionMetadataType0
from .session_stats import SessionStats
from .session_status import SessionStatus
from .sessions_health import SessionsHealth
from .sse_chunk import SseChunk
from .sse_error import SseError
from .timeout_config import TimeoutConfig
from .timeout_config_auto_renew_type_4 import TimeoutConfigAutoRenewType4
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
    "ErrorDetailsProvidedConfigType0",
    "ErrorDetailsProvidedMetadataType0",
    "ErrorDetailsProvidedValueType4",
    "ErrorDetailsValueType4",
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
    "RawMessageAttachmentsType1",
    "SendMessageRequest",
    "SendMessageRequestMode",
    "SendMessageRequestTransport",
    "SendMessageResponse",
    "ServerVersion",
    "Session",
    "SessionError",
    "SessionErrorDetail",
    "SessionList",
    "SessionMetadataType0",
    "SessionsHealth",
    "SessionStats",
    "SessionStatus",
    "SseChunk",
    "SseError",
    "TimeoutConfig",
    "TimeoutConfigAutoRenewType4",
    "TimeoutConfigInput",
    "TransportFailure",
    "UpdateTimeoutRequest",
)

from enum import StrEnum


class SendMessageRequestTransport(StrEnum):
    HTTP = "http"
    SSE = "sse"
    WEBSOCKET = "websocket"

    def __str__(self) -> str:
        return str(self.value)

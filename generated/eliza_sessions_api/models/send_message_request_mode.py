from enum import StrEnum


class SendMessageRequestMode(StrEnum):
    STREAM = "stream"
    SYNC = "sync"
    WEBSOCKET = "websocket"

    def __str__(self) -> str:
        return str(self.value)

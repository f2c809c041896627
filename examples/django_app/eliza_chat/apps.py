"""App configuration."""

from django.apps import AppConfig


class ElizaChatConfig(AppConfig):
    """The chat app."""

    name = "eliza_chat"

    def ready(self) -> None:
        # Imported for its side effect: connecting the setting_changed receiver that rebuilds the client.
        # The client itself is not created here (see client.py for why it is lazy).
        from . import client  # noqa: F401

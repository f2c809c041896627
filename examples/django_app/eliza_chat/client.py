"""The one :class:`ElizaClient` of this process, built from Django settings on first use.

Why one per process: the client holds a pool of keep-alive connections and no per-request state, and is
documented as safe to share between threads. One client per request would pay a TCP handshake per call and
leak pools; one per thread would multiply connections by the worker's thread count.

Why lazily: building it at import time (settings.py, AppConfig.ready) would open its pool in the parent of a
pre-forking server (``gunicorn --preload``), and forked children would then share the parent's sockets.
Created on first use, each worker process gets its own.
"""

from __future__ import annotations

import atexit
import logging
import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from eliza_client import ElizaClient, Timeout, ValidationError

__all__ = ["close_client", "get_client"]

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_client: ElizaClient | None = None
_atexit_registered = False


def _build_client() -> ElizaClient:
    try:
        return ElizaClient(
            settings.ELIZA_BASE_URL,
            api_key=settings.ELIZA_API_KEY,
            timeout=Timeout(settings.ELIZA_CONNECT_TIMEOUT, settings.ELIZA_READ_TIMEOUT, settings.ELIZA_TOTAL_TIMEOUT),
            reply_timeout=settings.ELIZA_REPLY_TIMEOUT,
            max_retries=settings.ELIZA_MAX_RETRIES,
        )
    except ValidationError as err:
        # A bad setting is the operator's mistake, not the caller's: it must not become a 400 for the browser
        # (the view's error mapping would turn a ValidationError into one), so it is re-raised as Django's
        # configuration error, a plain 500. The message names the option, never the key's value.
        raise ImproperlyConfigured(f"ELIZA_* settings: {err.field}: {err.message}") from None


def get_client() -> ElizaClient:
    """The shared client, created on the first call (thread-safe: concurrent first calls build one client).

    Raises:
        ImproperlyConfigured: an ``ELIZA_*`` setting is invalid.
    """
    global _client, _atexit_registered  # noqa: PLW0603 - the process-wide singleton is the point
    client = _client
    if client is not None:
        # Fast path without the lock: reading a module global is atomic, and once set it only changes when
        # settings change (tests) or at shutdown.
        return client
    with _lock:
        # Checked again under the lock: another thread may have built it while this one waited.
        if _client is None:
            _client = _build_client()
            logger.info("created the shared ElizaClient for %s", _client.base_url)
            if not _atexit_registered:
                # Django has no shutdown signal for WSGI apps; atexit runs when runserver, gunicorn or uWSGI
                # workers exit normally, which releases the pooled connections cleanly.
                atexit.register(close_client)
                _atexit_registered = True
        return _client


def close_client() -> None:
    """Close the shared client (the next ``get_client()`` builds a new one). Safe to call more than once."""
    global _client
    with _lock:
        client, _client = _client, None
    if client is not None:
        client.close()


@receiver(setting_changed)
def _rebuild_on_settings_change(*, setting: str, **kwargs: Any) -> None:
    # override_settings (tests) sends this; without it the client would keep the old URL or key. In
    # production settings never change at run time, so this never fires.
    if setting.startswith("ELIZA_"):
        close_client()

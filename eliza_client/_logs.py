"""The library's logger, secret scrubbing for log records and error text, and header redaction.

Library etiquette: ``eliza_client`` logs through ``logging.getLogger("eliza_client")`` and attaches no
handler of its own except a ``NullHandler`` (so that, without logging configured, Python's last-resort
handler does not print our warnings to stderr). Setting ``ELIZA_CLIENT_LOG=debug`` or ``info`` opts in to a
stderr handler, for scripts.

Secrets: every client registers its API key here (a :class:`SecretRegistration`). :data:`secret_filter`, installed
on our logger and on every logger :func:`get_logger` hands out, rewrites each record so that no registered
secret survives in its message, arguments, exception text or extra attributes, and so that header mappings
passed as arguments have their credential headers replaced by ``<redacted>``. ``_errors`` uses
:func:`scrub` for the same purpose on error text.

A logger-level filter only sees records logged on *that* logger, not records propagated from its children,
which is why other modules must log through :data:`logger` or :func:`get_logger`, never through
``logging.getLogger("eliza_client.x")`` directly.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote, quote_plus

from ._constants import ENV_LOG

__all__ = [
    "REDACTED",
    "SENSITIVE_HEADERS",
    "SecretFilter",
    "SecretRegistration",
    "get_logger",
    "is_sensitive_header",
    "logger",
    "scrub",
    "secret_filter",
    "setup_logging",
]

REDACTED: Final = "<redacted>"
#: Lower-case names of headers whose values are credentials. ``X-API-KEY`` is the server's; the others are
#: redacted too because a caller may add them (proxies, cookies) through extra headers.
SENSITIVE_HEADERS: Final = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"})
# Headers a gateway or proxy may want credentials in (``X-Auth-Token``, ``Api-Key``, ``X-Client-Secret`` …): a
# name saying key, token, secret, password or auth marks a credential too. Over-redacting such a header costs
# nothing; leaking one costs a key.
_SECRET_NAME: Final = re.compile(r"key|token|secret|passw|auth|cookie|credential", re.IGNORECASE)


def is_sensitive_header(name: str) -> bool:
    """Whether a header's value is a credential (the fixed names above, or a name that says so)."""
    return name.lower() in SENSITIVE_HEADERS or _SECRET_NAME.search(name) is not None


# The attributes every LogRecord has; anything else in ``record.__dict__`` came from ``extra=`` and is scrubbed.
_STANDARD_RECORD_ATTRS: Final = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
}

_LEVELS: Final = {"debug": logging.DEBUG, "info": logging.INFO}
# How deep scrub_value walks nested containers; log arguments are shallow, this only bounds pathological input.
_MAX_SCRUB_DEPTH: Final = 16


class SecretFilter(logging.Filter):
    """A logging filter that removes registered secrets from every record it sees.

    It never drops a record (``filter`` always returns ``True``); it rewrites it in place, which is what
    lets handlers further up the hierarchy (root, pytest's caplog) see only the scrubbed version.

    Secrets are reference-counted so that two clients sharing one key can be closed independently.
    The filter is thread-safe: registration takes a lock, scrubbing reads an immutable snapshot.

    Raises: nothing; a record that cannot be formatted is left to the handler's own error reporting.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        # Every secret and the forms it may be echoed in, longest first (so a key containing another key is
        # replaced whole), as one compiled alternation: one pass over a text whatever the number of secrets.
        self._snapshot: tuple[str, ...] = ()
        self._pattern: re.Pattern[str] | None = None
        self._stale = False
        self._has_secrets = False

    def add(self, secret: str) -> None:
        """Start scrubbing ``secret``. Empty strings are ignored (replacing "" would garble everything)."""
        if not secret:
            return
        with self._lock:
            self._counts[secret] += 1
            self._rebuild()

    def discard(self, secret: str) -> None:
        """Undo one :meth:`add` of ``secret``; unknown secrets are ignored."""
        with self._lock:
            if self._counts.get(secret, 0) <= 0:
                return
            self._counts[secret] -= 1
            if self._counts[secret] <= 0:
                del self._counts[secret]
            self._rebuild()

    def _rebuild(self) -> None:
        # Compiled on the next scrub, not here: registering 2 000 keys must not compile 2 000 patterns.
        self._stale = True
        self._has_secrets = bool(self._counts)

    def _compiled(self) -> re.Pattern[str] | None:
        if self._stale:
            with self._lock:
                if self._stale:
                    forms = {form for secret in self._counts for form in _echoed_forms(secret)}
                    self._snapshot = tuple(sorted(forms, key=len, reverse=True))
                    self._pattern = re.compile("|".join(map(re.escape, self._snapshot))) if forms else None
                    self._stale = False
        return self._pattern

    def scrub(self, text: str) -> str:
        """Return ``text`` with every registered secret — also URL-encoded or JSON-escaped — replaced by
        ``<redacted>``."""
        if not self._has_secrets:
            return text
        pattern = self._compiled()
        return text if pattern is None else pattern.sub(REDACTED, text)

    def scrub_value(self, value: Any, _depth: int = 0) -> Any:
        """Scrub strings inside ``value`` (str, mapping, list/tuple); other values are returned unchanged.

        Mappings are copied with credential headers redacted by name as well, because a header dict is the
        most likely place for a key that was never registered (e.g. one passed as an extra header).
        Containers nested deeper than a few levels are replaced by a placeholder rather than walked, so a
        cyclic ``extra=`` value cannot turn a log call into a ``RecursionError``.
        """
        if isinstance(value, str):
            return self.scrub(value)
        if not isinstance(value, Mapping | list | tuple):
            return value
        if _depth >= _MAX_SCRUB_DEPTH:
            return "<...>"
        if isinstance(value, Mapping):
            return {
                key: (
                    REDACTED
                    if isinstance(key, str) and key.lower() in SENSITIVE_HEADERS
                    else self.scrub_value(item, _depth + 1)
                )
                for key, item in value.items()
            }
        items = [self.scrub_value(item, _depth + 1) for item in value]
        return tuple(items) if isinstance(value, tuple) else items

    def _clean_arg(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, Mapping | list | tuple):
            return self.scrub_value(value)
        if isinstance(value, int | float | bool) or value is None or not self._has_secrets:
            return value
        # Another object is formatted by its str(); replaced by the scrubbed text only when that holds a secret.
        try:
            text = str(value)
        except Exception:
            return value
        cleaned = self.scrub(text)
        return value if cleaned == text else cleaned

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` so that it carries no secret; always keep it.

        The record is not pre-formatted: ``record.msg`` stays the template (error trackers group by it) and each
        argument is scrubbed on its own — strings scrubbed, header mappings redacted by name, other objects
        replaced by their scrubbed text only when it holds a secret. The template itself is scrubbed only if it
        contains a secret.
        """
        if not self._has_secrets and not isinstance(record.args, Mapping | tuple):
            return True
        if isinstance(record.msg, str):
            record.msg = self.scrub(record.msg)
        if isinstance(record.args, Mapping):
            record.args = self.scrub_value(record.args)
        elif isinstance(record.args, tuple):
            record.args = tuple(self._clean_arg(arg) for arg in record.args)
        if not self._has_secrets:
            return True
        if record.args or not isinstance(record.msg, str):
            self._scrub_formatted(record)  # (a message that is an object, e.g. an exception, is its str())
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so pre-rendering it is how the traceback gets scrubbed.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            scrubbed = self.scrub(record.exc_text)
            if scrubbed != record.exc_text:
                # The exception object itself carries the secret, and handlers such as error trackers read
                # exc_info directly; keep only the scrubbed text (formatters print exc_text without it).
                record.exc_info = None
            record.exc_text = scrubbed
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD_RECORD_ATTRS:
                setattr(record, name, self.scrub_value(value))
        return True

    def _scrub_formatted(self, record: logging.LogRecord) -> None:
        """The last pass: the message as a formatter will render it. An argument's ``repr()`` (``%r``) or a
        format spec can show a secret its ``str()`` did not; then the record is pre-formatted (scrubbed text,
        no arguments), the only form in which the secret cannot come back."""
        try:
            message = record.getMessage()
        except Exception:
            # The handler would print the arguments while reporting the formatting error; drop them.
            try:
                template = self.scrub(str(record.msg))
            except Exception:
                template = "<a log message that cannot be printed>"
            record.msg = f"{template} (arguments removed: they could not be formatted)"
            record.args = None
            return
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg = scrubbed
            record.args = None


def _echoed_forms(secret: str) -> set[str]:
    """``secret`` and how a server or a proxy may echo it: URL-encoded (both ways) and JSON-escaped."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    return {form for form in forms if form}


class SecretRegistration:
    """The secrets one client registered; released once, by ``close()`` or when the client is garbage-collected."""

    def __init__(self) -> None:
        self._secrets: list[str] = []
        self._lock = threading.Lock()
        self._released = False

    def add(self, *secrets: str | None) -> None:
        with self._lock:
            for secret in secrets:
                if secret and not self._released:
                    secret_filter.add(secret)
                    self._secrets.append(secret)

    def release(self) -> None:
        with self._lock:
            self._released = True
            secrets, self._secrets = self._secrets, []
        for secret in secrets:
            secret_filter.discard(secret)


#: The process-wide filter; clients register their keys in it.
secret_filter: Final = SecretFilter()


def _new_lock_after_fork() -> None:
    # A lock held by another thread of the parent at the fork stays held in the child, where that thread does not
    # exist: the child's first client would hang registering its key.
    secret_filter._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock_after_fork)

#: The library logger. Log through this (or :func:`get_logger`) so that :data:`secret_filter` applies.
logger: Final = logging.getLogger("eliza_client")
logger.addHandler(logging.NullHandler())
logger.addFilter(secret_filter)


def get_logger(suffix: str | None = None) -> logging.Logger:
    """Return :data:`logger`, or its child ``eliza_client.<suffix>`` with :data:`secret_filter` installed.

    Raises: nothing.
    """
    if not suffix:
        return logger
    child = logger.getChild(suffix)
    if secret_filter not in child.filters:
        child.addFilter(secret_filter)
    return child


def scrub(text: str) -> str:
    """Return ``text`` with every registered secret replaced by ``<redacted>``.

    Raises: nothing.
    """
    return secret_filter.scrub(text)


# The handler setup_logging attached, if any (a list rather than a ``global`` rebinding).
_env_handler: list[logging.Handler] = []
_setup_lock = threading.Lock()


def setup_logging(environ: Mapping[str, str] | None = None) -> logging.Handler | None:
    """Honour ``ELIZA_CLIENT_LOG``: ``debug`` or ``info`` (any case) attaches one stderr handler to
    :data:`logger` at that level; anything else, or unset, attaches nothing. Idempotent.

    Called once on import. Returns the handler attached by this or an earlier call, if any.

    Raises: nothing; an unknown value is ignored rather than breaking the importing application.
    """
    environ = os.environ if environ is None else environ
    level = _LEVELS.get(environ.get(ENV_LOG, "").strip().lower())
    with _setup_lock:
        if level is None:
            return _env_handler[0] if _env_handler else None
        if not _env_handler:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("[%(asctime)s %(levelname)s %(name)s] %(message)s"))
            # Records from children reach this handler without passing the parent logger's filter.
            handler.addFilter(secret_filter)
            logger.addHandler(handler)
            _env_handler.append(handler)
        _env_handler[0].setLevel(level)
        logger.setLevel(level)
        return _env_handler[0]


setup_logging()

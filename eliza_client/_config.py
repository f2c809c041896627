"""Checks of the client's configuration, made once at construction: a bad value fails here, naming the field, instead
of failing every call later as a retried "connection failed".

What a header value may hold is what HTTP/1.1 lets through unchanged: visible Latin-1 characters and inner spaces
or tabs. CR/LF would split the header (requests refuses it), other control characters and non-Latin-1 characters
cannot be encoded, and leading or trailing whitespace is stripped by servers (so a key with a stray space never
matches). The values checked here are secrets: no message, ``repr`` or ``value_repr`` of an error ever holds them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import SplitResult, urlsplit, urlunsplit

from ._errors import ValidationError
from ._logs import REDACTED, is_sensitive_header

__all__ = ["check_base_url", "check_extra_headers", "check_secret", "header_secrets", "redact_url"]

#: RFC 9110 token characters: what a header name may be made of.
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # every control character but TAB
_URL_FORBIDDEN: Final = re.compile(r"[\x00-\x20\x7f]")  # whitespace and control characters, anywhere in a URL
_AUTH_SCHEMES: Final = ("bearer ", "basic ", "token ")


def check_secret(value: object, field: str) -> str:
    """A header value (an API key, a token, any extra header) that HTTP can carry unchanged.

    Raises: ``ValidationError`` naming ``field`` and the rule, never the value.
    """
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} must be a non-empty string", field=field, rule="type")
    if _CONTROL.search(value):
        raise ValidationError(
            f"{field} contains a line break or another control character", field=field, rule="control_character"
        )
    if value != value.strip(" \t"):
        raise ValidationError(f"{field} has leading or trailing whitespace", field=field, rule="whitespace")
    # Checked without encoding: a UnicodeEncodeError would hold the whole value, and chain it into tracebacks.
    if not value.isascii() and max(map(ord, value)) > 0xFF:
        raise ValidationError(
            f"{field} contains characters an HTTP header cannot carry (only Latin-1 is allowed)",
            field=field,
            rule="encoding",
        )
    return value


def check_extra_headers(value: object) -> dict[str, str]:
    """``extra_headers``: token names, values as :func:`check_secret` wants them.

    Raises: ``ValidationError`` naming ``extra_headers[<name>]``.
    """
    if not isinstance(value, Mapping):
        raise ValidationError("extra_headers must map strings to strings", field="extra_headers", rule="type")
    checked: dict[str, str] = {}
    for name, header_value in value.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ValidationError(
                "extra_headers: a header name must be a non-empty token (letters, digits and !#$%&'*+-.^_`|~)",
                field="extra_headers",
                rule="header_name",
            )
        checked[name] = check_secret(header_value, f"extra_headers[{name}]")
    return checked


def header_secrets(headers: Mapping[str, str]) -> list[str]:
    """The values of credential headers (and the token after ``Bearer``/``Basic``), to be scrubbed everywhere."""
    secrets: list[str] = []
    for name, value in headers.items():
        if is_sensitive_header(name):
            secrets.append(value)
            lowered = value.lower()
            for scheme in _AUTH_SCHEMES:
                if lowered.startswith(scheme) and value[len(scheme) :].strip():
                    secrets.append(value[len(scheme) :].strip())
    return secrets


def check_base_url(value: object) -> SplitResult:
    """An ``http://`` or ``https://`` URL with a host, an optional port in 1–65535 and path, no query or fragment.

    User-info (``http://user:password@host``) is allowed; requests sends it as basic auth.

    Raises: ``ValidationError`` naming ``base_url`` (the message never holds the password).
    """
    if not isinstance(value, str) or not value:
        raise ValidationError("base_url must be a non-empty string", field="base_url", rule="type")

    def fail(reason: str, rule: str) -> ValidationError:
        return ValidationError(f"base_url {reason}", field="base_url", rule=rule)

    if _URL_FORBIDDEN.search(value):
        raise fail("contains whitespace or a control character", "format")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise fail("has a port that is not a number in 1-65535", "port") from None
    if parts.scheme not in ("http", "https"):
        raise fail("must start with http:// or https://", "scheme")
    if not parts.hostname:
        raise fail("has no host", "host")
    if port == 0:
        raise fail("has a port that is not a number in 1-65535", "port")
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise fail("must not have a query or a fragment", "format")
    return parts


def redact_url(url: str) -> str:
    """``url`` with the password of its user-info replaced by ``<redacted>`` (for ``repr`` and messages)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""  # as written in the URL (still percent-encoded)
    return urlunsplit((parts.scheme, f"{user}:{REDACTED}@{host}", parts.path, parts.query, parts.fragment))

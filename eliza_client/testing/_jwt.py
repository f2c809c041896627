"""HS256/HS384/HS512 JWTs: what 1.7.3-alpha.4's data isolation accepts, and a helper to mint test tokens.

The real server verifies with ``jose``'s ``jwtVerify(token, secret, {algorithms: ["HS256", "HS384", "HS512"]})``
(the ``webapi`` build bundled into ``@elizaos/server``) and then checks ``sub`` and the issuer whitelist; every
failure is answered 401 ``{"error": "Invalid JWT token", "details": "JWT verification failed: <message>"}``.
:func:`verify_jwt` follows jose's order of checks and reproduces its messages, standard library only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ._js import JsonSyntaxError, js_json_parse, js_to_string, js_truthy

__all__ = ["JwtError", "make_jwt", "verify_jwt"]

_HASHES: dict[str, Callable[..., Any]] = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_BASE64_ALPHABET = re.compile(r"[A-Za-z0-9+/]*")
_ASCII_WHITESPACE = re.compile(r"[\t\n\f\r ]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class JwtError(ValueError):
    """A token the server rejects; ``str()`` is the message after ``JWT verification failed: ``."""


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _atob(text: str) -> bytes:
    """jose's base64url ``decode`` without ``Uint8Array.fromBase64`` (Node 20-24): ``-``/``_`` become
    ``+``/``/``, then ``atob``'s forgiving-base64 (white space dropped, padding optional, standard base64 also
    accepted). Raises ValueError where atob throws."""
    data = _ASCII_WHITESPACE.sub("", text.replace("-", "+").replace("_", "/"))
    if len(data) % 4 == 0:
        if data.endswith("=="):
            data = data[:-2]
        elif data.endswith("="):
            data = data[:-1]
    if len(data) % 4 == 1 or not _BASE64_ALPHABET.fullmatch(data):
        raise ValueError("The input to be decoded is not correctly encoded.")
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except binascii.Error:  # pragma: no cover - excluded by the checks above
        raise ValueError("The input to be decoded is not correctly encoded.") from None


def _text_decode(data: bytes) -> str:
    # new TextDecoder(): UTF-8, invalid bytes replaced, one leading BOM dropped.
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def _ascii_encode(text: str) -> bytes:
    # jose's internal encode(): throws on any code unit above 127.
    if any(ord(ch) > 127 for ch in text):
        raise JwtError("non-ASCII string encountered in encode()")
    return text.encode("ascii")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _utf8(text: str) -> bytes:
    # TextEncoder: lone surrogates become U+FFFD.
    return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")


def _protected_header(segment: str) -> Any:
    if not segment:
        return {}
    try:
        return js_json_parse(_text_decode(_atob(segment)))
    except (ValueError, JsonSyntaxError):
        raise JwtError("JWS Protected Header is invalid") from None


def _check_crit(header: Any) -> set[str]:
    """``validateCrit`` with only ``b64`` recognized (a compact JWS has no unprotected header)."""
    if not isinstance(header, dict) or "crit" not in header:
        return set()
    crit = header["crit"]
    if not isinstance(crit, list) or not crit or any(not isinstance(item, str) or not item for item in crit):
        raise JwtError('"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present')
    for parameter in crit:
        if parameter != "b64":
            raise JwtError(f'Extension Header Parameter "{parameter}" is not recognized')
        if "b64" not in header:
            raise JwtError('Extension Header Parameter "b64" is missing')
    return set(crit)


def _check_claims(payload_bytes: bytes, now_seconds: int) -> dict[str, Any]:
    """``validateClaimsSet`` with no options: a JSON object, then ``iat``/``nbf``/``exp`` as jose checks them."""
    try:
        payload = js_json_parse(_text_decode(payload_bytes))
    except JsonSyntaxError:
        payload = None
    if not isinstance(payload, dict):
        raise JwtError("JWT Claims Set must be a top-level JSON object")
    if "iat" in payload and not _is_number(payload["iat"]):
        raise JwtError('"iat" claim must be a number')
    if "nbf" in payload:
        if not _is_number(payload["nbf"]):
            raise JwtError('"nbf" claim must be a number')
        if payload["nbf"] > now_seconds:
            raise JwtError('"nbf" claim timestamp check failed')
    if "exp" in payload:
        if not _is_number(payload["exp"]):
            raise JwtError('"exp" claim must be a number')
        if payload["exp"] <= now_seconds:
            raise JwtError('"exp" claim timestamp check failed')
    return payload


def _check_issuer(issuer: Any, whitelist: str | None) -> None:
    """``validateIssuer`` (``JWT_ISSUER_WHITELIST``: unset or ``*`` allows any, else a comma list)."""
    if not whitelist or whitelist == "*":
        return
    allowed = [item.strip() for item in whitelist.split(",")]
    if not js_truthy(issuer):
        raise JwtError("JWT missing required claim: iss (issuer whitelist is configured)")
    if not isinstance(issuer, str) or issuer not in allowed:
        raise JwtError(f"Untrusted issuer: {js_to_string(issuer)}")


def _check_subject(sub: Any) -> None:
    """``stringToUuid(sub)``: numbers are stringified, other non-strings throw, and so does
    ``encodeURIComponent`` on a lone surrogate."""
    if _is_number(sub):
        return
    if not isinstance(sub, str):
        raise JwtError("Value must be string")
    if _LONE_SURROGATE.search(sub):
        raise JwtError("URI malformed")


def verify_jwt(token: str, secret: str, now_seconds: int, issuer_whitelist: str | None = None) -> dict[str, Any]:
    """The claims of ``token`` if the server would accept it; else :class:`JwtError` with jose's message.

    ``now_seconds`` is ``Math.floor(Date.now() / 1000)``; no clock tolerance (the server sets none).
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("Invalid Compact JWS")
    protected, payload_segment, signature_segment = parts
    header = _protected_header(protected)
    joined: dict[str, Any] = header if isinstance(header, dict) else {}
    extensions = _check_crit(header)
    b64 = True
    if "b64" in extensions:
        b64 = joined["b64"]
        if not isinstance(b64, bool):
            raise JwtError('The "b64" (base64url-encode payload) Header Parameter must be a boolean')
    alg = joined.get("alg") if isinstance(header, dict) else None
    if not isinstance(alg, str) or not alg:
        raise JwtError('JWS "alg" (Algorithm) Header Parameter missing or invalid')
    if alg not in _HASHES:
        raise JwtError('"alg" (Algorithm) Header Parameter value not allowed')
    signed = _ascii_encode(protected) + b"." + (_ascii_encode(payload_segment) if b64 else _utf8(payload_segment))
    try:
        signature = _atob(signature_segment)
    except ValueError:
        raise JwtError("Failed to base64url decode the signature") from None
    expected = hmac.new(_utf8(secret), signed, _HASHES[alg]).digest()
    if not hmac.compare_digest(expected, signature):
        raise JwtError("signature verification failed")
    if b64:
        try:
            payload_bytes = _atob(payload_segment)
        except ValueError:
            raise JwtError("Failed to base64url decode the payload") from None
    else:
        payload_bytes = _utf8(payload_segment)
    if "b64" in extensions and joined.get("b64") is False:
        raise JwtError("JWTs MUST NOT use unencoded payload")
    claims = _check_claims(payload_bytes, now_seconds)
    # The secret verifier's own checks, in its order: a truthy sub, the issuer whitelist, then stringToUuid(sub).
    if not js_truthy(claims.get("sub")):
        raise JwtError("JWT missing required claim: sub")
    _check_issuer(claims.get("iss"), issuer_whitelist)
    _check_subject(claims["sub"])
    return claims


def make_jwt(
    secret: str,
    sub: str,
    *,
    exp: int | float | None = None,
    alg: str = "HS256",
    claims: Mapping[str, Any] | None = None,
) -> str:
    """Mint a token that the local server's data isolation (and the real server with ``JWT_SECRET``) accepts.

    Args:
        secret: the server's ``jwt_secret`` / ``JWT_SECRET``.
        sub: the ``sub`` claim (the server derives the entity id from it; it is required).
        exp: the ``exp`` claim in epoch seconds (e.g. ``int(server.clock.now_ms() / 1000) + 3600``); None for a
            token that never expires.
        alg: ``HS256``, ``HS384`` or ``HS512``.
        claims: more claims (``iss``, ``nbf``, ``iat``, …), written after ``sub`` and ``exp``.

    >>> make_jwt("secret", "user-1").count(".")
    2
    """
    if alg not in _HASHES:
        raise ValueError(f"alg must be one of {', '.join(_HASHES)}; got {alg!r}")
    payload: dict[str, Any] = {"sub": sub}
    if exp is not None:
        payload["exp"] = exp
    payload.update(claims or {})
    header = _b64url_encode(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
    signing_input = f"{header}.{body}".encode("ascii")
    signature = hmac.new(_utf8(secret), signing_input, _HASHES[alg]).digest()
    return f"{header}.{body}.{_b64url_encode(signature)}"

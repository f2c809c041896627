"""Opaque, resumable history cursors: a window of one session's history, exact at millisecond ties.

The server's own cursors (``before``/``after``) are bare epoch milliseconds, strict, with no tie-breaker: a page
boundary that falls inside a millisecond shared by several messages skips some of them. A cursor here names a
*window* with an edge at each end, and an edge is a millisecond plus the ids of the messages of that millisecond
that lie on the far side of it (already shown):

* ``upper`` (the walk towards older messages): the window holds messages older than ``upper.ms``, and those of
  ``upper.ms`` itself whose id is not in ``upper.ids``;
* ``lower`` ("what is new"): the window holds messages newer than ``lower.ms``, and those of ``lower.ms`` whose id
  is not in ``lower.ids``.

Either edge may be missing (no bound). The token is URL-safe base64 of a small binary record: a version byte,
which edges are present, each edge's millisecond (signed 64-bit) and ids (16 bytes each, as UUIDs), and an
8-byte BLAKE2b digest keyed with the session id. Its size is bounded whatever the session holds: an edge holds at
most :data:`MAX_EDGE_IDS` ids (more messages in one millisecond cannot be paged by the server at all, see
``_pagination``), so a token is at most 4 304 characters and, with one message at the edge millisecond, 47.

The digest detects a damaged, truncated or edited token and one issued for another session; it is not a secret
(anyone can compute it) and a cursor grants nothing: the server decides what a caller may read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
import uuid
from collections.abc import Iterable

import attrs

from ._errors import PaginationError, ValidationError

__all__ = [
    "MAX_EDGE_IDS",
    "CursorEdge",
    "CursorWindow",
    "UncarriableIdError",
    "decode_cursor",
    "edge_of",
    "encode_cursor",
]

VERSION = 1
#: The most ids an edge holds: the server's largest page (100), since more messages sharing one millisecond
#: make the history unpageable (PaginationError) before a cursor could need them.
MAX_EDGE_IDS = 100
_DIGEST_SIZE = 8
_KEY_PREFIX = b"eliza-client history cursor:"
_HAS_UPPER, _HAS_LOWER = 1, 2
_EDGE_HEAD = struct.Struct(">qB")  # millisecond, id count
# The form every release writes a message id in (its database's uuid type). Only this form survives the 16-byte
# round trip unchanged, and the walk compares ids as strings: another spelling of the same UUID would not match.
_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class UncarriableIdError(ValueError):
    """A message id at a page's edge that a cursor cannot carry exactly (not a lowercase 8-4-4-4-12 UUID)."""

    def __init__(self, message_id: str) -> None:
        super().__init__("a cursor carries only lowercase UUID message ids")
        self.message_id = message_id


@attrs.frozen
class CursorEdge:
    """One end of a window: a millisecond and the ids of that millisecond outside the window."""

    ms: int
    ids: frozenset[str] = frozenset()


@attrs.frozen
class CursorWindow:
    """The part of a session's history a cursor continues with (see the module docstring)."""

    upper: CursorEdge | None = None
    lower: CursorEdge | None = None

    def holds(self, ms: int, message_id: str) -> bool:
        """Whether the message created at ``ms`` with ``message_id`` lies inside the window."""
        upper, lower = self.upper, self.lower
        if upper is not None and (ms > upper.ms or (ms == upper.ms and message_id in upper.ids)):
            return False
        return not (lower is not None and (ms < lower.ms or (ms == lower.ms and message_id in lower.ids)))


def encode_cursor(window: CursorWindow, session_id: str) -> str:
    """The token of ``window`` for the session ``session_id`` (its validated, canonical form)."""
    flags = (_HAS_UPPER if window.upper is not None else 0) | (_HAS_LOWER if window.lower is not None else 0)
    body = bytearray((VERSION, flags))
    for edge in (window.upper, window.lower):
        if edge is not None:
            body += _edge_bytes(edge)
    body += _digest(bytes(body), session_id)
    return base64.urlsafe_b64encode(bytes(body)).rstrip(b"=").decode("ascii")


def decode_cursor(token: object, session_id: str) -> CursorWindow:
    """The window ``token`` names; :class:`ValidationError` (field ``cursor``) for anything this client did not
    issue for ``session_id``."""
    if not isinstance(token, str):
        raise ValidationError(
            f"cursor must be a str (a next_cursor or newer_cursor of a page), not {type(token).__name__}",
            field="cursor",
            rule="type",
        )
    if not token or len(token) > _MAX_TOKEN_LENGTH or not token.isascii():
        raise _invalid("it is empty, too long or not ASCII")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise _invalid("it is not URL-safe base64") from None
    if len(raw) < 2 + _DIGEST_SIZE:
        raise _invalid("it is too short")
    body, digest = raw[:-_DIGEST_SIZE], raw[-_DIGEST_SIZE:]
    if body[0] != VERSION:
        raise ValidationError(
            f"cursor is of version {body[0]}, this client reads version {VERSION}; start the walk again",
            field="cursor",
            rule="version",
        )
    if not _same_digest(digest, _digest(body, session_id)):
        raise _invalid("its check does not match: it was changed or cut, or it belongs to another session")
    flags, position = body[1], 2
    if flags & ~(_HAS_UPPER | _HAS_LOWER):
        raise _invalid("it has unknown flags")
    edges: list[CursorEdge | None] = []
    for present in (flags & _HAS_UPPER, flags & _HAS_LOWER):
        if not present:
            edges.append(None)
            continue
        edge, position = _read_edge(body, position)
        edges.append(edge)
    if position != len(body):
        raise _invalid("it has trailing bytes")
    return CursorWindow(upper=edges[0], lower=edges[1])


_MAX_TOKEN_LENGTH = 4 * ((2 + 2 * (_EDGE_HEAD.size + 16 * MAX_EDGE_IDS) + _DIGEST_SIZE + 2) // 3)


def _edge_bytes(edge: CursorEdge) -> bytes:
    if len(edge.ids) > MAX_EDGE_IDS:
        raise ValueError(f"a cursor edge holds at most {MAX_EDGE_IDS} ids, not {len(edge.ids)}")
    return _EDGE_HEAD.pack(edge.ms, len(edge.ids)) + b"".join(_id_bytes(i) for i in sorted(edge.ids))


def _id_bytes(message_id: str) -> bytes:
    # Kept as 16 bytes and given back in the same (canonical) spelling. The converter checks only that an id is a
    # string, so anything else a server sends is refused here, typed, rather than failing inside uuid.UUID.
    if _CANONICAL_ID.fullmatch(message_id) is None:
        raise UncarriableIdError(message_id)
    return uuid.UUID(message_id).bytes


def _read_edge(body: bytes, position: int) -> tuple[CursorEdge, int]:
    if position + _EDGE_HEAD.size > len(body):
        raise _invalid("it is cut short")
    ms, count = _EDGE_HEAD.unpack_from(body, position)
    position += _EDGE_HEAD.size
    if count > MAX_EDGE_IDS or position + 16 * count > len(body):
        raise _invalid("it is cut short")
    ids = frozenset(str(uuid.UUID(bytes=body[position + 16 * i : position + 16 * (i + 1)])) for i in range(count))
    return CursorEdge(ms, ids), position + 16 * count


def _digest(body: bytes, session_id: str) -> bytes:
    bound = session_id.lower().encode("utf-8") + b"\x00" + body
    return hashlib.blake2b(bound, key=_KEY_PREFIX, digest_size=_DIGEST_SIZE).digest()


def _same_digest(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def _invalid(why: str) -> ValidationError:
    return ValidationError(
        f"cursor is not one this client issued for this session: {why}", field="cursor", rule="invalid"
    )


def edge_of(ms: int, ids: Iterable[str], *also: CursorEdge | None) -> CursorEdge:
    """An edge at ``ms`` holding ``ids``, plus the ids of each edge of ``also`` at the same millisecond."""
    held = set(ids)
    for edge in also:
        if edge is not None and edge.ms == ms:
            held |= edge.ids
    if len(held) > MAX_EDGE_IDS:
        raise PaginationError(
            f"{len(held)} messages share the millisecond {ms}: more than the server's cursors can reach",
            reason="crowded_millisecond",
            millisecond=ms,
            seen=len(held),
        )
    return CursorEdge(ms, frozenset(held))

"""The one JSON decoder for everything the server sends: answers, error bodies and event data.

A JavaScript server never writes ``NaN``/``Infinity`` or a number that overflows a double, so those are malformed
bodies here, like invalid JSON, bytes that are not UTF-8 and nesting deeper than ``JSON_DEPTH_MAX`` (256) levels.
Every caller gets the same verdict for the same bytes, however deep its own stack (short of the last 256 frames);
what it keeps of a body that failed is its own business (a 2xx keeps it, scrubbed, in
``ResponseValidationError.body``; an error answer keeps it as text).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from ._constants import JSON_DEPTH_MAX

__all__ = ["MalformedJSON", "parse"]


class MalformedJSON(ValueError):
    """The bytes are not the JSON a JavaScript server writes; ``reason`` is short and never quotes the body."""

    def __init__(self, reason: str, *, too_deep: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_deep = too_deep


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} overflows a float")
    return value


# One decoder for every body: json.loads with hooks builds a new JSONDecoder (and sniffs the encoding) per call,
# which was the costliest single step of parsing a small answer. JSONDecoder.decode keeps no state: thread-safe.
_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


# Nesting is measured on the structure alone, at C speed, in memory within a few times the body's size. Every byte
# but brackets and quotes goes, and an object's braces count as brackets; no more opening brackets than the limit,
# in strings or not, is the common case. Otherwise escaped backslashes and quotes go too (only they can make a quote
# mean something else), and what is left between quotes is string content. A malformed body may be measured wrongly
# only past the point where the decoder stops reading it, so the decoder never recurses deeper than measured.
_NOT_STRUCTURE: Final = bytes(byte for byte in range(256) if byte not in b'[]{}"')
_AS_BRACKETS: Final = bytes.maketrans(b"{}", b"[]")
_BRACKET_RUN: Final = re.compile(rb"\[+|\]+")
# A pass drops every "[]" (a leaf) and lowers the deepest level by at most one: each level around a leaf stays. In
# the brackets of valid JSON, a bracket still there after k passes holds more than k levels, so the deepest level is
# exactly k above the deepest left; in any other bytes at most k above. Typical answers empty in a few passes; the
# passes stop early once they find few leaves, and what is left is walked run by run: few runs, each a peak's side.
_LEAF_PASSES: Final = 16
_SPARSE_LEAVES: Final = 32
# Strings are cut out a slice at a time: splitting makes an object per piece, and a body of quotes has many.
_STRING_SLICE: Final = 1 << 16


def _escapes_may_matter(body: bytes) -> bool:
    """Whether ``body`` may hold an escaped quote or backslash; most bodies have no backslash or only ``\\n``-like
    escapes, and a two-byte search costs about a nanosecond per byte."""
    # Backslashes are looked at one by one (memchr-fast), up to about as many as would cost what the replacements do.
    at = body.find(b"\\")
    for _ in range(64 + len(body) // 256):
        if at < 0:
            return False
        if body.startswith((b'\\"', b"\\\\"), at):
            return True
        at = body.find(b"\\", at + 2)  # the byte after a backslash is escaped, whatever it is
    return True


def _without_strings(structure: bytes) -> bytes:
    """``structure`` without what lies between its quotes (pairs taken left to right; after a quote left open,
    nothing: the decoder stops at an unterminated string)."""
    kept: list[bytes] = []
    inside = False
    for start in range(0, len(structure), _STRING_SLICE):
        pieces = structure[start : start + _STRING_SLICE].split(b'"')
        kept.append(b"".join(pieces[inside::2]))
        inside ^= len(pieces) % 2 == 0  # an odd number of quotes in the slice
    return b"".join(kept)


def _nested_deeper_than(body: bytes, limit: int) -> bool:
    structure = body.translate(_AS_BRACKETS, _NOT_STRUCTURE)
    if structure.count(b"[") <= limit:
        return False
    if _escapes_may_matter(body):
        # Left to right, as a decoder reads escapes: a run of backslashes loses its pairs, then an escaped quote goes.
        structure = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(_AS_BRACKETS, _NOT_STRUCTURE)
    # Two quotes side by side are an empty string, or the end of one string and the start of the next with no
    # structure between them: either way nothing is lost by dropping them, and most strings go at C speed.
    structure = structure.replace(b'""""', b"").replace(b'""', b"")
    if b'"' in structure:
        structure = _without_strings(structure)
    passes = 0
    while structure and passes < min(_LEAF_PASSES, limit):
        pruned = structure.replace(b"[]", b"")
        dropped = len(structure) - len(pruned)
        if dropped:
            structure, passes = pruned, passes + 1
        if dropped * _SPARSE_LEAVES < len(structure):
            break  # few leaves: the runs are long already, and another pass would cost more than walking them
    # The deepest level left, walked run by run; the first past what the limit allows ends the walk.
    allowed, level = limit - passes, 0
    for run in _BRACKET_RUN.finditer(structure):
        start, end = run.span()
        if structure[start] == 0x5B:  # "["
            level += end - start
            if level > allowed:
                return True
        else:
            level -= end - start
    return False


def parse(body: bytes | str) -> Any:
    """Decode ``body`` (UTF-8; a BOM is tolerated as ``json.loads`` would).

    Raises:
        MalformedJSON: not JSON, not UTF-8, a non-finite number, or nested deeper than ``JSON_DEPTH_MAX``.
            Neither its ``__cause__`` nor its ``__context__`` holds the decoder's error, which keeps the whole body
            (``doc``): a body may echo a secret.
    """
    raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    if _nested_deeper_than(raw, JSON_DEPTH_MAX):
        raise MalformedJSON(f"nested deeper than {JSON_DEPTH_MAX} levels", too_deep=True)
    try:
        # bytes.decode("utf-8") is C all the way; the "utf-8-sig" codec goes through Python-level codec code.
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return _DECODER.decode(text[1:] if text.startswith("\ufeff") else text)
    except RecursionError:  # only a caller already within JSON_DEPTH_MAX frames of the interpreter's limit
        failure = MalformedJSON("nested too deeply to decode at this stack depth", too_deep=True)
    except ValueError as err:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        failure = MalformedJSON(err.msg if isinstance(err, json.JSONDecodeError) else str(err))
    raise failure

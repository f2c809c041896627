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
from itertools import accumulate
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


# Nesting is measured on the structure alone, at C speed. Every byte but brackets and quotes goes; no more opening
# brackets than the limit, in strings or not, is the common case. Otherwise escaped backslashes and quotes go too
# (only they can make a quote mean something else), and what is left between quotes is string content. A malformed
# body may be measured wrongly only past the point where the decoder stops reading it, so the decoder never recurses
# deeper than measured.
_NOT_STRUCTURE: Final = bytes(byte for byte in range(256) if byte not in b'[]{}"')
_LEVEL_STEP: Final = [{ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}.get(byte, 0) for byte in range(256)]
# One bytes.replace of "{}" or "[]" lowers the deepest level by at most one (a pair it drops is a level's peak, and
# every level around it stays), so a structure that such calls empty within the limit is nested within it. Typical
# answers empty in a few; the rest are walked level by level.
_LEAF_PASSES: Final = 16
# Left to right, as a decoder reads escapes: \\ and \" are the escapes that hide a backslash or a quote.
_ESCAPED_BACKSLASH_OR_QUOTE: Final = re.compile(rb'\\[\\"]')
# Backslashes looked at one by one (memchr-fast) before a body is left to the regex: about as many as cost what the
# regex would.
_ESCAPES_LOOKED_AT_PER_BYTE: Final = 1 / 256


def _escapes_may_matter(body: bytes) -> bool:
    """Whether ``body`` may hold an escaped quote or backslash; most bodies have no backslash or only ``\\n``-like
    escapes, and a two-byte search would cost as much as the regex."""
    at = body.find(b"\\")
    for _ in range(64 + int(len(body) * _ESCAPES_LOOKED_AT_PER_BYTE)):
        if at < 0:
            return False
        if body.startswith((b'\\"', b"\\\\"), at):
            return True
        at = body.find(b"\\", at + 2)  # the byte after a backslash is escaped, whatever it is
    return True


def _nested_deeper_than(body: bytes, limit: int) -> bool:
    structure = body.translate(None, _NOT_STRUCTURE)
    if structure.count(b"[") + structure.count(b"{") <= limit:
        return False
    if _escapes_may_matter(body):
        structure = _ESCAPED_BACKSLASH_OR_QUOTE.sub(b"", body).translate(None, _NOT_STRUCTURE)
    # Two quotes side by side are an empty string, or the end of one string and the start of the next with no
    # structure between them: either way nothing is lost by dropping them, and most strings go at C speed.
    structure = structure.replace(b'""""', b"").replace(b'""', b"")
    if b'"' in structure:
        structure = b"".join(structure.split(b'"')[::2])
    leaves = structure
    for _ in range(min(_LEAF_PASSES, limit // 2)):
        leaves = leaves.replace(b"{}", b"").replace(b"[]", b"")
        if not leaves:
            return False
    # The first level past the limit ends the walk (an adversarial body is not walked to its end).
    levels = accumulate(map(_LEVEL_STEP.__getitem__, structure))
    return next(filter(limit.__lt__, levels), None) is not None


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

"""The one JSON decoder for everything the server sends: answers, error bodies and event data.

A JavaScript server never writes ``NaN``/``Infinity`` or a number that overflows a double, so those are malformed
bodies here, like invalid JSON, bytes that are not UTF-8 and nesting too deep for the decoder. Every caller gets the
same verdict for the same bytes; what it keeps of a body that failed is its own business (a 2xx keeps it, scrubbed,
in ``ResponseValidationError.body``; an error answer keeps it as text).
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

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


def parse(body: bytes | str) -> Any:
    """Decode ``body`` (UTF-8; a BOM is tolerated as ``json.loads`` would).

    Raises:
        MalformedJSON: not JSON, not UTF-8, a non-finite number, or nested too deeply. Neither its ``__cause__``
            nor its ``__context__`` holds the decoder's error, which keeps the whole body (``doc``): a body may
            echo a secret.
    """
    try:
        # bytes.decode("utf-8") is C all the way; the "utf-8-sig" codec goes through Python-level codec code.
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return _DECODER.decode(text[1:] if text.startswith("\ufeff") else text)
    except RecursionError:
        failure = MalformedJSON("nested too deeply to decode", too_deep=True)
    except ValueError as err:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        failure = MalformedJSON(err.msg if isinstance(err, json.JSONDecodeError) else str(err))
    raise failure

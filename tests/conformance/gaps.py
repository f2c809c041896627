"""Known gaps between ``openapi.yaml`` and the real ``@elizaos/server`` 1.7.2 that the conformance suites steer
around - each with the reason, reported by ``nox -s conformance`` (and checked by ``test_known_gaps.py``, which
fails once the spec closes a gap, so that the workaround is removed)."""

from __future__ import annotations

#: The epoch-millisecond range the server can put into a database query (it sends `before` to Postgres as
#: ``Date#toISOString()``): 0001-01-01T00:00:00.000Z … 9999-12-31T23:59:59.999Z. Seen on 1.7.2: one millisecond
#: outside on either side is a 500.
DB_MIN_MS = -62_135_596_800_000
DB_MAX_MS = 253_402_300_799_999

#: Inputs the spec allows but the real server cannot handle, each with how the suite steers around it. Each is
#: reported by `nox -s conformance`; `test_known_gaps.py` fails once the spec closes a gap (so the entry goes).
KNOWN_SPEC_GAPS = {
    "nul-in-strings": (
        "U+0000 in metadata or attachments: 500 MESSAGE_SEND_FAILED / SESSION_CREATION_FAILED (Postgres rejects "
        "NUL). The spec says so in prose and excludes NUL from `content` with a pattern, but JSON Schema cannot "
        "exclude it from every nested string of free-form metadata; generation leaves NUL out (allow-x00 = false)."
    ),
}

"""Every tunable default and every server limit the client mirrors, in one place.

Other modules import from here instead of writing numbers inline, so that a reader can see the whole policy
at a glance and a change is made once. Server limits are those of ``@elizaos/server`` 1.7.2 (see the wire
reference); retry and timeout defaults follow openai-python and stripe-python, tightened for a client that
runs inside web workers (short read timeout, a 60 s cap on server-requested waits).
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "API_KEY_HEADER",
    "AUTHORIZATION_HEADER",
    "CLIENT_MESSAGE_ID_KEY",
    "CONTENT_MAX_LENGTH",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_ERROR_BODY_BYTES",
    "DEFAULT_MAX_EVENT_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_POOL_MAXSIZE",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_RECONCILE_WINDOW",
    "DEFAULT_REPLY_READ_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_BEARER_TOKEN",
    "ENV_LOG",
    "ENV_SERVER_VERSION",
    "ERROR_TEXT_MAX_LENGTH",
    "INITIAL_RETRY_DELAY",
    "JSON_DEPTH_MAX",
    "JS_DATE_MAX_MS",
    "MAX_DURATION_MINUTES_MAX",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "METADATA_MAX_LENGTH",
    "PAGE_LIMIT_DEFAULT",
    "PAGE_LIMIT_MAX",
    "PAGE_LIMIT_MIN",
    "QUERY_MAX_MS",
    "QUERY_MIN_MS",
    "RETRYABLE_STATUSES",
    "TIMEOUT_MINUTES_MAX",
    "TIMEOUT_MINUTES_MIN",
    "VALUE_DEPTH_MAX",
    "WARNING_THRESHOLD_MINUTES_MIN",
    "SendTransport",
]

# --- retries -------------------------------------------------------------------------------------------
#: Retries after the first attempt (so 3 attempts in all); the value openai-python and stripe-python use.
DEFAULT_MAX_RETRIES: Final = 2
#: Backoff before the first retry, in seconds; doubled for each further retry.
INITIAL_RETRY_DELAY: Final = 0.5
#: Ceiling of the exponential backoff, in seconds.
MAX_RETRY_DELAY: Final = 8.0
#: Longest server-requested wait (Retry-After, RateLimit-Reset) the client will sleep, in seconds. A longer
#: one is not slept: the caller gets ``RateLimitError.retry_after`` instead, because a web worker must not
#: block for the server's 15-minute rate-limit window.
MAX_RETRY_AFTER: Final = 60.0
#: Statuses worth repeating for an idempotent operation. 501/505 etc. are not: repeating cannot help.
RETRYABLE_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})

# --- timeouts and connections --------------------------------------------------------------------------
#: Seconds to establish a TCP/TLS connection.
DEFAULT_CONNECT_TIMEOUT: Final = 5.0
#: Seconds of silence allowed between bytes of a reply. The server itself cuts idle sockets at 30 s.
DEFAULT_READ_TIMEOUT: Final = 30.0
#: Read timeout for ``http``/``sse`` sends, which wait for the agent (an LLM) before the first byte.
DEFAULT_REPLY_READ_TIMEOUT: Final = 120.0
#: Deadline of a whole call (every attempt, backoff sleep and reconciliation read), in seconds, unless the
#: connect + read timeouts are longer. Calls that wait for the agent get ``reply_timeout`` on top.
DEFAULT_TOTAL_TIMEOUT: Final = 60.0

#: Seconds after a send's attempt was sent during which a server may still store it (it answered nothing, so its
#: handler may still be running): the server's own 30 s request and socket timeouts, and a margin.
DEFAULT_RECONCILE_WINDOW: Final = 35.0

# --- size caps (bytes, after decompression) ----------------------------------------------------------------
#: A whole response body, or a whole event stream. The largest legitimate answers measured
#: (tests/hostile/test_default_limits.py) are a full history page of 100 messages of 4 000 characters with 10 KB
#: metadata (≈ 2.8 MB with three-byte characters) and the session list, which grows with every active session
#: (≈ 0.5 KB each without metadata): 64 MiB holds either with room.
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024
#: One server-sent event or line (the ``done`` event carries the agent's whole reply).
DEFAULT_MAX_EVENT_BYTES: Final = 8 * 1024 * 1024
#: What is read of an error body (the server's are under 2 KB with their stack trace); the rest is not read.
DEFAULT_MAX_ERROR_BODY_BYTES: Final = 64 * 1024
#: Connections kept per host; covers a 16-thread worker with headroom.
DEFAULT_POOL_MAXSIZE: Final = 32

# --- environment and headers ---------------------------------------------------------------------------
ENV_BASE_URL: Final = "ELIZA_BASE_URL"
ENV_API_KEY: Final = "ELIZA_API_KEY"
ENV_BEARER_TOKEN: Final = "ELIZA_BEARER_TOKEN"
ENV_SERVER_VERSION: Final = "ELIZA_SERVER_VERSION"
#: ``debug`` or ``info`` attaches a stderr handler to the ``eliza_client`` logger; unset, nothing is printed.
ENV_LOG: Final = "ELIZA_CLIENT_LOG"
#: The only credential header the server accepts (``Authorization: Bearer`` is not).
API_KEY_HEADER: Final = "X-API-KEY"
AUTHORIZATION_HEADER: Final = "Authorization"

# --- server limits mirrored by _validation -------------------------------------------------------------
#: Message content length, in UTF-16 code units (JavaScript ``string.length``).
CONTENT_MAX_LENGTH: Final = 4000
#: ``JSON.stringify(metadata).length`` limit, in UTF-16 code units (the server calls them "bytes").
METADATA_MAX_LENGTH: Final = 10240
#: The server's page size when none is asked for.
PAGE_LIMIT_DEFAULT: Final = 50
#: Bounds of ``limit`` of GET messages. The server clamps out-of-range values; the client rejects them instead.
PAGE_LIMIT_MIN: Final = 1
PAGE_LIMIT_MAX: Final = 100
#: Inactivity timeout range (server defaults ``SESSION_MIN/MAX_TIMEOUT_MINUTES``).
TIMEOUT_MINUTES_MIN: Final = 5
TIMEOUT_MINUTES_MAX: Final = 1440
#: Per-session absolute lifetime cap: twice the maximum timeout.
MAX_DURATION_MINUTES_MAX: Final = 2 * TIMEOUT_MINUTES_MAX
#: The server raises a smaller warning threshold to this.
WARNING_THRESHOLD_MINUTES_MIN: Final = 1
#: JavaScript ``Date`` range: |epoch ms| beyond this is "Invalid Date" (the server answers 400).
JS_DATE_MAX_MS: Final = 8_640_000_000_000_000
#: The bounds the server's database can query (years 1-9999, epoch ms): `before`/`after` outside them answer 500.
QUERY_MIN_MS: Final = -62_135_596_800_000
QUERY_MAX_MS: Final = 253_402_300_799_999

# --- JSON nesting -----------------------------------------------------------------------------------------
#: The deepest nesting of an answer the client decodes. The standard decoder recurses once per level and fails only
#: at the interpreter's recursion limit, where anything else that runs then (a garbage-collector finalizer: a
#: socket's, a stream's) fails too, and the verdict on one body would depend on how deep the caller's stack is.
JSON_DEPTH_MAX: Final = 256
#: The deepest metadata or attachments value the client sends: one stored at this depth still fits in every
#: answer that carries it (a history page puts it 3 levels down) with room to spare.
VALUE_DEPTH_MAX: Final = 200

# --- messages ------------------------------------------------------------------------------------------
#: Metadata key carrying the client-generated id that lets a send be reconciled against history.
CLIENT_MESSAGE_ID_KEY: Final = "clientMessageId"
#: How a send's reply is delivered (the request's ``transport`` field); legacy ``mode`` names are never sent.
#: Not to be confused with ``_transport``, the client's HTTP layer.
SendTransport = Literal["websocket", "http", "sse"]

# --- errors --------------------------------------------------------------------------------------------
#: Longest text kept from a non-JSON error body (and from an unparsable 2xx body).
ERROR_TEXT_MAX_LENGTH: Final = 500

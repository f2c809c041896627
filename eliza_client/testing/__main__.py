"""``python -m eliza_client.testing serve``: run the local sessions server until Ctrl-C.

Example::

    python -m eliza_client.testing serve --port 3000 --api-key secret --agent-name Eliza --agent-name Bob
    python -m eliza_client.testing serve --server-version 1.6.5
    python -m eliza_client.testing serve --server-version 1.7.3-alpha.4 --data-isolation --jwt-secret s3cret
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from ._releases import DEFAULT_SERVER_VERSION, SERVER_VERSIONS
from ._server import LocalSessionsServer


def _env_pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _rate_limit(text: str) -> int | None:
    if text.lower() in ("none", "off", "0"):
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'none', got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("the rate limit must be at least 1 (or 'none')")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m eliza_client.testing",
        description="A local imitation of the elizaOS Sessions API (1.7.2 unless --server-version), on loopback.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000, help="port (default 3000; 0 = any free port)")
    serve.add_argument("--api-key", default=None, help="require this X-API-KEY on every /api route")
    serve.add_argument(
        "--agent-name",
        action="append",
        dest="agent_names",
        metavar="NAME",
        help="an agent to load (repeatable; default: Eliza)",
    )
    serve.add_argument(
        "--rate-limit", type=_rate_limit, default=1000, help="requests per window per IP, or 'none' (default 1000)"
    )
    serve.add_argument("--rate-limit-window", type=int, default=900, help="window in seconds (default 900)")
    serve.add_argument("--reply-delay", type=float, default=0.15, help="websocket reply delay in seconds")
    serve.add_argument("--chunk-delay", type=float, default=0.02, help="pause between SSE events in seconds")
    serve.add_argument(
        "--server-version",
        choices=SERVER_VERSIONS,
        default=DEFAULT_SERVER_VERSION,
        help=(
            f"the @elizaos/server release to imitate (default {DEFAULT_SERVER_VERSION}); 1.6.5 answers sends flat "
            "and ignores transport/mode, 1.7.0 reads only mode (sync/stream/websocket)"
        ),
    )
    serve.add_argument(
        "--data-isolation",
        action="store_true",
        default=None,
        help=(
            "1.7.3-alpha.4 only: require 'Authorization: Bearer <JWT>' (HS256/384/512 signed with --jwt-secret, "
            "with a sub claim) on every /api route except /system/version, /system/config and /auth/*; "
            "same as --env ENABLE_DATA_ISOLATION=true"
        ),
    )
    serve.add_argument(
        "--jwt-secret", default=None, help="the JWT_SECRET tokens are signed with (same as --env JWT_SECRET=...)"
    )
    serve.add_argument(
        "--future-fields",
        action="store_true",
        help="add a key the spec does not list (futureField) to every JSON object of every answer (a later release)",
    )
    serve.add_argument(
        "--env",
        action="append",
        type=_env_pair,
        default=[],
        metavar="NAME=VALUE",
        help=(
            "a server setting, e.g. SESSION_MIN_TIMEOUT_MINUTES=1, ENABLE_DATA_ISOLATION=true, JWT_SECRET=..., "
            "JWT_ISSUER_WHITELIST=a,b (repeatable)"
        ),
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        server = _make_server(args)
    except ValueError as error:  # e.g. --data-isolation with a release that has none
        parser.error(str(error))
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        stop.set()

    # Handlers for both signals, installed explicitly: a background job of a non-interactive shell
    # (`serve &` in a script) inherits SIGINT as SIG_IGN, and Python then installs no KeyboardInterrupt
    # handler, so relying on the default would leave Ctrl-C/`kill -INT` ignored and the port held.
    previous = _install_handlers(on_signal)
    try:
        try:
            server.start()
        except OSError as error:
            print(f"error: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
            return 1
        try:
            print(f"elizaOS sessions API (local) listening on {server.base_url}", flush=True)
            if server.server_version != DEFAULT_SERVER_VERSION:
                print(f"  imitating @elizaos/server {server.server_version}", flush=True)
            for name, agent_id in server.agents.items():
                print(f"  agent {name}: {agent_id}", flush=True)
            if server.api_key:
                print("  X-API-KEY required", flush=True)
            if server.data_isolation and server.jwt_secret:
                print("  Authorization: Bearer <JWT> required (data isolation)", flush=True)
            print("Press Ctrl-C to stop.", flush=True)
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:  # only if a caller replaced our handler with Python's default one
            pass
        finally:
            server.stop()
    finally:
        _restore_handlers(previous)
    name = signal.Signals(received[0]).name if received else "interrupt"
    print(f"stopped ({name})", flush=True)
    return 0


def _make_server(args: argparse.Namespace) -> LocalSessionsServer:
    return LocalSessionsServer(
        api_key=args.api_key,
        agent_names=args.agent_names or ("Eliza",),
        rate_limit=args.rate_limit,
        rate_limit_window_seconds=args.rate_limit_window,
        reply_delay=args.reply_delay,
        chunk_delay=args.chunk_delay,
        future_fields=args.future_fields,
        host=args.host,
        port=args.port,
        env=dict(args.env),
        server_version=args.server_version,
        data_isolation=args.data_isolation,
        jwt_secret=args.jwt_secret,
    )


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_AnyHandler = Callable[[int, FrameType | None], Any] | int | None


def _install_handlers(handler: Callable[[int, FrameType | None], None]) -> dict[int, _AnyHandler]:
    """Install ``handler`` for SIGINT and SIGTERM (whatever was inherited); returns what was there before.

    Signal handlers can only be set from the main thread; elsewhere (``main()`` called from a worker
    thread) nothing is installed and the caller stops the server some other way.
    """
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, handler) for signum in _STOP_SIGNALS}


def _restore_handlers(previous: dict[int, _AnyHandler]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, signal.SIG_DFL if handler is None else handler)


if __name__ == "__main__":
    sys.exit(main())

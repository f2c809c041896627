"""Run a snippet of Node.js over JSON input: the oracle for JavaScript semantics (string length,
JSON.stringify, Date). Tests that need it are skipped when ``node`` is not installed."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

NODE = shutil.which("node")

needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run_node(body: str, payload: Any) -> Any:
    """Run ``body`` with ``input`` bound to the parsed ``payload``; it must ``return`` a JSON-able value.

    The payload travels as ASCII JSON (``ensure_ascii``), exactly as ``requests`` sends a body, so lone
    surrogates arrive as ``\\uXXXX`` escapes and are parsed by JavaScript the way the server parses them.
    """
    assert NODE is not None
    script = (
        "let raw = '';"
        "process.stdin.setEncoding('utf8');"
        "process.stdin.on('data', c => raw += c);"
        "process.stdin.on('end', () => {"
        "  const input = JSON.parse(raw);"
        f"  const output = (function () {{ {body} }})();"
        "  process.stdout.write(JSON.stringify(output));"
        "});"
    )
    completed = subprocess.run(
        [NODE, "-e", script],
        input=json.dumps(payload, ensure_ascii=True),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(completed.stdout)

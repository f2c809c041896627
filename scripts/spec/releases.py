#!/usr/bin/env python3
"""Derive the OpenAPI document of one elizaOS release from ``openapi.yaml`` (the single source).

``openapi.yaml`` is 1.7.2 exactly. Its top-level ``x-eliza-releases`` lists every release the project supports;
a release that differs carries an `OpenAPI Overlay 1.0 <https://spec.openapis.org/overlay/v1.0.0.html>`_
document (``overlay``) whose actions turn the 1.7.2 document into that release's. This script applies it::

    python scripts/spec/releases.py --server-version 1.7.0 -o openapi-1.7.0.yaml
    python scripts/spec/releases.py --list

Any Overlay 1.0 tool gives the same result (the overlay is a complete overlay document: copy it out and apply it
with your own tooling). This applier implements what the project's overlays use, and refuses anything else
rather than guess: targets are JSONPath *member* paths (``$.a.b``, ``$.a['b/c']``, ``$.a["b"]``) naming exactly
one node; ``update`` merges recursively into an object (objects merge, anything else replaces); ``remove: true``
deletes the target. The derived document keeps ``x-eliza-releases`` out (it describes one release).

Exit codes: 0 written; 2 bad arguments, an unknown release, or an overlay this applier cannot apply.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.yaml"
RELEASES_KEY = "x-eliza-releases"

_SEGMENT = re.compile(r"""\.([A-Za-z_$][\w$-]*)|\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]""")


class OverlayError(ValueError):
    """The overlay cannot be applied; the message names the action and why."""


def parse_target(target: str) -> list[str]:
    """``$.paths['/x'].get`` -> ``["paths", "/x", "get"]``; anything but member access is refused."""
    if not isinstance(target, str) or not target.startswith("$"):
        raise OverlayError(f"target {target!r} must be a JSONPath starting with '$'")
    segments: list[str] = []
    position = 1
    while position < len(target):
        match = _SEGMENT.match(target, position)
        if match is None:
            raise OverlayError(
                f"target {target!r}: only member paths ($.a.b, $.a['b']) are supported (at {target[position:]!r})"
            )
        name = next(group for group in match.groups() if group is not None)
        segments.append(re.sub(r"\\(.)", r"\1", name))
        position = match.end()
    return segments


def _merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def apply_overlay(document: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """A new document: ``document`` with ``overlay``'s actions applied in order (``document`` is not changed)."""
    if not isinstance(overlay, dict) or not str(overlay.get("overlay", "")).startswith("1."):
        raise OverlayError("not an Overlay 1.x document (its 'overlay' field must be 1.x)")
    result = copy.deepcopy(document)
    for number, action in enumerate(overlay.get("actions") or [], start=1):
        where = f"action {number} ({action.get('target')!r})" if isinstance(action, dict) else f"action {number}"
        if not isinstance(action, dict) or ("update" in action) == bool(action.get("remove")):
            raise OverlayError(f"{where}: needs exactly one of 'update' or 'remove: true'")
        *parents, last = parse_target(action["target"]) or [None]
        if last is None:
            raise OverlayError(f"{where}: the root cannot be a target")
        node: Any = result
        for segment in parents:
            if not isinstance(node, dict) or segment not in node:
                raise OverlayError(f"{where}: {segment!r} does not exist")
            node = node[segment]
        if not isinstance(node, dict) or last not in node:
            raise OverlayError(f"{where}: {last!r} does not exist")
        if action.get("remove"):
            del node[last]
        elif isinstance(node[last], dict) and isinstance(action["update"], dict):
            _merge(node[last], action["update"])
        else:
            raise OverlayError(f"{where}: 'update' must be an object merged into an object")
    return result


def load_spec(path: Path = SPEC) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def releases(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``x-eliza-releases``: release -> its entry (``description``, and ``overlay`` when it differs)."""
    entries = document.get(RELEASES_KEY)
    if not isinstance(entries, dict) or not entries:
        raise OverlayError(f"the spec has no {RELEASES_KEY} mapping")
    return entries


def release_document(version: str, document: dict[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI document of ``version`` (one of ``x-eliza-releases``)."""
    document = load_spec() if document is None else document
    entries = releases(document)
    if version not in entries:
        raise OverlayError(f"unknown release {version!r}; known: {', '.join(entries)}")
    overlay = entries[version].get("overlay")
    derived = apply_overlay(document, overlay) if overlay is not None else copy.deepcopy(document)
    derived.pop(RELEASES_KEY, None)
    return derived


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-version", help="the release to derive (see --list)")
    parser.add_argument("-o", "--output", help="where to write it (default: stdout)")
    parser.add_argument("--list", action="store_true", help="list the releases and what differs")
    args = parser.parse_args(argv)
    try:
        document = load_spec()
        if args.list:
            for version, entry in releases(document).items():
                kind = "overlay" if entry.get("overlay") is not None else "this document"
                print(f"{version}: {kind} - {' '.join(str(entry.get('description', '')).split())}")
            return 0
        if not args.server_version:
            parser.error("--server-version (or --list) is required")
        derived = release_document(args.server_version, document)
    except OverlayError as err:
        print(f"releases.py: {err}", file=sys.stderr)
        return 2
    text = yaml.safe_dump(derived, sort_keys=False, allow_unicode=True, width=120)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

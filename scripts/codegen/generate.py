"""Generate generated/eliza_sessions_api from openapi.yaml, or check that it is up to date.

    python scripts/codegen/generate.py            # regenerate generated/ in place
    python scripts/codegen/generate.py --check    # exit 1 with a unified diff if generated/ is stale

`nox -s generate` and `nox -s check_generated` run this with the pinned generator (openapi-python-client
0.29.1) and the ruff its post-hooks use (0.17.6); the test suite calls `generate_into` and `tree_diff`
directly. The generator and ruff are looked up next to the running interpreter first, so a venv's pinned
copies win over anything else on PATH.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.yaml"
CODEGEN = ROOT / "scripts" / "codegen"
GENERATED = ROOT / "generated"
PACKAGE = "eliza_sessions_api"
_IGNORED_PARTS = frozenset({"__pycache__", ".ruff_cache"})


def _tool_env() -> dict[str, str]:
    # The post-hooks call `ruff` through the shell: put this interpreter's bin directory first on PATH.
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def generate_into(out_dir: Path, *, spec: Path = SPEC) -> Path:
    """Run the generator on `spec` into `out_dir`; return the generated package directory.

    Raises:
        RuntimeError: if the generator or ruff is missing, or the generator reports any warning or error.
    """
    env = _tool_env()
    for tool in ("openapi-python-client", "ruff"):
        if shutil.which(tool, path=env["PATH"]) is None:
            raise RuntimeError(f"{tool} is not installed (pip install -e '.[test]')")
    package_dir = out_dir / PACKAGE
    result = subprocess.run(
        [
            "openapi-python-client",
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--output-path",
            str(package_dir),
            "--custom-template-path",
            str(CODEGEN / "templates"),
            "--config",
            str(CODEGEN / "config.yaml"),
            "--overwrite",
            # A skipped post-hook is only a warning to the generator, but it changes the output: fail instead.
            "--fail-on-warning",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"openapi-python-client failed:\n{result.stdout}\n{result.stderr}")
    # `--meta none` writes no py.typed; the package is typed and mypy-strict clean, so it says so.
    (package_dir / "py.typed").write_text("")
    return package_dir


def _files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not _IGNORED_PARTS.intersection(p.parts)
    }


def tree_diff(checked_in: Path, fresh: Path) -> str:
    """A readable unified diff between two package trees; empty when they are identical."""
    lines: list[str] = []
    left, right = _files(checked_in), _files(fresh)
    for name in sorted(left | right):
        if name not in right:
            lines.append(f"only in generated/ (the generator does not produce it): {name}\n")
        elif name not in left:
            lines.append(f"missing from generated/ (the generator produces it): {name}\n")
        elif not filecmp.cmp(checked_in / name, fresh / name, shallow=False):
            lines.extend(
                difflib.unified_diff(
                    (checked_in / name).read_text().splitlines(keepends=True),
                    (fresh / name).read_text().splitlines(keepends=True),
                    fromfile=f"generated/{PACKAGE}/{name} (checked in)",
                    tofile=f"generated/{PACKAGE}/{name} (from openapi.yaml)",
                )
            )
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 with a diff if stale")
    args = parser.parse_args(argv)
    target = GENERATED / PACKAGE
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate_into(Path(tmp))
        if args.check:
            diff = tree_diff(target, fresh)
            if diff:
                sys.stdout.write(diff)
                print(
                    "\ngenerated/ is stale or was edited by hand: run `nox -s generate` and commit the result",
                    file=sys.stderr,
                )
                return 1
            print("generated/ matches openapi.yaml and the templates")
            return 0
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(fresh, target, ignore=shutil.ignore_patterns(*_IGNORED_PARTS))
    print(f"regenerated {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

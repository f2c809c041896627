"""generated/ must be exactly what the pinned generator makes of openapi.yaml and the project's templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ._codegen import load_codegen

ROOT = Path(__file__).resolve().parents[2]


def test_generated_matches_spec(tmp_path: Path) -> None:
    codegen = load_codegen()
    fresh = codegen.generate_into(tmp_path)
    diff = codegen.tree_diff(ROOT / "generated" / "eliza_sessions_api", fresh)
    assert diff == "", f"generated/ is stale; run `nox -s generate`:\n{diff[:4000]}"


@pytest.mark.parametrize("parent", [".nox/tests_floors/tmp", "build/x", "node_modules/x", ".venv/x"])
def test_output_is_the_same_under_an_ignored_or_excluded_directory(tmp_path: Path, parent: str) -> None:
    # nox's TMPDIR is .nox/<session>/tmp inside this repository, and nox writes .nox/.gitignore = "*": in a git work
    # tree ruff skips git-ignored (and by default excluded) paths, so the post-hooks formatted nothing — only in CI's
    # floors session. Here the parent is ignored the same way (a `.git` marks the work tree, as for ruff's walker).
    # The output must not depend on where it lands.
    (tmp_path / ".git").mkdir()
    top = tmp_path / parent.split("/", maxsplit=1)[0]
    top.mkdir()
    (top / ".gitignore").write_text("*\n")
    codegen = load_codegen()
    fresh = codegen.generate_into(tmp_path / parent / "out")
    diff = codegen.tree_diff(ROOT / "generated" / "eliza_sessions_api", fresh)
    assert diff == "", f"generated under {parent}/ differs:\n{diff[:2000]}"


def test_one_character_spec_edit_is_detected(tmp_path: Path) -> None:
    codegen = load_codegen()
    spec = tmp_path / "openapi.yaml"
    text = (ROOT / "openapi.yaml").read_text()
    assert "summary: End a session." in text
    spec.write_text(text.replace("summary: End a session.", "summary: End a session!"))
    fresh = codegen.generate_into(tmp_path / "out", spec=spec)
    diff = codegen.tree_diff(ROOT / "generated" / "eliza_sessions_api", fresh)
    assert '-    """End a session.' in diff
    assert '+    """End a session!' in diff


def test_hand_edit_of_generated_file_is_detected(tmp_path: Path) -> None:
    codegen = load_codegen()
    checked_in = tmp_path / "checked_in"
    shutil.copytree(ROOT / "generated" / "eliza_sessions_api", checked_in)
    client_py = checked_in / "client.py"
    client_py.write_text(client_py.read_text() + "\n# edited by hand\n")
    (checked_in / "stray.py").write_text("")
    fresh = codegen.generate_into(tmp_path / "out")
    diff = codegen.tree_diff(checked_in, fresh)
    assert "+# edited by hand" not in diff  # the hand edit is on the checked-in side
    assert "-# edited by hand" in diff
    assert "only in generated/ (the generator does not produce it): stray.py" in diff


def test_generated_package_has_no_httpx_and_no_async() -> None:
    package = ROOT / "generated"
    for path in package.rglob("*.py"):
        text = path.read_text()
        assert "httpx" not in text, path
        assert "async def" not in text, path
    assert (package / "eliza_sessions_api" / "py.typed").exists()

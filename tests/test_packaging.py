"""The artefacts a user installs: the wheel and the sdist hold exactly what they should, and their metadata is
complete and free of machine details.

Both are built here from the checkout (``python -m build`` builds the sdist, then the wheel *from the sdist*, so
a sdist that cannot rebuild the wheel fails this test). ``nox -s package`` adds ``twine check`` and runs the test
suite from the unpacked sdist.
"""

from __future__ import annotations

import email.parser
import email.policy
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAME = "eliza_client-0.1.0"

# What a sdist holds besides these trees: the files hatchling writes and the project's top-level files.
SDIST_TREES = (".ci", "eliza_client", "generated", "scripts", "tests", "examples")
SDIST_FILES = {"PKG-INFO", "pyproject.toml", ".gitignore", "openapi.yaml", "noxfile.py", "README.md", "CHANGELOG.md"}
SDIST_FILES |= {"LICENSE"}
# Never shipped, wherever they are.
JUNK_PARTS = {"__pycache__", ".mypy_cache", ".ruff_cache", ".hypothesis", ".pytest_cache", "node_modules", ".nox"}
# Files the sdist must have to rebuild, regenerate and test (named, so a pattern change cannot drop them quietly).
SDIST_REQUIRED = {
    "LICENSE",
    "openapi.yaml",
    "noxfile.py",
    "scripts/codegen/generate.py",
    "scripts/codegen/config.yaml",
    "scripts/codegen/templates/client.py.jinja",
    "scripts/codegen/templates/endpoint_module.py.jinja",
    "scripts/codegen/templates/types.py.jinja",
    "scripts/demo.py",
    "tests/test_readme.py",
    "tests/test_packaging.py",
    "examples/django_app/manage.py",
    "generated/eliza_sessions_api/client.py",
    "eliza_client/py.typed",
    "eliza_client/testing/_entry_point/_eliza_client_pytest/__init__.py",
    "eliza_client/testing/_entry_point/_eliza_client_pytest/py.typed",
    ".ci/run",
}


def _tree_files(root: Path, tops: tuple[str, ...]) -> set[str]:
    files: set[str] = set()
    for top in tops:
        for path in (root / top).rglob("*"):
            relative = path.relative_to(root)
            if path.is_file() and not JUNK_PARTS & set(relative.parts) and path.suffix not in {".pyc", ".pyo"}:
                files.add(relative.as_posix())
    return files


def _is_ignored_by_git(files: set[str]) -> set[str]:
    if not (ROOT / ".git").exists():
        return set()
    result = subprocess.run(
        ["git", "check-ignore", "--stdin"],
        check=False,
        cwd=ROOT,
        input="\n".join(sorted(files)),
        capture_output=True,
        text=True,
    )
    return set(result.stdout.split())


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def test_the_wheel_holds_the_two_packages_the_license_and_nothing_else(artefacts: tuple[Path, Path]) -> None:
    _, wheel = artefacts
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    plugin_sources = _tree_files(ROOT, ("eliza_client/testing/_entry_point",))
    # The pytest plugin is a top-level, typed package (cheap to import), so its source is moved there.
    assert plugin_sources == {
        "eliza_client/testing/_entry_point/_eliza_client_pytest/__init__.py",
        "eliza_client/testing/_entry_point/_eliza_client_pytest/py.typed",
    }
    expected = (_tree_files(ROOT, ("eliza_client",)) - plugin_sources) | {
        "_eliza_client_pytest/__init__.py",
        "_eliza_client_pytest/py.typed",
    }
    expected |= {PurePosixPath(p).relative_to("generated").as_posix() for p in _tree_files(ROOT, ("generated",))}
    dist_info = f"{NAME}.dist-info"
    expected |= {f"{dist_info}/{n}" for n in ("METADATA", "WHEEL", "entry_points.txt", "RECORD", "licenses/LICENSE")}
    assert names == expected


def test_the_sdist_holds_what_rebuilds_regenerates_and_tests_and_nothing_else(artefacts: tuple[Path, Path]) -> None:
    sdist, _ = artefacts
    with tarfile.open(sdist) as archive:
        names = {PurePosixPath(m.name).relative_to(NAME).as_posix() for m in archive.getmembers() if m.isfile()}
    assert names >= SDIST_REQUIRED
    assert not {n for n in names if JUNK_PARTS & set(PurePosixPath(n).parts)}
    tree = _tree_files(ROOT, SDIST_TREES)
    expected = (tree - _is_ignored_by_git(tree)) | SDIST_FILES
    assert names == expected, {"missing": sorted(expected - names), "unexpected": sorted(names - expected)}


def test_the_metadata_is_complete_and_the_description_is_for_users(artefacts: tuple[Path, Path]) -> None:
    _, wheel = artefacts
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"{NAME}.dist-info/METADATA").decode()
        entry_points = archive.read(f"{NAME}.dist-info/entry_points.txt").decode()
    metadata = email.parser.Parser(policy=email.policy.compat32).parsestr(text)
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Author"] == "The eliza-client contributors"
    assert "elizaos" in metadata["Keywords"]
    classifiers = set(metadata.get_all("Classifier"))
    assert {"Typing :: Typed", "Programming Language :: Python :: 3.11", "Framework :: Pytest"} <= classifiers
    assert metadata["Requires-Python"] == ">=3.11"
    requires = set(metadata.get_all("Requires-Dist"))
    for name in ("requests", "urllib3", "attrs", "cattrs"):
        assert any(r.startswith(name) and ">=" in r and "extra ==" not in r for r in requires), (name, requires)
    assert metadata["Description-Content-Type"] == "text/markdown"
    description = metadata.get_payload()
    assert description.startswith("# eliza-client")
    for section in ("## Install", "## Quickstart", "## Errors", "## Testing your own code against the local server"):
        assert section in description
    # Developer material and machine details stay in the repository's README.
    for absent in ("## Performance", "## The two commands", "## Project commands", "Linux-", "/work/", "/root/"):
        assert absent not in description
    assert "pytest11" in entry_points

"""Generate generated/eliza_sessions_api from openapi.yaml, or check that it is up to date.

    python scripts/codegen/generate.py            # regenerate generated/ in place
    python scripts/codegen/generate.py --check    # exit 1 with a unified diff if generated/ is stale

Besides what the generator writes, the package gets `wire.py`, the wire map: for every generated model a class of
the same name whose attributes (the model's Python attribute names) are its JSON keys as `Final` string literals,
plus `REQUIRED` and `TYPES`. It is derived with openapi-python-client's own parser and config (the installation
this interpreter imports, the same one whose CLI is found first), so its names are the generated models' names,
and it is formatted by the config's post-hooks, so it is covered by `--check` like every generated file.

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
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openapi_python_client.config import Config

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.yaml"
CODEGEN = ROOT / "scripts" / "codegen"
GENERATED = ROOT / "generated"
PACKAGE = "eliza_sessions_api"
WIRE_MODULE = "wire.py"
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
    _write_wire_map(package_dir, spec=spec)
    return package_dir


# --- the wire map (eliza_sessions_api/wire.py) ---------------------------------------------------------------


@dataclass(frozen=True)
class WireField:
    """One property of a generated model."""

    python_name: str  # the generated model's attribute name
    wire_key: str  # its JSON key
    required: bool
    type_string: str  # the attribute's Python type as the generator writes it, without `| Unset`


@dataclass(frozen=True)
class WireModel:
    """One generated model class and its properties, in the generated model's declaration order."""

    class_name: str
    schema_ref: str  # where the schema is in the document, e.g. /components/schemas/Session
    fields: tuple[WireField, ...]


def _generator_config(spec: Path, package_dir: Path | None) -> Config:
    """The generator's Config, built as its CLI builds it from `generate_into`'s command line.

    That is `--meta none`, the default `--file-encoding` (utf-8), `--overwrite`, `--output-path package_dir` and
    `--config scripts/codegen/config.yaml` (cli._process_config).
    """
    try:
        from openapi_python_client.config import Config, ConfigFile, MetaType
    except ImportError as err:
        raise RuntimeError(f"openapi-python-client is not importable here (pip install -e '.[test]'): {err}") from err
    config_file = ConfigFile.load_from_path(CODEGEN / "config.yaml")
    return Config.from_sources(config_file, MetaType.NONE, spec, "utf-8", overwrite=True, output_path=package_dir)


def wire_models(*, spec: Path = SPEC, package_dir: Path | None = None) -> list[WireModel]:
    """The models the generator makes of `spec`, found by openapi-python-client's own parser, sorted by class name.

    The document is loaded by the function the generator itself uses and parsed by `GeneratorData.from_dict` with
    the generator's Config (see `_generator_config`), so class and attribute names are exactly those of the
    generated models.

    Raises:
        RuntimeError: if openapi-python-client cannot be imported, or it cannot load or parse the document.
    """
    config = _generator_config(spec, package_dir)
    from openapi_python_client import _get_document
    from openapi_python_client.parser import GeneratorData
    from openapi_python_client.parser.errors import GeneratorError

    document = _get_document(source=spec, timeout=config.http_timeout)
    if isinstance(document, GeneratorError):
        raise RuntimeError(f"cannot load {spec}: {document.header}\n{document.detail or ''}")
    data = GeneratorData.from_dict(document, config=config)
    if isinstance(data, GeneratorError):
        raise RuntimeError(f"cannot parse {spec}: {data.header}\n{data.detail or ''}")
    if data.errors:
        raise RuntimeError(f"openapi-python-client reports errors in {spec}: {data.errors}")
    models = []
    for model in data.models:
        # The generated model declares (and documents) its required properties first, then the optional ones.
        properties = [*(model.required_properties or ()), *(model.optional_properties or ())]
        fields = tuple(
            WireField(
                python_name=str(prop.python_name),
                wire_key=prop.name.get_untrusted_value(),
                required=prop.required,
                type_string=prop.get_type_string(no_optional=True).as_unembedded_code(),
            )
            for prop in properties
        )
        models.append(WireModel(str(model.class_info.name), model.name.get_untrusted_value(), fields))
    return sorted(models, key=lambda m: m.class_name)


# wire.py's own module-level names: no model class may take one of them.
_WIRE_MODULE_NAMES = frozenset({"Final", "Mapping", "REQUIRED", "TYPES"})
_LINE_LENGTH = 120  # the post-hooks' --line-length

_WIRE_DOCSTRING = f'''"""The wire map: the JSON key of every attribute of every generated model.

One class per model of `{PACKAGE}.models`, named like it; each attribute is named like the model's
attribute and bound to its wire key as a `Final` string literal (to mypy, `wire.Session.last_activity` is
`Literal["lastActivity"]`), so a property renamed in openapi.yaml makes every use of its old name a type error
once the client is regenerated. `REQUIRED` maps each class name to its required wire keys; `TYPES` maps each
class name to {{wire key: the generated attribute's Python type, without `| Unset`}}.

Generated by scripts/codegen/generate.py from openapi.yaml, with openapi-python-client's own parser and
scripts/codegen/config.yaml. Do not edit: change openapi.yaml and run `nox -s generate`.
"""'''


def _wire_class(model: WireModel) -> list[str]:
    from openapi_python_client.strings import safe_for_docstring

    schema = safe_for_docstring(model.schema_ref.removeprefix("/components/schemas/"))
    summary = f"Wire keys of the `{schema}` schema"
    target = f"generated model: `{PACKAGE}.models.{model.class_name}`"
    docstring = [f'    """{summary} ({target})."""']
    if len(docstring[0]) > _LINE_LENGTH:
        docstring = [f'    """{summary}.', "", f"    The {target}.", '    """']
    attributes = [f"    {field.python_name}: Final = {field.wire_key!r}" for field in model.fields]
    return ["", "", f"class {model.class_name}:", *docstring, *([""] if attributes else []), *attributes]


def render_wire_map(models: list[WireModel]) -> str:
    """The source of wire.py, before formatting. Strings from the document enter it only as repr() literals."""
    clashes = _WIRE_MODULE_NAMES.intersection(m.class_name for m in models)
    if clashes:
        raise RuntimeError(f"a generated model is named like a module-level name of wire.py: {sorted(clashes)}")
    out = [_WIRE_DOCSTRING, "", "from collections.abc import Mapping", "from typing import Final", ""]
    for model in models:
        out += _wire_class(model)
    out += ["", "", "REQUIRED: Final[Mapping[str, frozenset[str]]] = {"]
    for model in models:
        keys = ", ".join(repr(field.wire_key) for field in model.fields if field.required)
        required = f"frozenset({{{keys}}})" if keys else "frozenset()"
        out.append(f"    {model.class_name!r}: {required},")
    out += ["}", "", "TYPES: Final[Mapping[str, Mapping[str, str]]] = {"]
    for model in models:
        items = ", ".join(f"{field.wire_key!r}: {field.type_string!r}" for field in model.fields)
        out.append(f"    {model.class_name!r}: {{{items}}},")
    out += ["}", ""]
    return "\n".join(out)


def _write_wire_map(package_dir: Path, *, spec: Path) -> None:
    """Write wire.py into `package_dir`, formatted by the config's post-hooks exactly as the generator formats."""
    path = package_dir / WIRE_MODULE
    path.write_text(render_wire_map(wire_models(spec=spec, package_dir=package_dir)), encoding="utf-8")
    env = _tool_env()
    for hook in _generator_config(spec, package_dir).post_hooks:
        # The generator runs each hook through the shell, on `.`, in the package directory: run it on wire.py alone.
        argv = shlex.split(hook)
        if argv[0] != "ruff" or argv[-1] != ".":
            raise RuntimeError(f"unexpected post-hook in scripts/codegen/config.yaml (not `ruff ... .`): {hook}")
        argv[-1] = WIRE_MODULE
        result = subprocess.run(argv, cwd=package_dir, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"post-hook failed on {WIRE_MODULE}: {hook}\n{result.stdout}\n{result.stderr}")


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

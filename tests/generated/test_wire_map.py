"""eliza_sessions_api.wire, the generated wire map, agrees with the generated models it names.

Every class of the wire map is checked against its generated model (not a sample): its attributes are the model's
attribute names, `TYPES` is the model's annotations, and a dict keyed by the wire map's keys is exactly what the
model's `from_dict` consumes and its `to_dict` produces, with `REQUIRED` exactly the keys `from_dict` cannot do
without. A one-character rename in a copy of the spec regenerates a wire map with the renamed attribute, and mypy
sees the keys as literals.
"""

from __future__ import annotations

import datetime
import enum
import importlib.util
import os
import subprocess
import sys
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

from eliza_sessions_api import models, wire
from eliza_sessions_api.types import UNSET

from ._codegen import load_codegen

ROOT = Path(__file__).resolve().parents[2]
_TIMESTAMP = "2024-05-06T07:08:09.123000+00:00"  # datetime.isoformat() writes it back unchanged


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wire_classes(module: ModuleType) -> dict[str, type]:
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type) and value.__module__ == module.__name__
    }


def _keys(wire_class: type) -> dict[str, str]:
    """python name -> wire key, in declaration order."""
    return {
        name: value for name, value in vars(wire_class).items() if not (name.startswith("__") and name.endswith("__"))
    }


WIRE_CLASSES = _wire_classes(wire)
GENERATED_MODELS = {
    name: getattr(models, name) for name in models.__all__ if attrs.has(getattr(models, name))
}  # the attrs classes, not the enums


def _model_fields(model: type) -> list[attrs.Attribute[Any]]:
    return [field for field in attrs.fields(model) if field.name != "additional_properties"]


def _sample(type_string: str, key: str) -> Any:
    """A JSON value the generated code parses back to itself, for a type as the generated annotations spell it.

    Strings and integers differ from key to key, so a key bound to the wrong attribute reads the wrong value.
    """
    alternatives = [t for t in type_string.split(" | ") if t not in {"None", "Unset"}]
    choice = next((t for t in alternatives if t in WIRE_CLASSES), alternatives[0])  # a model if there is one
    if choice.startswith("list[") and choice.endswith("]"):
        return [_sample(choice.removeprefix("list[").removesuffix("]"), key)]
    if choice in WIRE_CLASSES:
        return _full(choice)
    primitives: dict[str, Any] = {
        "str": f"value of {key}",
        "int": zlib.crc32(key.encode()),
        "float": 2.5,
        "bool": True,
        "datetime.datetime": _TIMESTAMP,
        "Any": "anything",
    }
    if choice in primitives:
        return primitives[choice]
    enum_class = getattr(models, choice)
    assert issubclass(enum_class, enum.Enum), f"no sample for {type_string!r}"
    return next(iter(enum_class)).value


def _full(name: str) -> dict[str, Any]:
    """Every key of the wire map's class `name`, required and optional, with a value of the generated model's type.

    Keyed by the wire class's attributes alone (the types come from the generated model's annotations, not from
    TYPES), so a wrong key in the class is a key the generated model does not read.
    """
    annotations = {field.name: field.type for field in _model_fields(GENERATED_MODELS[name])}
    return {
        key: _sample(str(annotations.get(python_name, "Any")), key)
        for python_name, key in _keys(WIRE_CLASSES[name]).items()
    }


def test_wire_map_has_one_class_per_generated_model() -> None:
    assert set(WIRE_CLASSES) == set(GENERATED_MODELS)
    assert set(wire.REQUIRED) == set(WIRE_CLASSES)
    assert set(wire.TYPES) == set(WIRE_CLASSES)
    assert "Session" in WIRE_CLASSES  # the sets above are not all empty
    assert wire.__doc__ is not None
    assert "scripts/codegen/generate.py" in wire.__doc__
    assert "Do not edit" in wire.__doc__


@pytest.mark.parametrize("name", sorted(WIRE_CLASSES))
def test_attributes_are_the_generated_models_attributes(name: str) -> None:
    keys = _keys(WIRE_CLASSES[name])
    assert list(keys) == [field.name for field in _model_fields(GENERATED_MODELS[name])]
    assert all(isinstance(key, str) for key in keys.values())
    assert list(keys.values()) == list(wire.TYPES[name])
    assert wire.REQUIRED[name] <= set(keys.values())


@pytest.mark.parametrize("name", sorted(WIRE_CLASSES))
def test_types_and_required_are_the_generated_annotations(name: str) -> None:
    keys = _keys(WIRE_CLASSES[name])
    for field in _model_fields(GENERATED_MODELS[name]):
        key = keys[field.name]
        annotation = field.type
        assert isinstance(annotation, str)  # the generated modules use `from __future__ import annotations`
        assert wire.TYPES[name][key] == annotation.removesuffix(" | Unset"), (name, field.name)
        assert (key in wire.REQUIRED[name]) == (not annotation.endswith(" | Unset")), (name, field.name)


@pytest.mark.parametrize("name", sorted(WIRE_CLASSES))
def test_a_dict_keyed_by_the_wire_map_round_trips_through_the_generated_model(name: str) -> None:
    model = GENERATED_MODELS[name]
    data = _full(name)
    parsed = model.from_dict(data)
    # A key the model does not know would land in additional_properties (and still come back from to_dict).
    assert parsed.additional_properties == {}
    for python_name, key in _keys(WIRE_CLASSES[name]).items():
        value = getattr(parsed, python_name)
        assert value is not UNSET, f"{name}.{python_name} was not read from {key!r}"
        if isinstance(data[key], str | int) and not isinstance(value, enum.Enum | datetime.datetime):
            assert value == data[key], f"{name}.{python_name} was not read from {key!r}"
    assert parsed.to_dict() == data


@pytest.mark.parametrize("name", sorted(n for n in WIRE_CLASSES if _keys(WIRE_CLASSES[n])))
def test_required_keys_are_exactly_those_from_dict_cannot_do_without(name: str) -> None:
    model = GENERATED_MODELS[name]
    for python_name, key in _keys(WIRE_CLASSES[name]).items():
        data = _full(name)
        del data[key]
        if key in wire.REQUIRED[name]:
            with pytest.raises(KeyError) as missing:
                model.from_dict(data)
            assert missing.value.args == (key,)
        else:
            parsed = model.from_dict(data)
            assert getattr(parsed, python_name) is UNSET
            assert key not in parsed.to_dict()


def test_mypy_sees_wire_keys_as_final_literals(tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from typing import Literal\n"
        "from eliza_sessions_api import wire\n"
        'key: Literal["lastActivity"] = wire.Session.last_activity\n'
        "reveal_type(wire.Session.last_activity)\n"
        'wire.Session.last_activity = "lastSeen"\n'
        "wire.Session.last_seen\n"
    )
    config = tmp_path / "mypy.ini"
    config.write_text(f"[mypy]\nmypy_path = {ROOT / 'generated'}\n")
    command = [sys.executable, "-m", "mypy", "--strict", "--config-file", str(config)]
    command += ["--cache-dir", str(tmp_path / "cache"), str(snippet)]
    env = {name: value for name, value in os.environ.items() if name != "MYPYPATH"}
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "snippet.py:3:" not in out, out  # the literal key type-checks as Literal["lastActivity"]
    assert "snippet.py:4: note: Revealed type is \"Literal['lastActivity']?\"" in out, out
    assert "snippet.py:5: error: Cannot assign to final attribute" in out, out
    assert 'snippet.py:6: error: "type[Session]" has no attribute "last_seen"' in out, out
    assert "Found 2 errors in 1 file" in out, out


def test_a_one_character_property_rename_renames_the_wire_map_attribute(tmp_path: Path) -> None:
    codegen = load_codegen()
    text = (ROOT / "openapi.yaml").read_text()
    # The schema's `required` list and its property: exactly once each, as written in openapi.yaml.
    for old in (
        "      required: [status, activeSessions, timestamp, expiringSoon, uptime]\n",
        "        expiringSoon:\n          type: integer\n",
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, old.replace("expiringSoon", "expiringSoom"))
    spec = tmp_path / "openapi.yaml"
    spec.write_text(text)
    fresh = codegen.generate_into(tmp_path / "out", spec=spec)
    renamed = _load(fresh / "wire.py", "wire_renamed")

    health = _wire_classes(renamed)["SessionsHealth"]
    assert _keys(health)["expiring_soom"] == "expiringSoom"
    assert "expiring_soon" not in _keys(health)
    assert "expiringSoom" in renamed.REQUIRED["SessionsHealth"]
    assert "expiringSoon" not in renamed.REQUIRED["SessionsHealth"]
    assert renamed.TYPES["SessionsHealth"]["expiringSoom"] == "int"
    assert "expiringSoon" not in renamed.TYPES["SessionsHealth"]
    # Nothing else in the wire map moved.
    others = {name: _keys(cls) for name, cls in _wire_classes(renamed).items() if name != "SessionsHealth"}
    assert others == {name: _keys(cls) for name, cls in WIRE_CLASSES.items() if name != "SessionsHealth"}
    # And the is-current check sees it in wire.py, as in the model.
    diff = codegen.tree_diff(ROOT / "generated" / "eliza_sessions_api", fresh)
    assert '-    expiring_soon: Final = "expiringSoon"' in diff
    assert '+    expiring_soom: Final = "expiringSoom"' in diff
    assert 'd.pop("expiringSoom")' in (fresh / "models" / "sessions_health.py").read_text()

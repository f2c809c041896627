"""The project's codegen script (``scripts/codegen/generate.py``), loaded as a module for the tests that drive it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_codegen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("codegen_generate", ROOT / "scripts" / "codegen" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module

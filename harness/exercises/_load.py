"""How an exercise's checks find the learner's file: its path is in $COMPETE_EXERCISE_FILE."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

FILE_ENV = "COMPETE_EXERCISE_FILE"


def learner_module() -> ModuleType:
    """Import the kernel file under test (named by $COMPETE_EXERCISE_FILE)."""
    path = Path(os.environ[FILE_ENV])
    spec = importlib.util.spec_from_file_location(f"exercise_{path.stem.replace('-', '_')}", path)
    assert spec is not None and spec.loader is not None, f"cannot import {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module

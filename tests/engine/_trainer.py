"""scripts/train_models.py as a module, for tests of the training recipe (needs the `train` extra)."""
from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache

from tests.conftest import ROOT, require


def trainer():
    require(importlib.util.find_spec("sklearn") is not None, "scikit-learn (the train extra) is not installed")
    return _load()


@lru_cache(maxsize=1)
def _load():
    spec = importlib.util.spec_from_file_location("train_models", ROOT / "scripts" / "train_models.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("train_models", module)
    spec.loader.exec_module(module)
    return module

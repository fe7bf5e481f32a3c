"""docs/API.md and docs/CONFIG.md stay in step with the code: every error code and every config key is listed."""
from __future__ import annotations

import dataclasses
import re

import pytest

from smallprint.config import Config, HistoryConfig
from smallprint.daemon.errors import ERROR_CODES

from ..conftest import ROOT

API_DOC = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
CONFIG_DOC = (ROOT / "docs" / "CONFIG.md").read_text(encoding="utf-8")
CONFIG_KEYS = [f.name for f in dataclasses.fields(Config) if f.name not in ("history", "tables", "source")]


@pytest.mark.parametrize("code", list(ERROR_CODES))
def test_every_error_code_is_in_the_api_table(code):
    status = ERROR_CODES[code][0]
    assert re.search(rf"^\| `{code}` \| {status} \|", API_DOC, re.MULTILINE), f"{code} ({status}) missing from docs/API.md"


@pytest.mark.parametrize("key", CONFIG_KEYS + [f"history.{f.name}" for f in dataclasses.fields(HistoryConfig)])
def test_every_config_key_is_documented(key):
    name = key.split(".")[-1]
    assert re.search(rf"^\| `{name}` \|", CONFIG_DOC, re.MULTILINE), f"{key} missing from docs/CONFIG.md"
    if "." not in key:
        import smallprint.config as module
        assert re.search(rf"^  {name}\s", module.__doc__, re.MULTILINE), f"{key} missing from the config docstring"

"""docs/API.md and docs/CONFIG.md stay in step with the code: every error code, route, query parameter and config
key is listed."""
from __future__ import annotations

import dataclasses
import re

import pytest

from smallprint.config import Config, HistoryConfig
from smallprint.daemon.app import OPTIONAL_ROUTE_MODULES, create_app
from smallprint.daemon.errors import ERROR_CODES
from smallprint.daemon.openapi import build_openapi

from ..conftest import ROOT

API_DOC = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
CONFIG_DOC = (ROOT / "docs" / "CONFIG.md").read_text(encoding="utf-8")
# Every route of the OpenAPI document, with the optional modules (the policy memory's /v1/sites) plugged in.
OPENAPI_PATHS = build_openapi(create_app(optional_modules=OPTIONAL_ROUTE_MODULES))["paths"]
CONFIG_KEYS = [f.name for f in dataclasses.fields(Config) if f.name not in ("history", "tables", "source", "set_in_file")]


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


@pytest.mark.parametrize("method, path", [(m, p) for p, ops in OPENAPI_PATHS.items() for m in ops])
def test_every_route_has_a_section(method, path):
    assert re.search(rf"^### `{method.upper()} {re.escape(path)}`", API_DOC, re.MULTILINE), \
        f"{method.upper()} {path} has no section in docs/API.md"


@pytest.mark.parametrize("path, name", [(p, param["name"]) for p, ops in OPENAPI_PATHS.items() for op in ops.values()
                                        for param in op.get("parameters", []) if param["in"] == "query"])
def test_every_query_parameter_is_described_in_its_route_section(path, name):
    section = API_DOC.split(f"`GET {path}`", 1)[1].split("\n### ", 1)[0]
    assert re.search(rf"^\| `{name}` \|", section, re.MULTILINE), f"?{name} of {path} missing from docs/API.md"

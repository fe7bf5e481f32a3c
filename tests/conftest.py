"""Fixtures shared by every test package.

In CI (`CI` set) a test whose real dependency (shared data, a browser) is missing FAILS instead of skipping,
so a green run means the real parts were exercised.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SMALLPRINT_SHARED", ROOT.parent / "shared")).resolve()
SHARED_DATA = SHARED / "data"
IN_CI = bool(os.environ.get("CI"))


def require(condition: bool, why: str) -> None:
    """Skip locally, fail in CI, when a real dependency is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {why}", pytrace=False)
    pytest.skip(why)


def missing_shared_data_reason(shared: Path = SHARED) -> str:
    """Why the shared data is not there, and how to point the tests at it."""
    why = f"shared data not found at {shared / 'data'}"
    if (shared / "policies").is_dir() or shared.name == "data":
        why += f" (SMALLPRINT_SHARED={shared} names the data folder itself)"
    return why + "; set SMALLPRINT_SHARED to the folder that holds `data` (default: ../shared beside the checkout)"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    require(SHARED_DATA.is_dir(), missing_shared_data_reason())
    return SHARED_DATA


@pytest.fixture
def smallprint_home(tmp_path, monkeypatch) -> Path:
    """An isolated SMALLPRINT_HOME: config, data, cache, logs and runtime files under tmp_path."""
    home = tmp_path / "sp-home"
    monkeypatch.setenv("SMALLPRINT_HOME", str(home))
    return home


def hold_calls(monkeypatch, module, name: str) -> threading.Event:
    """Hold every call of `module.name` until the returned event is set (30 s at most): for a race that a test must
    not leave to the machine's speed (the reader remembers what earlier tests read, and reads it again in no time)."""
    release = threading.Event()
    held = getattr(module, name)

    def after_release(*args, **kwargs):
        release.wait(30)
        return held(*args, **kwargs)

    monkeypatch.setattr(module, name, after_release)
    return release

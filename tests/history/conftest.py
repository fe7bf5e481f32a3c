"""Fixtures for the policy memory's tests: a data folder on its own tiny file system, and a way to make it read-only
for this very process even when it runs as root."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.conftest import require


def mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def data_mount(smallprint_home) -> Iterator[Path | None]:
    """SMALLPRINT_HOME/data as its own 2 MiB tmpfs, or None when mounting is not allowed here."""
    data = smallprint_home / "data"
    data.mkdir(parents=True)
    if os.geteuid() != 0 or shutil.which("mount") is None or not mount("-t", "tmpfs", "-o", "size=2m,mode=0700",
                                                                       "tmpfs", str(data)):
        yield None
        return
    try:
        yield data
    finally:
        subprocess.run(["umount", "-l", str(data)], capture_output=True)


@pytest.fixture
def make_store_read_only(data_mount, smallprint_home) -> Iterator[Callable[[], None]]:
    """Call it to make the store's folder and files unwritable for this process and its children, undone after the
    test. Root ignores file modes, so as root (CI containers) the folder's tmpfs is remounted read-only: root cannot
    write a read-only mount either. Anyone else gets the folder 0555 and its files 0444."""
    data = smallprint_home / "data"
    done: list[str] = []

    def make_read_only() -> None:
        if data_mount is not None:
            assert mount("-o", "remount,ro", str(data_mount))
            done.append("mount")
            return
        require(os.geteuid() != 0, "root ignores file modes and cannot mount here: no way to make the store read-only")
        for path in data.iterdir():
            path.chmod(0o444)
        data.chmod(0o555)
        done.append("modes")

    yield make_read_only
    if "mount" in done:
        mount("-o", "remount,rw", str(data_mount))
    elif "modes" in done:
        data.chmod(0o700)
        for path in data.iterdir():
            path.chmod(0o600)


def store_at_schema(path: Path, schema: int) -> sqlite3.Connection:
    """A store as a release at `schema` left it (its migrations run, nothing more), open in autocommit for a test
    to fill; the test closes it. The WAL journal is the one every release has used."""
    from smallprint.history.store import MIGRATIONS

    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for step in MIGRATIONS[:schema]:
        step(db)
    db.execute(f"PRAGMA user_version = {schema}")
    return db

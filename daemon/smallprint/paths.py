"""Where smallprint keeps its files. Everything lives in the platformdirs locations, nowhere else.

`SMALLPRINT_HOME`, when set, puts all of them under one folder (tests and portable installs).
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import platformdirs

APP = "smallprint"


def _home() -> Path | None:
    home = os.environ.get("SMALLPRINT_HOME")
    return Path(home) if home else None


def config_dir() -> Path:
    home = _home()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP, appauthor=False))


def cache_dir() -> Path:
    home = _home()
    return home / "cache" if home else Path(platformdirs.user_cache_dir(APP, appauthor=False))


def log_dir() -> Path:
    home = _home()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP, appauthor=False))


def runtime_dir() -> Path:
    home = _home()
    if home:
        return home / "run"
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR (ssh sessions, containers, CI) platformdirs falls back to a private folder it
        # checks itself, and says so with a RuntimeDirWarning that would otherwise end up on every command's stderr.
        warnings.simplefilter("ignore")
        return Path(platformdirs.user_runtime_dir(APP, appauthor=False))


def config_file() -> Path:
    return config_dir() / "config.toml"


def token_file() -> Path:
    """The API token's fallback home where no keyring backend works (mode 0600)."""
    return config_dir() / "token"


def runtime_file() -> Path:
    """JSON {"pid", "host", "port", "version", "started"} written by the running daemon."""
    return runtime_dir() / "daemon.json"


def store_file() -> Path:
    return data_dir() / "smallprint.sqlite3"


def keep_private(fd: int) -> None:
    """Make an open file of this user's theirs alone again (0600) if others may read or write it. The token file and
    the history store are created 0600, but one copied or restored from a backup comes with the usual 0644, which
    would let every local user read the token or the reader's remembered policies."""
    if os.name == "nt":
        return
    info = os.fstat(fd)
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        try:
            os.fchmod(fd, 0o600)
        except OSError:  # a read-only file system: the file still works; nothing more can be done here
            pass


def ensure(path: Path, mode: int = 0o700) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=mode)
    return path

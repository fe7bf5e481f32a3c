"""Where smallprint keeps its files. Everything lives in the platformdirs locations, nowhere else.

`SMALLPRINT_HOME`, when set, puts all of them under one folder (tests and portable installs).
"""
from __future__ import annotations

import os
import re
import socket
import sys
import tempfile
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


def state_dir() -> Path:
    home = _home()
    return home / "state" if home else Path(platformdirs.user_state_dir(APP, appauthor=False))


def _temp_roots() -> set[Path]:
    """The shared temporary folders: every local user may create entries there."""
    names = [tempfile.gettempdir(), "/tmp", "/var/tmp", "/usr/tmp"]
    names += [value for name in ("TMPDIR", "TEMP", "TMP") if (value := os.environ.get(name))]
    return {Path(os.path.realpath(name)) for name in names if os.path.isabs(name)}


def _under_temp(path: Path) -> bool:
    real = Path(os.path.realpath(path))
    return any(real == root or root in real.parents for root in _temp_roots())


def runtime_dir() -> Path:
    """Where the running daemon says where it listens (`daemon.json`), and its locks. The daemon, the CLI and the
    bridge all ask here, so they agree as long as they share HOME (or SMALLPRINT_HOME) and XDG_RUNTIME_DIR.

    XDG_RUNTIME_DIR (or /run/user/UID) when there is one. Without it (ssh sessions, containers, a browser started
    from a desktop that sets none) platformdirs falls back to TMPDIR/runtime-UID: a folder in the shared temporary
    directory, which another local user may create first, and which follows TMPDIR, so that a browser started with
    another TMPDIR than the terminal looks elsewhere. Then it is a folder of this machine's in the private per-user
    state folder instead (~/.local/state/smallprint/run/HOST, 0700): a home folder shared between machines (NFS)
    would otherwise give them one `daemon.json`, which each machine's daemon overwrites (the other's pid is not
    alive here), and one `daemon.lock`, which NFS locks across machines, so that a daemon on one machine keeps the
    other's from starting. XDG_RUNTIME_DIR is the machine's own already. macOS (~/Library/Caches/TemporaryItems) and Windows
    (%LOCALAPPDATA%\\Temp) have per-user folders of their own, kept as they are.
    """
    home = _home()
    if home:
        return home / "run"
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR platformdirs says it falls back with a RuntimeDirWarning that would otherwise end
        # up on every command's stderr; the fallback is replaced below anyway.
        warnings.simplefilter("ignore")
        try:
            runtime = Path(platformdirs.user_runtime_dir(APP, appauthor=False))
        except PermissionError:  # no temporary folder of its own it could trust
            runtime = None
    if sys.platform in ("win32", "darwin") and runtime is not None:
        return runtime
    if runtime is None or _under_temp(runtime):
        return state_dir() / "run" / host_folder_name()
    return runtime


def host_folder_name() -> str:
    """This machine's name as a folder name: lower case (host names are not), and no character a file name cannot
    hold or that would lead elsewhere (`/`, a leading `.`)."""
    safe = re.sub(r"[^a-z0-9_.-]", "_", socket.gethostname().lower()).lstrip(".")
    return safe[:200] or "localhost"


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
    """Create `path` (and its parents) with `mode`; a folder of this user's that others may enter although `mode`
    says they may not (made by hand, or before smallprint tightened it) is made `mode` again."""
    path.mkdir(parents=True, exist_ok=True, mode=mode)
    if os.name != "nt":
        info = path.stat()
        if info.st_mode & 0o777 & ~mode and info.st_uid == os.getuid():
            try:
                path.chmod(mode)
            except OSError:  # a read-only file system: nothing more can be done here
                pass
    return path

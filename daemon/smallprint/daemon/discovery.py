"""How clients (the native-messaging bridge, the CLI) find the running daemon: a small JSON runtime file.

The daemon writes `smallprint.paths.runtime_file()` once it listens and removes it on shutdown. A file left
behind by a crashed daemon is recognised as stale because its pid is no longer alive (on Linux a zombie, a killed
daemon its parent has not reaped yet, is not alive either).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import paths


@dataclass(frozen=True, slots=True)
class RuntimeInfo:
    pid: int
    host: str
    port: int
    version: str
    started: str  # ISO 8601, UTC
    # `serve --idle-exit`: the minutes with no request and no browser's bridge after which it stops (the bridge starts
    # its daemons with 30), None for a daemon that runs until stopped; `smallprint status` says which
    idle_exit_minutes: float | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def to_dict(self) -> dict:
        return asdict(self)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _windows_pid_alive(pid: int) -> bool:
    import ctypes
    from ctypes import wintypes

    process_query_limited_information, still_active, error_access_denied = 0x1000, 259, 5
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return ctypes.get_last_error() == error_access_denied  # exists, but not ours to query
    try:
        code = wintypes.DWORD()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def _zombie(pid: int) -> bool:
    """Linux: whether `pid` has exited but its parent has not reaped it yet (state Z in /proc/PID/stat; X, dead,
    in the instant of reaping): it keeps its pid but runs nothing, holds no file, lock or socket. The state follows
    the command name in parentheses, which may itself hold ") ". Elsewhere, or when /proc cannot tell: False."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return False


def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs. A zombie does not (Linux): a killed daemon its parent (a shell, `serve &`) has
    not reaped yet still has its pid, but will never answer, write or hold its lock again."""
    if pid <= 0:
        return False
    if os.name == "nt":  # there os.kill(pid, 0) is TerminateProcess: it would kill the daemon it asks about
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return not _zombie(pid)
    except OSError:
        return False
    return not _zombie(pid)


def _parse(data: object) -> RuntimeInfo | None:
    if not isinstance(data, dict):
        return None
    try:
        info = RuntimeInfo(pid=int(data["pid"]), host=str(data["host"]), port=int(data["port"]),
                           version=str(data["version"]), started=str(data["started"]),
                           idle_exit_minutes=float(data["idle_exit_minutes"]) if data.get("idle_exit_minutes")
                           else None)
    except (KeyError, TypeError, ValueError):
        return None
    return info if 0 < info.port < 65536 else None


def read_runtime_info(path: Path | None = None) -> RuntimeInfo | None:
    """The running daemon's address, or None when no daemon runs (no file, unreadable file, or dead pid)."""
    path = path or paths.runtime_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    info = _parse(data)
    if info is None or not pid_alive(info.pid):
        return None
    return info


def write_runtime_info(info: RuntimeInfo, path: Path | None = None) -> Path:
    """Atomically (temp file + rename), so a client never reads half a file."""
    path = path or paths.runtime_file()
    paths.ensure(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=".daemon-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(info.to_dict(), handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def remove_runtime_info(pid: int | None = None, path: Path | None = None) -> None:
    """Remove the runtime file, but only if it is ours (`pid`), so a late shutdown never erases a successor's."""
    path = path or paths.runtime_file()
    if pid is not None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict) or data.get("pid") != pid:
            return
    path.unlink(missing_ok=True)

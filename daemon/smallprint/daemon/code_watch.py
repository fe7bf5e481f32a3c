"""A daemon whose installed code changed under it (an upgrade, a reinstall) starts itself again on the new code.

Without this, a daemon left running across `pip install -U smallprint` kept answering with the old engine for as long
as the browser's bridge kept it busy, and worse, mixed the two: its worker processes import the reader and other
modules lazily, so a worker started after the upgrade read new files beside the old ones already in memory.

The daemon notes what its package folder holds when it starts (every file's name, size and modification time: a few
milliseconds for the ~120 files) and looks again every CHECK_SECONDS. When that changes, it waits until it holds
still for SETTLE_SECONDS (an installer writes files one after another), then until no request is in flight (at most
BUSY_WAIT_SECONDS: a page being read is answered, not cut), and then stops as `smallprint stop` would and runs its own
command line again in the same process (`serve` returns True; cmd_serve execs, the instance lock kept across). Its
clients find it as after any restart: the runtime file names the new one, and the bridge waits for a daemon that is
starting.

Imported by the daemon only (no aiohttp here, but nothing else needs it).
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from pathlib import Path

from .idle import Activity

log = logging.getLogger("smallprint.daemon")

PACKAGE = Path(__file__).resolve().parent.parent


def _check_seconds(default: float = 30.0) -> float:
    """How often the daemon looks: SMALLPRINT_CODE_CHECK_SECONDS (for tests, which cannot wait half a minute), else
    `default`; a value that is not a positive number is ignored."""
    try:
        value = float(os.environ.get("SMALLPRINT_CODE_CHECK_SECONDS", default))
    except ValueError:
        return default
    return max(0.05, value) if value == value and value > 0 else default


CHECK_SECONDS = _check_seconds()
# A change must hold still this long before the daemon acts on it: pip writes a package file by file.
SETTLE_SECONDS = min(2.0, CHECK_SECONDS)
# Requests in flight are waited for this long at most; then the daemon stops as `smallprint stop` does (those still
# running get SHUTDOWN_GRACE_SECONDS, then 503 shutting_down, which the bridge sends again to the new daemon).
BUSY_WAIT_SECONDS = 300.0


def _not_code(name: str) -> bool:
    """Files that change without the code changing: compiled caches (Python rewrites them as it likes) and, in an
    editable install's source folder, an editor's swap, lock and backup files (vim's .x.py.swp, emacs's .#x.py and
    #x.py#, x.py~), which come and go as a file is opened and closed."""
    return name.startswith((".", "#")) or name.endswith(("~", ".pyc", ".pyo"))


def code_fingerprint(root: Path = PACKAGE) -> str:
    """What `root` holds, as a digest of every file's path, size and modification time (_not_code left out). A file
    that cannot be read counts as absent."""
    rows = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__" and not name.startswith("."))
        for name in files:
            if _not_code(name):
                continue
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            rows.append((os.path.relpath(path, root), stat.st_size, stat.st_mtime_ns))
    rows.sort()
    return hashlib.sha256(repr(rows).encode("utf-8", "surrogateescape")).hexdigest()


async def restart_when_code_changes(activity: Activity, stop: asyncio.Event, started_with: str,
                                    root: Path = PACKAGE, interval: float | None = None) -> bool:
    """Wait until the code in `root` differs from `started_with` and holds still, then until no request is in
    flight (BUSY_WAIT_SECONDS at most); then set `stop` and return True. Returns False if `stop` is set first."""
    interval = CHECK_SECONDS if interval is None else interval
    settle = min(SETTLE_SECONDS, interval)
    while not stop.is_set():
        await asyncio.sleep(interval)
        now = await asyncio.to_thread(code_fingerprint, root)
        if now == started_with:
            continue
        await asyncio.sleep(settle)
        if await asyncio.to_thread(code_fingerprint, root) != now:
            continue  # still being written: look again at the next check
        log.warning("smallprint's installed code changed since this daemon started (an upgrade?): it starts again "
                    "on the new code once the requests in flight are answered")
        waited = 0.0
        while activity.in_flight and waited < BUSY_WAIT_SECONDS and not stop.is_set():
            await asyncio.sleep(0.2)
            waited += 0.2
        if stop.is_set():
            return False
        stop.set()
        return True
    return False

"""A daemon the browser's bridge started goes away some time after the browser has: `smallprint serve --idle-exit
MINUTES` stops, as `smallprint stop` would, once MINUTES have passed with no request in flight, none arriving and no
bridge running. A daemon started by hand (no --idle-exit) runs until it is stopped.

A running bridge (one per browser that has the extension's port open) holds a shared lock on `bridges.lock` in the
runtime folder for its whole life; the daemon tries an exclusive lock on it to tell whether any bridge is there.
The OS drops a bridge's lock when it exits, however it exits. (Windows has no shared locks: there the daemon counts
requests only, and a bridge that finds it gone starts a new one.)

Imported by the bridge: no aiohttp here.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .. import paths

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("smallprint.daemon")

# What the bridge passes to the daemons it starts: half an hour without a page read and without a browser.
BRIDGE_IDLE_MINUTES = 30.0
# How often an idle-exiting daemon looks: a tenth of its limit, within these bounds.
CHECK_SECONDS_MIN = 0.2
CHECK_SECONDS_MAX = 30.0


def bridges_lock_file() -> Path:
    return paths.runtime_dir() / "bridges.lock"


class BridgePresence:
    """Held by a running bridge (shared: any number of bridges at once)."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._fd: int | None = None

    def hold(self) -> bool:
        try:
            import fcntl
        except ImportError:  # Windows
            return False
        path = self.path or bridges_lock_file()
        try:
            fd = os.open(paths.ensure(path.parent) / path.name, os.O_RDONLY | os.O_CREAT, 0o600)
        except OSError as exc:
            log.warning("cannot say that a bridge runs (%s): an idle daemon may stop meanwhile", exc)
            return False
        # A daemon looking holds the exclusive lock for an instant: wait for it, never for long.
        for _ in range(100):
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                self._fd = fd
                return True
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                break
        os.close(fd)
        return False

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


def bridge_running(path: Path | None = None) -> bool:
    """Whether some bridge holds its shared lock (False where that cannot be told)."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fd = os.open(path or bridges_lock_file(), os.O_RDONLY)
    except OSError:  # no bridge has run since the folder was made
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # also drops the exclusive lock when it was granted
    return False


class Activity:
    """Requests in flight and when the last one came or went (the daemon's event loop only)."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.last = time.monotonic()

    def began(self) -> None:
        self.in_flight += 1
        self.last = time.monotonic()

    def ended(self) -> None:
        self.in_flight -= 1
        self.last = time.monotonic()

    def touch(self) -> None:
        self.last = time.monotonic()

    def idle_seconds(self) -> float:
        return 0.0 if self.in_flight else time.monotonic() - self.last


async def stop_when_idle(activity: Activity, limit_seconds: float, stop: asyncio.Event) -> None:
    """Set `stop` once `limit_seconds` have passed with no request and no bridge; the clock starts again whenever a
    request comes or goes or a bridge is seen, so a browser that closes gets the whole limit too."""
    import asyncio

    interval = min(CHECK_SECONDS_MAX, max(CHECK_SECONDS_MIN, limit_seconds / 10))
    while not stop.is_set():
        await asyncio.sleep(interval)
        if activity.in_flight:
            continue
        if bridge_running():
            activity.touch()
            continue
        if activity.idle_seconds() >= limit_seconds:
            log.info("no request and no browser for %s: stopping (--idle-exit; the browser's bridge starts the "
                     "daemon again when it needs it)", describe_minutes(limit_seconds / 60))
            stop.set()


def describe_minutes(minutes: float) -> str:
    if minutes >= 1 and float(minutes).is_integer():
        return f"{int(minutes)} minute{'s' if minutes != 1 else ''}"
    return f"{minutes * 60:g} s"
